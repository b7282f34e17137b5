"""Test settings: the main settings with fast hashing and a file-based SQLite test database (so that a
real qcluster subprocess can share it)."""

import os

os.environ.setdefault("DEBUG", "1")

from backoffice.settings import *  # noqa: F403
from backoffice.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_{os.getpid()}.sqlite3")}
MEDIA_ROOT = VAR_DIR / "test_media"
# Dashboard figures are computed afresh in tests (a cache shared by the tests of one worker would carry one
# test's numbers into the next); the caching itself is tested with the setting turned on.
DASHBOARD_CACHE_SECONDS = 0
