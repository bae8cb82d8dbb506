"""TRUNCATE no longer leaves rows without what they refer to, where a trigger stands for a foreign key.

Migrations 0010 and 0011 replaced three foreign keys with statement checks: Enrolment.participant,
Participant.desa and Participant.pekerjaan. A foreign key also refused TRUNCATE of the referenced table alone
(``TRUNCATE participants_participant`` with enrolments left); row triggers do not fire on TRUNCATE. A statement
trigger now runs after the truncation (AFTER TRUNCATE fires once every table of the statement is emptied, so
truncating both tables together, as the test suite's flush does, still works) and refuses when the referring
table still has rows, with the same 23503 and constraint name as the other checks.
"""

# ruff: noqa: S608 - only this module's own names are formatted into the SQL.

from django.db import migrations

FUNCTION = "references_truncate_protect"
# (truncated table, the table that refers to it, the constraint the triggers of 0010/0011 name)
PROTECTED = [
    ("participants_participant", "participants_enrolment", "enrolment_participant_exists"),
    ("programs_region", "participants_participant", "participant_desa_exists"),
    ("programs_occupation", "participants_participant", "participant_pekerjaan_exists"),
]

PROTECT = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    referred boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', TG_ARGV[0]) INTO referred;
    IF referred THEN
        RAISE EXCEPTION 'truncate of table "%" violates "%"', TG_TABLE_NAME, TG_ARGV[1]
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[1], TABLE = TG_TABLE_NAME,
                  DETAIL = format('Table %s still refers to it; truncate both together.', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$body$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PROTECT, params=None)
    for table, referring, name in PROTECTED:
        schema_editor.execute(
            f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{referring}', '{name}')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _referring, name in PROTECTED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_truncate ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0011_participant_references_checked_per_statement"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
