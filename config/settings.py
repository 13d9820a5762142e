"""Settings for the Annuaire OSC Migrations.

Everything that differs between machines comes from the environment (see README):
DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL… In a checkout, a `.env` file at its top
(written by `make run`) fills in the variables the environment does not set.
"""

from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_path,
    env_str,
    read_env_file,
)

CONFIG_DIR = Path(__file__).resolve().parent
# A checkout (manage.py beside config/) keeps the shared templates, static files, translations
# and seed data at its top. Installed from the wheel, config/ holds them (setup.py copies them
# in) and files made at run time go, unless the environment says where, to the current directory.
CHECKOUT_DIR = CONFIG_DIR.parent
IN_CHECKOUT = (CHECKOUT_DIR / "manage.py").is_file()
SHARED_DIR = CHECKOUT_DIR if IN_CHECKOUT else CONFIG_DIR
BASE_DIR = CHECKOUT_DIR if IN_CHECKOUT else Path.cwd()

# Development only: production sets the real environment, which wins over the file anyway.
read_env_file(CHECKOUT_DIR / ".env" if IN_CHECKOUT else None)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG is off, so no "
            "development default is used)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "exports",
    "import_export",
    "simple_history",
    "organisations",
    "networks",
    "needs",
    "services",
    "directory",
    "pagecache",
    "demo",
    "csp",
    "surveys",
    "config.apps.LoginAttemptsConfig",  # axes
    "crm",
    "corrections",
    "outreach",
    "django_tasks",
    "config.apps.BackgroundTasksConfig",  # django_tasks_db
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Before CommonMiddleware, as django-cors-headers requires (CORS on /api/ only).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SHARED_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Local memory by default (per process, no server needed). With several processes or
# servers, a shared cache keeps one copy of each page: README, "Performance".
CACHE_BACKEND = env_str("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache")
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": env_str("CACHE_LOCATION", ""),
        # Local memory: about 1,000 pages of 20-80 kB per process at most.
        "OPTIONS": {"MAX_ENTRIES": 1000} if CACHE_BACKEND.endswith("LocMemCache") else {},
    }
}
# How long an anonymous visitor's copy of a public page is kept (0: no page cache). Any
# write to the directory's data makes every copy stale at once (pagecache/stamp.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# The in-memory indexes, when a write names no organisation (a catalogue entry, a bulk
# import), are read whole again in a background thread while requests go on with the one
# they have (pagecache/following.py); off, the request that finds them stale reads them.
FOLLOW_IN_BACKGROUND = env_bool("FOLLOW_IN_BACKGROUND", True)
# Public downloads (annuaire, HXL, HSDS) are kept the same way, when at most this long;
# in local memory, a store of its own with 20 files per process at most.
EXPORT_CACHE_MAX_BYTES = env_int("EXPORT_CACHE_MAX_BYTES", 5_000_000)
CACHES["downloads"] = (
    {"BACKEND": CACHE_BACKEND, "LOCATION": "downloads", "OPTIONS": {"MAX_ENTRIES": 20}}
    if CACHE_BACKEND.endswith("LocMemCache")
    else {**CACHES["default"], "KEY_PREFIX": "downloads"}
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [SHARED_DIR / "locale"]
TIME_ZONE = "Africa/Bamako"
USE_I18N = True
# "1 000 membres" in French, "1,000 members" in English. Identifiers written into URLs and
# forms use |unlocalize (a primary key of 1000 is "1000").
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes; MEDIA_ROOT holds uploads and job files, shared by every machine
# that runs the site or a worker (README, "Deployment").
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STATICFILES_DIRS = [SHARED_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # No collectstatic needed while developing.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
MEDIA_URL = "media/"

LOGIN_URL = "admin:login"

DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000)

SIMPLE_HISTORY_REVERT_DISABLED = False

# The Mali 2022 synthesis and whatever other seed data `seed_mali` and its kin load.
SEED_DATA_DIR = SHARED_DIR / "fixtures"

# --- Staff login throttling (django-axes; README, "Staff") ---------------------------------
# The axes backend first: it refuses a locked-out address or account before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# Hours a lockout lasts; 0 keeps it until an administrator removes it (Access attempts).
_AXES_COOLOFF_HOURS = env_int("AXES_COOLOFF_HOURS", 1)
AXES_COOLOFF_TIME = _AXES_COOLOFF_HOURS or None
# Failures count per address and, separately, per account name.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# How many trusted reverse proxies append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "common.addresses.client_ip_address"
# Public correction forms (corrections/spam.py): proposals per client address and hour, and
# the fewest seconds between showing a form and sending it.
PROPOSAL_RATE_LIMIT = env_int("PROPOSAL_RATE_LIMIT", 5)
PROPOSAL_MIN_FILL_SECONDS = env_int("PROPOSAL_MIN_FILL_SECONDS", 3)
FORMS_URLFIELD_ASSUME_HTTPS = True

# --- Security ------------------------------------------------------------------------------
# Production runs behind a TLS-terminating reverse proxy (README, "Deployment"). The HTTPS-only
# settings default to on when DEBUG is off and to off with DEBUG, so development stays plain http.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The header the proxy sets to tell Django the request came over HTTPS, e.g. X-Forwarded-Proto.
# Only set it when the proxy always overwrites that header.
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain http.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browser features the site never uses (config.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Everything comes from the site itself: no inline script, no CDN (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Added under /admin/ only: Django's and import-export's admin templates carry inline style
# attributes, and import-export's export page one onchange handler (allowed by its hash).
CONTENT_SECURITY_POLICY_ADMIN_ADDITIONS = {
    "style-src": [UNSAFE_INLINE],
    "script-src-attr": [UNSAFE_HASHES, "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
}

# --- Logging -------------------------------------------------------------------------------
# Everything at LOG_LEVEL and above goes to stderr (the journal under systemd, the platform's
# log elsewhere), tracebacks of server errors included: Django alone prints them only with DEBUG.
# Django's own loggers lose their DEBUG-only console handler, so nothing is printed twice.
_LOG_LEVEL = env_str("LOG_LEVEL") or "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": _LOG_LEVEL},
    "loggers": {"django": {"handlers": [], "level": _LOG_LEVEL}},
}

# --- Read-only API and open data (exports app; README, "API") ------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "exports.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Annuaire OSC Migrations API",
    "DESCRIPTION": (
        "Read-only data of the directory of civil-society organisations working on migration "
        "in West Africa. Anonymous callers see public data only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Organisations and services share the publication status: one enum, named once.
    "ENUM_NAME_OVERRIDES": {"PublicationStatusEnum": "organisations.models.Organisation.Status"},
}
# Anyone may read the API from a browser on another site; without credentials, so a staff
# session never leaks private data to another origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Survey imports (surveys app): limits that protect the server from oversized or hostile files.
SURVEY_IMPORT_MAX_BYTES = env_int("SURVEY_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "SURVEY_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024
)
SURVEY_IMPORT_MAX_ROWS = env_int("SURVEY_IMPORT_MAX_ROWS", 50_000)
SURVEY_IMPORT_MAX_COLUMNS = env_int("SURVEY_IMPORT_MAX_COLUMNS", 500)
# Reading stops after this many empty rows in a row (a sheet "used" down to row 1,048,576).
SURVEY_IMPORT_MAX_EMPTY_ROWS = env_int("SURVEY_IMPORT_MAX_EMPTY_ROWS", 1000)
# KoboToolbox pulls (README, "KoboToolbox"): submissions per API page, seconds to wait.
KOBO_PAGE_SIZE = env_int("KOBO_PAGE_SIZE", 1000)
KOBO_TIMEOUT_SECONDS = env_int("KOBO_TIMEOUT_SECONDS", 30)

# --- Background work (jobs app; README, "Background work") ---------------------------------
# Tasks wait in the database (no other server); `manage.py jobs_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 2000)
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 10_000)
# A PDF annuaire lays out about 90 organisations a second (README, "PDF"): up to 500 answer
# in the request within about 6 s; longer lists are made by the worker, one file per list.
PDF_BACKGROUND_ROWS = env_int("PDF_BACKGROUND_ROWS", 500)
# Public PDF jobs waiting or running at once; beyond, a visitor is asked to come back later.
PDF_JOBS_AT_ONCE = env_int("PDF_JOBS_AT_ONCE", 3)
# A running job not heard of for this long is marked failed (its worker was killed).
JOBS_STALE_MINUTES = env_int("JOBS_STALE_MINUTES", 15)
JOBS_REFRESH_SECONDS = env_int("JOBS_REFRESH_SECONDS", 3)
# `manage.py purge_jobs` deletes jobs that stopped longer ago than this, with their files.
JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 30)
# Progress of running jobs, in files shared by the worker and the web processes (one machine).
JOBS_PROGRESS_DIR = env_str("JOBS_PROGRESS_DIR", str(BASE_DIR / "var" / "jobs-progress"))

# --- E-mail (outreach app; README, "E-mail") -----------------------------------------------
# Update links and the editors' digest go out through Django's mail framework: printed on the
# console while developing, sent through the SMTP server named here in production (the test
# suite collects them in memory, mail.outbox).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an unanswering SMTP server may hold a sending (then the message is marked failed).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# The site's address as recipients reach it, e.g. https://annuaire.example.org: links in
# e-mails sent without a request (the digest, a campaign run by the worker) start with it.
# Empty: links sent from the admin use the address the staff member's browser used.
SITE_URL = env_str("SITE_URL").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://; got {SITE_URL!r}")
# Who answers for the directory, as printed on the PDF annuaire's cover: the consortium's
# name, postal address and e-mail or phone, on one line. Empty: no contact line.
CONSORTIUM_CONTACT = env_str("CONSORTIUM_CONTACT")
# A campaign to more organisations than this runs as a background job.
OUTREACH_BACKGROUND_MESSAGES = env_int("OUTREACH_BACKGROUND_MESSAGES", 100)
