"""Models of 产权交易 (DOMAIN.md §6), split by concept: the listing and its attachments and events, the
registrations, bids and deal, the attestation certificate and its print log."""

from .bidding import Bid, Deal, Registration
from .certificate import Certificate, CertificatePrint
from .listing import Listing, ListingChild
from .records import ListingAttachment, ListingEvent

__all__ = [
    "Bid",
    "Certificate",
    "CertificatePrint",
    "Deal",
    "Listing",
    "ListingAttachment",
    "ListingChild",
    "ListingEvent",
    "Registration",
]
