"""Search by word frequency, and pages under concurrent load, over HTTP with `goodwill serve`.

    .venv/bin/python bench/search_load.py --data-dir /work/gw-1m              # SQLite
    .venv/bin/python bench/search_load.py --database-url postgresql://…/gw   # PostgreSQL
    options: --workers 2 --threads 4 --clients 8 --duration 60 --rounds 3 --mail-rate 100
             --think-ms 0 --repeat 20 --skip-words --skip-load

Without --data-dir or --database-url it seeds 1,000 conversations in a temporary data dir
(`--conversations`); an unseeded database is seeded first (`goodwill seed-demo` is a no-op
on a seeded one), so seed 1,000,000 beforehand for the real figures.

1. Words: document frequency over a sample of messages spread over the whole id range
   (content words only), then the most frequent word, the 10th, the median, a rare one
   and the most frequent two-word phrase. Each is searched `--repeat` times, one request
   at a time, on the search page (everything, as an agent types it) in best-match and
   newest-first order: p50 / p95 per word and order.
2. Load: `--clients` threads fetch a mix of pages (inbox views, conversations, the
   customer's other conversation, searches for the words above) through `--workers` web
   processes for `--duration` seconds, `--rounds` times, while a separate process
   receives `--mail-rate` customer messages a second (in batches of 10, as email intake
   does). With `--think-ms 0` (the default) each client asks for its next page as soon
   as the last one arrived (closed loop: the machine's capacity); `--think-ms N` makes
   each client pause between pages, a random 0.5 to 1.5 × N ms, like an agent reading
   (a realistic load: latency at a given number of agents). Prints p50/p95 per page kind per round, and each web process's private memory
   (Private_Clean + Private_Dirty of /proc/<pid>/smaps_rollup: memory no other process
   shares; mmap'd database pages would count, the kernel's page cache does not).

The load average is printed beside every figure: on a shared machine, compare ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from _common import database_pids

ROOT = Path(__file__).resolve().parent.parent
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """a about above after again all also am an and any are as at be been before being below
    between both but by can could did do does doing don down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should
    so some such than that the their theirs them then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours re hi hello thanks thank regards dear best""",
    )
)


def load_average() -> str:
    return "load " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- Django side: words, a signed-in session, mail ---------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
    import django

    django.setup()


def pick_words(sample: int = 20000) -> dict[str, str]:
    """Words by document frequency in a sample of messages spread over all of them."""
    from goodwill.conversations.models import Message

    highest = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    ids = sorted({rng.randint(1, highest) for _ in range(sample)})
    texts: list[str] = []
    for start in range(0, len(ids), 500):
        texts += [t or "" for t in Message.objects.filter(id__in=ids[start : start + 500]).values_list("text", flat=True)]
    documents: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts:
        words = re.findall(r"[a-z]+", text.lower())
        documents.update({word for word in words if len(word) > 2 and word not in STOPWORDS})
        pairs.update(
            {f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a not in STOPWORDS and b not in STOPWORDS}
        )
    ranked = [word for word, _ in documents.most_common()]
    rare = [word for word, count in documents.items() if count == 2]
    return {
        "most frequent": ranked[0],
        "10th": ranked[9],
        "median": ranked[len(ranked) // 2],
        "rare": sorted(rare)[len(rare) // 2] if rare else ranked[-1],
        "phrase": f'"{pairs.most_common(1)[0][0]}"',
        "_sampled": str(len(texts)),
    }


def session_cookie() -> tuple[str, str]:
    """A signed-in session for the demo agent, made the way `login()` makes one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from goodwill.accounts.models import Agent

    agent = Agent.objects.get(email="agent@example.com")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(agent.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    store.save()
    return settings.SESSION_COOKIE_NAME, str(store.session_key)


def page_urls(words: dict[str, str]) -> dict[str, list[str]]:
    """The load rounds' mix: every built-in inbox view, conversations of the newer half, and
    `words` (from `pick_words`) searched in both orders."""
    from goodwill.accounts.models import Agent
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, conversations_visible_to

    agent = Agent.objects.get(email="agent@example.com")
    visible = conversations_visible_to(agent)
    newest = visible.order_by("-number").values_list("number", flat=True).first() or 1
    rng = random.Random(3)
    numbers = [newest - rng.randint(0, max(1, newest // 2)) for _ in range(40)]
    existing = list(visible.filter(number__in=numbers).values_list("number", flat=True))
    return {
        "inbox": [f"/?view={slug}" for slug in BUILT_IN_VIEWS],
        "conversation": [f"/c/{number}/" for number in existing],
        "search": [
            "/search/?" + urllib.parse.urlencode({"q": word, "order": order})
            for label, word in words.items()
            if not label.startswith("_")
            for order in ("relevance", "date")
        ],
    }


def mail_child(rate: float) -> None:
    """Receive `rate` customer messages a second into existing conversations until killed."""
    setup_django()
    from django.db import close_old_connections

    from goodwill.conversations.models import Conversation
    from goodwill.conversations.services import InboundMessage, receive_messages_in_bulk
    from goodwill.core.events import subscribed

    highest = Conversation.objects.order_by("-id").values_list("id", flat=True).first() or 1
    rng = random.Random(11)
    sent, started = 0, time.monotonic()
    # New mail reads like the mail already there: texts of messages picked at random.
    from goodwill.conversations.models import Message

    top = Message.objects.order_by("-id").values_list("id", flat=True).first() or 1
    picks = [rng.randint(1, top) for _ in range(2000)]
    lines = [text for text in Message.objects.filter(id__in=picks).values_list("text", flat=True) if text]
    while True:
        ids = [rng.randint(max(1, highest - 200000), highest) for _ in range(10)]
        conversations = Conversation.objects.select_related("customer").filter(id__in=ids)
        from django.utils import timezone

        items = [
            InboundMessage(customer=c.customer, channel=c.channel, at=timezone.now(), text=rng.choice(lines),
                           conversation=c)
            for c in conversations
        ]
        with subscribed({}):  # the web processes are measured, not the workers
            receive_messages_in_bulk(items)
        close_old_connections()
        sent += len(items)
        wait = started + sent / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if sent % 1000 < 10:
            print(f"mail: {sent} messages, {sent / (time.monotonic() - started):.0f}/s", flush=True)


# --- HTTP side ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(base: str, path: str, cookie: str) -> float:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own server
        response.read()
        if response.status != 200 or "/login" in response.url:
            raise SystemExit(f"{path}: status {response.status} at {response.url}")
    return (time.perf_counter() - started) * 1000


def web_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The processes serving requests: uvicorn's workers, or the server itself when alone."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    workers = [pid for pid in pids if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
    return workers or [server.pid]


TICK_NS = 1e9 / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(pids: list[int]) -> dict[int, float]:
    """CPU time so far (ns) of each process, threads that ended included (waiting for a CPU not counted).

    From /proc/<pid>/stat (user + system, in clock ticks of 10 ms): exact over many requests.
    """
    taken = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        taken[pid] = (int(fields[11]) + int(fields[12])) * TICK_NS
    return taken


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """ns spent between two snapshots; a process that started in between counts whole."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def cpu_ns(pids: list[int]) -> float:
    return sum(cpu_snapshot(pids).values())


def private_mb(pid: int) -> float:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name.strip()] = int(value.split()[0])
    return (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024


def memory_line(server: subprocess.Popen[bytes]) -> str:
    return ", ".join(f"pid {pid} {private_mb(pid):.0f} MB" for pid in web_pids(server))


def start_server(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "goodwill", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()  # noqa: S310
        except urllib.error.HTTPError:
            pass  # answering: up
        except (urllib.error.URLError, OSError):  # refused, or a first page slower than 5 s on a busy machine
            if server.poll() is not None:
                raise SystemExit("goodwill serve exited") from None
            time.sleep(0.5)
            continue
        if len(web_pids(server)) >= workers or workers == 1:
            return server
        if server.poll() is not None:
            raise SystemExit("goodwill serve exited")
        time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)  # not left running behind us
    raise SystemExit("goodwill serve did not start")


def word_latency(base: str, cookie: str, words: dict[str, str], repeat: int, server: subprocess.Popen[bytes]) -> None:
    """Wall time per request, and mean CPU time of the web processes (+ PostgreSQL backends)."""
    print(f"\nsearch page, one request at a time, {repeat} each: wall ms p50, p95 (mean CPU ms) ({load_average()})")
    print(f"{'word':30} {'best match':>20} {'newest first':>20}")
    worst = worst_cpu = 0.0
    for label, word in words.items():
        if label.startswith("_"):
            continue
        figures = []
        for order in ("relevance", "date"):
            path = "/search/?" + urllib.parse.urlencode({"q": word, "order": order})
            fetch(base, path, cookie)
            before = cpu_snapshot(web_pids(server) + database_pids())
            walls = [fetch(base, path, cookie) for _ in range(repeat)]
            cpu = cpu_spent(before, cpu_snapshot(web_pids(server) + database_pids())) / 1e6 / repeat
            figures += [f"{statistics.median(walls):4.0f}, {percentile(walls, 0.95):4.0f} ({cpu:3.0f})"]
            worst, worst_cpu = max(worst, percentile(walls, 0.95)), max(worst_cpu, cpu)
        shown = f"{label}: {word}"
        print(f"{shown:30} " + " ".join(f"{value:>20}" for value in figures), flush=True)
    print(f"worst p95 {worst:.0f} ms wall; highest mean CPU {worst_cpu:.0f} ms (target ≤ 100 ms) ({load_average()})")


def load_round(
    base: str, cookie: str, urls: dict[str, list[str]], clients: int, duration: float, think_ms: float = 0
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + duration
    kinds = ["inbox", "inbox", "conversation", "conversation", "search"]

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop:
            kind = rng.choice(kinds)
            elapsed = fetch(base, rng.choice(urls[kind]), cookie)
            with lock:
                timings[kind].append(elapsed)
            if think_ms > 0:
                time.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)  # an agent reading the page

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="GOODWILL_WEB_THREADS for the server")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mail-rate", type=float, default=100)
    parser.add_argument("--think-ms", type=float, default=0, help="each client's pause between pages (0: none)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-words", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--conversations", type=int, default=1000, help="seed this many if the database is empty")
    parser.add_argument("--mail-child", type=float, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.mail_child:
        mail_child(options.mail_child)
        return
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "GOODWILL_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if not options.data_dir and not options.database_url:
        options.data_dir = Path(tempfile.mkdtemp(prefix="goodwill-search-load-"))
    if options.data_dir:
        env["GOODWILL_DATA_DIR"] = str(options.data_dir)
        os.environ["GOODWILL_DATA_DIR"] = str(options.data_dir)
    if options.database_url:
        env["GOODWILL_DATABASE_URL"] = options.database_url
        os.environ["GOODWILL_DATABASE_URL"] = options.database_url
    else:
        env.pop("GOODWILL_DATABASE_URL", None)
        os.environ.pop("GOODWILL_DATABASE_URL", None)
    if options.threads:
        env["GOODWILL_WEB_THREADS"] = str(options.threads)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    for command in (["migrate", "--noinput", "-v", "0"], ["seed-demo", "--conversations", str(options.conversations)]):
        subprocess.run([sys.executable, "-m", "goodwill", *command], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    setup_django()
    from django.db import connection

    words = pick_words()
    urls = page_urls(words)
    name, value = session_cookie()
    cookie = f"{name}={value}"
    print(f"{connection.vendor}; words from {words['_sampled']} sampled messages: "
          + ", ".join(f"{label} {word!r}" for label, word in words.items() if not label.startswith("_")))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env, options.workers, port)
    mail: subprocess.Popen[bytes] | None = None
    try:
        fetch(base, "/", cookie)
        print(f"web processes after start: {memory_line(server)} ({load_average()})")
        if not options.skip_words:
            word_latency(base, cookie, words, options.repeat, server)
            print(f"web processes after the word runs: {memory_line(server)}")
        if options.skip_load:
            return
        if options.mail_rate:
            mail = subprocess.Popen([sys.executable, __file__, "--mail-child", str(options.mail_rate)], env=env,
                                    cwd=ROOT, start_new_session=True)
        print(f"\nmixed load: {options.clients} clients, {options.workers} web processes, "
              f"mail {options.mail_rate:g}/s, think time {options.think_ms:g} ms"
              f"{' (closed loop)' if not options.think_ms else ' (0.5-1.5x, per client)'}, "
              f"{options.duration:g} s per round")
        for round_number in range(1, options.rounds + 1):
            pids = web_pids(server)
            cpu_before = cpu_ns(pids)
            timings = load_round(base, cookie, urls, options.clients, options.duration, options.think_ms)
            requests = sum(len(samples) for samples in timings.values())
            cpu_per_request = (cpu_ns(pids) - cpu_before) / 1e6 / max(requests, 1)
            parts = [
                f"{kind} p50 {statistics.median(samples):.0f} p95 {percentile(samples, 0.95):.0f} ms (n={len(samples)})"
                for kind, samples in sorted(timings.items())
            ]
            print(f"round {round_number}: " + "; ".join(parts))
            print(f"  {requests / options.duration:.1f} pages/s, web processes' CPU {cpu_per_request:.0f} ms per page")
            print(f"  memory: {memory_line(server)} ({load_average()})", flush=True)
    finally:
        for process in (mail, server):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
