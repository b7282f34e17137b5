"""Load the national charts of accounts (2004, 2023) and the 财会〔2023〕20号 old→new mapping."""

from django.db import migrations


def load(apps, schema_editor):
    from backoffice.accounting.reference import load_chart_reference

    load_chart_reference(apps.get_model("accounting", "ChartAccount"), apps.get_model("accounting", "AccountMapping"))


def unload(apps, schema_editor):
    apps.get_model("accounting", "AccountMapping").objects.all().delete()
    apps.get_model("accounting", "ChartAccount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
