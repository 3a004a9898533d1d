"""Settings for the test suite: the base settings plus fast hashing.

The test runner swaps every mailer for the in-memory one, so email lands in mail.outbox."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-resolutionflow-" + "x" * 40)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
AUTH_THROTTLE_RATE = "1000/min"
STATIC_ROOT = None  # served from the source folders by the finders
# Every /api/v1/ response a test receives is checked against the OpenAPI schema (first, so it
# sees the answers of every other middleware too).
MIDDLEWARE = ["tests.schema_check.ResponseSchemaMiddleware", *MIDDLEWARE]  # noqa: F405
# The API takes JSON bodies only: the test client sends JSON unless a test says otherwise.
REST_FRAMEWORK = {**REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "json"}  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not shared-cache memory: concurrent tests then see the WAL + IMMEDIATE
    # behaviour the app really runs with (pytest-xdist suffixes the name per worker).
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"resolutionflow-test-{os.getpid()}.sqlite3")
    }

# Tests deliver webhooks to receivers on this machine; the tests of the outbound guard set
# their own list (empty) to prove non-public destinations are refused.
WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
