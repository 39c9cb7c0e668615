"""Test settings: the real settings module, plus what only a test run wants."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("SHOPWRIGHT_READ_DOT_ENV", "false")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

# A test-only app that reserves stock through inventory's extension point, as work orders and
# builds will (tests/reserving), with its own migration.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.reserving"]  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# Serve static files straight from the app folders: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The worker that tests start imports the test-only tasks (and the test periodic job) from here.
CELERY_IMPORTS = ["tests.tasks"]
