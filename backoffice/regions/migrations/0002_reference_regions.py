"""Reference data: Shanxi province, its 11 cities and 117 county-level units (NBS 2023 edition)."""

from django.db import migrations


def load_reference(apps, schema_editor):
    from backoffice.regions.loading import REFERENCE_FILE, load_region_file

    report = load_region_file(apps.get_model("regions", "Region"), REFERENCE_FILE, edition_year=2023, strict=True)
    if report.errors:
        raise RuntimeError("; ".join(report.errors))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
