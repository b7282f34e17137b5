"""Record types of 产权制度改革成果 (Results of the collective property-rights reform, DOMAIN.md §2.10).

Keeps the results of asset clearing (清产核资), membership confirmation (成员身份确认) and quantification
of operating assets into shares (折股量化), then later member and share changes and dividends paid to
members (out of 322 收益分配). Statistics "organisations & members" read from here.
Split by concept: ``verification``, ``members``, ``shares``, ``dividends``.
"""

from .dividends import Dividend, DividendPayment
from .members import Household, Member
from .shares import ShareChange, ShareHolding
from .verification import AssetVerification

__all__ = [
    "AssetVerification",
    "Dividend",
    "DividendPayment",
    "Household",
    "Member",
    "ShareChange",
    "ShareHolding",
]
