"""The default scorecard (see reports.supervision.defaults)."""

from django.db import migrations

from reports.supervision.defaults import DEFAULT_NAME, create_default_scorecard


def create_default(apps, schema_editor):
    create_default_scorecard(
        apps.get_model("supervision", "Scorecard"), apps.get_model("supervision", "ScoreIndicator")
    )


def remove_default(apps, schema_editor):
    apps.get_model("supervision", "Scorecard").objects.filter(name=DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
