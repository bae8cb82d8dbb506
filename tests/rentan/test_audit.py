import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from rentan.audit import audit_record
from rentan.models import AuditEvent
from tests.factories import ProgramFactory


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(disnaker_kota_bengkulu):
    event = audit_record(user=disnaker_kota_bengkulu, action="view", object_type="x", object_id="1")
    event.reason = "diubah"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_postgresql_refuses_update_and_delete_of_audit_rows(postgres, disnaker_kota_bengkulu):
    audit_record(user=disnaker_kota_bengkulu, action="view", object_type="x", object_id="1")
    for statement in ("UPDATE rentan_auditevent SET reason = 'x'", "DELETE FROM rentan_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 1


def test_audit_user_access_lists_what_a_user_touched_in_a_window(disnaker_kota_bengkulu, sekda, capsys):
    program = ProgramFactory(owner_region_id="17.71")
    audit_record(user=disnaker_kota_bengkulu, action="update", instance=program, region_code="17.71")
    audit_record(
        user=disnaker_kota_bengkulu, action="export", object_type="participants.Participant", region_code="17.71"
    )
    audit_record(user=sekda, action="view", object_type="x")
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    call_command("audit_user_access", "--user", "disnaker-kota", "--from", today, "--to", today, "--json")
    payload = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in payload["events"]] == ["update", "export"]
    assert payload["events"][0]["object_id"] == str(program.pk)

    call_command("audit_user_access", "--user", "disnaker-kota", "--from", "2020-01-01", "--to", "2020-01-31")
    assert "0 kejadian" in capsys.readouterr().out
