"""Yika settings. Every knob comes from the environment (see README, "Configuration")."""

import ipaddress
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("YIKA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-yika-development-only" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set SECRET_KEY for production, or DEBUG=1 for development."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The QR payload is built from SITE_URL, never from the request's Host header.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Addresses the labels were printed under before the server moved: their QR codes still scan.
# A QR address of any other site is not one of this register's labels.
YIKA_EARLIER_SITE_URLS = env_list("YIKA_EARLIER_SITE_URLS", "")
YIKA_TAG_PREFIX = env_str("YIKA_TAG_PREFIX", "YK").upper()
YIKA_ORG_NAME = env_str("YIKA_ORG_NAME", "")
YIKA_REPORT_CONTACT = env_str("YIKA_REPORT_CONTACT", "")
YIKA_HANDOVER_DUE_MONTHS = env_int("YIKA_HANDOVER_DUE_MONTHS", 3)
# Reminder rules (inventory/reminders/jobs.py): counters are reminded this many days before a
# stocktake's due date, heads get an escalation this many days after it, receivers once a
# handover waits this long, and departments without a started annual stocktake from MM-DD on.
YIKA_REMIND_DAYS_BEFORE_DUE = env_int("YIKA_REMIND_DAYS_BEFORE_DUE", 7)
YIKA_REMIND_ESCALATE_AFTER_DAYS = env_int("YIKA_REMIND_ESCALATE_AFTER_DAYS", 3)
YIKA_REMIND_HANDOVER_AFTER_DAYS = env_int("YIKA_REMIND_HANDOVER_AFTER_DAYS", 7)
# Custody and upkeep (issue 18): receipts unconfirmed after N days; contracts ending within N days
YIKA_REMIND_RECEIPT_AFTER_DAYS = env_int("YIKA_REMIND_RECEIPT_AFTER_DAYS", 3)
YIKA_REMIND_CONTRACT_DAYS_BEFORE_END = env_int("YIKA_REMIND_CONTRACT_DAYS_BEFORE_END", 30)
# Disposal cases (issue 17): days a case waits for its approver, and approved for execution.
YIKA_REMIND_DISPOSAL_APPROVAL_AFTER_DAYS = env_int("YIKA_REMIND_DISPOSAL_APPROVAL_AFTER_DAYS", 5)
YIKA_REMIND_DISPOSAL_EXECUTION_AFTER_DAYS = env_int("YIKA_REMIND_DISPOSAL_EXECUTION_AFTER_DAYS", 5)
YIKA_STOCKTAKE_START_BY = env_str("YIKA_STOCKTAKE_START_BY", "11-01")
# An API token that has not been used for this many days stops working (assets/credentials.py).
YIKA_TOKEN_IDLE_DAYS = env_int("YIKA_TOKEN_IDLE_DAYS", 30)
# API tokens a bureau can manage (issue 20): a token from POST /api/v1/auth/token/ lasts this many
# days; one created on the account page at most YIKA_TOKEN_MAX_DAYS.
YIKA_TOKEN_DAYS = env_int("YIKA_TOKEN_DAYS", 90)
YIKA_TOKEN_MAX_DAYS = env_int("YIKA_TOKEN_MAX_DAYS", 366)
# Entries of one offline scan batch (answered while the phone waits, so a web worker is held for
# it); a larger batch is a 400 and the phone sends it in parts.
YIKA_STOCKTAKE_SCAN_BATCH_MAX = env_int("YIKA_STOCKTAKE_SCAN_BATCH_MAX", 100)
# Unknown codes one offline scan batch may turn into surplus lines; the rest answer surplus_limit.
YIKA_STOCKTAKE_SURPLUS_PER_BATCH = env_int("YIKA_STOCKTAKE_SURPLUS_PER_BATCH", 50)
# Label batches up to this many labels render in the request; larger ones run as a Celery task.
YIKA_LABELS_SYNC_LIMIT = env_int("YIKA_LABELS_SYNC_LIMIT", 100)
YIKA_LABELS_MAX_BATCH = env_int("YIKA_LABELS_MAX_BATCH", 20000)
# A running label batch whose heartbeat is older than this is failed by the sweeper.
YIKA_LABELS_STALE_MINUTES = env_int("YIKA_LABELS_STALE_MINUTES", 10)
# An uploaded XLSX is refused before any of its XML is read when its shared strings (held in
# memory whole) or any sheet (streamed) unpack to more than this many MB (zip member sizes).
YIKA_XLSX_MAX_SHARED_STRINGS_MB = env_int("YIKA_XLSX_MAX_SHARED_STRINGS_MB", 64)
YIKA_XLSX_MAX_SHEET_MB = env_int("YIKA_XLSX_MAX_SHEET_MB", 256)
# The public label page /a/{TAG} (what a phone camera opens): how often one address may open it
# ("30/min"; units s, min, h, day; "off" for no limit), and what it shows besides the tag, from
# name, owner (the owning unit) and contact. The default leaves the asset's name out, so walking
# sequential tags tells a stranger nothing but whom to call.
YIKA_PUBLIC_SCAN_RATE = env_str("YIKA_PUBLIC_SCAN_RATE", "30/min").strip().lower()
if YIKA_PUBLIC_SCAN_RATE not in ("off", "0", "") and not re.fullmatch(
    r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", YIKA_PUBLIC_SCAN_RATE
):
    raise ImproperlyConfigured(
        f"YIKA_PUBLIC_SCAN_RATE must look like 30/min (or off), not {YIKA_PUBLIC_SCAN_RATE!r}"
    )
YIKA_PUBLIC_LABEL_FIELDS = env_list("YIKA_PUBLIC_LABEL_FIELDS", "owner,contact")
if set(YIKA_PUBLIC_LABEL_FIELDS) - {"name", "owner", "contact"}:
    raise ImproperlyConfigured(
        "YIKA_PUBLIC_LABEL_FIELDS takes name, owner and contact, not "
        f"{', '.join(sorted(set(YIKA_PUBLIC_LABEL_FIELDS) - {'name', 'owner', 'contact'}))}"
    )
# Disposals: a card leaves the register only through an approved disposal case (DESIGN.md
# invariant 10); off, `retire/` retires a card directly as before (deployments without approval).
YIKA_DISPOSAL_APPROVAL = env_bool("YIKA_DISPOSAL_APPROVAL", True)
# attachments (evidence): the largest file one upload may be (MB), and for Office files (zip
# containers) how much they may unpack to, how many members they may hold and by how much one
# member may expand (a ZIP bomb inside a .docx is refused before anything is stored).
YIKA_ATTACHMENT_MAX_MB = env_int("YIKA_ATTACHMENT_MAX_MB", 20)
YIKA_ATTACHMENT_MAX_UNPACKED_MB = env_int("YIKA_ATTACHMENT_MAX_UNPACKED_MB", 200)
YIKA_ATTACHMENT_MAX_MEMBERS = env_int("YIKA_ATTACHMENT_MAX_MEMBERS", 2000)
YIKA_ATTACHMENT_MAX_RATIO = env_int("YIKA_ATTACHMENT_MAX_RATIO", 100)

# Security log: events older than this many days are deleted by the daily retention task (the
# database refuses to delete younger ones, and any younger than 180 days whatever is set).
YIKA_SECURITY_LOG_RETENTION_DAYS = env_int("YIKA_SECURITY_LOG_RETENTION_DAYS", 6 * 365 + 2)
if YIKA_SECURITY_LOG_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("YIKA_SECURITY_LOG_RETENTION_DAYS must be at least 180 (six months)")

# Reminder channels: webhook URLs may resolve only to public addresses, or to these (IPs or
# CIDR networks, e.g. an intranet SMS gateway); connect and read time out after this many seconds.
YIKA_WEBHOOK_ALLOWED_ADDRESSES = env_list("YIKA_WEBHOOK_ALLOWED_ADDRESSES", "")
YIKA_WEBHOOK_TIMEOUT = env_int("YIKA_WEBHOOK_TIMEOUT", 5)
for _entry in YIKA_WEBHOOK_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"YIKA_WEBHOOK_ALLOWED_ADDRESSES takes IP addresses or networks, not {_entry!r}"
        ) from None

# Our apps come first: Django merges every app's catalogue into one per language and the app
# listed first wins, so a msgid we share with a library ("Name", "Exchange") must take our
# translation, not django-celery-beat's ("任务名", "交换机") or the admin's ("过滤器").
# LOCALE_PATHS (config's catalogue) outranks them all.
INSTALLED_APPS = [
    "assets",
    "labels",
    "inventory",
    "config.apps.YikaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "config.apps.AxesConfig",
    # Two-factor sign-in and single sign-on (issue 20)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    # CAS single sign-on's client: its session-to-ticket table (CAS single sign-out)
    "django_cas_ng",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or later middleware reads a value; session and user are still unread.
    "config.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    # fixes: Yika's 404 page under DEBUG too (make run)
    "config.middleware.DebugNotFoundMiddleware",
    # Two-factor sign-in (issue 20): whose session is verified, then the second step where due.
    "django_otp.middleware.OTPMiddleware",
    "assets.accounts.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.yika",
                "inventory.context_processors.notifications",
            ],
            # money, rate, code_system, role_label: one way to show a value on every page.
            "builtins": ["assets.templatetags.yika"],
        },
    },
]

# PostgreSQL only: DATABASE_URL names any PostgreSQL 14 or later. Without it, Yika starts (or
# reuses) its embedded PostgreSQL under VAR_DIR, for trying and developing (config/embedded_db.py).
DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    from config import embedded_db

    try:
        DATABASE_URL = embedded_db.ensure_server(VAR_DIR / "postgres")
    except embedded_db.EmbeddedPostgresError as error:
        raise ImproperlyConfigured(str(error)) from error
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://…), not "
        f"{DATABASE_URL.split(':', 1)[0]}://…"
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind a connection pooler (README, "Scale-out"): `pgbouncer` (transaction mode) hands each
# transaction any server connection, so nothing may live on a session between transactions:
# no server-side cursors (`.iterator()` outside a transaction would open a WITH HOLD cursor on
# a connection the next statement may not get). `psycopg` keeps a pool in each process
# (psycopg_pool; Django then closes nothing itself). Empty: one persistent connection per
# process and thread, kept 60 s.
YIKA_DB_POOLER = env_str("YIKA_DB_POOLER", "").strip().lower()
if YIKA_DB_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
elif YIKA_DB_POOLER == "psycopg":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("YIKA_DB_POOL_MIN", 2),
        "max_size": env_int("YIKA_DB_POOL_MAX", 8),
        "timeout": 10,
    }
elif YIKA_DB_POOLER:
    raise ImproperlyConfigured(
        f"YIKA_DB_POOLER must be pgbouncer, psycopg or empty, not {YIKA_DB_POOLER!r}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "assets.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, limited to YIKA_LOCAL_LOGIN_USERS (single sign-on, issue 20).
    "assets.accounts.backends.LocalPasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
LOGIN_REDIRECT_URL = "assets:dashboard"  # register reports: the dashboard is the home page
LOGOUT_REDIRECT_URL = "login"

# Lock out a username + IP after repeated failures (SECURITY.md test 15).
# Reverse proxies in front of Yika that append to X-Forwarded-For (0: clients connect directly).
# The lockout and the public page's limit count the address the outermost one saw (config/net.py).
YIKA_TRUSTED_PROXIES = env_int("YIKA_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "config.net.client_address"
AXES_FAILURE_LIMIT = env_int("YIKA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("YIKA_AXES_ENABLED", True)
AXES_COOLOFF_MESSAGE = _(
    "Too many failed sign-ins: this account is locked from this address for 15 minutes."
)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Two-factor sign-in (issue 20, assets/accounts/twofactor.py): users with these roles must sign in
# with a TOTP code (or a recovery code) after their password, on the site, in the admin and for
# `POST /api/v1/auth/token/`; anyone who enrolled is asked too. Empty: nobody is required to.
YIKA_2FA_REQUIRED_ROLES = env_list("YIKA_2FA_REQUIRED_ROLES", "admin")
OTP_TOTP_ISSUER = env_str("YIKA_2FA_ISSUER", "Yika")
YIKA_2FA_RECOVERY_CODES = 10

# Single sign-on through OIDC (统一身份认证; issue 20, assets/accounts/backends.py). Off unless
# YIKA_OIDC_ENABLED; the provider's endpoints and Yika's client id and secret come from the
# environment. The username, department (by code) and groups come from the claims named here;
# roles from the administrators' rules (SSO role rules in the admin).
YIKA_OIDC_ENABLED = env_bool("YIKA_OIDC_ENABLED", False)
YIKA_OIDC_ISSUER = env_str("YIKA_OIDC_ISSUER", "")
YIKA_OIDC_USERNAME_CLAIM = env_str("YIKA_OIDC_USERNAME_CLAIM", "preferred_username")
YIKA_OIDC_DEPARTMENT_CLAIM = env_str("YIKA_OIDC_DEPARTMENT_CLAIM", "department")
# Create a user at their first single sign-on (otherwise an administrator creates them first).
YIKA_SSO_CREATE_USERS = env_bool("YIKA_SSO_CREATE_USERS", False)
# Who may still sign in with a password: "*" everyone; else the break-glass accounts by username.
YIKA_LOCAL_LOGIN_USERS = env_list("YIKA_LOCAL_LOGIN_USERS", "*")
OIDC_RP_CLIENT_ID = env_str("YIKA_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("YIKA_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("YIKA_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("YIKA_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("YIKA_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("YIKA_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_str("YIKA_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("YIKA_OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
OIDC_CREATE_USER = False
if YIKA_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("assets.accounts.backends.YikaOIDCBackend")

# Single sign-on through CAS (统一身份认证 on CAS 2/3; issue 20, django-cas-ng,
# assets/accounts/backends.py). Off unless YIKA_CAS_ENABLED; may be on beside OIDC. The CAS
# user is the Yika username; the department code and the groups for the role rules come from
# the ticket's attributes (CAS 3 serviceValidate). Account creation and break-glass passwords
# follow YIKA_SSO_CREATE_USERS and YIKA_LOCAL_LOGIN_USERS above.
YIKA_CAS_ENABLED = env_bool("YIKA_CAS_ENABLED", False)
CAS_SERVER_URL = env_str("YIKA_CAS_SERVER_URL", "")  # e.g. https://sso.example.gov.cn/cas/
CAS_VERSION = env_str("YIKA_CAS_VERSION", "3")
YIKA_CAS_DEPARTMENT_ATTRIBUTE = env_str("YIKA_CAS_DEPARTMENT_ATTRIBUTE", "department")
# The service URL the CAS server knows Yika by, when a proxy hides it (e.g. https://yika.example/).
CAS_ROOT_PROXIED_AS = env_str("YIKA_CAS_SERVICE_ROOT", "")
CAS_CREATE_USER = False  # Yika's own rules decide (assets.accounts.services)
CAS_REDIRECT_URL = LOGIN_REDIRECT_URL
CAS_IGNORE_REFERER = True
CAS_LOGIN_MSG = None  # no message of django-cas-ng's own (not in Yika's catalogue)
CAS_LOGGED_MSG = None
if YIKA_CAS_ENABLED:
    AUTHENTICATION_BACKENDS.append("assets.accounts.backends.YikaCASBackend")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Generated files (label PDFs, imports) are private: served only through permission-checked views.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
    # attachments (evidence): stored once by SHA-256, served only through permission-checked views
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / "attachments"), "base_url": None},
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# PDF fonts: reportlab embeds TrueType outlines only; WenQuanYi Micro Hei has the CJK glyphs.
YIKA_CJK_FONT = env_str("YIKA_CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "assets.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yika API",
    # Lazy: the schema and /api/docs/ are built per request, in the reader's language (the
    # LocaleMiddleware's, or `?lang=`); "Yika API" is the product's name in both.
    "DESCRIPTION": _("Yika — IT asset register: cards, labels, handovers, stocktakes."),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a `state` or `result`; name their enums so the schema stays stable.
    "ENUM_NAME_OVERRIDES": {
        "AssetStatusEnum": "assets.models.Asset.Status",
        "HandoverStateEnum": "assets.models.Handover.State",
        "HandoverItemResultEnum": "assets.models.HandoverItem.Result",
        "ImportJobStateEnum": "assets.models.ImportJob.State",
        "StocktakeLineResultEnum": "inventory.models.LineResult",
        # attachments (evidence)
        "AttachmentKindEnum": "assets.attachments.models.Attachment.Kind",
        # Reconciliation with the finance books (issue 19)
        "ReconciliationStateEnum": "assets.models.Reconciliation.State",
        "ReconciliationDifferenceStateEnum": "assets.models.ReconciliationDifference.State",
    },
    "PREPROCESSING_HOOKS": ["config.schema.drop_trailing_slash_twins"],
    # Swagger UI from the vendored sidecar build, never a CDN: the docs work without internet and
    # under the site's Content-Security-Policy (its init script is a file, not inline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: nothing is fetched from outside the site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
# `/api/v1/schema/` and `/api/docs/` for signed-in users only, unless this is on.
YIKA_API_DOCS_PUBLIC = env_bool("YIKA_API_DOCS_PUBLIC", False)

# Tasks: with REDIS_URL a real Celery worker; without it, tasks run in process after commit.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 3600, "socket_connect_timeout": 2}
# A publish never blocks a web request for long when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_MAX_RETRIES = 0
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "yika@localhost")

# Production hardening; `manage.py check --deploy` is clean when DEBUG=0 and SECRET_KEY is real.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("YIKA_SESSION_AGE", 8 * 3600)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
