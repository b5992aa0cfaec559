"""One settings module, read from the environment (see the README's table).

The defaults run on a laptop with no servers: SQLite and Celery's filesystem transport.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis. With ``DJANGO_DEBUG=false``
the same module is the production configuration.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_secret = os.environ.get("DJANGO_SECRET_KEY", "")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    _secret = "development-only-key-not-for-production-use-0123456789abcdef"  # noqa: S105
SECRET_KEY = _secret
# The key of the audit trail's hash chain (docs/audit-chain.md). Production sets its own and
# keeps it outside the database (ASVS V16.4.2); unset, it is derived from SECRET_KEY. Set it
# before the first `migrate`: the migration that seals the existing events uses it.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")
# An event not in the chain after this long is reported by the verifier (licensing/audit_chain.py).
AUDIT_CHAIN_GRACE_SECONDS = env_int("AUDIT_CHAIN_GRACE_SECONDS", 3600)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, its navigation kept per set of permissions (licensing/admin_site.py).
    "licensing.admin_site.OfficersAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Index expressions with an operator class (the trigram name search, migration 0030).
    "django.contrib.postgres",
    "guardian",
    "import_export",
    "axes",
    "django_countries",  # its catalogues: country names in the user's language
    "csp",  # its system checks (the Content-Security-Policy settings below)
    "licensing",
    "equipment",
    "returns",
    "seizures",
    "duediligence",
    "inspections",
    # Issue 23: cooperation with other Parties (Art. 22.1, 28, 21, 12); docs/cooperation.md.
    "cooperation",
    # Issue 15: a second factor for staff (TOTP, recovery codes, passkeys); docs/two-factor.md.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "twofactor",
    # Issue 19: the HTTP API for other authorities (Art. 21); docs/api.md.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, not a CDN (the CSP below)
    "oauth2_provider",
    "api",
    # Issue 21: health, readiness and metrics of each process; docs/operations.md.
    "ops",
    # Issue 22: management information and the Party's aggregate report (Art. 20); docs/reports.md.
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: every response, a redirect or a 429 from the middleware below too,
    # carries the Content-Security-Policy (CONTENT_SECURITY_POLICY below; ASVS V3.4.3).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): which second factor, if any, verified this session (django-otp's
    # middleware, the device from the cache when AUTH_CACHE_SECONDS is on).
    "licensing.auth_cache.CachedOTPMiddleware",
    # ASVS V6.3.3: staff (and portal users who opted in) reach nothing but the second step
    # and enrolment until their session is verified.
    "twofactor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions end 8 hours after log-in and after 30 idle minutes (ASVS V7.3.1, V7.3.2);
    # after the messages, which tell the user why. docs/abuse-limits.md.
    "licensing.sessions.SessionLifetimeMiddleware",
    # An address that failed to log in too often, whatever the names, gets 429 (ASVS V6.3.1).
    "licensing.ratelimit.LoginSprayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "licensing.middleware.AuditContextMiddleware",
    # The document store down: 503 with the message, not a server error (licensing/storage.py).
    "licensing.middleware.StorageUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "licensing.urls"
WSGI_APPLICATION = "licensing.wsgi.application"

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
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # Persistent connections: a web process keeps its connection for this many seconds
        # instead of opening one per request (0: one per request, as before). The health check
        # tests a kept connection with the first query of each request and opens a new one if
        # the server dropped it (a restart, a failover, an idle timeout). Celery's Django fixup
        # closes the connection before and after every task whatever this says.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent web, worker and beat processes share the file: wait for locks, don't fail.
    # IMMEDIATE: a transaction takes the write lock when it begins. A deferred one that read
    # first fails at once ("database is locked") when it then writes while another process
    # writes, without waiting: a notification task failed so after its mail had left, and
    # the sweeper sent that mail again.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
# Issue 15, least privilege (docs/database-roles.md): migrate runs with the owner's
# DATABASE_URL; the web and workers with the runtime role's. Set here (where migrate runs), every
# migrate on PostgreSQL ends by granting this role its privileges (licensing/db_roles.py).
# SQLite has no roles: the ORM guard alone keeps the audit trail append-only there.
DATABASE_RUNTIME_ROLE = os.environ.get("DATABASE_RUNTIME_ROLE", "")

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the user and its permissions from the cache (licensing/auth_cache.py).
    "licensing.auth_cache.CachedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No "AnonymousUser" row in the users table (guardian creates one by default).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian Bokmål")), ("hu", _("Hungarian"))]
LOCALE_PATHS = [BASE_DIR / "licensing" / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

# django-countries gives both Congos one Hungarian name ("Kongó"): the two are told apart in
# every language, by the names in our catalogues.
COUNTRIES_OVERRIDE = {
    "CG": _("Republic of the Congo"),
    "CD": _("Democratic Republic of the Congo"),
}

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents are personal data (Art. 5): stored outside the static root under random
# names and served only through permission-checked views, never by MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
# An uploaded file that no Document names is removed once it is this old. Its transaction may
# still be open before that: never less than an hour.
UPLOAD_ORPHAN_HOURS = env_int("UPLOAD_ORPHAN_HOURS", 24)
if UPLOAD_ORPHAN_HOURS < 1:
    raise ImproperlyConfigured("UPLOAD_ORPHAN_HOURS must be at least 1.")
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Import of a legacy licence register (docs/legacy-import.md): the largest file and the most
# rows one import takes, sized for a national register (a million licences is about 300 MB of
# CSV). The upload goes to a temporary file (FILE_UPLOAD_TEMP_DIR needs room for it), then is
# checked and written by Celery jobs; a job lost half way is resumed, at most this many times.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 1024 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000)
IMPORT_JOB_ATTEMPTS = env_int("IMPORT_JOB_ATTEMPTS", 3)
# The import reads, checks and writes the file in chunks of this many rows (bounded memory),
# and keeps at most this many of its errors for the report (all are counted).
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 5000)
IMPORT_MAX_KEPT_ERRORS = env_int("IMPORT_MAX_KEPT_ERRORS", 10000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mail: the console on a laptop, SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    # Decoded subjects and bodies (licensing/mail.py), so that mail in any language reads.
    "licensing.mail.ReadableConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "licensing@authority.example")

# Celery. Redis in CI and production; kombu's filesystem transport on a laptop.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The host names nothing (the transport is a folder); given, kombu does not warn that it is not.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    # kombu's default control folder is ./control, in whatever directory the worker starts.
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    # Tasks with an ETA beyond the visibility timeout would be delivered again: long waits
    # live in the database (notification rows, due dates), never in the broker.
    # A worker killed mid-task (SIGKILL, a lost machine) never acknowledges its messages: kombu
    # puts them back on the queue once they are older than the visibility timeout, in a sweep
    # every CELERY_UNACKED_RESTORE_EVERY_SECONDS of each worker (another worker then runs them;
    # every task is safe to run twice). Keep the timeout above the longest task's time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_EVERY_SECONDS", 60),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The memory half of a PDF render's budget (services/printing.py; the time half is each print
# task's time_limit): a pool process that has grown past this many KiB is replaced after its
# current task. 52 dense pages took 200 MiB, so 512 MiB leaves room for one render.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512 * 1024)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Art. 6.3(f): licences expire at the end of their term.
    "expire-licences": {
        "task": "licensing.tasks.expire_due_licences",
        "schedule": env_int("EXPIRE_LICENCES_EVERY_SECONDS", 3600),
    },
    # Art. 6.3(g): approved changes notified in advance take effect on their date.
    "apply-due-changes": {
        "task": "licensing.tasks.apply_due_changes",
        "schedule": env_int("APPLY_CHANGES_EVERY_SECONDS", 3600),
    },
    # Art. 6.3(f): reminders before a term ends. Hourly, and safe to run at any time: each
    # reminder is a row with a unique key, so a rerun or a second run sends nothing again.
    "send-expiry-reminders": {
        "task": "licensing.tasks.send_expiry_reminders",
        "schedule": env_int("EXPIRY_REMINDERS_EVERY_SECONDS", 3600),
    },
    # Unanswered information requests: a chaser per threshold, once.
    "chase-information-requests": {
        "task": "licensing.tasks.chase_information_requests",
        "schedule": env_int("INFORMATION_CHASERS_EVERY_SECONDS", 3600),
    },
    # Issue 22: the dashboard's counts by state, kept by triggers, folded (licensing/tallies.py).
    "compact-state-tallies": {
        "task": "licensing.tasks.compact_state_tallies",
        "schedule": env_int("COMPACT_STATE_TALLIES_EVERY_SECONDS", 3600),
    },
    # Notifications are rows; the sweeper re-sends the ones a lost message left queued.
    "sweep-notifications": {
        "task": "licensing.tasks.sweep_notifications",
        "schedule": env_int("SWEEP_NOTIFICATIONS_EVERY_SECONDS", 300),
    },
    # A print batch whose job message was lost (a crash between commit and send) is resumed.
    "resume-print-batches": {
        "task": "licensing.tasks.resume_print_batches",
        "schedule": env_int("RESUME_PRINT_BATCHES_EVERY_SECONDS", 300),
    },
    # Art. 9.2: a legacy register import whose check or write lost its message or worker.
    "resume-legacy-imports": {
        "task": "licensing.tasks.resume_legacy_imports",
        "schedule": env_int("RESUME_LEGACY_IMPORTS_EVERY_SECONDS", 300),
    },
    # Art. 6, 6.3(a): a decision whose letter job was lost (a crash between commit and send)
    # still gets its letter; the key is the decision's, so nothing is printed twice.
    "sweep-decision-letters": {
        "task": "licensing.tasks.sweep_decision_letters",
        "schedule": env_int("SWEEP_LETTERS_EVERY_SECONDS", 900),
    },
    # Art. 6.3(i): supervised destruction: assign inspectors, remind, escalate, chase.
    "destruction-jobs": {
        "task": "equipment.tasks.run_destruction_jobs",
        "schedule": env_int("DESTRUCTION_JOBS_EVERY_SECONDS", 3600),
    },
    # Art. 6.3(e): periodic audits planned by risk, weeks ahead, with an inspector each.
    "plan-inspections": {
        "task": "inspections.tasks.plan_inspections",
        "schedule": env_int("PLAN_INSPECTIONS_EVERY_SECONDS", 86400),
    },
    # Art. 9.1, 9.2: open each licence's return periods, remind before the due date, chase
    # after it and open the officer's task for an overdue return.
    "return-jobs": {
        "task": "returns.tasks.run_return_jobs",
        "schedule": env_int("RETURN_JOBS_EVERY_SECONDS", 3600),
    },
    # Art. 9.1: a filed return whose check job was lost is checked by the sweep.
    "check-unchecked-returns": {
        "task": "duediligence.tasks.check_unchecked_returns",
        "schedule": env_int("CHECK_RETURNS_EVERY_SECONDS", 600),
    },
    # Issue 22: the management pages' monthly sums and the dashboard tiles' snapshot (reports).
    "refresh-management-figures": {
        "task": "reports.tasks.refresh_management_figures",
        "schedule": env_int("REFRESH_MANAGEMENT_FIGURES_EVERY_SECONDS", 3600),
    },
    # Issue 22: each day, the risk scores of parties whose return fell due unfiled, then the
    # month's count of licensees by risk score (it reads the whole register).
    "sweep-risk-scores": {
        "task": "duediligence.tasks.sweep_risk_scores",
        "schedule": crontab(hour=1, minute=20),
    },
    "snapshot-management-figures": {
        "task": "reports.tasks.snapshot_management_figures",
        "schedule": crontab(hour=1, minute=50),
    },
    # Art. 6.3(d): a submitted application whose review job was lost is reviewed by the sweep.
    "review-unreviewed-applications": {
        "task": "duediligence.tasks.review_unreviewed_applications",
        "schedule": env_int("REVIEW_SWEEP_EVERY_SECONDS", 600),
    },
    # Art. 6.3(b)(iv)-(v): the machines of an approved application whose job was lost.
    "declare-machines-of-approvals": {
        "task": "equipment.tasks.declare_machines_of_recent_approvals",
        "schedule": env_int("DECLARE_MACHINES_EVERY_SECONDS", 3600),
    },
    # Machines of a licence that ended (a lost signal included) need disposal or destruction.
    "machines-of-ended-licences": {
        "task": "equipment.tasks.require_disposal_for_ended_licences",
        "schedule": crontab(hour=2, minute=41),
    },
    # Files left on disk by an upload whose transaction rolled back: never records.
    "purge-unreferenced-uploads": {
        "task": "licensing.tasks.purge_unreferenced_uploads",
        "schedule": crontab(hour=3, minute=17),
    },
    # The audit trail's hash chain: link stragglers, verify, seal a checkpoint, alert the
    # senior officers on a break (licensing/audit_chain.py; ASVS V16.4.2).
    "verify-audit-chain": {
        "task": "licensing.tasks.verify_audit_chain",
        "schedule": crontab(hour=1, minute=23),
    },
}

# The cache counts requests to the public pages and forms (licensing.ratelimit): Redis, shared by
# every web process, when there is one; local memory (per process) on a laptop.
# Redis down, the cache answers as an empty one and the pages serve from PostgreSQL
# (licensing/cache.py): a call gives up after CACHE_TIMEOUT_SECONDS, then Redis is left alone
# for a few seconds before it is tried again.
_cache_timeout = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "1"))
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "licensing.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# With Redis, sessions, the signed-in user, its permissions and its second-factor device are
# read from the cache, not the database, on each request (licensing/auth_cache.py; a change
# takes effect on the next request). Seconds an entry is kept; 0: off, the default without Redis,
# whose per-process cache would not see another process's changes.
AUTH_CACHE_SECONDS = env_int("AUTH_CACHE_SECONDS", 300 if REDIS_URL else 0)
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A limit written "requests/seconds", e.g. "3/3600"."""
    value = os.environ.get(name) or default
    try:
        requests, seconds = (int(part) for part in value.split("/"))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must look like 3/3600: {error}") from error
    if requests < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{name}: requests and seconds must be at least 1.")
    return requests, seconds


# Requests per window (seconds) by client address and by recipient (licensing/ratelimit.py,
# docs/abuse-limits.md; ASVS V2.4.1): the public verification and register, and the forms that
# send mail, counted before anything is sent; failed log-ins per address (password spraying).
RATE_LIMITS = {
    "verify": (env_int("VERIFY_RATE_LIMIT", 60), 60),
    "register": (env_int("REGISTER_RATE_LIMIT", 60), 60),
    # A PDF checked by upload (/verify/document/upload/): each one is read and validated.
    "verify_upload": env_rate("RATE_LIMIT_VERIFY_UPLOAD", "10/60"),
    # Browsers' reports of a refused script or style (licensing/csp_report.py).
    "csp_report": env_rate("RATE_LIMIT_CSP_REPORT", "60/60"),
    # The API's token endpoint: a partner asks for a token about once an hour (api/urls.py).
    "api_token": env_rate("RATE_LIMIT_API_TOKEN", "30/60"),
    "signup_address": env_rate("RATE_LIMIT_SIGNUP_ADDRESS", "10/3600"),
    "signup_recipient": env_rate("RATE_LIMIT_SIGNUP_RECIPIENT", "3/3600"),
    "password_reset_address": env_rate("RATE_LIMIT_PASSWORD_RESET_ADDRESS", "10/900"),
    "password_reset_recipient": env_rate("RATE_LIMIT_PASSWORD_RESET_RECIPIENT", "3/3600"),
    "email_change_address": env_rate("RATE_LIMIT_EMAIL_CHANGE_ADDRESS", "10/3600"),
    "email_change_recipient": env_rate("RATE_LIMIT_EMAIL_CHANGE_RECIPIENT", "3/3600"),
    "invitation_address": env_rate("RATE_LIMIT_INVITATION_ADDRESS", "20/3600"),
    "invitation_recipient": env_rate("RATE_LIMIT_INVITATION_RECIPIENT", "3/3600"),
    "login_failures_address": env_rate("RATE_LIMIT_LOGIN_FAILURES_ADDRESS", "20/900"),
}

# The notification sweeper re-sends a row still queued (or failed) this long after its last
# change: long enough for the message sent on commit to have been delivered.
NOTIFICATION_SWEEP_AFTER_SECONDS = env_int("NOTIFICATION_SWEEP_AFTER_SECONDS", 120)

# The authority and its licences.
AUTHORITY_NAME = os.environ.get("AUTHORITY_NAME", "Tobacco Licensing Authority")
# The authority's country (ISO 3166 code): its banks serve its market (returns' payment check,
# Art. 10.2). The demo authority is Norwegian, as the default time zone.
AUTHORITY_COUNTRY = os.environ.get("AUTHORITY_COUNTRY", "NO").upper()
LICENCE_NUMBER_PREFIX = os.environ.get("LICENCE_NUMBER_PREFIX", "TL")
# Reg. (EU) 2018/574 Art. 3(4), 15(1), 17(1), 19(1): the authority as ID issuer of the
# tracking-and-tracing system (Protocol Art. 8). Every economic operator, facility and machine
# identifier code it issues starts with this identification code (upper-case letters and
# digits; docs/identifiers.md). The demo's is a made-up Norwegian one.
TT_ID_ISSUER_CODE = os.environ.get("TT_ID_ISSUER_CODE", "NOTLA").strip().upper()
if not TT_ID_ISSUER_CODE.isalnum() or not TT_ID_ISSUER_CODE.isascii():
    raise ImproperlyConfigured("TT_ID_ISSUER_CODE must be upper-case letters and digits.")
LICENCE_TERM_DAYS = env_int("LICENCE_TERM_DAYS", 730)  # Art. 6.3(f): two years by default.
LICENCE_RENEWAL_GRACE_DAYS = env_int("LICENCE_RENEWAL_GRACE_DAYS", 90)
INFORMATION_REQUEST_DAYS = env_int("INFORMATION_REQUEST_DAYS", 30)


def env_days(name: str, default: str) -> list[int]:
    """A list of day counts ("90,60,30,7"), each at least 1, largest first."""
    try:
        days = sorted({int(item) for item in env_list(name, default)}, reverse=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be whole numbers of days: {error}") from error
    if any(day < 1 for day in days):
        raise ImproperlyConfigured(f"{name}: every threshold must be at least one day.")
    return days


# Art. 6.3(f): reminders this many days before a term ends, by activity ("default" for an
# activity not named). A licence with several activities gets every threshold that any of them
# asks for (the union): each activity's rule is kept. ``EXPIRY_REMINDER_DAYS`` sets the
# default, ``EXPIRY_REMINDER_DAYS_<ACTIVITY>`` (e.g. ``_RETAIL``) one activity's.
EXPIRY_REMINDER_DAYS: dict[str, list[int]] = {
    "default": env_days("EXPIRY_REMINDER_DAYS", "90,60,30,7"),
    **{
        key[len("EXPIRY_REMINDER_DAYS_") :].lower(): env_days(key, "")
        for key in os.environ
        if key.startswith("EXPIRY_REMINDER_DAYS_")
    },
}
# The officers' copy of a reminder goes to the officer who decided the licence's latest issue
# or renewal, or else who issued it; when neither can be reached (no such user, left, no
# address), to this address. Empty: no officer's copy for those licences.
EXPIRY_REMINDER_OFFICER_EMAIL = os.environ.get(
    "EXPIRY_REMINDER_OFFICER_EMAIL", "licence-officers@authority.example"
)
# An information request still unanswered this many days after it was sent gets a chaser,
# once per threshold.
INFORMATION_CHASER_DAYS = env_days("INFORMATION_CHASER_DAYS", "14,25")
# The queue marks a case overdue when it has been open longer than this without a decision.
DECISION_TARGET_DAYS = env_int("DECISION_TARGET_DAYS", 90)
INVOICE_DUE_DAYS = env_int("INVOICE_DUE_DAYS", 30)
FEE_CURRENCY = os.environ.get("FEE_CURRENCY", "EUR")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Art. 6.3(c): how the portal takes fees. "simulated" records a payment without taking money;
# a real provider is the dotted path of a licensing.services.payments.PaymentProvider.
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "simulated")
# Print batches (the registrar's "print selected licences"): at most this many licences in one
# batch; the job prints this many per task and then queues itself again, so that no task runs
# long and a restarted worker goes on where it stopped; an item whose print fails for a
# technical reason is tried this many times before it is recorded as failed.
PRINT_BATCH_MAX_LICENCES = env_int("PRINT_BATCH_MAX_LICENCES", 2000)
PRINT_BATCH_CHUNK = env_int("PRINT_BATCH_CHUNK", 25)
PRINT_BATCH_ATTEMPTS = env_int("PRINT_BATCH_ATTEMPTS", 3)
# A batch left queued or running this long without progress lost its job (a message never sent
# while Redis was down, or lost with it): the sweep (RESUME_PRINT_BATCHES_EVERY_SECONDS) resumes it.
PRINT_BATCH_RESUME_AFTER_SECONDS = env_int("PRINT_BATCH_RESUME_AFTER_SECONDS", 600)
# The equipment register (equipment app, docs/operations.md). Art. 6.3(i): the notice a holder
# gives before a supervised destruction; the holder and the inspector are reminded this many
# days before the date; a witnessed destruction not countersigned after this many days is
# chased. A licence revoked, surrendered or expired leaves its machines to be disposed of or
# destroyed within MACHINE_DISPOSAL_DAYS (after the renewal grace period, for an expiry).
DESTRUCTION_NOTICE_DAYS = env_int("DESTRUCTION_NOTICE_DAYS", 45)
DESTRUCTION_REMINDER_DAYS = env_int("DESTRUCTION_REMINDER_DAYS", 7)
DESTRUCTION_CERTIFICATE_CHASE_DAYS = env_int("DESTRUCTION_CERTIFICATE_CHASE_DAYS", 3)
DESTRUCTION_PHOTO_MAX_BYTES = env_int("DESTRUCTION_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MACHINE_DISPOSAL_DAYS = env_int("MACHINE_DISPOSAL_DAYS", 90)
# The days an authority allows itself to decide an application (its statute or its own
# service standard): the management pages count the decisions that took longer.
DECISION_DEADLINE_DAYS = env_int("DECISION_DEADLINE_DAYS", 90)
# The dashboard's tiles compare each figure with the same figure this many days before.
GLANCE_TREND_DAYS = env_int("GLANCE_TREND_DAYS", 30)
# The machines of applications approved this many days back whose declaration job was lost
# are declared by the hourly sweep (equipment.tasks.declare_machines_of_recent_approvals).
MACHINE_DECLARATION_SWEEP_DAYS = env_int("MACHINE_DECLARATION_SWEEP_DAYS", 7)
# Which inspector covers which regions or municipalities, as JSON: {"username": ["Viken"]}.
# Orders at a site outside every list go to the inspector with the fewest open orders.
DESTRUCTION_INSPECTOR_REGIONS: dict[str, list[str]] = json.loads(
    os.environ.get("DESTRUCTION_INSPECTOR_REGIONS", "{}")
)
# Art. 6.3(e): inspections and periodic audits. Days between two periodic audits per activity
# group (manufacturing first), shortened for a high due-diligence risk score and after a major
# or critical finding; the planning job creates audits this many weeks ahead.
INSPECTION_INTERVAL_DAYS = {
    "manufacturing": env_int("INSPECTION_INTERVAL_DAYS_MANUFACTURING", 365),
    "import_export": env_int("INSPECTION_INTERVAL_DAYS_IMPORT_EXPORT", 540),
    "wholesale": env_int("INSPECTION_INTERVAL_DAYS_WHOLESALE", 540),
    "retail": env_int("INSPECTION_INTERVAL_DAYS_RETAIL", 730),
}
INSPECTION_HIGH_RISK_SCORE = env_int("INSPECTION_HIGH_RISK_SCORE", 30)
INSPECTION_HIGH_RISK_DAYS = env_int("INSPECTION_HIGH_RISK_DAYS", 180)
INSPECTION_AFTER_FINDING_DAYS = env_int("INSPECTION_AFTER_FINDING_DAYS", 120)
INSPECTION_PLAN_WEEKS = env_int("INSPECTION_PLAN_WEEKS", 8)
INSPECTION_REMEDY_DAYS = env_int("INSPECTION_REMEDY_DAYS", 30)
# Which inspector covers which regions or municipalities, for inspections; the destruction
# orders' map when unset.
INSPECTOR_REGIONS: dict[str, list[str]] = (
    json.loads(os.environ.get("INSPECTOR_REGIONS", "null")) or DESTRUCTION_INSPECTOR_REGIONS
)
# Art. 6.4: days the proposed licensee has to accept a transfer request.
TRANSFER_REQUEST_DAYS = env_int("TRANSFER_REQUEST_DAYS", 14)
# Where and within how long a refusal, suspension or revocation may be appealed; printed on the
# decision letter. ``APPEAL_BODY`` names the body in every language; ``APPEAL_BODY_NB`` (and
# ``_EN``, ``_HU``) name it in one language. Unset: "the Administrative Appeals Board",
# translated (``licensing.services.letters.appeal_body``).
APPEAL_BODY = {
    "": os.environ.get("APPEAL_BODY", ""),
    **{code: os.environ.get(f"APPEAL_BODY_{code.upper()}", "") for code, _name in LANGUAGES},
}
APPEAL_DAYS = env_int("APPEAL_DAYS", 30)
# The letter sweeper looks back this many days for decisions without a letter: decisions
# taken before letters were printed by the system are not written to afresh.
# Due diligence (Art. 6.3(d), 7, 10): the risk score's points per flagged check, the checks whose
# upheld flag bars approval, and the capacity-to-demand ratio above which capacity is flagged.
DUE_DILIGENCE_WEIGHTS = {
    "completeness": 10,
    "numbers": 10,
    "bank_accounts": 15,
    "criminal_records": 25,
    "capacity": 15,
    "related_parties": 40,
    "machines": 30,
    "counterparties": 15,
}
DUE_DILIGENCE_CRITICAL_CHECKS = frozenset(
    env_list("DUE_DILIGENCE_CRITICAL_CHECKS", "related_parties,machines,criminal_records")
)
DUE_DILIGENCE_CAPACITY_RATIO = float(os.environ.get("DUE_DILIGENCE_CAPACITY_RATIO", "1.5"))

LETTER_SWEEP_DAYS = env_int("LETTER_SWEEP_DAYS", 7)

# Periodic returns (Art. 7.1(b), 9.1, 9.2, 10). Manufacturers, importers and exporters file
# monthly, every other activity quarterly (``RETURN_MONTHLY_ACTIVITIES``); a licence with any
# monthly activity files monthly. A return is due ``RETURN_DUE_DAYS`` after its period ends.
RETURN_MONTHLY_ACTIVITIES = frozenset(
    env_list("RETURN_MONTHLY_ACTIVITIES", "manufacture_products,import,export")
)
RETURN_DUE_DAYS = env_int("RETURN_DUE_DAYS", 20)
# Reminders this many days before the due date, chasers this many days after it: each once.
RETURN_REMINDER_DAYS = env_days("RETURN_REMINDER_DAYS", "7,1")
RETURN_CHASER_DAYS = env_days("RETURN_CHASER_DAYS", "1,14,30")
# The first period a licence owes is the month (or quarter) in which it took effect; the job
# opens the periods that have begun and ended at most ``RETURN_LOOK_BACK_DAYS`` ago, so that
# the first run on a register of old licences does not open (and chase) years of returns.
RETURN_LOOK_BACK_DAYS = env_int("RETURN_LOOK_BACK_DAYS", 120)
# An upload: at most this many rows and bytes (a return has a line per product, counterpart
# and payment; a national register is imported elsewhere).
RETURN_MAX_ROWS = env_int("RETURN_MAX_ROWS", 5000)
RETURN_MAX_BYTES = env_int("RETURN_MAX_BYTES", 5 * 1024 * 1024)
# The checks on a return (duediligence.return_checks): the stock equation holds within this
# fraction of the larger side; cash above this amount (in any currency) is flagged (Art.
# 10.1(a)); two licensees' figures for one trade mirror within this fraction.
RETURN_STOCK_TOLERANCE = float(os.environ.get("RETURN_STOCK_TOLERANCE", "0.01"))
RETURN_CASH_THRESHOLD = env_int("RETURN_CASH_THRESHOLD", 10000)
RETURN_MIRROR_TOLERANCE = float(os.environ.get("RETURN_MIRROR_TOLERANCE", "0.05"))
# The risk score's points per flagged return check, and per return overdue now.
RETURN_CHECK_WEIGHTS = {
    "stock_equation": 10,
    "capacity": 15,
    "demand": 10,
    "counterparts": 20,
    "payments": 15,
    "mirror": 15,
}
RETURN_OVERDUE_WEIGHT = env_int("RETURN_OVERDUE_WEIGHT", 10)
# Art. 18: the risk score's points per seizure case: seized from the party, its register
# machine seized, or a machine carrying one of its machines' serials (a clone) seized.
SEIZURE_RISK_WEIGHTS = {
    "seized_from": env_int("SEIZURE_WEIGHT_SEIZED_FROM", 40),
    "machine_seized": env_int("SEIZURE_WEIGHT_MACHINE_SEIZED", 25),
    "serial_cloned": env_int("SEIZURE_WEIGHT_SERIAL_CLONED", 15),
}
# Issue 22: the management page counts licensees by risk score in bands starting at these
# scores (the high-risk score of inspection planning among them by default); the daily sweep
# scores again the parties whose return fell due unfiled in this many days.
RISK_SCORE_BANDS = sorted({0, *(int(v) for v in env_list("RISK_SCORE_BANDS", "1,15,30,60"))})
RISK_SWEEP_DAYS = env_int("RISK_SWEEP_DAYS", 7)

# The portal's log-in; the admin keeps its own (admin_view redirects to admin:login itself).
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
# Links in e-mails: confirming an address, changing it, an invitation to act for a party.
EMAIL_VERIFICATION_MAX_AGE = env_int("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600)
EMAIL_CHANGE_MAX_AGE = env_int("EMAIL_CHANGE_MAX_AGE", 24 * 3600)
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Art. 5: reading personal data (an identity document, a bank account's number, a criminal
# record, an uploaded document) is audited; these roles, which do not work the case, also state
# a purpose first (licensing/services/personal_data.py). Comma-separated group names.
PERSONAL_DATA_PURPOSE_GROUPS = env_list(
    "PERSONAL_DATA_PURPOSE_GROUPS", "auditor,inspector,registrar"
)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Brute-force protection of every log-in form, the portal's and the admin's (django-axes).
# Locked by username and address together, so that one attacker cannot lock an officer out
# by trying their name from elsewhere, and one address cannot try many names without counting.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# The portal signs in by e-mail, case-insensitively: "Kari@X" and "kari@x" count together.
AXES_USERNAME_CALLABLE = "licensing.portal.security.axes_username"
AXES_LOCKOUT_CALLABLE = "licensing.portal.security.locked_out"
# REMOTE_ADDR only, as for the audit trail (licensing.middleware): X-Forwarded-For is the
# client's to set unless a trusted proxy rewrites it.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Passwords and e-mail addresses stay out of the access log's stored request data.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "email"]
# Logs name and address of a lockout only (no user agent, no start-up banner).
AXES_VERBOSE = False

# Security. Production (DEBUG off) gets the strict defaults that `check --deploy` asks for.
SESSION_COOKIE_HTTPONLY = True
# Session lifetimes (licensing/sessions.py; ASVS V7.3.1, V7.3.2). Staff: ended this long after
# log-in and after this long without a request. Every session cookie ends with the browser,
# unless a portal user ticks "Remember me": then it lasts PORTAL_REMEMBER_ME_DAYS from log-in.
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 8)
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
PORTAL_REMEMBER_ME_DAYS = env_int("PORTAL_REMEMBER_ME_DAYS", 14)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = PORTAL_REMEMBER_ME_DAYS * 24 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy on every response (django-csp; ASVS V3.4.3): script, style,
# fonts and fetches from this site only, no inline script, style element or style attribute, no
# plugins, no <base>, no framing (ASVS V3.4.6), forms post here only. Templates keep JS in
# static/*.js and CSS in static/licensing/*.css (tests/browser/test_csp.py loads every page and
# sees no violation). Browsers report a refusal to this path (licensing/csp_report.py logs it;
# ASVS V3.4.7).
CONTENT_SECURITY_POLICY_REPORT_PATH = "/security/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": [CONTENT_SECURITY_POLICY_REPORT_PATH],
    },
}
# The largest violation report read (bytes); a browser's is well under 2 KiB.
CONTENT_SECURITY_POLICY_REPORT_MAX_BYTES = 8 * 1024
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# The second factor (twofactor app, docs/two-factor.md). TOTP codes name the authority in the
# authenticator app; a wrong code doubles the wait before the next try (django-otp throttling).
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", AUTHORITY_NAME)
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_TOTP_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_STATIC_THROTTLE_FACTOR", 1)
# Passkeys (WebAuthn): the relying party is this site's host name (checked against
# ALLOWED_HOSTS) unless OTP_WEBAUTHN_RP_ID names it; origins are the https base URL (or
# http://localhost on a laptop) plus the request's own, allowed, origin (twofactor/webauthn.py).
OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", "")
OTP_WEBAUTHN_RP_ID_CALLABLE = "twofactor.webauthn.relying_party_id"
OTP_WEBAUTHN_RP_NAME = os.environ.get("OTP_WEBAUTHN_RP_NAME", AUTHORITY_NAME)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("OTP_WEBAUTHN_ALLOWED_ORIGINS") or [
    PORTAL_BASE_URL.rstrip("/")
    if PORTAL_BASE_URL.startswith("https://")
    else "http://localhost:" + (PORTAL_BASE_URL.rsplit(":", 1)[-1].strip("/") or "8000")
]
OTP_WEBAUTHN_HELPER_CLASS = "twofactor.webauthn.Helper"
# A passkey is a second factor here, after the password: never a log-in on its own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "licensing.security"

# The API for other authorities (api app, docs/api.md). Partners are OAuth2 clients (client
# credentials); a token lives API_TOKEN_SECONDS and carries the scopes its partner holds now.
API_TOKEN_SECONDS = env_int("API_TOKEN_SECONDS", 3600)
# Requests per client and period unless the partner's own limit says otherwise (429 and
# Retry-After beyond it; counted in the cache, so shared by every web process with Redis).
API_DEFAULT_RATE = os.environ.get("API_DEFAULT_RATE", "600/min")
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "api.scopes.PartnerScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_TOKEN_SECONDS,
    # Client credentials only: there is no end user to redirect, and no refresh token.
    "ALLOWED_GRANT_TYPES": ["client_credentials"],
    # RFC 9700 (the OAuth 2.0 security best current practice), every part of it: tokens kept
    # hashed, accepted in the Authorization header only, no implicit or password grant.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.PartnerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PartnerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"partner": API_DEFAULT_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # RFC 9457 problem documents for every error (api/problems.py).
    "EXCEPTION_HANDLER": "api.problems.problem_response",
    "UNAUTHENTICATED_USER": None,
    "UNAUTHENTICATED_TOKEN": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{AUTHORITY_NAME}: API for other authorities",
    "DESCRIPTION": (
        "Licensing records, identifier codes, manufacturing equipment and seizures shared with "
        "the competent authorities of other Parties (WHO FCTC Protocol, Art. 21)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The schema and its reference page are public: they describe, they disclose nothing.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
# Signed notifications of licence changes to partners' endpoints (api/signing.py; docs/api.md,
# *Notifications to partners*). API_SIGNING_KEY: base64 of a 32-byte Ed25519 private key, e.g.
# `python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`; unset, it is
# derived from DJANGO_SECRET_KEY (a new secret key then means a new public key for partners).
API_SIGNING_KEY = os.environ.get("API_SIGNING_KEY", "")
# After a change of key: the earlier public keys (base64, comma-separated), still published at
# /api/v1/signing-keys/ until every partner has the new one (docs/api.md, *Changing the key*).
API_SIGNING_KEYS_RETIRED = env_list("API_SIGNING_KEYS_RETIRED")
# http://127.0.0.1 and localhost endpoints (always allowed with DEBUG); the tests need them.
API_ALLOW_LOOPBACK_ENDPOINTS = env_bool("API_ALLOW_LOOPBACK_ENDPOINTS", False)
API_MAX_SUBSCRIPTIONS = env_int("API_MAX_SUBSCRIPTIONS", 5)  # active ones per partner
API_DELIVERY_TIMEOUT = env_int("API_DELIVERY_TIMEOUT", 5)  # seconds per attempt
# Attempt n waits BACKOFF * 2**(n-1) seconds, at most BACKOFF_MAX; after MAX_ATTEMPTS: failed.
API_DELIVERY_MAX_ATTEMPTS = env_int("API_DELIVERY_MAX_ATTEMPTS", 12)
API_DELIVERY_BACKOFF_SECONDS = env_int("API_DELIVERY_BACKOFF_SECONDS", 30)
API_DELIVERY_BACKOFF_MAX_SECONDS = env_int("API_DELIVERY_BACKOFF_MAX_SECONDS", 3600)
# The sweep takes deliveries due this long ago (their own message was lost) and licence
# changes of the last API_FAN_OUT_SWEEP_HOURS that were never fanned out (the broker was down).
API_DELIVERY_SWEEP_AFTER_SECONDS = env_int("API_DELIVERY_SWEEP_AFTER_SECONDS", 120)
API_FAN_OUT_SWEEP_HOURS = env_int("API_FAN_OUT_SWEEP_HOURS", 24)
CELERY_BEAT_SCHEDULE["retry-partner-deliveries"] = {
    "task": "api.tasks.retry_due_deliveries",
    "schedule": env_int("API_DELIVERY_SWEEP_EVERY_SECONDS", 60),
}

# Assistance cases (Art. 21, 28; cooperation/): the officer handling a request received is
# reminded this many days before its answer is due; a request still open after its due date is
# escalated to the senior officers. Answers are printed in this language (the exchange between
# Parties' authorities; the covering text is the officer's).
ASSISTANCE_REMIND_DAYS = env_int("ASSISTANCE_REMIND_DAYS", 5)
ASSISTANCE_ANSWER_LANGUAGE = os.environ.get("ASSISTANCE_ANSWER_LANGUAGE", "en")
CELERY_BEAT_SCHEDULE["assistance-deadlines"] = {
    "task": "cooperation.tasks.chase_assistance_deadlines",
    "schedule": env_int("ASSISTANCE_DEADLINES_EVERY_SECONDS", 3600),
}
# Free zones (Art. 12.1): a licence with a site in one files its returns monthly, and is
# inspected at most this many days apart (shorter than any activity's interval by default).
FREE_ZONE_MONTHLY_RETURNS = env_bool("FREE_ZONE_MONTHLY_RETURNS", True)
FREE_ZONE_INSPECTION_DAYS = env_int("FREE_ZONE_INSPECTION_DAYS", 180)
# Transit (Art. 12.3): notified before the goods enter, at most TRANSIT_NOTICE_DAYS_AHEAD days
# before; the goods leave within TRANSIT_WINDOW_DAYS of entering. A notice whose goods have not
# left by their last day is chased once.
TRANSIT_NOTICE_DAYS_AHEAD = env_int("TRANSIT_NOTICE_DAYS_AHEAD", 180)
TRANSIT_WINDOW_DAYS = env_int("TRANSIT_WINDOW_DAYS", 90)
CELERY_BEAT_SCHEDULE["transit-chase"] = {
    "task": "cooperation.tasks.chase_overdue_transits",
    "schedule": env_int("TRANSIT_CHASE_EVERY_SECONDS", 3600),
}

# Signed documents (PAdES, docs/signing.md): every issued PDF is signed with the authority's
# certificate. The key is a PKCS#12 file with its passphrase, or an HSM through PKCS#11 (when
# DOCUMENT_SIGNING_PKCS11_MODULE is set). Unset, the demo authority that `make run` makes under
# var/signing/ signs (its passphrase is the demo's, known to all: never in production).
_DEMO_SIGNING = VAR_DIR / "signing"
DOCUMENT_SIGNING_PKCS12 = os.environ.get(
    "DOCUMENT_SIGNING_PKCS12", str(_DEMO_SIGNING / "authority-signing.p12")
)
DOCUMENT_SIGNING_PASSPHRASE = os.environ.get(
    "DOCUMENT_SIGNING_PASSPHRASE",
    "" if "DOCUMENT_SIGNING_PKCS12" in os.environ else "demo-signing-2026",
)
DOCUMENT_SIGNING_PKCS11_MODULE = os.environ.get("DOCUMENT_SIGNING_PKCS11_MODULE", "")
DOCUMENT_SIGNING_PKCS11_TOKEN = os.environ.get("DOCUMENT_SIGNING_PKCS11_TOKEN", "")
DOCUMENT_SIGNING_PKCS11_KEY_LABEL = os.environ.get("DOCUMENT_SIGNING_PKCS11_KEY_LABEL", "")
DOCUMENT_SIGNING_PKCS11_CERT_LABEL = os.environ.get("DOCUMENT_SIGNING_PKCS11_CERT_LABEL", "")
DOCUMENT_SIGNING_PKCS11_PIN = os.environ.get("DOCUMENT_SIGNING_PKCS11_PIN", "")
# An RFC 3161 timestamp authority: B-T signatures with it, B-B without.
DOCUMENT_SIGNING_TSA_URL = os.environ.get("DOCUMENT_SIGNING_TSA_URL", "")
DOCUMENT_SIGNING_TSA_TIMEOUT = env_int("DOCUMENT_SIGNING_TSA_TIMEOUT", 10)
DOCUMENT_SIGNING_LOCATION = os.environ.get("DOCUMENT_SIGNING_LOCATION", "")
# The stamp's font (Debian's fonts-dejavu-core): Norwegian and Hungarian letters included.
DOCUMENT_SIGNING_STAMP_FONT = os.environ.get(
    "DOCUMENT_SIGNING_STAMP_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
# The roots the verification page trusts (PEM files): the authority's CA and, with a TSA,
# the TSA's root. Nothing is fetched from the network while checking an uploaded file.
DOCUMENT_SIGNING_TRUST_ROOTS = env_list(
    "DOCUMENT_SIGNING_TRUST_ROOTS", str(_DEMO_SIGNING / "authority-root.pem")
)
# The largest PDF the public verification page reads (bytes); larger is refused unread.
DOCUMENT_VERIFY_MAX_BYTES = env_int("DOCUMENT_VERIFY_MAX_BYTES", 10 * 1024 * 1024)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# -- Issue 21, object storage (docs/operations.md): STORAGES, S3 when configured. --------------
# Every stored file (uploads, evidence and photos, issued PDFs, legacy registers) goes through
# Django's storage API (licensing/storage.py). By default the local filesystem under MEDIA_ROOT
# (`make run`: var/media/). With STORAGE_S3_BUCKET set, an S3-compatible bucket (AWS, MinIO,
# Ceph, moto's server in tests), which several web nodes and workers share:
#   STORAGE_S3_BUCKET             the bucket (created beforehand; private, no public policy)
#   STORAGE_S3_ENDPOINT_URL       the store's URL, for a store other than AWS (http://minio:9000)
#   STORAGE_S3_REGION             its region (AWS: the bucket's; others: often "us-east-1")
#   STORAGE_S3_ACCESS_KEY_ID, STORAGE_S3_SECRET_ACCESS_KEY
#                                 the keys; unset, boto3's own chain (AWS_* variables, a role)
#   STORAGE_S3_ADDRESSING_STYLE   "path" (the default with an endpoint URL: MinIO, moto),
#                                 "virtual" or "auto" (the default for AWS)
#   STORAGE_S3_PREFIX             a folder in the bucket for this installation ("" by default)
#   STORAGE_S3_URL_SECONDS        life of a presigned URL (60); downloads are streamed by the
#                                 permission-checked views, so none is handed out today
#   STORAGE_S3_TIMEOUT_SECONDS    connect and read timeout (10): a store that is down fails an
#                                 upload quickly, with a message, instead of holding the worker
# Objects are written with no ACL (the bucket's private default), never overwritten (a name
# taken gets a suffix), and read only with the keys: an unsigned GET is refused.
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
STORAGES: dict[str, Any] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if STORAGE_S3_BUCKET:
    from botocore.config import Config as _S3Config  # only when configured: start-up stays fast

    _s3_endpoint = os.environ.get("STORAGE_S3_ENDPOINT_URL") or None
    _s3_timeout = env_int("STORAGE_S3_TIMEOUT_SECONDS", 10)
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": _s3_endpoint,
            "region_name": os.environ.get("STORAGE_S3_REGION") or None,
            "access_key": os.environ.get("STORAGE_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("STORAGE_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("STORAGE_S3_PREFIX", "").strip("/"),
            "default_acl": None,  # no public ACL: the bucket's private default
            "querystring_auth": True,
            "querystring_expire": env_int("STORAGE_S3_URL_SECONDS", 60),
            "file_overwrite": False,
            # A file read for a download or an import is buffered in memory up to this size,
            # then in a temporary file (FILE_UPLOAD_TEMP_DIR), never wholly in memory.
            "max_memory_size": 5 * 1024 * 1024,
            "client_config": _S3Config(
                s3={
                    "addressing_style": os.environ.get(
                        "STORAGE_S3_ADDRESSING_STYLE", "path" if _s3_endpoint else "auto"
                    )
                },
                signature_version="s3v4",
                connect_timeout=_s3_timeout,
                read_timeout=_s3_timeout,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }

# -- Issue 21, process kinds and the one scheduler (docs/operations.md). ---------------------
# Exactly one scheduler, however many beat processes run (scripts/serve beat). With Redis as the
# broker beat is celery-redbeat: the schedule and its last runs live in Redis, and a beat sends
# nothing until it holds the lock there; a second beat waits, and takes over within
# BEAT_LOCK_TIMEOUT_SECONDS once the first stops extending it (killed, machine lost). On the
# laptop's filesystem broker, Celery's default scheduler: `make run`'s one embedded beat.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    # Beat wakes at least this often; each wake extends the lock, and a waiting beat tries to
    # take it as often. Keep it well under the lock timeout.
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("BEAT_MAX_INTERVAL_SECONDS", 5)
    # redbeat reads its settings under their own names (REDBEAT_*), not through Celery's
    # CELERY_ namespace: named CELERY_REDBEAT_* they are read, but redbeat takes them for unset,
    # warns, and drops the client options.
    REDBEAT_REDIS_URL = os.environ.get("BEAT_REDIS_URL") or CELERY_BROKER_URL
    # Two installations (staging, production) on one Redis keep apart by their prefixes.
    REDBEAT_KEY_PREFIX = os.environ.get("BEAT_KEY_PREFIX", "licensing:beat:")
    REDBEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT_SECONDS", 60)
    # A Redis restart or failover shorter than this is ridden out; after it beat exits (its
    # supervisor restarts it, and it waits for the lock again). Shorter than the lock: a beat
    # whose lock has passed to another finds out at its next extension and exits.
    REDBEAT_REDIS_OPTIONS = {
        "retry_period": min(30, REDBEAT_LOCK_TIMEOUT // 2),
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "health_check_interval": 30,
    }

# -- Issue 21, health, metrics and logs (ops/, docs/operations.md). --------------------------
# /healthz: the process answers (no database). /readyz: JSON naming each check and its state,
# 503 when one fails; READYZ_CHECKS chooses them (a web node's balancer that should keep sending
# pages while Redis is down can leave out cache and worker). /metrics: Prometheus text, only
# with `Authorization: Bearer $METRICS_TOKEN` (unset: 404). All three are answered at the top
# of the middleware (ops/middleware.py): no cookie, no log-in, no HTTPS redirect, any Host.
READYZ_CHECKS = env_list("READYZ_CHECKS", "database,migrations,cache,storage,worker")
if set(READYZ_CHECKS) - {"database", "migrations", "cache", "storage", "worker"}:
    raise ImproperlyConfigured("READYZ_CHECKS names: database, migrations, cache, storage, worker.")
# A worker answered recently: beat queues ops.tasks.record_worker_heartbeat every
# WORKER_HEARTBEAT_EVERY_SECONDS; /readyz wants it no older than READYZ_WORKER_MAX_AGE_SECONDS.
# Checked by default when workers and web share a broker and a cache (Redis), not on the
# laptop's folder broker and per-process cache, where the web never sees the worker's heartbeat.
WORKER_HEARTBEAT_EVERY_SECONDS = env_int("WORKER_HEARTBEAT_EVERY_SECONDS", 30)
READYZ_WORKER_MAX_AGE_SECONDS = env_int("READYZ_WORKER_MAX_AGE_SECONDS", 120)
READYZ_WORKER_CHECK = env_bool(
    "READYZ_WORKER_CHECK",
    not CELERY_BROKER_URL.startswith("filesystem://")
    and not CELERY_TASK_ALWAYS_EAGER
    and "locmem" not in CACHES["default"]["BACKEND"].lower(),
)
CELERY_BEAT_SCHEDULE["worker-heartbeat"] = {
    "task": "ops.tasks.record_worker_heartbeat",
    "schedule": WORKER_HEARTBEAT_EVERY_SECONDS,
    "options": {"expires": WORKER_HEARTBEAT_EVERY_SECONDS},
}
# Metrics (django-prometheus for requests, latency and database queries; ops/metrics.py for the
# Celery tasks by name and outcome and the Redis queues' depth, METRICS_CELERY_QUEUES).
# Several processes (gunicorn workers, Celery's prefork pool): set PROMETHEUS_MULTIPROC_DIR to
# an empty writable folder, the same for every process of the host, before they start; see
# ops/metrics.py.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_CELERY_QUEUES = env_list("METRICS_CELERY_QUEUES", "celery")
INSTALLED_APPS.append("django_prometheus")
PROMETHEUS_EXPORT_MIGRATIONS = False  # it would query the database at every start
# django-prometheus's two middleware: the first counts every request, whatever answers it; the
# second, as near the view as it goes (django-axes keeps the last place), the view's responses,
# latency and exceptions. The request id before all but the first, so that every line has it.
_AXES = "axes.middleware.AxesMiddleware"
_INNERMOST = [_AXES] if MIDDLEWARE[-1:] == [_AXES] else []
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ops.middleware.RequestIdMiddleware",
    "ops.middleware.OpsEndpointsMiddleware",
    *MIDDLEWARE[: len(MIDDLEWARE) - len(_INNERMOST)],
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    *_INNERMOST,
]
# Queries counted and timed by django-prometheus's wrappers of the same engines.
_METRIC_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
for _database in DATABASES.values():
    _database["ENGINE"] = _METRIC_ENGINES.get(_database["ENGINE"], _database["ENGINE"])
# Logs: LOG_FORMAT=json writes one JSON object a line (ops/logs.py); "plain" (the default) is
# the format `make run` always printed. Every line, plain or JSON, has the request's id (the
# response's X-Request-ID) in record.request_id, and a task's lines the id of the request that
# queued it.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
LOGGING["filters"] = {"request_id": {"()": "ops.logs.RequestIdFilter"}}
LOGGING["formatters"]["json"] = {"()": "ops.logs.JsonFormatter"}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
if LOG_FORMAT == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"
    # Celery's worker would replace the root logger's handlers with its own format.
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False
