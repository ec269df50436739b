"""Response headers every page gets, beyond Django's SecurityMiddleware and django-csp.

Static files never reach this middleware (WhiteNoise answers them first, with long cache
lifetimes of their own); everything else Goodwill answers may show customer data, so it is
private and never stored by a browser or a shared cache unless the view said otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

PRIVATE = "private, no-store"


class PrivateByDefaultMiddleware:
    """`Cache-Control: private, no-store` on every answer that did not choose its own.

    It also keeps the page policy off PDFs: a browser's PDF viewer runs its own scripts
    and plugin, which the page policy (object-src 'none') would refuse. A PDF is no HTML
    page, so the policy has nothing to protect there. Must come after CSPMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True  # type: ignore[attr-defined]
        return response
