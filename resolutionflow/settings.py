"""ResolutionFlow settings. Production differs from development only by environment variables."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-resolutionflow-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "corsheaders",
    "channels",
    "accounts",
    "sessions_app",
    "handoffs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "resolutionflow.serving.DatabaseUnavailableMiddleware",
    "resolutionflow.middleware.LoginRequiredMiddleware",
    "accounts.middleware.AccountTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "resolutionflow.urls"
WSGI_APPLICATION = "resolutionflow.wsgi.application"
ASGI_APPLICATION = "resolutionflow.asgi.application"

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
                "accounts.context_processors.navigation",
                "accounts.context_processors.may",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---- serving past one process (docs/deploy.md#connections) -------------------------------
# scripts/serve starts WEB_CONCURRENCY Daphne processes on one listening socket. Each process
# runs at most DB_CONNECTIONS_PER_PROCESS HTTP requests at once (each holds one database
# connection under ASGI); the rest wait up to REQUEST_QUEUE_TIMEOUT seconds, then get a 503
# JSON with Retry-After. Keep WEB_CONCURRENCY x DB_CONNECTIONS_PER_PROCESS + workers below
# PostgreSQL's max_connections minus superuser_reserved_connections (100 - 3 by default).
# Connections are not kept between requests (CONN_MAX_AGE 0): under ASGI each request runs in
# a thread of its own, so a persistent connection would be left behind by every request.
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 2)
DB_CONNECTIONS_PER_PROCESS = env_int("DB_CONNECTIONS_PER_PROCESS", 20)
REQUEST_QUEUE_TIMEOUT = env_int("REQUEST_QUEUE_TIMEOUT", 15)
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_str("DATABASE_CONNECT_TIMEOUT", "5"))

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development and tests serve straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

# Realtime: the in-memory layer for one process, Redis when several processes serve.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py's default 5 s socket timeout equals channels-redis' blocking read
            # and would close idle websockets with 1011; no timeout keeps them open.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Email (Django 6.1 mailers): the console in development, SMTP from the environment otherwise.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_MAILER = {"BACKEND": _EMAIL_BACKEND}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAILER["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": _MAILER}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ResolutionFlow <noreply@localhost>")

# Absolute links in emails and command output (invitations).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
# Password logins through the API, per client address.
AUTH_THROTTLE_RATE = env_str("AUTH_THROTTLE_RATE", "10/min")

# The assistant (docs/architecture.md#assistant): the built-in offline provider, or an OpenAI-compatible server
# (hosted or local); when that fails or times out, the built-in one answers with a notice.
ASSISTANT_PROVIDER = env_str("ASSISTANT_PROVIDER", "builtin")  # builtin | openai
ASSISTANT_OPENAI_BASE_URL = env_str("ASSISTANT_OPENAI_BASE_URL")  # e.g. http://localhost:11434/v1
ASSISTANT_OPENAI_MODEL = env_str("ASSISTANT_OPENAI_MODEL")
ASSISTANT_OPENAI_API_KEY = env_str("ASSISTANT_OPENAI_API_KEY")  # empty for local servers
ASSISTANT_OPENAI_TIMEOUT = env_int("ASSISTANT_OPENAI_TIMEOUT", 20)  # seconds per network operation

# Security: strict by default when DEBUG is off; each can be relaxed by environment.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view declares its own permissions per action; this default refuses all.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "resolutionflow.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "resolutionflow.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ResolutionFlow API",
    "DESCRIPTION": (
        "Troubleshooting sessions, FlowPilot runbooks and Escalation Mode for MSP technicians. "
        "Authenticate with `Authorization: Token <key>` (from POST /api/v1/auth/token/) or a "
        "session cookie. Errors are JSON objects with a human `detail` and a machine `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each choice set after its model, not a hash.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.SessionStatus",
        "FixStatusEnum": "sessions_app.models.FixStatus",
        "HandoffStatusEnum": "handoffs.models.HandoffStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
