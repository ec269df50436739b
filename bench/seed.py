"""How long `goodwill seed-demo` takes, and how big the database gets.

    .venv/bin/python bench/seed.py                        # 100,000 then 1,000,000 on SQLite
    .venv/bin/python bench/seed.py --sizes 20000          # other sizes
    .venv/bin/python bench/seed.py --keep /tmp/gw-1m      # keep the last data dir (for bench/pages.py)
    .venv/bin/python bench/seed.py --database-url postgresql://postgres@127.0.0.1:5432/gw_bench

Each size runs in fresh processes: `goodwill migrate`, then `goodwill seed-demo` (timed).
SQLite gets a new data dir per size. A PostgreSQL database is emptied with `goodwill flush`
before each size, so point it at a database you can lose.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOODWILL = [sys.executable, "-m", "goodwill"]


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(GOODWILL + args, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"goodwill {' '.join(args)} failed with exit code {done.returncode}")
    return done.stdout


def database_size(env: dict[str, str], data_dir: Path, database_url: str | None) -> int:
    if not database_url:
        return sum(path.stat().st_size for path in data_dir.glob("goodwill.sqlite3*"))
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT pg_database_size(current_database())')\n"
        "    print(c.fetchone()[0])\n"
    )
    return int(run(["shell", "-c", code], env).strip().splitlines()[-1])


def bench_size(size: int, seed: int, database_url: str | None, data_dir: Path) -> dict[str, float]:
    env = {**os.environ, "GOODWILL_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    if database_url:
        env["GOODWILL_DATABASE_URL"] = database_url
    else:
        env.pop("GOODWILL_DATABASE_URL", None)
    run(["migrate", "--noinput", "-v", "0"], env)
    if database_url:
        run(["flush", "--noinput", "-v", "0"], env)
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Default anchor (today, 00:00 UTC), so a kept database looks current to bench/pages.py.
    output = run(["seed-demo", "--conversations", str(size), "--seed", str(seed)], env)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    match = re.search(r"Seeded ([\d,]+) conversations, ([\d,]+) messages, ([\d,]+) events", output)
    if not match:
        sys.stderr.write(output)
        raise SystemExit("seed-demo did not report what it seeded")
    conversations, messages, events = (int(group.replace(",", "")) for group in match.groups())
    return {
        "conversations": conversations,
        "messages": messages,
        "events": events,
        "seconds": elapsed,
        "cpu": cpu,
        "bytes": database_size(env, data_dir, database_url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated conversation counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied before each size); default SQLite")
    parser.add_argument("--keep", type=Path, help="keep the data dir of the last size here")
    options = parser.parse_args()
    sizes = [int(part.replace("_", "")) for part in options.sizes.split(",") if part.strip()]
    backend = "PostgreSQL" if options.database_url else "SQLite"
    print(f"seed-demo on {backend}, seed {options.seed}")
    print(
        f"{'conversations':>14} {'messages':>11} {'events':>11} {'seconds':>9} {'CPU s':>8} {'conv/s':>8} {'size MB':>9}"
    )
    with tempfile.TemporaryDirectory(prefix="gw-bench-seed-") as scratch:
        for index, size in enumerate(sizes):
            last = index == len(sizes) - 1
            data_dir = options.keep if (last and options.keep) else Path(scratch) / str(size)
            if data_dir.exists() and not options.database_url:
                shutil.rmtree(data_dir)
            data_dir.mkdir(parents=True, exist_ok=True)
            result = bench_size(size, options.seed, options.database_url, data_dir)
            rate = result["conversations"] / result["seconds"]
            print(
                f"{result['conversations']:>14,} {result['messages']:>11,} {result['events']:>11,} "
                f"{result['seconds']:>9.1f} {result['cpu']:>8.1f} {rate:>8,.0f} {result['bytes'] / 1e6:>9,.0f}",
                flush=True,
            )
            if not (last and options.keep) and not options.database_url:
                shutil.rmtree(data_dir, ignore_errors=True)
    if options.keep:
        print(f"kept: GOODWILL_DATA_DIR={options.keep}")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
