"""Rentan settings: one module, driven by environment variables (see .env.example).

Without any environment the portal runs as a developer demo: SQLite in the project folder and Celery tasks run
inline. Production sets DEBUG off, which makes SECRET_KEY and ALLOWED_HOSTS mandatory.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-rentan-dev-only")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    # No defaults: a production deployment that forgets these must not start.
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "rentan",
    "programs",
    "participants",
    "claims",
    "monitoring",
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "import_export",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rentan.security.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rentan.urls"

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
                "rentan.context_processors.navigation",
            ],
            "builtins": ["rentan.templatetags.rentan_format"],
        },
    },
]

WSGI_APPLICATION = "rentan.wsgi.application"

# SQLite in the project folder is the embedded default; PostgreSQL via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the inline Celery tasks and page views read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "rentan.User"

# Argon2 first; the others only verify hashes made before a switch (they are upgraded on the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Private storage (uploads, claim documents, reports) lives outside the web root and is served only by views
# that check access.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Working days for SLA clocks and iuran due dates: cuti bersama (SKB 3 Menteri) counts as a day off, as it does
# for government offices and BPJS branches; set 0 where a branch works through cuti bersama.
CUTI_BERSAMA_IS_DAY_OFF = env.bool("CUTI_BERSAMA_IS_DAY_OFF", default=True)

# Region boundaries for maps are optional data supplied by the operator (e.g. ../shared/geo); never committed.
BOUNDARIES_GEOJSON = env("BOUNDARIES_GEOJSON", default=str(BASE_DIR.parent / "shared" / "geo" / "kabkota_15.geojson"))

# --- Celery -------------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Without Redis (the embedded demo) tasks run inline in the web process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="rentan")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "rentan.tasks.heartbeat", "schedule": crontab(minute="*/15")},
    "import-batches-discard-stale": {
        "task": "participants.tasks.import_batches_discard_stale",
        "schedule": crontab(minute=30, hour=2),
    },
    # Coverage snapshots of last month and this month, for every region (monitoring.tasks.coverage_nightly).
    "coverage-nightly": {"task": "monitoring.tasks.coverage_nightly", "schedule": crontab(minute=0, hour=1)},
    # This month's iuran bills of every running program (corrections for late enrolments), then arrears.
    "bills-daily": {"task": "programs.tasks.bills_generate_current_month", "schedule": crontab(minute=30, hour=0)},
    # Last month's rapat monitoring reports, on the report day only (the task checks the day; see below), after
    # the nightly coverage run has recomputed last month.
    "monitoring-reports-monthly": {
        "task": "monitoring.tasks.monitoring_reports_monthly",
        "schedule": crontab(minute=0, hour=env.int("MONITORING_REPORT_HOUR", default=5)),
    },
}
# The monthly reports are rendered on this working day of the month (1: the first working day, after weekends,
# libur nasional and cuti bersama of the holiday table), so they are ready before the rapat monitoring.
MONITORING_REPORT_WORKING_DAY = env.int("MONITORING_REPORT_WORKING_DAY", default=1)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Security -----------------------------------------------------------------------------------------------
# Idle timeout: SessionRenewalMiddleware renews the session at most once per SESSION_RENEW_AFTER seconds, so
# SESSION_COOKIE_AGE is the time a session may stay unused (give or take that interval). Saving it on every request
# (SESSION_SAVE_EVERY_REQUEST) cost a database write per page view, most of a cached dashboard request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_RENEW_AFTER = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only adds the "preload" directive; submitting the domain to browsers' list stays a manual decision.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Login throttling (django-axes): a lockout hits one username from one address, so a whole office behind one NAT
# address is never locked out by one colleague's typos, and guessing one account from many addresses is slowed by
# the per-address count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "errors/lockout.html"
# Behind a reverse proxy set PROXY_COUNT so the client address comes from X-Forwarded-For; without one that header
# is ignored (anyone could forge it).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "rentan.security.client_ip"

# Content Security Policy: scripts and every other resource only from this site (no CDN, no inline script).
# Inline style attributes stay allowed: Bootstrap and the Django admin use them, and they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API (/api/v1/, the api app) ------------------------------------------------------------------------------
# Personal tokens first: an unauthenticated call gets 401 with "WWW-Authenticate: Bearer". The portal session works
# too (browsable API, docs). JSON only; cursor pagination; errors as {"code", "message", "errors"} in Indonesian.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.RentanAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_RATE", default="1200/min")},
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rentan API",
    "DESCRIPTION": (
        "API Rentan versi 1 untuk sistem di sekitar portal (BPJS Ketenagakerjaan, Satu Data, SIPD). Autentikasi: "
        "token API pribadi (header Authorization: Bearer <token>) yang dibuat di portal, dengan peran dan wilayah "
        "pemiliknya. Setiap panggilan tercatat di jejak audit."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "ClaimTypeEnum": "claims.models.Claim.Type",
        "ParticipantStatusEnum": "participants.models.Participant.Status",
    },
}

# --- Participants ------------------------------------------------------------------------------------------
# Age window at enrolment. No regulation fixes it; pemda typically enrol aged 18 to under 65 (domain brief §1).
PARTICIPANT_ENROLMENT_MIN_AGE = env.int("PARTICIPANT_ENROLMENT_MIN_AGE", default=18)
PARTICIPANT_ENROLMENT_MAX_AGE = env.int("PARTICIPANT_ENROLMENT_MAX_AGE", default=65)  # exclusive: "under 65"
# A kabupaten uploads up to ~40.000 names, a province a few million: 1M CSV rows are ~100 MB.
PARTICIPANT_IMPORT_MAX_MB = env.int("PARTICIPANT_IMPORT_MAX_MB", default=300)
# Uploads checked but never confirmed are dropped (with their staging table) after this many hours.
PARTICIPANT_IMPORT_STALE_HOURS = env.int("PARTICIPANT_IMPORT_STALE_HOURS", default=48)

# --- Iuran bills and arrears (programs.billing) -------------------------------------------------------------
# Membership ends after MORE than this many consecutive unpaid iuran months (BPJS Perdir 22/2022; sources differ
# between the 3rd and the 4th month, domain brief §2: configurable, default 3). Catch-up is allowed inside it.
IURAN_ARREARS_NONAKTIF_AFTER = env.int("IURAN_ARREARS_NONAKTIF_AFTER", default=3)
# A correction bill made after its month's due date is due this many days after it is made (next working day),
# so a late enrolment is not in arrears on the day it is billed.
IURAN_CORRECTION_DUE_DAYS = env.int("IURAN_CORRECTION_DUE_DAYS", default=14)

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Uploaded XLSX files are checked before any reader opens them (rentan/uploads.py): the members' total size once
# unpacked, the compression ratio of any large member (a zip bomb packs gigabytes of zeros into kilobytes;
# real sheets compress 5-20 times) and the number of members.
UPLOAD_XLSX_MAX_UNCOMPRESSED_MB = env.int("UPLOAD_XLSX_MAX_UNCOMPRESSED_MB", default=3000)
UPLOAD_XLSX_MAX_RATIO = env.int("UPLOAD_XLSX_MAX_RATIO", default=200)
UPLOAD_XLSX_MAX_MEMBERS = env.int("UPLOAD_XLSX_MAX_MEMBERS", default=2000)

# Every handler masks NIKs, phone and account numbers and PostgreSQL's row details (rentan/log_privacy.py).
# "django" is configured here too, so Django's own console handler (which would bypass the filter) is replaced;
# Celery workers use this same configuration (rentan/celery.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "rentan.log_privacy.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO"), "propagate": False},
        # SQL with its parameters (NIKs, names) is logged only under DEBUG; keep it out even then.
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
