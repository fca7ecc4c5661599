"""Settings for the portal: one module, every value from the environment.

Defaults are safe for a developer machine (`make run` sets DEBUG=1); nothing exists only in
production. With DEBUG off the process refuses to start without a real SECRET_KEY and turns on
secure cookies, HSTS and the HTTPS redirect.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A developer machine keeps its own settings in a git-ignored .env that `make` writes once
# (DEBUG=1 and a random SECRET_KEY), so plain `manage.py` commands work there. Real environment
# variables always win; the test suite sets ENV_FILE to "" so it never reads one; production
# images never contain one.
_ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if _ENV_FILE and Path(_ENV_FILE).is_file():
    environ.Env.read_env(_ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "accounts",
    "journal",
    "medications",
    "alerts",
    "clinic",
    "teams",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Its process_exception turns a database error raised by a view into a 503 (JSON on the
    # API); errors raised in the middlewares below reach portal.errors.server_error instead.
    "portal.errors.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store, private on every signed-in response (patient data is never cached).
    "portal.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # NUL in the URL -> 400, an oversized body -> 413, before any view or query runs.
    "portal.middleware.HostileInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language cookie or Accept-Language for everyone; a signed-in user's saved language
    # then wins (portal.i18n.UserLanguageMiddleware, after AuthenticationMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.i18n.UserLanguageMiddleware",
    "core.timezones.PatientTimezoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "portal.middleware.MFARequiredMiddleware",
    # A bare 405 from a Django view -> the branded page, or {"detail": ...} on the API.
    "portal.errors.MethodNotAllowedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a flagged lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
# An expired or foreign form: the branded page (JSON on the API), not Django's debug-style 403.
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
                "alerts.context_processors.alert_badge",
                "alerts.context_processors.patient_alert_notices",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A persistent connection that the server closed (database restart, failover, idle kill) is
# checked before the first query of a request and reopened, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that hangs must not hang the web processes: give up connecting after
    # DB_CONNECT_TIMEOUT seconds and cancel any statement after DB_STATEMENT_TIMEOUT_MS. The
    # statement limit is for web requests only: portal/wsgi.py sets it to 10 s, while migrations,
    # other commands and Celery workers keep none (an index build may take minutes). Both answer
    # 503 in a request; /healthz has its own, shorter deadline (portal.health).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
    _statement_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=0)
    if _statement_ms:
        _db_options["options"] = (
            _db_options.get("options", "") + f" -c statement_timeout={_statement_ms}"
        ).strip()
    # Prepared statements: parameters travel apart from the SQL (server-side binding), and a
    # statement a connection has run DB_PREPARE_THRESHOLD times is prepared, so PostgreSQL
    # stops planning it on every request. The access gate's subqueries took longer to plan
    # (2-4 ms) than to run (about 1 ms). Behind a transaction-pooling proxy (PgBouncer in
    # transaction mode) prepared statements do not survive: set DB_PREPARE_THRESHOLD=0 there.
    _prepare_threshold = env.int("DB_PREPARE_THRESHOLD", default=2)
    if _prepare_threshold > 0:
        _db_options.setdefault("server_side_binding", True)
        _db_options.setdefault("prepare_threshold", _prepare_threshold)
# /healthz answers within this many seconds whatever the database does (portal.health).
HEALTHZ_DB_TIMEOUT = env.float("HEALTHZ_DB_TIMEOUT", default=1.5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2 first: new and re-hashed passwords use it; the others only verify legacy hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Patient pages, forms, e-mails and the crisis resources in English and Spanish (locale/;
# `make messages` extracts and compiles the catalog; the compiled .mo is committed).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Autorefresh looks files up per request instead of scanning every static file when the middleware
# starts; the test suite turns it on (each test client starts the middleware anew, ~40 ms a scan).
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=DEBUG)

# --- Security: on whenever DEBUG is off; each switch can be overridden from the environment. ---
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# Login protection (django-axes, OWASP ASVS 2.2.1): 5 failures within 15 minutes lock that
# username, and separately that address, for 15 minutes. Admins unlock in /admin/axes/.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_USE_ATTEMPT_EXPIRATION = True  # failures older than the cool-off window stop counting
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field; the token API passes username=
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
# A success clears the failures of that username only (accounts.lockout), never of the address:
# axes' own reset would also clear an attacker's failures against other accounts (issue 10 #1).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# Behind a TLS proxy, set TRUSTED_PROXY_COUNT (AXES_PROXY_COUNT is the older name and still
# works) to the number of proxies. Only then are X-Forwarded-For (lockouts count the client's
# address, not the proxy's, which would lock out everyone) and X-Forwarded-Proto believed. Without
# a proxy any client could send those headers: "X-Forwarded-Proto: https" over plain HTTP would
# skip the HTTPS redirect and make Django treat the request as secure.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"  # reads TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Password-reset requests: at most this many per address and per email within the window.
PASSWORD_RESET_RATE_LIMIT = env.int("PASSWORD_RESET_RATE_LIMIT", default=5)
PASSWORD_RESET_RATE_WINDOW = timedelta(minutes=15)
# One rate limit (django-ratelimit, accounts/ratelimits.py) for every automatable form:
# "count/period" per client address, and per email (reset) or per account (codes).
_RATE_WINDOW = f"{int(PASSWORD_RESET_RATE_WINDOW.total_seconds())}s"
RATE_LIMITS = {
    "signup": f"{env.int('SIGNUP_RATE_LIMIT', default=5)}/{_RATE_WINDOW}",
    "password_reset": f"{PASSWORD_RESET_RATE_LIMIT}/{_RATE_WINDOW}",
    "invitation_accept": f"{env.int('INVITATION_RATE_LIMIT', default=10)}/{_RATE_WINDOW}",
    "mfa_verify": f"{env.int('MFA_RATE_LIMIT', default=10)}/{_RATE_WINDOW}",
    "email_change": f"{env.int('EMAIL_CHANGE_RATE_LIMIT', default=5)}/{_RATE_WINDOW}",
}
# Sign-up confirmation links stay valid this long (accounts.signup_tokens).
SIGNUP_CONFIRM_TIMEOUT = timedelta(days=3)
# A link confirming a new sign-in address (accounts/email_change.py) stays valid this long.
EMAIL_CHANGE_TIMEOUT = timedelta(hours=24)
# The rate-limit counters live in the cache: set CACHE_URL (e.g. redis://...) when running
# more than one web process so they are shared.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Sessions: 12 hours absolute for everyone; clinicians and admins are also signed out after
# 30 minutes without activity (portal.middleware.SessionTimeoutMiddleware).
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
# A patient who ticks "keep me signed in on this device" gets this session instead (no idle limit;
# never clinicians or admins): accounts.sessions.
PATIENT_KEEP_SIGNED_IN = timedelta(days=env.int("PATIENT_KEEP_SIGNED_IN_DAYS", default=30))
# API tokens expire this many hours after they were issued (accounts.tokens).
TOKEN_TTL = timedelta(hours=env.int("TOKEN_TTL", default=24))

# Two-step verification (django-otp TOTP) for clinicians and administrators before any patient
# data or the admin (portal.middleware.MFARequiredMiddleware). Off only for tests and local trials.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Care portal")
# Administrators can reset a device (delete it) but never read its secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Strict Content-Security-Policy: no inline script or style anywhere (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Email ---
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A stuck mail server must not hang notification tasks (they retry instead).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@example.org")

# --- API ---
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONWithoutNulParser"],
    # OPTIONS answers 405: the schema is at /api/schema/, and DRF's metadata introspection
    # would describe (or, on views without a serializer_class, fail on) every endpoint.
    "DEFAULT_METADATA_CLASS": None,
    # One error path for every API: domain FieldErrors, Django's ValidationError, Http404 and
    # PermissionDenied become the JSON of DESIGN.md "Errors" here, never in a view.
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )
    REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] += [
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ]
SPECTACULAR_SETTINGS = {
    "TITLE": "Fibromyalgia & ME/CFS medication-safety portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Interaction severities differ from alert severities; name both enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "AlertSeverityEnum": "alerts.models.Severity",
        "InteractionSeverityEnum": "medications.interactions.SEVERITY_ORDER",
        "FindingSeverityEnum": "medications.serializers.FINDING_SEVERITIES",
        # Alerts and their timeline events both have a `kind`.
        "AlertKindEnum": "alerts.models.AlertKind",
        "AlertEventKindEnum": "alerts.models.EventKind",
    },
}

# --- Celery: no REDIS_URL means tasks run eagerly in-process (embedded default). ---
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# The test suite forces eager mode (pyproject env); worker tests turn it off for themselves.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that cannot reach Redis fails at once, without retries, so a save does not wait on
# a broker that is down: data_changed_at marks the patient and the sweep (every 5 minutes)
# evaluates them once Redis is back (accounts.changes).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task that a killed worker held comes back after this many seconds. Well above the
    # longest task (a nightly batch takes seconds; retries back off to at most 300 s and are
    # new messages), so a slow task is never delivered twice while it still runs.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    "socket_timeout": 2,
    "socket_connect_timeout": 1,
    # Publishing gives up after one connection attempt (kombu's default retries for ever).
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-changed-patients": {
        "task": "alerts.tasks.sweep_changed",
        "schedule": timedelta(minutes=5),
    },
    "sweep-all-patients-nightly": {
        "task": "alerts.tasks.sweep_all",
        "schedule": crontab(hour=2, minute=15),
    },
    "escalate-unacknowledged": {
        "task": "alerts.tasks.escalate_unacknowledged",
        "schedule": timedelta(minutes=5),
    },
    # The notification outbox (alerts/outbox.py): this run is what guarantees delivery.
    "send-pending-notifications": {
        "task": "alerts.tasks.send_pending_notifications",
        "schedule": timedelta(seconds=60),
        # A run queued while workers were down is stale by the time it is read: drop it.
        "options": {"expires": 55},
    },
    # Patients' check-in and questionnaire reminders (alerts/reminders.py): writes outbox rows
    # for reminders whose local time has come; running twice writes nothing twice.
    "queue-patient-reminders": {
        "task": "alerts.tasks.queue_patient_reminders",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 280},
    },
}

# --- Clinical configuration ---
ALERT_ESCALATE_AFTER = timedelta(minutes=env.int("ALERT_ESCALATE_AFTER_MINUTES", default=240))
_DEFAULT_CRISIS_LINES = [
    {
        # Default lines are translated (journal.crisis); custom CRISIS_LINES are shown as given.
        "name": gettext_noop("988 Suicide & Crisis Lifeline (US)"),
        "how": gettext_noop("Call or text 988, any time, day or night."),
        "call": "988",
        "text": "988",
    },
    {
        "name": gettext_noop("Veterans Crisis Line (US)"),
        "how": gettext_noop("Call 988 and press 1, or text 838255."),
        "call": "988",
        "text": "838255",
    },
    {
        "name": gettext_noop("Emergency services"),
        "how": gettext_noop(
            "If you are in immediate danger, call your local emergency number (911 in the US)."
        ),
        "call": "911",
        "text": "",
    },
]
CRISIS_LINES = env.json("CRISIS_LINES", default=_DEFAULT_CRISIS_LINES)
if not isinstance(CRISIS_LINES, list) or not all(isinstance(x, dict) for x in CRISIS_LINES):
    raise ImproperlyConfigured(
        "CRISIS_LINES must be a JSON list of objects: " + json.dumps(_DEFAULT_CRISIS_LINES[:1])
    )

INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=14))

# --- Logging: never PHI. Messages name ids, never notes, drugs or scores. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG, Django's template engine logs every failed variable lookup together with the
        # whole template context (notes, medicines, scores): never below INFO, whatever LOG_LEVEL.
        "django.template": {"level": "INFO"},
    },
}
