"""Enrolment.participant: the reference is checked by PostgreSQL once per statement, not by a foreign key per row.

A list import writes one enrolment per new participant. The foreign key queued one check per row, run at commit:
7,4 s of a million-row import's commit here (14,1 s → 6,8 s without it), against 0,6 s for the same check as one
anti-join over the statement's new rows. The database still refuses what the foreign key refused:

- **Writing an enrolment** (insert, or update of ``participant_id``): migration 0008's trigger function, after it
  has taken its advisory locks on the participants' buckets, now also looks for new rows whose participant does
  not exist, and raises 23503 (foreign_key_violation) naming ``enrolment_participant_exists``.
- **Deleting a participant** (or changing its id): a trigger on participants takes the same bucket locks, then
  raises 23503 when an enrolment still refers to one of the rows. Taking the locks first makes a delete and a
  concurrent enrolment of the same person wait for each other, and the check that follows is a new query, with a
  new snapshot: whichever commits second sees the other's rows, as a foreign key's row lock would have ensured.

Not covered here, unlike a foreign key: TRUNCATE of participants alone (migration 0012 adds it). Django keeps
PROTECT on the relation, so the portal refuses such a delete before PostgreSQL is asked.
"""

# ruff: noqa: S608 - only this module's own names and numbers are formatted into the SQL.

import importlib

import django.db.models.deletion
from django.db import migrations, models

one_payer = importlib.import_module("participants.migrations.0008_enrolment_one_payer_trigger")

NAME = "enrolment_participant_exists"
PROTECT_FUNCTION = "participant_enrolments_protect"
DELETE_TRIGGER = f"{PROTECT_FUNCTION}_delete"
UPDATE_TRIGGER = f"{PROTECT_FUNCTION}_update"
LOCK_CLASS, BUCKETS = one_payer.LOCK_CLASS, one_payer.BUCKETS

# 0008's function, with the locks taken first for both checks, and the participant check before the overlap check.
CHECK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {one_payer.FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    bucket integer;
    clash record;
    missing bigint;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'enrolments are written under READ COMMITTED or SERIALIZABLE (constraint {one_payer.NAME})'
            USING ERRCODE = 'serialization_failure', CONSTRAINT = '{one_payer.NAME}';
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        PERFORM pg_advisory_xact_lock({LOCK_CLASS}, (NEW.participant_id % {BUCKETS})::integer);
        missing := NEW.participant_id;
        PERFORM 1 FROM participants_participant p WHERE p.id = NEW.participant_id;
    ELSE
        FOR bucket IN SELECT DISTINCT (participant_id % {BUCKETS})::integer FROM new_rows ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock({LOCK_CLASS}, bucket);
        END LOOP;
        SELECT n.participant_id INTO missing FROM new_rows n
         WHERE NOT EXISTS (SELECT 1 FROM participants_participant p WHERE p.id = n.participant_id) LIMIT 1;
    END IF;
    IF (TG_LEVEL = 'ROW' AND NOT FOUND) OR (TG_LEVEL = 'STATEMENT' AND FOUND) THEN
        RAISE EXCEPTION 'insert or update on table "participants_enrolment" violates "{NAME}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{NAME}', TABLE = 'participants_enrolment',
                  DETAIL = format('Participant %s does not exist.', missing);
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        SELECT NEW.participant_id AS participant_id, NEW.id AS id, e.id AS other INTO clash
          FROM participants_enrolment e
         WHERE e.participant_id = NEW.participant_id AND e.id <> NEW.id
           AND e.start_month <= COALESCE(NEW.end_month, 'infinity')
           AND NEW.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    ELSE
        SELECT n.participant_id, n.id, e.id AS other INTO clash
          FROM new_rows n JOIN participants_enrolment e
            ON e.participant_id = n.participant_id AND e.id <> n.id
           AND e.start_month <= COALESCE(n.end_month, 'infinity')
           AND n.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "{one_payer.NAME}"'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = '{one_payer.NAME}', TABLE = 'participants_enrolment',
                  DETAIL = format('Enrolments %s and %s of participant %s share a month (one payer per NIK per month).',
                                  clash.id, clash.other, clash.participant_id);
    END IF;
    RETURN NULL;
END
$body$
"""

PROTECT = f"""
CREATE OR REPLACE FUNCTION {PROTECT_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    bucket integer;
    referenced bigint;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        PERFORM pg_advisory_xact_lock({LOCK_CLASS}, (OLD.id % {BUCKETS})::integer);
        SELECT e.participant_id INTO referenced FROM participants_enrolment e WHERE e.participant_id = OLD.id LIMIT 1;
    ELSE
        FOR bucket IN SELECT DISTINCT (id % {BUCKETS})::integer FROM old_rows ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock({LOCK_CLASS}, bucket);
        END LOOP;
        SELECT e.participant_id INTO referenced
          FROM old_rows o JOIN participants_enrolment e ON e.participant_id = o.id LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "participants_participant" violates "{NAME}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{NAME}', TABLE = 'participants_participant',
                  DETAIL = format('Participant %s is still referenced from participants_enrolment.', referenced);
    END IF;
    RETURN NULL;
END
$body$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM participants_enrolment e "
            "WHERE NOT EXISTS (SELECT 1 FROM participants_participant p WHERE p.id = e.participant_id)"
        )
        assert cursor.fetchone()[0] == 0, "enrolments without participant: the foreign key was not enforced"
    schema_editor.execute(CHECK_FUNCTION, params=None)
    schema_editor.execute(PROTECT, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {DELETE_TRIGGER} AFTER DELETE ON participants_participant "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {PROTECT_FUNCTION}()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {UPDATE_TRIGGER} AFTER UPDATE OF id ON participants_participant "
        f"FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {PROTECT_FUNCTION}()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {DELETE_TRIGGER} ON participants_participant")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {UPDATE_TRIGGER} ON participants_participant")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {PROTECT_FUNCTION}()")
    schema_editor.execute(one_payer.CREATE_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0009_enrolment_program_user_without_db_constraint"),
    ]

    operations = [
        migrations.AlterField(
            model_name="enrolment",
            name="participant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enrolments",
                to="participants.participant",
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
