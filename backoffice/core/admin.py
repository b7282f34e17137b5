"""django-q2's admin pages re-registered under Unfold (LIBS.md §2 gotcha 6)."""

from django.contrib import admin
from django_q import admin as q_admin
from django_q import models as q_models
from unfold.admin import ModelAdmin

for _model, _original in (
    (q_models.Schedule, q_admin.ScheduleAdmin),
    (q_models.Success, q_admin.TaskAdmin),
    (q_models.Failure, q_admin.FailAdmin),
    (q_models.OrmQ, q_admin.QueueAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(f"Unfold{_original.__name__}", (ModelAdmin, _original), {}))
