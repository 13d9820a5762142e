"""Settings for the test suite: fast hashing, local memory cache, a test secret."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "downloads": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "downloads",
    },
}
# Background jobs run at once, inside the request that starts them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
JOBS_PROGRESS_DIR = tempfile.mkdtemp(prefix="jobs-progress-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client and the browser tests speak plain http to the test server; production's
# HTTPS redirect and secure-only cookies are checked by tests/test_security_headers.py.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No page cache unless a test asks for it (tests/test_page_cache.py): pages change between tests.
PAGE_CACHE_SECONDS = 0
# A test reads its own writes at once (tests/test_following.py turns the background on).
FOLLOW_IN_BACKGROUND = False
