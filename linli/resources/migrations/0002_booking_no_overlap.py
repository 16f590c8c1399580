"""On PostgreSQL, the database itself refuses two bookings of one venue that hold overlapping slots.

Written as SQL run only when the database is PostgreSQL (SQLite has no exclusion constraints), so it is not
part of the model state and `makemigrations` does not see it; linli.resources.booking enforces the same rule
under a lock on the venue's row on every database, and this constraint is the second line on PostgreSQL.
btree_gist lets the plain `resource_id =` sit in the same GiST index as the range overlap. Half-open ranges
('[)'): a booking ending at 10:00 does not clash with one starting at 10:00.
"""

from django.db import migrations

CONSTRAINT = "booking_no_overlap"
STATES = "('requested', 'confirmed')"  # linli.resources.choices.HOLDING_STATES


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE resources_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        f"(resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (state IN {STATES})"
    )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE resources_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
