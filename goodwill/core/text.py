"""Text rules shared by every door."""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators, with any
# whitespace around them: a mail client or header folder may treat each as a line break.
_BREAKS = re.compile(r"\s*[\x00-\x1f\x7f-\x9f\u2028\u2029]+\s*")


def one_line(value: str | None, max_length: int) -> str:
    """`value` fit for a mail header or a one-line label: every run of control characters (CR, LF,
    tab, NUL…) becomes one space, the ends are trimmed and the result is cut to `max_length`.

    Subjects and names end up in headers of mail Goodwill sends; a CR/LF there would break (or
    inject into) the header, so every service that stores one calls this, whichever door it came in by.
    """
    return _BREAKS.sub(" ", value or "").strip()[:max_length].rstrip()
