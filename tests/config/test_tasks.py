"""Queueing by name (config/tasks.py): services name a task and never import its module."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import NotRegistered

from config import tasks

ROOT = Path(__file__).resolve().parents[2]


def test_a_task_whose_module_nobody_imported_is_found_by_name():
    # A fresh interpreter: in this one the test suite has imported every tasks module already.
    code = (
        "import sys, django; django.setup()\n"
        "from config import tasks\n"
        "assert 'labels.tasks' not in sys.modules, 'labels.tasks was imported at start-up'\n"
        "task = tasks.registered_task('labels.render_label_batch')\n"
        "print(task.__module__)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "labels.tasks"


def test_an_unknown_task_name_is_refused():
    with pytest.raises(NotRegistered):
        tasks.registered_task("labels.no_such_task")
