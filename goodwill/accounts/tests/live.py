"""A real `goodwill serve` in a subprocess, and form posts to it from many threads at once."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from goodwill.core.testing import GOODWILL, free_port, stop, wait_for_http


@dataclass
class Answer:
    status: int
    location: str
    body: str


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


# The first server of a test process collects the static files; later ones get a copy
# (collectstatic hashes every file again: seconds of CPU per start, the same result each time).
_collected_static: list[Path] = []


@contextmanager
def running_server(env: Mapping[str, str]) -> Iterator[str]:
    """`goodwill serve` on a free port; yields its base URL and stops it afterwards."""
    port = free_port()
    static = Path(env["GOODWILL_DATA_DIR"]) / "static"
    flags = []
    if _collected_static and not (static / "staticfiles.json").exists():
        shutil.copytree(_collected_static[0], static, dirs_exist_ok=True)
        flags = ["--no-collectstatic"]
    server = subprocess.Popen(
        [GOODWILL, "serve", "--host", "127.0.0.1", "--port", str(port), *flags],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process=server, timeout=300)
        if not _collected_static and (static / "staticfiles.json").exists():
            _collected_static.append(static)
        yield base
    finally:
        stop(server)


def request(
    url: str, *, data: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
) -> Answer:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=dict(headers or {}))
    try:
        with OPENER.open(req, timeout=300) as response:
            return Answer(response.status, response.headers.get("Location", ""), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Location", ""), error.read().decode())


def csrf_cookie(base: str, path: str) -> str:
    """A CSRF cookie value from a GET of `path` (the same value works as the form token)."""
    with OPENER.open(f"{base}{path}", timeout=60) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    for cookie in cookies:
        match = re.match(r"csrftoken=([^;]+)", cookie)
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF cookie from {path}")


def post_form(
    base: str, path: str, data: Mapping[str, str], *, headers: Mapping[str, str] | None = None
) -> Answer:
    token = csrf_cookie(base, path)
    return request(
        f"{base}{path}",
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={token}", **(headers or {})},
    )


def post_all_at_once(
    base: str, path: str, forms: list[Mapping[str, str]], *, headers: Mapping[str, str] | None = None
) -> list[Answer]:
    """POST every form from its own thread, all released together after their CSRF cookies."""
    tokens = [csrf_cookie(base, path) for _ in forms]
    start = threading.Barrier(len(forms))
    answers: list[Answer | None] = [None] * len(forms)

    def send(index: int) -> None:
        start.wait()
        answers[index] = request(
            f"{base}{path}",
            data={**forms[index], "csrfmiddlewaretoken": tokens[index]},
            headers={"Cookie": f"csrftoken={tokens[index]}", **(headers or {})},
        )

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert all(answer is not None for answer in answers), "a request never finished"
    return [answer for answer in answers if answer is not None]
