"""Settings for the test suite: production settings, minus HTTPS redirects and slow hashing."""

import os

os.environ.setdefault("SECRET_KEY", "yika-test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("YIKA_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))
if not os.environ.get("DATABASE_URL"):
    # A throwaway embedded server for this run, started once by the process that loads these
    # settings first (the pytest controller) and inherited through DATABASE_URL by xdist workers
    # and the subprocesses tests start; stopped and deleted when that process ends.
    from config import embedded_db

    os.environ["DATABASE_URL"] = embedded_db.start_throwaway_server()
# Under pytest-xdist each worker (PYTEST_XDIST_WORKER=gw0, gw1, …) keeps its files (label PDFs,
# certificates, uploads, backups) in its own sub-folder of the var dir. A subprocess a test starts
# inherits both variables, and the folder already named after the worker is not nested again.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and os.path.basename(os.path.normpath(os.environ["YIKA_VAR_DIR"])) != XDIST_WORKER:
    os.environ["YIKA_VAR_DIR"] = os.path.join(os.environ["YIKA_VAR_DIR"], XDIST_WORKER)

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Unit tests run Celery tasks in process, right after commit, whatever REDIS_URL says. Integration
# tests marked `redis` switch this off and run a real worker against the real Redis broker
# (tests/conftest.py, `live_worker`); without REDIS_URL they are skipped with a reason.
CELERY_TASK_ALWAYS_EAGER = True
if XDIST_WORKER:
    # One Redis database serves every xdist worker: each worker's queues, unacked messages and
    # broadcasts live under its own key prefix, so its live worker never runs a task that
    # another worker published for its own test database.
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"yika-test-{XDIST_WORKER}:",
    }
# WhiteNoise warns on every request when its root is missing; tests serve static files by finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Two-factor sign-in (issue 20): the rest of the suite signs administrators in with a password
# alone; the second step's own tests (tests/assets/accounts/) require it for admins, as production
# does by default.
YIKA_2FA_REQUIRED_ROLES = []
