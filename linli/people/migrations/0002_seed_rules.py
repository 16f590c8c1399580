from typing import Any

from django.db import migrations

from linli.people.choices import DEFAULT_RETENTION_YEARS, DEFAULT_VISIT_DAYS


def seed(apps: Any, schema_editor: Any) -> None:
    CareRule = apps.get_model("people", "CareRule")
    RetentionRule = apps.get_model("people", "RetentionRule")
    for tag, days in DEFAULT_VISIT_DAYS.items():
        CareRule.objects.get_or_create(tag=str(tag), defaults={"visit_every_days": days})
    for residency, years in DEFAULT_RETENTION_YEARS.items():
        RetentionRule.objects.get_or_create(residency=str(residency), defaults={"keep_years": years})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
