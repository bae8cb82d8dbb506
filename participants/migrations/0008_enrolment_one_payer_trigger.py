"""One payer per NIK per month, still enforced by PostgreSQL, at ~3 µs per enrolment instead of ~100 µs.

Migration 0004's exclusion constraint (GiST over participant and month range) cost ~100 µs per enrolment written:
10,6–16,2 s per 100.000 enrolments of a list import against ~1 s without it (these triggers: +0,3 s per 95.000,
measured 1,0–1,25 s with them vs 0,8–0,86 s without, load 6). It is replaced by:

- a btree index on (participant_id, start_month), which also serves lookups by participant (the GiST index did);
- an AFTER INSERT trigger FOR EACH STATEMENT over the statement's new rows (a transition table) that looks for
  overlaps set-based, with one join, instead of one index probe per row inside the insert;
- an AFTER UPDATE OF participant_id, start_month, end_month trigger FOR EACH ROW (PostgreSQL allows no transition
  table on an UPDATE trigger with a column list), only when one of those columns really changes: arrears and
  billing updates (``nonaktif_from``, ``arrears_months``) on many rows never fire it.

Both raise SQLSTATE 23P01 (exclusion_violation) naming ``enrolment_one_payer_per_month``, as the constraint did, so
Django raises the same IntegrityError. Concurrent writers: under READ COMMITTED two transactions cannot see each
other's uncommitted enrolments, so before checking, a writer takes transaction-scoped advisory locks on the hash
buckets (participant_id mod 128) of the participants it writes, in sorted order (no deadlock between two
statements). The check runs after the lock, as a new query, hence with a new snapshot that includes whatever the
previous holder committed. Advisory locks, not row locks on participants: those would write every participant row
of a list import a second time. The price: a single enrolment waits while a large import of the same bucket is
being committed (every bucket, for a large list). Under REPEATABLE READ a transaction's snapshot predates the lock,
so the trigger refuses to write enrolments at that level (SERIALIZABLE is safe through its own predicate locks).

SQLite has neither: the index is created there too (replacing 0004's plain index), and the service checks.
"""

# ruff: noqa: S608 - only this module's own names and numbers are formatted into the SQL.

from django.db import migrations, models

NAME = "enrolment_one_payer_per_month"
FUNCTION = f"{NAME}_check"
INSERT_TRIGGER = f"{NAME}_insert"
UPDATE_TRIGGER = f"{NAME}_update"
SQLITE_PARTICIPANT_INDEX = "enrolment_participant_sqlite"
# Advisory lock keys (class, bucket): 4243 is this check's class (4242 serialises the writers of one import).
LOCK_CLASS = 4243
BUCKETS = 128

OVERLAPS = """
    SELECT count(*) FROM participants_enrolment a JOIN participants_enrolment b
      ON a.participant_id = b.participant_id AND a.id < b.id
     AND a.start_month <= COALESCE(b.end_month, 'infinity') AND b.start_month <= COALESCE(a.end_month, 'infinity')
"""

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    bucket integer;
    clash record;
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'enrolments are written under READ COMMITTED or SERIALIZABLE (constraint {NAME})'
            USING ERRCODE = 'serialization_failure', CONSTRAINT = '{NAME}';
    END IF;
    IF TG_LEVEL = 'ROW' THEN
        PERFORM pg_advisory_xact_lock({LOCK_CLASS}, (NEW.participant_id % {BUCKETS})::integer);
        SELECT NEW.participant_id AS participant_id, NEW.id AS id, e.id AS other INTO clash
          FROM participants_enrolment e
         WHERE e.participant_id = NEW.participant_id AND e.id <> NEW.id
           AND e.start_month <= COALESCE(NEW.end_month, 'infinity')
           AND NEW.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    ELSE
        FOR bucket IN SELECT DISTINCT (participant_id % {BUCKETS})::integer FROM new_rows ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock({LOCK_CLASS}, bucket);
        END LOOP;
        SELECT n.participant_id, n.id, e.id AS other INTO clash
          FROM new_rows n JOIN participants_enrolment e
            ON e.participant_id = n.participant_id AND e.id <> n.id
           AND e.start_month <= COALESCE(n.end_month, 'infinity')
           AND n.start_month <= COALESCE(e.end_month, 'infinity')
         LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "{NAME}"'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = '{NAME}', TABLE = 'participants_enrolment',
                  DETAIL = format('Enrolments %s and %s of participant %s share a month (one payer per NIK per month).',
                                  clash.id, clash.other, clash.participant_id);
    END IF;
    RETURN NULL;
END
$body$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_PARTICIPANT_INDEX}")
        return
    schema_editor.execute(f"ALTER TABLE participants_enrolment DROP CONSTRAINT IF EXISTS {NAME}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        overlapping = cursor.fetchone()[0]
    if overlapping:
        raise RuntimeError(
            f"{overlapping} pasang kepesertaan tumpang tindih (satu NIK dibayar dua program pada bulan yang sama). "
            "Selesaikan dulu lewat laporan pendanaan ganda, lalu jalankan migrate lagi."
        )
    schema_editor.execute(CREATE_FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON participants_enrolment "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {UPDATE_TRIGGER} AFTER UPDATE OF participant_id, start_month, end_month "
        "ON participants_enrolment FOR EACH ROW WHEN ("
        "OLD.participant_id IS DISTINCT FROM NEW.participant_id OR OLD.start_month IS DISTINCT FROM NEW.start_month "
        f"OR OLD.end_month IS DISTINCT FROM NEW.end_month) EXECUTE FUNCTION {FUNCTION}()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SQLITE_PARTICIPANT_INDEX} ON participants_enrolment (participant_id)"
        )
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {INSERT_TRIGGER} ON participants_enrolment")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {UPDATE_TRIGGER} ON participants_enrolment")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    # Fails, as 0004 did, if overlapping enrolments were stored meanwhile (e.g. with the triggers disabled).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE participants_enrolment ADD CONSTRAINT {NAME} "
        "EXCLUDE USING gist (participant_id WITH =, daterange(start_month, end_month, '[]') WITH &&)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0007_enrolment_arrears_db_default"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(fields=["participant", "start_month"], name="enrolment_participant_start"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
