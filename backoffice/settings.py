"""Settings, driven by the environment (see README "Configuration").

Embedded default: SQLite under var/, django-q2 on the ORM broker. Production: DATABASE_URL points at
PostgreSQL and REDIS_URL switches django-q2 to the Redis broker.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """Defaults from a local ``.env`` (KEY=value lines) for variables the environment does not set.

    `make` writes one with DEBUG=1 in a development checkout so that plain `manage.py` commands work;
    production has no .env and configures everything through the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：生产模式（DEBUG 关闭）必须通过环境变量 SECRET_KEY 提供密钥。"
            " (SECRET_KEY is required when DEBUG is off; use `make demo` or set DEBUG=1 for development.)"
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

# Key for field-level encryption of personal data (ID numbers, bank accounts, phones): 32 url-safe
# base64 bytes. Kept apart from SECRET_KEY so that rotating one does not make the other unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 未设置：生产模式必须提供个人信息字段加密密钥。")
    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Unfold and its contrib apps must come before django.contrib.admin (LIBS.md §2 gotcha 1). The basic
    # app config leaves admin.site to django.contrib.admin, whose config installs our site (core/site.py).
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "backoffice.core.site.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "import_export",
    "django_q",
    # REST API (issue 10): imports/api/, schema and offline-rendered docs.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The core and the record-type apps.
    "backoffice.core",
    "backoffice.accounts",
    "backoffice.regions",
    # The 11 monitoring modules (DOMAIN.md §2), in the seed's order.
    "backoffice.funds",
    "backoffice.accounting",
    "backoffice.debts",
    "backoffice.labour",
    "backoffice.levies",
    "backoffice.disclosure",
    "backoffice.contracts",
    "backoffice.assets",
    "backoffice.subsidies",
    "backoffice.reform",
    "backoffice.keywork",
    # The rural property-rights trading platform (DOMAIN.md §6).
    "backoffice.trading",
    # Data in and out, alert rules, level reports.
    "imports",
    "rules",
    "reports",
    # Rollout supervision: coverage, bulletins, county assessment (issue #9).
    "reports.supervision",
]

MIDDLEWARE = [
    # First, so that it times every other middleware too: logs requests slower than SLOW_REQUEST_MS and
    # adds the Server-Timing header when SERVER_TIMING is on.
    "backoffice.core.request_timing.RequestTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "backoffice.core.audit.RequestIdMiddleware",
    # Logs every /api/ request (client, status, duration, request id): issue 10, imports/api/logging.py.
    "imports.api.logging.ApiRequestLogMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # SQLite only: retries a view that met "database is locked" (writes inside one transaction).
    "backoffice.core.sqlite_retry.SQLiteLockRetryMiddleware",
    # Must be last: turns django-axes lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backoffice" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL + busy timeout + IMMEDIATE transactions: the web process and the django-q2 worker share one
    # SQLite file; without these the ORM broker hits "database is locked" (LIBS.md §4.4).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "backoffice.accounts.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): 5 failures for the same username from the same address lock that pair
# for 30 minutes; a success resets the count. Every login attempt is recorded (access log).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
OTP_TOTP_ISSUER = "三资监管后台"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
LOGIN_URL = reverse_lazy("admin:login")
LOGIN_REDIRECT_URL = reverse_lazy("admin:index")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Unfold ships no translations; ours (backoffice/locale, .mo committed) puts its interface in Chinese.
LOCALE_PATHS = [BASE_DIR / "backoffice" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

#: requests slower than this (ms) are logged on "backoffice.slow_requests"; 0 = off
SLOW_REQUEST_MS = int(os.environ.get("SLOW_REQUEST_MS", "1000"))
#: add the Server-Timing header (server and database time) to every response; off in production
SERVER_TIMING = env_bool("SERVER_TIMING", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Audit trail (backoffice/core/audit.py): the request id generated by RequestIdMiddleware is the
# correlation id of every audit entry.
AUDITLOG_CID_HEADER = "x-request-id"

# Dashboard: seconds the scope-wide figures (review counts, the S1–S5 and coverage panels) are kept per scope
# and permission set; 0 computes them on every view (backoffice/core/dashboard.py).
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))

# Imports: rows written per commit batch (each batch is one transaction and one resumable checkpoint).
IMPORT_COMMIT_CHUNK = int(os.environ.get("IMPORT_COMMIT_CHUNK", "2000"))

# The cache holds the dashboard's scope-wide figures (DASHBOARD_CACHE_SECONDS) and the API's per-client
# rate-limit counters. Without CACHE_URL it is each process's memory: with several gunicorn workers every
# worker computes the dashboard once per period and counts API requests on its own. CACHE_URL=redis://…
# shares both; give it its own database number (never the broker's: clearing the cache would flush the
# task queue with it).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL 应为 Redis 地址，例如 redis://127.0.0.1:6379/1。")
    if os.environ.get("REDIS_URL", "") == CACHE_URL:
        raise ImproperlyConfigured("CACHE_URL 不能与 REDIS_URL（任务队列）使用同一个 Redis 数据库。")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "sanzi",
        }
    }

# django-q2 (LIBS.md §2 gotchas 7–9, §4.4): timeout < retry so a running task is never redelivered,
# an explicit bounded max_attempts, failures acknowledged so a poison task does not loop forever.
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("Q_NAME", "sanzi"),
    "label": _("后台任务"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "1800")),
    "retry": int(os.environ.get("Q_RETRY", "2100")),
    "max_attempts": int(os.environ.get("Q_MAX_ATTEMPTS", "3")),
    "ack_failures": True,
    "save_limit": 5000,
    "catch_up": False,
    "time_zone": TIME_ZONE,
    "poll": 0.5,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Record types export through resources generated in imports/ (backoffice never imports it directly;
# DESIGN.md §2: dependencies point inward, the meeting point is configuration).
RECORD_RESOURCE_FACTORY = "imports.exporting.resource_for"

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

UNFOLD = {
    "SITE_TITLE": "三资监管后台",
    "SITE_HEADER": "农村集体“三资”管理监测平台",
    "SITE_SUBHEADER": "农村产权流转交易平台",
    "SITE_SYMBOL": "account_balance",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": "backoffice.core.dashboard.environment_callback",
    "DASHBOARD_CALLBACK": "backoffice.core.dashboard.dashboard_callback",
    "LOGIN": {"image": None, "redirect_after": None, "form": "backoffice.accounts.otp.LoginForm"},
    "ACCOUNT": {
        "navigation": [
            {"title": "双重验证（动态验证码）", "link": reverse_lazy("accounts_otp")},
            {"title": "修改密码", "link": reverse_lazy("admin:password_change")},
        ]
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "backoffice.core.navigation.sidebar_navigation",
    },
}


# ---- REST API (issue 10, imports/api/) --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["imports.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["imports.api.auth.IsApiClient"],
    "DEFAULT_THROTTLE_CLASSES": ["imports.api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "imports.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "三资监管平台数据接口",
    "DESCRIPTION": "记录类型的查询与批量写入（按业务编码），以及银行流水推送。字段名为英文，说明为中文。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # choices stay inline in each field: one enum component per field name collides across 55 record types
    "POSTPROCESSING_HOOKS": [],
}
#: maximum items in one batch upsert
API_BATCH_MAX_ITEMS = 1000
#: how long a rotated token keeps working
API_TOKEN_ROTATION_GRACE_HOURS = 24
#: signed requests (bank push): allowed distance of X-Timestamp from the server clock, both ways
API_SIGNATURE_WINDOW_SECONDS = 300
