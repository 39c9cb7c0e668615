"""Shopwright settings: every value that varies between installs is read here, from the environment.

With no environment at all the app runs embedded: SQLite (WAL) and Celery tasks executed in-process.
Setting ``DATABASE_URL`` and ``REDIS_URL`` switches to PostgreSQL, a Redis broker/cache and separate
worker processes; nothing else in the code changes between the two modes.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("SHOPWRIGHT_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

VERSION = "0.1.0"
# The InvenTree build-API schema version that /api/build/ implements; clients check it at /api/.
API_VERSION = 477

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "django_htmx",
    "template_partials",
    "core",
    "inventory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RateLimitHeadersMiddleware",
    "core.middleware.PageSiteMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.site_context",
            ],
        },
    },
]

# Django's form renderer, with the markup of inputs, selects and labels written in Python.
FORM_RENDERER = "core.renderers.FormRenderer"

# ModelBackend, reading a signed-in user's memberships with the user (core/backends.py).
AUTHENTICATION_BACKENDS = ["core.backends.MemberBackend"]

# --- Database -----------------------------------------------------------------------------------
SQLITE_PATH = env.path("SQLITE_PATH", default=BASE_DIR / "db.sqlite3")
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Our queries are short and many; PostgreSQL's JIT compiler spends more time compiling
        # them (40-55 ms on an annotated parts page, see bench/README.md) than it saves.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.setdefault("options", "-c jit=off")
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            # A query the ORM sends again (every list and page sends the same few) is prepared
            # on the connection after its second run and then not planned again: planning the
            # joins of a list was 0.2-0.6 ms per query, 10-25 % of a request (bench/README.md).
            # Off (false) behind a pooler in transaction mode that cannot keep prepared
            # statements (PgBouncer before 1.21, or without max_prepared_statements).
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 2)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE takes the write lock
                # at the start of a transaction so two writers queue instead of failing half-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results, cache and rate-limit counters --------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The cache may live in its own Redis database so that clearing it can never drop queued tasks.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=REDIS_URL)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "shopwright",
        }
    }
    # Sessions are read from the shared cache and kept in the database too: a page request reads
    # Redis instead of PostgreSQL for its session. (Not with a cache in process memory: another
    # process would read a session that changed elsewhere as it was.)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Results may live in their own Redis database (CELERY_RESULT_URL), apart from the queue and cache.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_URL", default=REDIS_URL) or "cache+memory://"
# Embedded mode: no broker, so tasks run in-process when queued (after the surrounding commit).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# One beat for the whole installation. Both jobs are cheap and safe to run twice; a message that
# waited longer than a minute (no worker up) is dropped, the next one does the same work.
CELERY_BEAT_SCHEDULE: dict = {
    "core.recover_tasks": {
        "task": "core.recover_tasks",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "core.run_periodic": {
        "task": "core.run_periodic",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
# A PENDING task whose message was sent this long ago and never picked up is sent again.
TASK_RESEND_PENDING_AFTER = env.int("TASK_RESEND_PENDING_AFTER", default=600)  # seconds
# Task progress and leases are written on their own connection to the same PostgreSQL database,
# so they commit (and the API shows them) while the task's service holds one long transaction.
# SQLite keeps one connection: a second one would wait for the task's own write lock.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["tasks"] = {
        **DATABASES["default"],
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    TASK_STATE_DATABASE = "tasks"
else:
    TASK_STATE_DATABASE = "default"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security: strict unless debugging ----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX pages read the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.APITokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.SiteRolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filtering.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "core.api.ordering.IndexedOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.WindowRateThrottle"],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}

# Requests per window, per user (per client address when anonymous).
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=1200)
API_RATE_LIMIT_ANON = env.int("API_RATE_LIMIT_ANON", default=120)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=300)  # seconds
API_BATCH_MAX_OPS = 100
API_PAGE_SIZE_MAX = 1000

SPECTACULAR_SETTINGS = {
    "TITLE": "Shopwright API",
    "DESCRIPTION": "Work orders, maintenance, inventory and build orders for one or many sites.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator: its badge would load an image from swagger.io; plants run air-gapped.
    "SWAGGER_UI_SETTINGS": {
        "validatorUrl": None,
        "deepLinking": True,
        "persistAuthorization": True,
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
