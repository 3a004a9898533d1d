"""ResolutionFlow settings. Production differs from development only by environment variables."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

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
# Response headers a frontend on another origin may read (django-cors-headers): when to retry
# a 429/503, and how to authenticate after a 401.
CORS_EXPOSE_HEADERS = ["Retry-After", "WWW-Authenticate"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # full-text search of runbooks and resolved sessions on PostgreSQL
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "corsheaders",
    "channels",
    "django_tasks_db",
    "axes",
    "accounts",
    "sessions_app",
    "handoffs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "resolutionflow.guards.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "resolutionflow.serving.DatabaseUnavailableMiddleware",
    "resolutionflow.middleware.LoginRequiredMiddleware",
    "accounts.middleware.AccountTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "resolutionflow.guards.PrivateResponsesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a login refused for too many failures into the 429 of accounts.lockout.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.csp",
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
# Under ASGI each request runs in a thread of its own, so a connection kept by its thread
# (CONN_MAX_AGE) would be left behind by every request. On PostgreSQL each process instead
# keeps a pool (psycopg_pool, Django's OPTIONS["pool"]): a request's thread borrows a
# connection and gives it back when the request ends. A new connection per request cost about
# 6 ms (bench/lists.py, one client: /healthz 11-12 ms on PostgreSQL against 5 ms on SQLite).
# The pool holds at most DB_CONNECTIONS_PER_PROCESS + DB_POOL_EXTRA connections (the extra for
# websocket consumers, which are not counted against the requests' budget); a request that
# finds none free for DB_POOL_TIMEOUT seconds, or a database that refuses connections, gets
# the 503 JSON of resolutionflow.serving. DATABASE_POOL=false opens one per request instead.
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 2)
DB_CONNECTIONS_PER_PROCESS = env_int("DB_CONNECTIONS_PER_PROCESS", 20)
REQUEST_QUEUE_TIMEOUT = env_int("REQUEST_QUEUE_TIMEOUT", 15)
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 5)
DB_POOL_EXTRA = env_int("DB_POOL_EXTRA", 8)
DB_POOL_TIMEOUT = env_int("DB_POOL_TIMEOUT", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_str("DATABASE_CONNECT_TIMEOUT", "5"))
    if env_bool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1, "max_size": DB_CONNECTIONS_PER_PROCESS + DB_POOL_EXTRA, "timeout": DB_POOL_TIMEOUT,
            # idle connections above min_size close after 5 minutes
            "max_idle": 300,
        }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LoginLockoutBackend",  # refuses locked-out logins first (django-axes)
    "django.contrib.auth.backends.ModelBackend",
]
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

# Background work (docs/architecture.md#background-work): Django's Tasks framework. The database backend writes the
# task row in the transaction of the change that causes it (a transactional outbox) and
# `manage.py db_worker` runs it. `rq` swaps in Redis (django-tasks-rq; `manage.py rqworker`)
# when one database is not enough; `immediate` runs tasks at once, in-process (local trials).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    _TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", REDIS_URL)
    if not _TASKS_REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs TASKS_REDIS_URL (or REDIS_URL).")
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": _TASKS_REDIS_URL}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be database, rq or immediate, not {TASKS_BACKEND!r}")

# Deliveries (emails and webhook POSTs, handoffs/deliveries): tries per delivery, the wait
# before the second try (doubling after each failure), and the webhook's network timeout.
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_BACKOFF_SECONDS = env_int("DELIVERY_BACKOFF_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
# Webhook hosts allowed although they resolve to loopback, private, link-local or other
# non-public addresses (an on-premises receiver). Empty: only public addresses.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])

# Absolute links in emails and command output (invitations).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
# Websocket tickets (POST /api/v1/realtime/ticket/, then ?ticket= on the socket URL): seconds
# a ticket stays valid. Single use; a client asks for one right before each connect.
REALTIME_TICKET_TTL_SECONDS = env_int("REALTIME_TICKET_TTL_SECONDS", 30)
# Password logins through the API, per client address.
AUTH_THROTTLE_RATE = env_str("AUTH_THROTTLE_RATE", "10/min")

# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Only their entries are believed; used by login lockout and throttles.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Login lockout (django-axes, accounts/lockout.py): by login name and by client address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_name"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

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
# Django's database sessions; a login that ends (flush) closes its sockets and tickets.
SESSION_ENGINE = "accounts.session_store"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's own, README "Security"): scripts only from this origin or
# carrying the response's nonce (``{{ csp_nonce }}``), never inline; styles only from this
# origin: no template has a style attribute or <style> element, and htmx's injected
# indicator styles are switched off in base.html. 'self' also covers same-origin websockets.
# Off with DEBUG (Django's debug pages are inline), or with CSP_ENABLED=false.
CSP_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP = CSP_POLICY if env_bool("CSP_ENABLED", not DEBUG) else {}
# Browser features no page of ResolutionFlow uses (resolutionflow.guards).
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view declares its own permissions per action; this default refuses all.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "resolutionflow.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["resolutionflow.api.filters.StrictFilterBackend"],
    # Request bodies are JSON only: no page posts to /api/v1/ (pages have their own views), and
    # no endpoint takes a file.
    "DEFAULT_PARSER_CLASSES": ["resolutionflow.api.parsers.JSONParser"],
    # Answers are JSON only, errors included, whatever the Accept header (no browsable HTML
    # pages; Swagger UI documents the API): resolutionflow.api.negotiation.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "resolutionflow.api.negotiation.ContentNegotiation",
    # Adds every error response an operation can answer, by rule (resolutionflow.api.schema).
    "DEFAULT_SCHEMA_CLASS": "resolutionflow.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "resolutionflow.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
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
    # The docs load nothing from the internet: Swagger UI's validator (validator.swagger.io) off,
    # and ReDoc in the system's fonts (templates/api/redoc.html drops its Google Fonts link).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {"theme": {"typography": {
        "fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
        "headings": {"fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'},
        "code": {"fontFamily": 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace'},
    }}},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "resolutionflow.api.schema.postprocess"],
    # Several models have a "status"; name each choice set after its model, not a hash.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "sessions_app.models.SessionStatus",
        "FixStatusEnum": "sessions_app.models.FixStatus",
        "HandoffStatusEnum": "handoffs.models.HandoffStatus",
        # Two lists called "actions": what a person may do to a session, to an escalation.
        "SessionActionEnum": "sessions_app.selectors.SESSION_ACTIONS",
        "HandoffActionEnum": "handoffs.selectors.ACTIONS",
        "HandoffEventKindEnum": "handoffs.models.EventKind",
        "HandoffEventNameEnum": "handoffs.api.serializers.EVENT_NAMES",
        "FirstActionKindEnum": "handoffs.api.serializers.FIRST_ACTION_KINDS",
        "MessageKindEnum": "sessions_app.models.MessageKind",
        "InvitationStatusEnum": "accounts.selectors.INVITATION_STATUSES",
    },
}

# The websockets are described beside this schema, in AsyncAPI (resolutionflow/api/asyncapi.py).
SPECTACULAR_SETTINGS["EXTERNAL_DOCS"] = {
    "description": "The websockets (/ws/v1/queue/, /ws/v1/sessions/{id}/): AsyncAPI 3.0 document",
    "url": f"{SITE_URL}/api/v1/asyncapi.json",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request's full URL at INFO: webhook URLs carry credentials (Slack,
        # Teams); handoffs.deliveries logs the host only.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # axes reports every login at INFO; its warnings (failures, lockouts) stay.
        "axes": {"level": "WARNING"},
    },
}
