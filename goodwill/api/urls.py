from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path

from goodwill.api.api import api


def unknown_endpoint(request: HttpRequest, rest: str) -> JsonResponse:
    """Anything under /api/v1/ that is not an endpoint: a JSON 404, like the rest of the API."""
    return JsonResponse({"detail": "No such endpoint."}, status=404)


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with Django's HTML 405; API clients get JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            replacement = JsonResponse({"detail": f"Method {request.method} not allowed."}, status=405)
            replacement["Allow"] = response.get("Allow", "")
            return replacement
        return response

    return wrapped


api_patterns, _app_name, _namespace = api.urls
for pattern in api_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = _json_method_not_allowed(pattern.callback)

urlpatterns = [
    path("", (api_patterns, _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
