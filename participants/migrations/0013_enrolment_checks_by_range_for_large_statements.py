"""The enrolment checks of a large statement read two index ranges instead of probing once per row.

A list import enrols its new people in statements of up to 50.000 rows, and the statement trigger of migrations
0008 and 0010 checked them with two nested loops: one probe of the participants' primary key per row (does the
participant exist?) and one probe of the enrolments' (participant, start_month) index per row (another enrolment in
an overlapping month?), after a pass over the rows to find their lock buckets. Measured here on 50.000 new people
(on top of 500.000): 16 ms for the buckets, 100 ms and 117 ms for the probes, ~15% of the statement.

New people take consecutive ids from the sequence, so a large statement's participants usually fill a dense range of
ids. For such a statement (at least ``MANY`` rows whose ids span less than twice their count) both checks now read
that range of each index once and hash-join it with the statement's rows: 52 ms and 57 ms. A statement of ``MANY``
rows or more also locks all 128 buckets in order instead of looking for the ones its rows fall in: so many
participants fall in every bucket anyway. Smaller or scattered statements keep the probes, which suit them.

What is refused, and how concurrent writers are ordered, does not change: the same locks before the checks, the same
checks as new queries (new snapshots), the same errors (23503 ``enrolment_participant_exists``, 23P01
``enrolment_one_payer_per_month``).
"""

import importlib

from django.db import migrations

one_payer = importlib.import_module("participants.migrations.0008_enrolment_one_payer_trigger")
participant_check = importlib.import_module("participants.migrations.0010_enrolment_participant_checked_per_statement")

LOCK_CLASS, BUCKETS = one_payer.LOCK_CLASS, one_payer.BUCKETS
MANY = 1000  # rows in one statement from which the range checks may be used, and every bucket is locked

CHECK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {one_payer.FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    bucket integer;
    low bigint;
    high bigint;
    total bigint;
    dense boolean := false;
    missing bigint;
    clash_participant bigint;
    clash_id bigint;
    clash_other bigint;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'enrolments are written under READ COMMITTED or SERIALIZABLE (constraint {one_payer.NAME})'
            USING ERRCODE = 'serialization_failure', CONSTRAINT = '{one_payer.NAME}';
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        PERFORM pg_advisory_xact_lock({LOCK_CLASS}, (NEW.participant_id % {BUCKETS})::integer);
        PERFORM 1 FROM participants_participant p WHERE p.id = NEW.participant_id;
        IF NOT FOUND THEN
            missing := NEW.participant_id;
        END IF;
    ELSE
        SELECT min(participant_id), max(participant_id), count(*) INTO low, high, total FROM new_rows;
        IF total >= {MANY} THEN
            FOR bucket IN 0..{BUCKETS - 1} LOOP
                PERFORM pg_advisory_xact_lock({LOCK_CLASS}, bucket);
            END LOOP;
            dense := high - low < 2 * total;
        ELSE
            FOR bucket IN SELECT DISTINCT (participant_id % {BUCKETS})::integer FROM new_rows ORDER BY 1 LOOP
                PERFORM pg_advisory_xact_lock({LOCK_CLASS}, bucket);
            END LOOP;
        END IF;
        IF dense THEN
            -- EXECUTE: planned with the range's bounds, so PostgreSQL sees how many rows the range holds.
            EXECUTE 'SELECT n.participant_id FROM new_rows n
                       LEFT JOIN (SELECT id FROM participants_participant WHERE id BETWEEN $1 AND $2) p
                         ON p.id = n.participant_id
                      WHERE p.id IS NULL'
               INTO missing USING low, high;
        ELSE
            SELECT n.participant_id INTO missing FROM new_rows n
             WHERE NOT EXISTS (SELECT 1 FROM participants_participant p WHERE p.id = n.participant_id) LIMIT 1;
        END IF;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "participants_enrolment" violates "{participant_check.NAME}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{participant_check.NAME}',
                  TABLE = 'participants_enrolment', DETAIL = format('Participant %s does not exist.', missing);
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        SELECT NEW.participant_id, NEW.id, e.id INTO clash_participant, clash_id, clash_other
          FROM participants_enrolment e
         WHERE e.participant_id = NEW.participant_id AND e.id <> NEW.id
           AND e.start_month <= COALESCE(NEW.end_month, 'infinity')
           AND NEW.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    ELSIF dense THEN
        -- No LIMIT: with one, PostgreSQL expects an early match and goes back to probing row by row.
        EXECUTE 'SELECT n.participant_id, n.id, e.id FROM new_rows n
                   JOIN (SELECT id, participant_id, start_month, end_month FROM participants_enrolment
                          WHERE participant_id BETWEEN $1 AND $2) e
                     ON e.participant_id = n.participant_id AND e.id <> n.id
                    AND e.start_month <= COALESCE(n.end_month, ''infinity'')
                    AND n.start_month <= COALESCE(e.end_month, ''infinity'')'
           INTO clash_participant, clash_id, clash_other USING low, high;
    ELSE
        SELECT n.participant_id, n.id, e.id INTO clash_participant, clash_id, clash_other
          FROM new_rows n JOIN participants_enrolment e
            ON e.participant_id = n.participant_id AND e.id <> n.id
           AND e.start_month <= COALESCE(n.end_month, 'infinity')
           AND n.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    END IF;
    IF clash_other IS NOT NULL THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "{one_payer.NAME}"'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = '{one_payer.NAME}', TABLE = 'participants_enrolment',
                  DETAIL = format('Enrolments %s and %s of participant %s share a month (one payer per NIK per month).',
                                  clash_id, clash_other, clash_participant);
    END IF;
    RETURN NULL;
END
$body$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_FUNCTION, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(participant_check.CHECK_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0012_references_kept_on_truncate"),
    ]

    operations = [
        migrations.RunPython(create, restore, elidable=False),
    ]
