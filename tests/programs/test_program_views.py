import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from programs.models import Budget, Program
from rentan.models import AuditEvent
from tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

PROGRAM_FORM = {
    "code": "nelayan-kota-2026",
    "name": "Nelayan Kecil Kota Bengkulu 2026",
    "owner_region": "17.71",
    "funding_source": "SG",
    "package": "JKK_JKM",
    "income_bracket": "1000000",
    "start_month": "2026-01",
    "end_month": "",
    "target_jiwa": "1700",
    "pks_number": "",
    "pks_date": "",
}


def test_a_disnaker_operator_creates_a_program_for_their_region_and_it_is_audited(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("programs:program_create"), PROGRAM_FORM)
    assert response.status_code == 302
    program = Program.objects.get(code="nelayan-kota-2026")
    assert program.start_month == datetime.date(2026, 1, 1)
    assert program.created_by == disnaker_kota_bengkulu
    event = AuditEvent.objects.get(object_type="programs.Program", object_id=str(program.pk))
    assert event.action == "create" and event.user == disnaker_kota_bengkulu and event.region_code == "17.71"


def test_a_program_cannot_be_created_for_a_region_outside_the_users_scope(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("programs:program_create"), {**PROGRAM_FORM, "owner_region": "17.04"})
    assert response.status_code == 200
    assert "di luar wilayah kerja Anda" in response.text
    assert not Program.objects.exists()


@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_read_only_roles_cannot_create_programs(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program_create")).status_code == 403
    assert client.post(reverse("programs:program_create"), PROGRAM_FORM).status_code == 403
    assert not Program.objects.exists()


def test_a_kota_operator_reads_but_cannot_edit_the_province_program(client, disnaker_kota_bengkulu):
    program = ProgramFactory(code="prov", owner_region_id="17", name="Program Provinsi")
    client.force_login(disnaker_kota_bengkulu)
    detail = client.get(reverse("programs:program_detail", args=["prov"]))
    assert detail.status_code == 200
    assert reverse("programs:program_edit", args=["prov"]) not in detail.text
    response = client.post(reverse("programs:program_edit", args=["prov"]), {**PROGRAM_FORM, "name": "Diretas"})
    assert response.status_code == 404
    program.refresh_from_db()
    assert program.name == "Program Provinsi"


def test_a_foreign_program_answers_like_a_missing_one(client, disnaker_kota_bengkulu):
    ProgramFactory(code="kaur", owner_region_id="17.04")
    client.force_login(disnaker_kota_bengkulu)
    assert client.get(reverse("programs:program_detail", args=["kaur"])).status_code == 404
    assert client.get(reverse("programs:program_detail", args=["tidak-ada"])).status_code == 404


def test_editing_a_program_records_before_and_after(client, disnaker_kota_bengkulu):
    program = ProgramFactory(code="kota", owner_region_id="17.71", target_jiwa=1000)
    client.force_login(disnaker_kota_bengkulu)
    form = {**PROGRAM_FORM, "code": "kota", "start_month": "2025-01", "target_jiwa": "1200"}
    assert client.post(reverse("programs:program_edit", args=["kota"]), form).status_code == 302
    program.refresh_from_db()
    assert program.target_jiwa == 1200
    event = AuditEvent.objects.get(action="update")
    assert event.changes["target_jiwa"] == [1000, 1200]


def test_budget_revisions_are_kept_as_history(client, disnaker_kota_bengkulu):
    program = ProgramFactory(code="kota", owner_region_id="17.71")
    client.force_login(disnaker_kota_bengkulu)
    for stage, amount, day in [("MURNI", "100000000", "2024-11-30"), ("PERUBAHAN", "120000000", "2025-09-15")]:
        data = {"fiscal_year": "2025", "stage": stage, "amount": amount, "decided_on": day, "note": ""}
        assert client.post(reverse("programs:budget_create", args=["kota"]), data).status_code == 302
    assert list(Budget.objects.filter(program=program).values_list("amount", flat=True).order_by("decided_on")) == [
        Decimal("100000000"),
        Decimal("120000000"),
    ]
    page = client.get(reverse("programs:program_detail", args=["kota"]) + "?year=2025")
    assert "Rp100.000.000" in page.text and "Rp120.000.000" in page.text


def test_budget_planner_page_answers_in_jiwa_and_rupiah(client, sekda):
    client.force_login(sekda)
    response = client.get(
        reverse("programs:budget_planner"),
        {"population": "15000", "target_percent": "100", "year": "2025", "funding_source": "SG", "package": "JKK_JKM"},
    )
    assert response.status_code == 200
    assert "Rp3.024.000.000" in response.text
    assert "15.000" in response.text


def test_budget_planner_explains_bad_input(client, sekda):
    client.force_login(sekda)
    response = client.get(
        reverse("programs:budget_planner"),
        {"population": "-5", "target_percent": "150", "year": "2025", "funding_source": "SG", "package": "JKK_JKM"},
    )
    assert response.status_code == 200
    assert response.text.count("invalid-feedback") >= 2


def test_region_budget_plan_lists_each_kabupaten_kota(client, sekda):
    from programs.models import RegionTarget

    RegionTarget.objects.create(region_id="17.71", year=2025, indicator="SEMESTA_RENTAN", value=12580, source="P3KE")
    client.force_login(sekda)
    response = client.get(
        reverse("programs:region_budget_plan", args=["17"]),
        {"target_percent": "70", "year": "2026", "funding_source": "SG"},
    )
    assert response.status_code == 200
    assert "Kota Bengkulu" in response.text and "Kabupaten Kaur" in response.text
    assert "belum ada data semesta pekerja rentan" in response.text


def test_program_detail_what_if_is_served_as_a_fragment_to_htmx(client, disnaker_kota_bengkulu):
    ProgramFactory(code="kota", owner_region_id="17.71")
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(
        reverse("programs:program_detail", args=["kota"]),
        {"year": "2025", "extra_jiwa": "10", "extra_from": "2025-06"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "termasuk tambahan 10 jiwa" in response.text
