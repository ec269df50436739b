"""The REST API: /api/v1/, Bearer tokens, OpenAPI at /api/v1/openapi.json.

Only a Bearer token authenticates: a browser's session cookie is ignored here, which is
why the API needs no CSRF protection.
"""

import logging
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from goodwill.accounts.models import Agent
from goodwill.accounts.services import agent_for_token

logger = logging.getLogger("goodwill.api")


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, as printed by `goodwill create-token EMAIL`."""

    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        token = token.strip()
        if not token or len(token) > 200:
            return None
        return agent_for_token(token)


class GoodwillAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI also lists the answers every operation can give.

    Each operation declares its own outcomes; 401 (no or unknown token) and 400 (a body
    that is not JSON, a cursor that is not ours, a request Django finds suspicious) can
    come from any of them, so they are added here once rather than on every route.
    """

    COMMON_RESPONSES = {
        "400": "Bad request: the body is not JSON, the cursor is not one of ours, or the request is malformed.",
        "401": "Authentication required: no Bearer token, or one that is unknown or revoked.",
    }

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, description in self.COMMON_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema


api = GoodwillAPI(
    title="Goodwill API",
    version="1",
    description=(
        "Conversations, messages, customers and organisations. Authenticate with "
        "`Authorization: Bearer <token>` (`goodwill create-token EMAIL`). Lists are keyset-paginated: "
        'pass the `next` cursor of one page as `cursor` to get the following one. Errors are `{"detail": …}`.'
    ),
    urls_namespace="api",
    auth=BearerToken(),
)


def _detail(request: HttpRequest, detail: object, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _detail(request, "Authentication required: send Authorization: Bearer <token>.", 401)
    response["WWW-Authenticate"] = 'Bearer realm="goodwill"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _detail(request, str(exc), exc.status_code)


@api.exception_handler(NinjaValidationError)
def _request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _detail(request, exc.errors, 422)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail: object = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    else:
        messages = exc.messages
        detail = messages[0] if len(messages) == 1 else messages
    return _detail(request, detail, 422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _detail(request, str(exc) or "You may not do that.", 403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _detail(request, str(exc) or "Not found.", 404)


api.add_exception_handler(ObjectDoesNotExist, _not_found)  # type: ignore[arg-type]


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _detail(request, "Bad request.", 400)


@api.exception_handler(Exception)
def _crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    return _detail(request, "Internal server error.", 500)


from goodwill.api.endpoints import conversations, customers, messages, organisations, voice  # noqa: E402
from goodwill.api.endpoints import sla as sla_endpoints  # noqa: E402

api.add_router("/conversations", conversations.router)
api.add_router("/conversations", messages.router)
api.add_router("/customers", customers.router)
api.add_router("/customers", voice.router)
api.add_router("/organisations", organisations.router)

from goodwill.api.endpoints import promises  # noqa: E402

api.add_router("/conversations", promises.router)

from goodwill.api.endpoints import data  # noqa: E402

api.add_router("/customers", data.router)

from goodwill.api.endpoints import facts  # noqa: E402

api.add_router("/customers", facts.customers_router)
api.add_router("/facts", facts.facts_router)
api.add_router("/conversations", sla_endpoints.router)

from goodwill.api.endpoints import webhooks  # noqa: E402

api.add_router("/webhooks", webhooks.router)
from goodwill.api.endpoints import articles  # noqa: E402

api.add_router("/articles", articles.router)

from goodwill.api.endpoints import recovery as recovery_endpoints  # noqa: E402

api.add_router("/recovery", recovery_endpoints.router)
