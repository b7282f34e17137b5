"""Masking for published tables (DOMAIN.md §8 [P]): what a notice board, leaflet or web page may show.

The back office masks ID numbers as first 6 + last 4; a public page keeps less: first 3 + last 4 of an
ID, first 6 + last 4 of a bank account, and the surname only (张*, or 张*明 for three-character names).
"""

from __future__ import annotations

from backoffice.core.pii import SensitiveKind, mask, normalise


def public_id(value: str) -> str:
    """身份证号 on a public page: 140***********1234."""
    value = normalise(value, SensitiveKind.RESIDENT_ID)
    if len(value) <= 7:
        return mask(value, SensitiveKind.RESIDENT_ID)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def public_account(value: str) -> str:
    """银行账号/一卡通账号 on a public page: first 6 + last 4."""
    return mask(value, SensitiveKind.BANK_ACCOUNT)


def public_name(name: str) -> str:
    """姓名 on a public page: 张* for two characters, 张*明 for three, surname + ** otherwise."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 3:
        return name[0] + "*" + name[-1]
    return name[0] + "*" * (len(name) - 1)
