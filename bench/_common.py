"""What the benchmarks share: the bench database, the machine's figures, a gunicorn server and
the HTTP load client (closed and paced loads, alternating slices).

Imported by the scripts beside it (`python bench/x.py` puts this directory on the path).
"""

import contextlib
import gc
import http.client
import os
import resource
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ----------------------------------------------------------------------------- the database


def database_admin(url: str) -> tuple[str, str]:
    """The database named in `url`, and the URL of the server's `postgres` database."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    return name, url.rsplit("/", 1)[0] + "/postgres"


def recreate_database(url: str) -> None:
    """Drop and create the database named in `url` (never point it at real data)."""
    import psycopg

    name, admin = database_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name, admin = database_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------------ the machine


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, func):
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.3f} s", flush=True)
    return result, elapsed


# ------------------------------------------------------------------------------- the server


@contextlib.contextmanager
def gunicorn(port: int, *, workers: int = 2, env: dict | None = None):
    """A gunicorn serving `config.wsgi` on 127.0.0.1:`port` with production settings (DEBUG
    off), up and answering /healthz when the block starts; stopped when it ends."""
    env = dict(os.environ if env is None else env)
    env.update(DEBUG="0", SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="127.0.0.1,localhost")
    env.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=20)


# Debian's PgBouncer, started privately for a bench leg (bench/scale.py --pooler pgbouncer).
PGBOUNCER = Path("/usr/sbin/pgbouncer")


@contextlib.contextmanager
def pgbouncer(database_url: str, *, port: int = 6432, folder: Path, pool_size: int | None = None):
    """A PgBouncer in transaction mode on 127.0.0.1:`port` in front of the server of
    `database_url` (its own configuration, log and pid file in `folder`), as the README's
    Scale-out section configures it; yields the URL of the same database through it."""
    if not PGBOUNCER.exists():
        raise SystemExit(
            "PgBouncer is not installed: `apt-get install -y pgbouncer` (Debian's package; the "
            "bench starts its own, the package's service may stay stopped)"
        )
    parts = urllib.parse.urlsplit(database_url)
    user = parts.username or "postgres"
    folder.mkdir(parents=True, exist_ok=True)
    # About twice PostgreSQL's cores (README): this machine's PostgreSQL shares its cores.
    pool_size = pool_size or 2 * (os.cpu_count() or 1)
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={parts.hostname or "127.0.0.1"} port={parts.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
"""
    )
    command = [str(PGBOUNCER), "-q", str(folder / "pgbouncer.ini")]  # -q: log to its file only
    if os.geteuid() == 0:  # PgBouncer refuses to run as root: as the postgres system user
        import shutil

        shutil.chown(folder, "postgres")
        for name in folder.iterdir():
            shutil.chown(name, "postgres")
        command[1:1] = ["-u", "postgres"]
    server = subprocess.Popen(command)
    try:
        for _ in range(50):
            try:
                socket_ = socket.create_connection(("127.0.0.1", port), timeout=1)
                socket_.close()
                break
            except OSError:
                if server.poll() is not None:
                    log = folder / "pgbouncer.log"
                    raise SystemExit(
                        f"PgBouncer stopped (exit {server.returncode}): "
                        + (log.read_text()[-2000:] if log.exists() else "")
                    ) from None
                time.sleep(0.2)
        netloc = f"{user}@127.0.0.1:{port}"
        yield urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    finally:
        server.terminate()
        server.wait(timeout=20)


# -------------------------------------------------------------------------- the load client

# Alternating slices per endpoint (load_interleaved).
ROUNDS = 6


def headers_for(token: str) -> dict:
    return {"Authorization": f"Token {token}", "Content-Type": "application/json"}


def settle(port: int, warm_up: list):
    """Vacuum and analyse what loading wrote, then warm the endpoints up.

    Without this, autovacuum of the freshly loaded tables runs during whichever endpoint is
    measured first (the bare one): seen as 508 against 391 req/s on a quiet machine.
    `warm_up` is a list of (token, request, request, …), each request (method, path, body).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        # Flush now: a checkpoint during the scans would make their first writes to each page
        # carry full-page images, a cost the read-only bare endpoint never pays.
        cursor.execute("CHECKPOINT")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for token, *requests in warm_up:
        for method, path, body in requests:
            conn.request(method, path, body=body, headers=headers_for(token))
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                raise SystemExit(f"warm-up {method} {path}: HTTP {response.status}")
    conn.close()


def connection_to(server: int | str):
    """(a function opening a connection, the path prefix) for `server`: a port on 127.0.0.1
    (the bench's own gunicorn) or a URL (a peer, bench/scale.py --peer)."""
    if isinstance(server, int):
        return (lambda: http.client.HTTPConnection("127.0.0.1", server, timeout=30)), ""
    parts = urllib.parse.urlsplit(server)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return (lambda: kind(parts.hostname, parts.port, timeout=30)), parts.path.rstrip("/")


def drive(
    port: int | str,
    tokens: list[str],
    seconds: float,
    make_request,
    rate: float | None = None,
    elapsed: list | None = None,
):
    """One thread and connection per token, for `seconds`: (latencies, errors).

    `port` is the bench's gunicorn on 127.0.0.1, or a server's URL (`connection_to`).
    `elapsed`, if given, gets the seconds from the start to the last answer appended: a request
    sent just before the end is answered after it, and counting it in `seconds` would overstate
    a slow endpoint's throughput (by a latency per slice).

    Without `rate` (closed loop) each client sends its next request when the last is answered.
    With `rate` (requests per second over all clients, open loop) client n sends on a fixed
    schedule, staggered against the others; a request sent late, because the previous one was
    slow, still counts its latency from its scheduled time.
    """
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    begin = time.perf_counter()
    stop = begin + seconds
    interval = len(tokens) / rate if rate else 0.0
    connect, prefix = connection_to(port)

    def worker(n: int):
        conn = connect()
        headers = headers_for(tokens[n])
        mine, bad = [], 0
        due = begin + interval * n / len(tokens)
        while True:
            now = time.perf_counter()
            if rate:
                if due > now:
                    time.sleep(due - now)
                start, due = due, due + interval
            else:
                start = now
            if start >= stop:
                break
            method, path, body = make_request(n)
            try:
                conn.request(method, prefix + path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = connect()
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(tokens))]
    # The client's own collector would stop all 32 threads at once (this process also holds
    # Django and 100,000 tags), and that pause would be counted as the server's latency.
    gc.collect()
    gc.disable()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        gc.enable()
    if elapsed is not None:
        elapsed.append(time.perf_counter() - begin)
    return latencies, errors[0]


def load_interleaved(port, tokens, seconds, endpoints: dict, rounds: int = ROUNDS):
    """Each endpoint for `seconds` in all, in `rounds` alternating slices, closed loop.

    Alternating keeps both endpoints under the same machine conditions: measured one after the
    other, the bare endpoint alone swung between 310 and 508 req/s from run to run here.
    An endpoint is a request maker for `port` and `tokens`, or (server, tokens, request maker)
    for another server (a peer's URL and its tokens).
    """
    collected = {name: ([], 0) for name in endpoints}
    durations = {name: [] for name in endpoints}
    for _ in range(rounds):
        for name, endpoint in endpoints.items():
            server, clients, make_request = (
                endpoint if isinstance(endpoint, tuple) else (port, tokens, endpoint)
            )
            latencies, errors = drive(
                server, clients, seconds / rounds, make_request, elapsed=durations[name]
            )
            before, before_errors = collected[name]
            collected[name] = (before + latencies, before_errors + errors)
    return {name: summarise(*collected[name], sum(durations[name])) for name in endpoints}


def summarise(latencies: list[float], errors: int, seconds: float) -> dict:
    latencies = sorted(latencies)
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors,
        "throughput": round(count / seconds, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1) if count else 0,
        "p99_ms": round(1000 * latencies[int(count * 0.99) - 1], 1) if count else 0,
    }
