"""Admin of 集体用工: generated from each record type's spec."""

from backoffice.core.record_admin import register_record_types

from .models import LabourEngagement, LabourPayment, Timesheet, Worker

register_record_types(LabourEngagement, Worker, Timesheet, LabourPayment)
