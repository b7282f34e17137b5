"""Record types of 一事一议筹资筹劳 (One-matter-one-discussion fund and labour raising)."""

from django.db import models  # noqa: F401
