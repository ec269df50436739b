"""The web process's start-up (goodwill.asgi)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import gc, sys
import goodwill.asgi
views_loaded = 'goodwill.conversations.views.inbox' in sys.modules
frozen = gc.get_freeze_count()
gc.collect()
print(frozen, views_loaded, gc.get_freeze_count() == frozen)
"""


def test_start_up_objects_are_frozen_out_of_the_collector_after_the_views_are_loaded(tmp_path):
    env = {"GOODWILL_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "GOODWILL_SECRET_KEY": "x" * 50}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    frozen, views_loaded, stays = int(out[0]), out[1], out[2]
    assert frozen > 50_000  # the settings, apps, URL configuration and views: all start-up objects
    assert views_loaded == "True"  # loaded before the freeze, not in the first request
    assert stays == "True"  # a later collection leaves the frozen ones alone
