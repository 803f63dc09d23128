"""A real CAS server for the single sign-on tests: django-mama-cas in a small second Django
project, run by the test setup on 127.0.0.1 (`tests/assets/accounts/provider.py`).

Its directory keeps each person's department code in `last_name` and their groups as Django
groups; the CAS 3 answer carries them as the attributes `department` and `groups`
(`callbacks.directory`). Only Yika's test service URL gets tickets.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test-cas-server-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mama_cas",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.assets.accounts.cas.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": dj_database_url.parse(os.environ["IDP_DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
# A plain sign-in page (mama-cas' own loads Bootstrap from a CDN the tests cannot reach).
MAMA_CAS_LOGIN_TEMPLATE = "login.html"
MAMA_CAS_SERVICES = [
    {
        "SERVICE": os.environ["IDP_SERVICE_PATTERN"],
        "CALLBACKS": ["tests.assets.accounts.cas.callbacks.directory"],
        # Single sign-out: signing out here POSTs a SAML logoutRequest to each service URL the
        # person got a ticket for (MAMA_CAS_SERVICES' LOGOUT_ALLOW; mama-cas 2.5 ignores the
        # deprecated MAMA_CAS_ENABLE_SINGLE_SIGN_OUT once MAMA_CAS_SERVICES is set).
        "LOGOUT_ALLOW": True,
    }
]
# The logout's `service` is where the browser goes next: Yika's sign-in page, which a CAS server
# follows only when it is a known service (mama-cas refuses others with a 403).
MAMA_CAS_SERVICES.append({"SERVICE": os.environ["IDP_SIGNED_OUT_PATTERN"]})
MAMA_CAS_FOLLOW_LOGOUT_URL = True
