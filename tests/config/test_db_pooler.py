"""`YIKA_DB_POOLER` (README, "Scale-out"): behind PgBouncer in transaction mode no server-side
cursor may outlive a transaction; with psycopg's pool Django closes no connection itself; a typo
stops start-up rather than silently running without the pooler's settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({k: d.get(k) for k in ('DISABLE_SERVER_SIDE_CURSORS', 'CONN_MAX_AGE')}"
    " | {'pool': d.get('OPTIONS', {}).get('pool')}))"
)


def start(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def database_settings(**env) -> dict:
    result = start(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pgbouncer_turns_server_side_cursors_off():
    assert database_settings(YIKA_DB_POOLER="pgbouncer")["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert not database_settings(YIKA_DB_POOLER="")["DISABLE_SERVER_SIDE_CURSORS"]


def test_psycopg_pool_keeps_no_connection_of_django_s_own():
    answer = database_settings(YIKA_DB_POOLER="psycopg", YIKA_DB_POOL_MAX="12")
    assert answer["CONN_MAX_AGE"] == 0
    assert answer["pool"]["max_size"] == 12


@pytest.mark.parametrize("value", ["pgbouncr", "yes"])
def test_an_unknown_pooler_stops_start_up(value):
    result = start(YIKA_DB_POOLER=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "YIKA_DB_POOLER" in result.stderr
