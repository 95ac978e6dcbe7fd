"""Ketenportaal settings, read from the environment (see .env.example).

One file for every deployment. KETENPORTAAL_ENV picks the defaults:
- development (default): SQLite, no Redis needed, Celery on a filesystem broker.
- production: no defaults for what must be shared or secret (start-up names every one that is
  missing), HTTPS-only cookies, HSTS.
Switches that only tests need live in the tests (tests/integration/settings.py), not here.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from ketenportaal.api_settings import SPECTACULAR_SETTINGS, rest_framework  # noqa: F401  (settings)
from ketenportaal.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
KETENPORTAAL_ENV = env.str("KETENPORTAAL_ENV", default="development")
if KETENPORTAAL_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured(
        f"KETENPORTAAL_ENV must be 'development' or 'production', not {KETENPORTAAL_ENV!r}"
    )
PRODUCTION = KETENPORTAAL_ENV == "production"

# Production has no fallbacks for these: without them every web and worker process would run on
# its own SQLite file, filesystem broker, in-process cache and console mail, and never share a
# task. Every missing one is named at once, so that one failed start tells the operator all.
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
if PRODUCTION and (_missing := [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="").strip()]):
    raise environ.ImproperlyConfigured(
        f"KETENPORTAAL_ENV=production needs {', '.join(_missing)} in the environment (see .env.example)."
    )

# In production there is no default: a missing secret stops start-up.
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-insecure-key-do-not-deploy")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form in the portal's layout and language, instead of Django's English page.
CSRF_FAILURE_VIEW = "ketenportaal.views.csrf_failure"
# The portal's public address for links in e-mails. Unset: the address a request came in on, and
# for background mails the first host of ALLOWED_HOSTS (ketenportaal/links.py).
SITE_URL = env.str("SITE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "ketenportaal",
    "stakeholders",
    "ambitions",
    "governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ketenportaal.middleware.DutchUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store for signed-in answers and the API.
    "ketenportaal.middleware.PrivateResponsesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketenportaal.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketenportaal.urls"
WSGI_APPLICATION = "ketenportaal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketenportaal.context_processors.portal",
                "stakeholders.context_processors.notifications",
            ],
        },
    },
]

# Embedded default: SQLite in the project folder. PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections, checked before reuse (issue 16; docs/scaling.md). Opening a PostgreSQL
# connection per request cost ~13 ms of server CPU under load. Why CONN_MAX_AGE with health checks
# and not Django's psycopg pool (OPTIONS "pool"): a gunicorn sync worker serves one request at a
# time, so one kept connection is all it can use, while a pool per process keeps more open
# (psycopg_pool's min_size is 4) and needs a thread that a fork does not carry over; Celery's
# Django fix-up closes a worker's connections (and with prefork its whole pool) before and after
# every task, so workers connect per task either way. The health check costs one `SELECT 1` on the
# first query of a request that reuses a connection, and replaces a connection that PostgreSQL
# dropped (a restart, a failover, pg_terminate_backend): only a request in flight at that moment
# fails (tests/integration/test_connections.py). 0 opens a connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A browser saves grid cells in parallel, and the demo's runserver answers them in threads.
    # SQLite's defaults answered most of them "database is locked": a deferred transaction that
    # reads and then writes cannot wait for the write lock (SQLite gives up at once to avoid a
    # deadlock). IMMEDIATE takes the write lock at BEGIN, the timeout lets a request wait for it,
    # and WAL lets readers go on while one request writes (tests/integration/test_sqlite_demo.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,  # seconds
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
# Optional: the dashboard's reads from a read-only replica (ketenportaal/db_router.py,
# docs/scaling.md). Unset (the default): no second alias, no router, every query on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
# After a person's own write, their pages read from the primary this long (read-your-writes).
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": DATABASES["default"]["CONN_HEALTH_CHECKS"],
        # Tests never build a database of its own for it: it reads the test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["ketenportaal.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "ketenportaal.db_router.ReplicaReadsMiddleware"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ketenportaal.cache.RedisCache",  # one client per pool: ketenportaal/cache.py
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kp",
        }
    }
    # Sessions are read on every request: from Redis, with the database behind it (writes go to
    # both, so a Redis restart signs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif CACHE_DIR := env.str("CACHE_DIR", default=""):
    # Without Redis, a cache on disk that several processes share: `make demo` runs the development
    # server and a Celery worker, and what the worker writes (an import's figures, a sweep, a
    # notification) must retire the pages the server keeps under revision tokens.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 10_000},  # kept pages and their tokens (a token culled is started afresh)
        }
    }
else:
    # One process's memory: the test legs, and a portal without a worker.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "stakeholders.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "stakeholders:my_work"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Reset mails per hour (stakeholders/throttles.py): enough for someone who mistypes or loses a
# mail, too few to flood a mailbox or to mail every address on a list from one machine.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20)

# Two-factor authentication (TOTP). Required for programme managers and platform
# administrators unless a deployment switches it off (the demo does, for convenience).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Ketenportaal")

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per normalised address: sign-in ignores letter case, so must the lockout.
AXES_USERNAME_CALLABLE = "stakeholders.throttles.axes_username"
AXES_SENSITIVE_PARAMETERS = ["password"]

INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Demo data of the apps that build on stakeholders, loaded by `manage.py load_demo` in this order.
DEMO_LOADERS = [
    "stakeholders.demo_register.load_demo",  # the stakeholder register
    "stakeholders.demo_capacity.load_demo",  # capacity self-assessments
    "ambitions.demo.load_demo",
    "ambitions.demo_chain_map.load_demo",  # the chain map: ZSM relay with lead-time indicators (after the indicators)
    "ambitions.demo_partner_health.load_demo",  # contributions and benefits (after the indicators)
    "governance.demo.load_demo",
    "governance.demo_early_warning.load_demo",  # early warnings: the forecasts heading off target (after the bodies)
    "governance.demo_course_checks.load_demo",  # course checks (after the bodies and their seats)
    "governance.demo_meetups.load_demo",  # meetups: a borrel hosted by each core partner in turn, one coming
    "governance.demo_stories.load_demo",  # success stories: six published over two years, one awaiting approval
    "governance.demo_participation.load_demo",  # participation health: probation slipping (last)
    "governance.demo_newsletters.load_demo",  # newsletters: two sent, the last drafted (after stories, meetups)
    "governance.demo_newsletter_mailing.load_demo",  # subscribers, an opt-out, the sent editions delivered
    "governance.demo_public_page.load_demo",  # the public page: ZSM's on, with the steering group's decision
]
MANDATE_EXPIRY_WARNING_DAYS = 30

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
# One date format across the portal, per language (ketenportaal/formats/).
FORMAT_MODULE_PATH = ["ketenportaal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package.json) and are served straight from
# node_modules, so nothing third-party is copied into the repository.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/utrecht", NODE_MODULES / "@utrecht/component-library-css/dist"),
    ("vendor/voorbeeld-tokens", NODE_MODULES / "@nl-design-system-unstable/voorbeeld-design-tokens/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
]
# Uploads (chain logos, later attachments) go only through Django's storage API, and the portal
# serves them itself (stakeholders.views.chains.chain_logo), so nothing reads a media folder by
# path. MEDIA_STORAGE says where they live: "filesystem" (default: MEDIA_ROOT, e.g. one volume on
# one machine) or "s3": a private bucket in any S3-compatible store, shared by every machine.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        raise environ.ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (see .env.example).")
    # Credentials are boto3's own: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment,
    # or the machine's role. No ACL is sent: the bucket stays private, as its policy says.
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": None,
            # As on a filesystem: a second upload with the same name gets a name of its own.
            "file_overwrite": False,
        },
    }
else:
    raise environ.ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
LOGO_MAX_BYTES = 512 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail goes through Django 6.1's MAILERS; EMAIL_URL says where (smtp+tls://user:pass@host:587).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _email_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email.get("EMAIL_HOST_USER") or None,
        "password": _email.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=20),
    }
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Ketenportaal <noreply@ketenportaal.localhost>")

# Security headers. The CSP allows only our own files plus per-response nonces:
# no inline script or style without a nonce, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

REST_FRAMEWORK = rest_framework(env)

# Celery. Production and CI use Redis; the embedded default uses a filesystem
# broker in var/ so that `make demo` runs the schedule without Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Longer than the longest task, so a late-acked task is not redelivered while it runs. (The
    # reliability tests lower it and sweep for unacknowledged messages every second in their own
    # settings, tests/integration/settings.py, to see a killed worker's task redelivered.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60 * 2)}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_BEAT_SCHEDULE_FILENAME = str(env.path("CELERY_BEAT_SCHEDULE_FILENAME", default=VAR_DIR / "celerybeat-schedule"))
HOUSEKEEPING_INTERVAL_SECONDS = env.int("HOUSEKEEPING_INTERVAL_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE = {
    "run-housekeeping": {
        "task": "stakeholders.tasks.run_housekeeping",
        "schedule": HOUSEKEEPING_INTERVAL_SECONDS,
        # A missed run is not worth catching up on: the next one does the same work.
        "options": {"expires": max(HOUSEKEEPING_INTERVAL_SECONDS - 1, 1)},
    },
    # Drafts each chain's progress report on its reporting calendar. Hourly, so that a run missed
    # while nothing ran is caught up; the report's unique key makes repeated runs harmless.
    "draft-due-reports": {
        "task": "ambitions.tasks.draft_due_reports",
        "schedule": env.int("REPORT_DRAFT_INTERVAL_SECONDS", default=60 * 60),
        "options": {"expires": 60 * 30},
    },
    # Uploaded files are kept while their import may still be confirmed (ambitions/services/imports/retention.py).
    "purge-old-imports": {
        "task": "ambitions.tasks.purge_old_imports",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60},
    },
}
# Days an import keeps its uploaded file and preview (and a preview waits for confirmation).
IMPORT_KEEP_DAYS = env.int("IMPORT_KEEP_DAYS", default=30)

# One logging set-up for web, worker and beat (ketenportaal/celery.py hands Celery this one too),
# at LOG_LEVEL. Errors reach the operators: a server error and a failed task are mailed to ADMINS
# (comma-separated addresses; none: no mail), without form data, cookies, local variables or
# names (ketenportaal/errors.py), and sent to Sentry when SENTRY_DSN is set (ketenportaal/sentry.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
ADMINS = env.list("ADMINS", default=[])
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Ketenportaal] "
DEFAULT_EXCEPTION_REPORTER = "ketenportaal.errors.PrivateExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "ketenportaal.errors.PrivateExceptionReporterFilter"
LOGGING = logging_config(LOG_LEVEL)
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from ketenportaal import sentry

    sentry.init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=KETENPORTAAL_ENV),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Reminders and the daily digest (ambitions/reminders.py, stakeholders/digest.py). The sweep is
# idempotent (one notification per person per item and period), so it runs every hour; the
# digest runs hourly in the day: the first run mails, later ones retry a failed mail server.
REMINDER_DUE_DAYS = env.int("REMINDER_DUE_DAYS", default=5)
REMINDER_LEAD_GRACE_DAYS = env.int("REMINDER_LEAD_GRACE_DAYS", default=3)
CELERY_IMPORTS = ["ambitions.reminders"]
CELERY_BEAT_SCHEDULE |= {
    "send-reminders": {
        "task": "ambitions.reminders.send_reminders",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 30},
    },
    "send-daily-digests": {
        "task": "stakeholders.tasks.send_daily_digests",
        "schedule": crontab(minute=15, hour="7-21"),
        "options": {"expires": 60 * 30},
    },
    # Overdue actions: one notification per action and due date, so the digest mails it once.
    # Before the first digest of the day; hourly, so a run missed is caught up.
    "notify-overdue-actions": {
        "task": "governance.tasks.notify_overdue_actions",
        "schedule": crontab(minute=5),
        "options": {"expires": 60 * 30},
    },
}

# Consent that cannot stall (issue 15): reminders before and on a proposal's answer deadline, and
# what silence means after it (ambitions/services/consent_deadlines.py). Daily work; it runs hourly
# in the morning so a missed run is caught up before the digest goes out, and is idempotent.
CELERY_IMPORTS = [*CELERY_IMPORTS, "ambitions.tasks_consent"]  # not a tasks.py: named for the worker
CELERY_BEAT_SCHEDULE |= {
    "sweep-consent-deadlines": {
        "task": "ambitions.tasks_consent.sweep_consent_deadlines",
        "schedule": crontab(minute=40, hour="5-9"),
        "options": {"expires": 60 * 30},
    },
}

# Decisions whose review date has come: the body's chair and secretary are told once per decision
# and review date (the notification's unique key); hourly, so a run missed is caught up.
DECISION_REVIEW_INTERVAL_SECONDS = env.int("DECISION_REVIEW_INTERVAL_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE |= {
    "send-decision-review-reminders": {
        "task": "governance.tasks.send_decision_review_reminders",
        "schedule": DECISION_REVIEW_INTERVAL_SECONDS,
        "options": {"expires": max(DECISION_REVIEW_INTERVAL_SECONDS - 1, 1)},
    },
    # Written decisions (governance/services/decision_deadlines.py): a reminder a few working days
    # before the closing date and one on the day, to the partners without a position; idempotent
    # (one notification key per decision, round and reminder), hourly in the morning so a missed run
    # is caught up before the digest goes out.
    "send-written-decision-reminders": {
        "task": "governance.tasks.send_written_decision_reminders",
        "schedule": crontab(minute=45, hour="5-9"),
        "options": {"expires": 60 * 30},
    },
}

# Meeting notices (governance/tasks.py): an announcement, change or cancellation is mailed as it
# happens; this sweep mails what a lost task or a refusing mail server left, once per person.
MEETING_NOTICE_INTERVAL_SECONDS = env.int("MEETING_NOTICE_INTERVAL_SECONDS", default=15 * 60)
CELERY_BEAT_SCHEDULE |= {
    "send-meeting-notices": {
        "task": "governance.tasks.send_pending_meeting_notices",
        "schedule": MEETING_NOTICE_INTERVAL_SECONDS,
        "options": {"expires": max(MEETING_NOTICE_INTERVAL_SECONDS - 1, 1)},
    },
}

# Bottlenecks whose response time passed without a response go up the escalation ladder, once per
# level, and the receiving body's chair and secretary are mailed once (governance/services/bottlenecks.py).
ESCALATION_INTERVAL_SECONDS = env.int("ESCALATION_INTERVAL_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE |= {
    "escalate-overdue-bottlenecks": {
        "task": "governance.tasks.escalate_overdue_bottlenecks",
        "schedule": ESCALATION_INTERVAL_SECONDS,
        "options": {"expires": max(ESCALATION_INTERVAL_SECONDS - 1, 1)},
    },
}

# Agreements (governance/services/agreements.py): an attached PDF is at most this large (the form
# says so); the expiry of agreements past their end date and the reminders before the evaluation
# and end dates (once each per person and date) run hourly, so a run missed is caught up.
AGREEMENT_PDF_MAX_BYTES = env.int("AGREEMENT_PDF_MAX_BYTES", default=10 * 1024 * 1024)
AGREEMENT_REMINDER_DAYS = env.int("AGREEMENT_REMINDER_DAYS", default=30)
AGREEMENT_SWEEP_INTERVAL_SECONDS = env.int("AGREEMENT_SWEEP_INTERVAL_SECONDS", default=60 * 60)
CELERY_IMPORTS = [*CELERY_IMPORTS, "governance.tasks_agreements"]  # not a tasks.py: named for the worker
CELERY_BEAT_SCHEDULE |= {
    "sweep-agreements": {
        "task": "governance.tasks_agreements.sweep_agreements",
        "schedule": AGREEMENT_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": max(AGREEMENT_SWEEP_INTERVAL_SECONDS - 1, 1)},
    },
}

# Course checks (governance/services/course_checks.py): open each chain's check of its cadence window,
# remind once before it closes, close it and compute its alert; hourly, so a run missed is caught up.
COURSE_CHECK_INTERVAL_SECONDS = env.int("COURSE_CHECK_INTERVAL_SECONDS", default=60 * 60)
CELERY_BEAT_SCHEDULE |= {
    "run-course-checks": {
        "task": "governance.tasks.run_course_checks",
        "schedule": COURSE_CHECK_INTERVAL_SECONDS,
        "options": {"expires": max(COURSE_CHECK_INTERVAL_SECONDS - 1, 1)},
    },
}

# Overdue deliveries of contributions: each partner's lead is told once per delivery (the
# notification's key); hourly, before the day's digests, so a run missed is caught up.
CELERY_BEAT_SCHEDULE |= {
    "notify-overdue-deliveries": {
        "task": "stakeholders.contribution_tasks.notify_overdue_deliveries",
        "schedule": crontab(minute=10),
        "options": {"expires": 60 * 30},
    },
}

# The newsletter's sending (governance/tasks_newsletter_send.py): an edition still sending (a task lost,
# a mail server down past the retries) is taken up again every ten minutes; each recipient is mailed
# once however often it runs (governance/services/newsletter_send.py).
NEWSLETTER_RESUME_INTERVAL_SECONDS = env.int("NEWSLETTER_RESUME_INTERVAL_SECONDS", default=60 * 10)
CELERY_IMPORTS = [*CELERY_IMPORTS, "governance.tasks_newsletter_send"]  # not a tasks.py: named for the worker
CELERY_BEAT_SCHEDULE |= {
    "resume-newsletter-sends": {
        "task": "governance.tasks_newsletter_send.resume_newsletter_sends",
        "schedule": NEWSLETTER_RESUME_INTERVAL_SECONDS,
        "options": {"expires": max(NEWSLETTER_RESUME_INTERVAL_SECONDS - 1, 1)},
    },
}

# The quarterly newsletter (governance/tasks_newsletters.py): every chain gets a draft of the quarter
# just ended. Daily at 6:20, so the draft is there on the quarter's first morning and a missed day is
# caught up; one edition per chain and quarter makes repeated runs harmless.
CELERY_IMPORTS = [*CELERY_IMPORTS, "governance.tasks_newsletters"]  # not a tasks.py: named for the worker
CELERY_BEAT_SCHEDULE |= {
    "draft-newsletters": {
        "task": "governance.tasks_newsletters.draft_newsletters",
        "schedule": crontab(minute=20, hour=6),
        "options": {"expires": 60 * 60 * 12},
    },
}

# Early warning from the forecast (governance/tasks_early_warning.py): daily at 6:30; idempotent.
CELERY_IMPORTS = [*CELERY_IMPORTS, "governance.tasks_early_warning"]  # not a tasks.py: named for the worker
CELERY_BEAT_SCHEDULE["sweep-early-warnings"] = {
    "task": "governance.tasks_early_warning.sweep_early_warnings",
    "schedule": crontab(minute=30, hour=6),
    "options": {"expires": 60 * 60 * 12},
}
