"""The public label page's settings are checked when Yika starts: a typo must not silently turn
the rate limit off or publish a field nobody chose."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"YIKA_PUBLIC_SCAN_RATE": "lots"},
        {"YIKA_PUBLIC_SCAN_RATE": "30/fortnight"},
        {"YIKA_PUBLIC_LABEL_FIELDS": "owner,serial_number"},
    ],
)
def test_a_wrong_public_label_setting_stops_start_up(env):
    result = start(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and next(iter(env)) in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"YIKA_PUBLIC_SCAN_RATE": "off"},
        {"YIKA_PUBLIC_SCAN_RATE": "5/s"},
        {"YIKA_PUBLIC_LABEL_FIELDS": ""},
    ],
)
def test_the_documented_public_label_settings_start(env):
    assert start(**env).returncode == 0
