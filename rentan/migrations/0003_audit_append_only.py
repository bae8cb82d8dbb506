"""Make the audit trail append-only in PostgreSQL itself: UPDATE and DELETE of audit rows raise.

(TRUNCATE, used by test flushes and never by the application, is not a row trigger and still works.)
SQLite, the embedded demo database, relies on the model's guard alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION rentan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rentan_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rentan_auditevent_append_only
    BEFORE UPDATE OR DELETE ON rentan_auditevent
    FOR EACH ROW EXECUTE FUNCTION rentan_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS rentan_auditevent_append_only ON rentan_auditevent;
DROP FUNCTION IF EXISTS rentan_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("rentan", "0002_audit_event")]

    operations = [migrations.RunPython(forwards, backwards)]
