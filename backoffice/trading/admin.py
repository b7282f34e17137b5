"""Admin of 产权交易 (DOMAIN.md §6), generated from the specs through ``build_admin_class`` so that scope,
masking, export and the generic parity tests apply.

- 挂牌项目: the four field groups, attachments (editable while a draft), and read-only inlines of the
  process record, registrations (masked), bids, deal and certificate. The process buttons at the top
  show only the steps the user may take now (state, role, scope: ``services.allowed_transitions``);
  each opens a small form (reason, price, contract number …) and calls the trading service; a refused
  step shows the service's Chinese message on the form. The listing's fields are edited only while it
  is a draft; the generic review actions are removed (the state machine is the review).
- 意向受让方报名: registered through ``registration_create``; qualification and deposit by buttons.
- 成交记录, 交易鉴证书: created by the process only; the certificate prints as a PDF, every print logged.
- 应进必进: "生成挂牌草稿" on contracts nearing expiry and idle resources/assets (``admin_sources``).
"""

from django.contrib import admin

from backoffice.core.record_admin import build_admin_class

from .admin_listing import ListingAdminBase
from .admin_records import CertificateAdminBase, DealAdminBase, RegistrationAdminBase
from .admin_sources import extend_source_admins
from .models import Certificate, Deal, Listing, Registration

admin.site.register(Listing, build_admin_class(Listing, base=ListingAdminBase))
admin.site.register(Registration, build_admin_class(Registration, base=RegistrationAdminBase))
admin.site.register(Deal, build_admin_class(Deal, base=DealAdminBase))
admin.site.register(Certificate, build_admin_class(Certificate, base=CertificateAdminBase))
extend_source_admins(admin.site)
