"""`goodwill serve`: the production web server (uvicorn on the ASGI app, WhiteNoise for static)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Goodwill over HTTP with uvicorn (not Django's development server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GOODWILL_WEB_WORKERS", "1")),
            help="Web processes (default 1, or GOODWILL_WEB_WORKERS).",
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("GOODWILL_WEB_THREADS") or 4),
            help="Threads per web process running views, each with one database connection "
            "(default 4, or GOODWILL_WEB_THREADS; 0 = Django's default, a new thread per request).",
        )
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, no_collectstatic: bool, **options: Any
    ) -> None:
        import uvicorn

        # Read by goodwill.asgi in each web process (uvicorn's workers inherit the environment).
        os.environ["GOODWILL_WEB_THREADS"] = str(threads)
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Goodwill listening on http://{host}:{port}/ ({workers} process(es), {threads} thread(s) each)"
        )
        uvicorn.run(
            "goodwill.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            # X-Forwarded-For/-Proto only from GOODWILL_TRUSTED_PROXIES, the same rule as
            # goodwill.core.http.client_ip (uvicorn alone would believe 127.0.0.1).
            proxy_headers=bool(settings.TRUSTED_PROXIES),
            forwarded_allow_ips=[str(network) for network in settings.TRUSTED_PROXIES],
            lifespan="off",
        )
