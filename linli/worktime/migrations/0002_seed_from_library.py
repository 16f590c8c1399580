"""Seed the holiday table from the installed chinese-calendar, so that the demo and the tests have it."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from linli.worktime.seed import seed as seed_rows

    seed_rows(apps.get_model("worktime", "CalendarDay"), apps.get_model("worktime", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
