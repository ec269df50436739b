from __future__ import annotations

from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def healthz_worker(request: HttpRequest) -> JsonResponse:
    """200 when a worker is alive and the queue keeps up; 503 with a `reason` otherwise."""
    from goodwill.core.queue import worker_health

    try:
        healthy, body = worker_health()
    except DatabaseError:
        return JsonResponse({"status": "error", "reason": "the database does not answer"}, status=503)
    except Exception as error:  # noqa: BLE001 - a monitor needs an answer, e.g. when Redis is down
        return JsonResponse({"status": "error", "reason": f"the queue cannot be read: {error}"}, status=503)
    return JsonResponse(body, status=200 if healthy else 503)
