"""One payer per NIK per month, enforced by PostgreSQL (domain brief §7: no NIK funded twice for one month).

An exclusion constraint over (participant, daterange(start_month, end_month, '[]')) with btree_gist. Months are
stored as their first day, so two inclusive ranges share a day exactly when they share a month; a NULL end is an
open range. SQLite has no such constraint: this migration does nothing there, and the service checks instead
(``participants.services.enrolment_create``; imports detect overlaps set-based).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CONSTRAINT = "enrolment_one_payer_per_month"
SQLITE_PARTICIPANT_INDEX = "enrolment_participant_sqlite"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        # No GiST here: keep a plain index for lookups by participant (PostgreSQL uses the GiST index for those).
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SQLITE_PARTICIPANT_INDEX} ON participants_enrolment (participant_id)"
        )
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM participants_enrolment a JOIN participants_enrolment b
              ON a.participant_id = b.participant_id AND a.id < b.id
             AND a.start_month <= COALESCE(b.end_month, 'infinity') AND b.start_month <= COALESCE(a.end_month, 'infinity')
            """
        )
        overlapping = cursor.fetchone()[0]
    if overlapping:
        raise RuntimeError(
            f"{overlapping} pasang kepesertaan tumpang tindih (satu NIK dibayar dua program pada bulan yang sama). "
            "Selesaikan dulu lewat laporan pendanaan ganda, lalu jalankan migrate lagi."
        )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE participants_enrolment ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (participant_id WITH =, daterange(start_month, end_month, '[]') WITH &&)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_PARTICIPANT_INDEX}")
        return
    schema_editor.execute(f"ALTER TABLE participants_enrolment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0003_import_batches"),
        ("programs", "0006_seed_holidays"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The constraint's GiST index answers lookups by participant, (program, start_month) those by program:
        # the single-column indexes Django adds to foreign keys would only slow list imports down.
        migrations.AlterField(
            model_name="enrolment",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="participant",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrolments",
                to="participants.participant",
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="program",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrolments",
                to="programs.program",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
