"""14.15: with `make run PORT=8031`, labels and the certificate encoded http://127.0.0.1:8000/….
`make run` now serves SITE_URL=http://$(HOST):$(PORT) unless SITE_URL is set. The recipe that
`make -n` prints is run by bash against stand-in python/honcho that report what they were given,
so the test checks the real shell logic without starting a server. `make stop` is run for real
against an embedded PostgreSQL of its own."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAND_IN = (
    '#!/bin/sh\necho "$(basename "$0") SITE_URL=$SITE_URL RUN=$YIKA_RUN_HOST:$YIKA_RUN_PORT $*"\n'
)


def run_recipe(tmp_path, *make_args, **env):
    """What `make run` would start: the stand-ins' report, one line per program started."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for program in ("python", "honcho"):
        path = venv / "bin" / program
        path.write_text(STAND_IN)
        path.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "REDIS_URL", "PORT")}
    clean.update(env)
    printed = subprocess.run(
        ["make", "-n", "-s", "run", f"VENV={venv}", *make_args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    start = next(i for i, line in enumerate(printed) if line.startswith('if [ -n "$REDIS_URL" ]'))
    end = next(i for i in range(start, len(printed)) if printed[i].strip() == "fi")
    recipe = "\n".join(printed[start : end + 1])
    result = subprocess.run(
        ["bash", "-c", recipe], env=clean, capture_output=True, text=True, check=True, timeout=30
    )
    return [line for line in result.stdout.splitlines() if line.startswith(("python", "honcho"))]


@pytest.mark.parametrize("redis", [False, True])
def test_make_run_serves_site_url_from_its_own_host_and_port(tmp_path, redis):
    env = {"REDIS_URL": "redis://127.0.0.1:6379/9"} if redis else {}
    [started] = run_recipe(tmp_path, "PORT=8031", **env)
    assert "SITE_URL=http://127.0.0.1:8031 " in started
    if redis:
        assert started.startswith("honcho") and "RUN=127.0.0.1:8031" in started
    else:
        assert started.startswith("python") and "runserver 127.0.0.1:8031" in started


def test_make_run_uses_the_host_it_serves(tmp_path):
    [started] = run_recipe(tmp_path, "HOST=0.0.0.0", "PORT=9000")
    assert "SITE_URL=http://0.0.0.0:9000 " in started and "runserver 0.0.0.0:9000" in started


def test_a_site_url_from_the_environment_wins(tmp_path):
    [started] = run_recipe(tmp_path, "PORT=8031", SITE_URL="https://yika.example.gov.cn")
    assert "SITE_URL=https://yika.example.gov.cn " in started


def test_a_site_url_on_the_command_line_wins(tmp_path):
    [started] = run_recipe(tmp_path, "PORT=8031", "SITE_URL=https://zc.example.gov.cn")
    assert "SITE_URL=https://zc.example.gov.cn " in started


def test_the_procfile_web_process_serves_the_run_host_and_port():
    web = next(
        line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:")
    )
    assert "${YIKA_RUN_HOST:-127.0.0.1}:${YIKA_RUN_PORT:-8000}" in web


def test_make_run_reuses_the_embedded_server_and_make_stop_stops_it():
    """What `make run` starts without DATABASE_URL keeps running for the next command (the same
    server answers), until `make stop`."""
    from config import embedded_db

    var_dir = Path(tempfile.mkdtemp(prefix="yika-make-stop-"))  # the server's account enters it
    pgdata = var_dir / "postgres"
    try:
        url = embedded_db.ensure_server(pgdata)
        pid = (pgdata / "postmaster.pid").read_text().split()[0]
        assert embedded_db.ensure_server(pgdata) == url
        assert (pgdata / "postmaster.pid").read_text().split()[0] == pid

        def make_stop():
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            env["YIKA_VAR_DIR"] = str(var_dir)
            return subprocess.run(
                ["make", "-s", "stop", f"PY={sys.executable}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            ).stdout

        assert f"Stopped the embedded PostgreSQL in {pgdata.resolve()}." in make_stop()
        assert not embedded_db.is_running(pgdata)
        assert "Not running." in make_stop()
    finally:
        embedded_db.stop_server(pgdata)
        shutil.rmtree(var_dir, ignore_errors=True)
