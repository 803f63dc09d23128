"""The embedded PostgreSQL (config/embedded_db.py): its URL, a test run's throwaway server that
is gone when the run ends however it ends, and a clear message when it cannot start. The
development server's start, reuse and `make stop` are in tests/test_makefile_run.py."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dj_database_url
import pytest

from config import embedded_db

ROOT = Path(__file__).resolve().parents[2]

# Starts a throwaway server, says where, and ends normally when its stdin closes.
THROWAWAY_RUN = """
import sys
from config import embedded_db
url = embedded_db.start_throwaway_server()
pgdata = embedded_db._throwaway
pid = (pgdata / "postmaster.pid").read_text().split()[0]
print(pgdata, pid, url, flush=True)
sys.stdin.read()
"""


@pytest.fixture
def scratch():
    """A folder in the temporary directory (not pytest's: the server's account must enter it)."""
    folder = Path(tempfile.mkdtemp(prefix="yika-embedded-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pid)


def start_throwaway():
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", THROWAWAY_RUN],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = child.stdout.readline().split()
    assert len(line) == 3, child.stderr.read()
    pgdata, pid, url = line
    return child, Path(pgdata), int(pid), url


def test_the_url_names_the_socket_folder_and_the_yika_database(scratch):
    parsed = dj_database_url.parse(embedded_db.url(scratch / "postgres"))
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["HOST"] == str(scratch / "postgres")
    assert (parsed["NAME"], parsed["USER"], parsed["PORT"]) == ("yika", "postgres", "")


def test_a_deep_data_directory_gets_a_short_socket_folder_of_its_own(scratch):
    deep = scratch / ("d" * 60) / ("e" * 60) / "postgres"
    other = scratch / ("d" * 60) / ("f" * 60) / "postgres"
    socket = embedded_db.socket_dir(deep)
    assert socket.parent == Path(tempfile.gettempdir()) and socket.name.startswith("yika-pg-")
    assert embedded_db.socket_dir(deep) == socket != embedded_db.socket_dir(other)
    assert embedded_db.socket_dir(scratch / "postgres") == scratch / "postgres"


@pytest.mark.parametrize("ending", ["exit", "SIGTERM"])
def test_a_throwaway_server_is_stopped_and_deleted_when_its_process_ends(ending):
    child, pgdata, pid, url = start_throwaway()
    try:
        assert alive(pid) and pgdata.is_dir()
        import psycopg

        with psycopg.connect(url) as connection:
            settings = dict(
                connection.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'server_version_num', 'listen_addresses')"
                ).fetchall()
            )
        assert settings["fsync"] == "off" and settings["listen_addresses"] == ""
        assert int(settings["server_version_num"]) >= 180000
        if ending == "SIGTERM":
            child.send_signal(signal.SIGTERM)
        else:
            child.stdin.close()
        assert child.wait(timeout=60) != -signal.SIGTERM  # it ended through its cleanup
    finally:
        if child.poll() is None:
            child.kill()
    assert gone(pid), "the server outlived its run"
    assert not pgdata.exists()


def test_a_run_killed_outright_leaves_a_server_the_next_run_removes():
    child, pgdata, pid, _url = start_throwaway()
    child.kill()  # SIGKILL: no cleanup runs
    child.wait(timeout=30)
    assert alive(pid) and pgdata.is_dir()
    embedded_db._remove_abandoned_throwaways()
    assert gone(pid) and not pgdata.exists()


def test_settings_that_cannot_start_the_server_say_so_and_name_database_url(scratch):
    (scratch / "postgres").mkdir()
    (scratch / "postgres" / "stray.txt").write_text("not a data directory")  # initdb refuses it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.pop("DATABASE_URL", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", YIKA_VAR_DIR=str(scratch))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Yika's embedded PostgreSQL: initdb" in result.stderr
    assert "Set DATABASE_URL=postgres://" in result.stderr
