"""The one rule for files people upload: how many per request, how big each, how big together.

Every form that takes files (the portal's new request and reply, the agent composer) goes
through it. `UploadLimitHandler` is the first upload handler (settings.FILE_UPLOAD_HANDLERS):
it counts files and bytes while the request streams in, and once a request is over a limit
it skips the rest of its files, so they are neither kept in memory nor written to disk. The
form fields around them are still parsed, so the page can be shown again with the text the
person typed. Views then ask `accepted_files(request, field)`, which raises `UploadRefused`.

Limits are Django settings so an operator (or a test) can change them:
UPLOAD_MAX_FILES, UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_TOTAL_BYTES.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

REFUSAL_ATTRIBUTE = "goodwill_upload_refusal"


def max_files() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILES", 10))


def max_file_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILE_BYTES", 20 * 1024 * 1024))


def max_total_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_TOTAL_BYTES", 25 * 1024 * 1024))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def limits_text() -> str:
    """The limits in words, for help texts and error messages."""
    return (
        f"up to {max_files()} files, each at most {_megabytes(max_file_bytes())}, "
        f"{_megabytes(max_total_bytes())} together"
    )


class UploadRefused(ValidationError):
    """The files of one request went over a limit; none of them is kept."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} Please attach {limits_text()}.", code="upload_refused")
        self.reason = reason


def check_files(files: Sequence[Any]) -> None:
    """Raise UploadRefused when `files` (anything with a `size`) break a limit."""
    if len(files) > max_files():
        raise UploadRefused(f"You attached {len(files)} files.")
    for item in files:
        if (getattr(item, "size", 0) or 0) > max_file_bytes():
            raise UploadRefused("One of the files is too large.")
    if sum(getattr(item, "size", 0) or 0 for item in files) > max_total_bytes():
        raise UploadRefused("The files are too large together.")


def refusal(request: HttpRequest) -> str | None:
    """Why the request's files were refused while it streamed in, or None. Parses the body."""
    request.FILES  # noqa: B018 - reading it runs the upload handlers
    return getattr(request, REFUSAL_ATTRIBUTE, None)


def accepted_files(request: HttpRequest, field: str) -> list[UploadedFile]:
    """The files uploaded in `field`, or UploadRefused when the request broke a limit."""
    reason = refusal(request)
    if reason is not None:
        raise UploadRefused(reason)
    files = request.FILES.getlist(field)
    check_files(files)
    return files


class UploadLimitHandler(FileUploadHandler):
    """Counts files and bytes of one request and skips every file once a limit is passed.

    It passes each chunk on unchanged to the next handler (a temporary file on disk), so it
    must come first in FILE_UPLOAD_HANDLERS.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.total_bytes = 0
        self.file_bytes = 0
        self.reason: str | None = None

    def _refuse(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            if self.request is not None:
                setattr(self.request, REFUSAL_ATTRIBUTE, reason)
        raise SkipFile

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file_bytes = 0
        self.files_seen += 1
        if self.reason is not None:
            raise SkipFile
        if self.files_seen > max_files():
            self._refuse("You attached too many files.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.file_bytes += len(raw_data)
        self.total_bytes += len(raw_data)
        if self.file_bytes > max_file_bytes():
            self._refuse("One of the files is too large.")
        if self.total_bytes > max_total_bytes():
            self._refuse("The files are too large together.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
