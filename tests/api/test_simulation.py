"""The benefit simulation gives the domain brief's figures, decided by the claim code itself, and writes nothing."""

from decimal import Decimal

import pytest

from participants.models import Enrolment, Participant
from tests.api.conftest import token_client

URL = "/api/v1/simulations/benefit/"


def simulate(client, **body):
    return client.post(URL, body, format="json")


def total(response) -> Decimal:
    return Decimal(response.json()["total"])


@pytest.mark.django_db
def test_jkm_for_a_registered_participant_is_rp42_juta_line_by_line(world, as_kota):
    response = simulate(
        as_kota, nik=world.kota.participant.nik, incident={"type": "JKM", "incident_date": "2025-06-01"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["eligible"] is True and body["reasons"] == []
    # PP 82/2019 Pasal 34: Rp20 jt + 24 × Rp500 rb + Rp10 jt.
    assert [(line["code"], Decimal(line["amount"])) for line in body["lines"]] == [
        ("JKM_SEKALIGUS", Decimal("20000000")),
        ("JKM_BERKALA_BULAN", Decimal("12000000")),
        ("JKM_PEMAKAMAN", Decimal("10000000")),
    ]
    assert total(response) == Decimal("42000000")
    assert all("PP 82/2019" in line["rule_text"] for line in body["lines"])
    assert body["masa_iur_months"] == 54  # January 2021 … June 2025


@pytest.mark.django_db
def test_jkk_death_from_a_hypothetical_history_is_rp70_juta_at_u_rp1_juta(world, as_kota):
    history = [{"program": world.kota.program.code, "start_month": "2024-01-01"}]
    incident = {"type": "JKK", "jkk_kind": "MENINGGAL", "is_work_related": True, "incident_date": "2025-03-10"}
    participants, enrolments = Participant.objects.count(), Enrolment.objects.count()
    response = simulate(as_kota, history=history, incident=incident)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["eligible"] is True and Decimal(body["income_bracket"]) == Decimal("1000000")
    # max(48 × U, Rp20 jt) + Rp10 jt pemakaman + Rp12 jt berkala (PP 82/2019 Lampiran III).
    assert [Decimal(line["amount"]) for line in body["lines"]] == [
        Decimal("48000000"), Decimal("10000000"), Decimal("12000000"),
    ]  # fmt: skip
    assert total(response) == Decimal("70000000")
    assert "48 × U" in body["lines"][0]["rule_text"]
    # The stand-in participant and its enrolments were rolled back.
    assert (Participant.objects.count(), Enrolment.objects.count()) == (participants, enrolments)


@pytest.mark.django_db
def test_beasiswa_needs_36_months_of_masa_iur_for_jkm(world, as_kota):
    incident = {"type": "JKM", "incident_date": "2025-06-01"}
    child = {"nama": "Anak Sekolah", "relationship": "ANAK", "tanggal_lahir": "2016-05-01", "school_level": "SD"}
    long = [{"program": world.kota.program.code, "start_month": "2020-01-01"}]
    short = [{"program": world.kota.program.code, "start_month": "2024-01-01"}]
    response = simulate(as_kota, history=long, incident=incident, heirs=[child])
    assert total(response) == Decimal("43500000")
    assert response.json()["lines"][-1]["code"] == "BEASISWA_SD"
    response = simulate(as_kota, history=short, incident=incident, heirs=[child])
    assert total(response) == Decimal("42000000")
    assert any("kurang dari 36 bulan" in check["text"] for check in response.json()["checks"])


@pytest.mark.django_db
def test_no_active_membership_on_the_incident_date_is_not_eligible(world, as_kota):
    history = [{"program": world.kota.program.code, "start_month": "2023-01-01", "end_month": "2024-06-01"}]
    response = simulate(as_kota, history=history, incident={"type": "JKM", "incident_date": "2025-06-01"})
    body = response.json()
    assert response.status_code == 200 and body["eligible"] is False
    assert "tidak memiliki kepesertaan aktif pada bulan Juni 2025" in body["reasons"][0]


@pytest.mark.django_db
def test_a_work_accident_death_is_not_jkm(world, as_kota):
    incident = {"type": "JKM", "incident_date": "2025-06-01", "is_work_related": True}
    body = simulate(as_kota, nik=world.kota.participant.nik, incident=incident).json()
    assert body["eligible"] is False and "melalui JKK" in body["reasons"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"incident": {"type": "JKM", "incident_date": "2025-06-01"}}, "non_field_errors"),
        ({"history": [{"program": "api-kota", "start_month": "2024-01-01"},
                      {"program": "api-kota", "start_month": "2024-06-01"}]}, "history"),
        ({"history": [{"program": "api-kaur", "start_month": "2024-01-01"}]}, "history"),
        ({"history": [{"program": "api-kota", "start_month": "2024-01-15"}]}, "history"),
        ({"history": [{"program": "api-kota", "start_month": "2024-01-01"}],
          "incident": {"type": "JKK", "incident_date": "2025-06-01"}}, "jkk_kind"),
        ({"history": [{"program": "api-kota", "start_month": "2024-01-01"}],
          "incident": {"type": "JKM", "incident_date": "2999-01-01"}}, "incident_date"),
    ],
)  # fmt: skip
def test_bad_simulation_input_is_a_400_that_names_the_field(world, as_kota, body, field):
    body.setdefault("incident", {"type": "JKM", "incident_date": "2025-06-01"})
    response = simulate(as_kota, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()


@pytest.mark.django_db
def test_a_foreign_participant_answers_like_a_missing_one(world, disnaker_kota_bengkulu):
    client = token_client(disnaker_kota_bengkulu)
    incident = {"type": "JKM", "incident_date": "2025-06-01"}
    foreign = simulate(client, nik=world.kaur.participant.nik, incident=incident)
    missing = simulate(client, nik="1771010101010999", incident=incident)
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
