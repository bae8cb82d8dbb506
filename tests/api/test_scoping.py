"""Scoping: a token of a Kota Bengkulu operator reads nothing of Kabupaten Kaur through any endpoint.

Every read endpoint is called with every filter that could point at Kaur; the answers are scanned for Kaur's
canaries (names, NIK whole and masked, KPJ, address, program code and name) and every region code in them must lie
inside Kota Bengkulu (or be the province program's owner). Kaur's objects answer exactly like missing ones.
"""

import json
import re

import pytest

from claims.models import Claim
from participants.models import Participant
from programs.models import REGION_CODE_PATTERN
from tests.api.conftest import COVERAGE_MONTH, token_client

MISSING = 987654321
REGION_KEYS = {"region", "desa", "code", "parent", "parent_code", "owner_region"}


def region_codes(value):
    """Every region code in an API answer (values of keys that hold one)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in REGION_KEYS and isinstance(item, str) and re.fullmatch(REGION_CODE_PATTERN, item):
                yield item
            yield from region_codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from region_codes(item)


def read_urls(world) -> list[str]:
    kaur = world.kaur
    month = COVERAGE_MONTH.isoformat()
    return [
        "/api/v1/",
        "/api/v1/regions/",
        "/api/v1/regions/?under=17.04",
        "/api/v1/regions/?parent=17.04",
        "/api/v1/regions/?level=2",
        "/api/v1/programs/",
        "/api/v1/programs/?region=17.04",
        f"/api/v1/programs/?search={kaur.program.code}",
        "/api/v1/participants/",
        "/api/v1/participants/?region=17.04",
        f"/api/v1/participants/?program={kaur.program.code}",
        "/api/v1/enrolments/",
        f"/api/v1/enrolments/?program={kaur.program.code}",
        f"/api/v1/enrolments/?participant={kaur.participant.pk}",
        "/api/v1/claims/",
        "/api/v1/claims/?region=17.04",
        "/api/v1/claims/?status=DIAJUKAN",
        "/api/v1/coverage/",
        f"/api/v1/coverage/?region=17.04&month_from={month}",
        f"/api/v1/coverage/?program={kaur.program.code}",
        "/api/v1/coverage/?level=1",
        f"/api/v1/coverage/17.71/?month={month}",
        "/api/v1/reports/",
        "/api/v1/reports/?region=17.04",
    ]


def foreign_urls(world) -> list[tuple[str, str]]:
    """(Kaur's object, the same kind of object that does not exist)."""
    kaur = world.kaur
    return [
        ("/api/v1/regions/17.04/", "/api/v1/regions/99.99/"),
        ("/api/v1/regions/17.04.01.2001/", "/api/v1/regions/99.99.99.9999/"),
        (f"/api/v1/programs/{kaur.program.code}/", "/api/v1/programs/tidak-ada/"),
        (f"/api/v1/participants/{kaur.participant.pk}/", f"/api/v1/participants/{MISSING}/"),
        (f"/api/v1/claims/{kaur.claim.pk}/", f"/api/v1/claims/{MISSING}/"),
        ("/api/v1/coverage/17.04/", "/api/v1/coverage/99.99/"),
        (f"/api/v1/reports/{kaur.report.pk}/download/", f"/api/v1/reports/{MISSING}/download/"),
    ]


@pytest.mark.django_db
def test_a_kota_bengkulu_token_reads_nothing_of_kaur(world, disnaker_kota_bengkulu):
    client = token_client(disnaker_kota_bengkulu)
    own_seen = set()
    for url in read_urls(world):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        text = response.content.decode()
        leaks = [canary for canary in world.kaur.canaries if canary in text]
        assert not leaks, f"{url} shows Kaur's {leaks}"
        outside = [c for c in region_codes(response.json()) if not (c == "17" or c == "17.71" or
                                                                    c.startswith("17.71."))]  # fmt: skip
        assert not outside, f"{url} names regions outside Kota Bengkulu: {outside}"
        own_seen |= {canary for canary in world.kota.canaries if canary in text}
    # Positive control: the same calls do show Kota Bengkulu's own data (masked NIK, not the whole one).
    assert world.kota.participant.nama in own_seen and world.kota.program.code in own_seen
    assert world.kota.participant.nik not in own_seen


@pytest.mark.django_db
def test_a_nik_search_finds_nothing_of_kaur(world, disnaker_kota_bengkulu):
    client = token_client(disnaker_kota_bengkulu)
    for nik in (world.kaur.participant.nik, world.kaur.participant.nik[:8], "17"):
        response = client.post("/api/v1/participants/search/", {"nik": nik}, format="json")
        assert response.status_code == 200, response.content[:300]
        assert not [canary for canary in world.kaur.canaries if canary in response.content.decode()], nik
    own = client.post("/api/v1/participants/search/", {"nik": world.kota.participant.nik}, format="json").json()
    assert [row["nama"] for row in own["results"]] == [world.kota.participant.nama]


@pytest.mark.django_db
def test_kaurs_objects_answer_like_missing_ones(world, disnaker_kota_bengkulu):
    client = token_client(disnaker_kota_bengkulu)
    for foreign, missing in foreign_urls(world):
        a, b = client.get(foreign), client.get(missing)
        assert a.status_code == b.status_code == 404, foreign
        assert a.json() == b.json() == {"code": "not_found", "message": "Data tidak ditemukan.", "errors": {}}


@pytest.mark.django_db
def test_the_province_operator_does_see_kaur(world, disnaker_provinsi):
    """The scan is not blind: Kaur's data is there for a token whose scope covers it."""
    client = token_client(disnaker_provinsi)
    text = client.get("/api/v1/participants/?region=17.04").content.decode()
    assert world.kaur.participant.nama in text
    assert client.get(f"/api/v1/claims/{world.kaur.claim.pk}/").status_code == 200
    assert client.get("/api/v1/coverage/17.04/").status_code == 200


@pytest.mark.django_db
def test_writes_aimed_at_kaur_change_nothing(world, bpjs_cabang):
    """Cabang Bengkulu serves Kota Bengkulu, not Kaur: its token can neither move Kaur's claim nor touch its KPJs."""
    client = token_client(bpjs_cabang)
    claim = world.kaur.claim
    response = client.post(f"/api/v1/claims/{claim.pk}/actions/", {"action": "verify"}, format="json")
    assert response.status_code == 404
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DIAJUKAN
    reply = {"program": world.kaur.program.code, "rows": [{"nik": world.kaur.participant.nik, "kpj": "12345678901"}]}
    response = client.post("/api/v1/bpjs-replies/", reply, format="json")
    assert response.status_code == 400 and "program" in response.json()["errors"]
    # The province program enrols Kota people too, but Kaur's participant is not in the branch's list: refused.
    reply["program"] = world.kota.program.code
    response = client.post("/api/v1/bpjs-replies/", reply, format="json")
    assert response.status_code == 201
    assert response.json()["rows_refused"] == 1 and response.json()["refused"][0]["code"] == "not_in_list"
    assert Participant.objects.get(pk=world.kaur.participant.pk).kpj == world.kaur.participant.kpj
    simulation = {"nik": world.kaur.participant.nik, "incident": {"type": "JKM", "incident_date": "2025-06-01"}}
    assert client.post("/api/v1/simulations/benefit/", simulation, format="json").status_code == 404


def test_region_codes_are_found_in_nested_answers():
    answer = {
        "results": [{"desa": "17.04.01.2001", "children": [{"code": "17.04.01"}]}],
        "region": "17.71",
        "code": "api-kaur",
    }
    assert sorted(region_codes(json.loads(json.dumps(answer)))) == ["17.04.01", "17.04.01.2001", "17.71"]
