"""The `goodwill` console script: Django's management commands, with hyphenated aliases."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "goodwill"
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        # Contracts spell commands `seed-demo`; Python modules cannot contain hyphens.
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
