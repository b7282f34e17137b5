"""The role groups (DESIGN.md §3); their permissions are granted after every migrate (roles.py)."""

from django.db import migrations

ROLE_LABELS = ["村级报账员", "乡镇农经专岗", "县级管理员", "市级分析员", "省级政策管理员", "监督员", "产权交易专员", "审计员（只读）"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_LABELS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
