"""The API's contract: every call audited, errors as JSON in Indonesian (never a 500), a valid OpenAPI schema,
cursor pages that hold a constant number of queries, session access for the browsable API and the docs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from api.models import ApiToken
from rentan.models import AuditEvent
from tests.api.conftest import token_client
from tests.factories import ParticipantFactory


@pytest.mark.django_db
def test_every_call_is_audited_with_its_user_token_and_answer(world, disnaker_kota_bengkulu):
    client = token_client(disnaker_kota_bengkulu)
    prefix = ApiToken.objects.get(user=disnaker_kota_bengkulu).prefix
    before = AuditEvent.objects.filter(object_type="api").count()
    calls = [
        ("/api/v1/participants/", 200),
        (f"/api/v1/participants/{world.kota.participant.pk}/", 200),
        (f"/api/v1/participants/{world.kaur.participant.pk}/", 404),
        ("/api/v1/claims/?status=BUKAN", 400),
        ("/api/v1/tidak-ada/", 404),
    ]
    for url, status in calls:
        assert client.get(url).status_code == status, url
    assert APIClient().get("/api/v1/claims/").status_code == 401
    rows = list(AuditEvent.objects.filter(object_type="api").order_by("pk")[before:])
    assert len(rows) == len(calls) + 1
    for row, (url, status) in zip(rows, calls, strict=False):
        assert row.user == disnaker_kota_bengkulu and row.action == "view"
        assert row.object_repr == f"GET {url}" and row.changes["status"] == [None, status]
        assert row.changes["via"] == [None, f"token rentan_{prefix}"]
    assert rows[1].region_code == world.kota.participant.desa_id
    assert rows[-1].user is None and rows[-1].changes["status"] == [None, 401]


@pytest.mark.django_db
def test_unauthenticated_calls_get_a_json_401_that_asks_for_a_bearer_token(regions):
    response = APIClient().get("/api/v1/participants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Anda belum masuk: kirim token API di header Authorization (Bearer) atau masuk ke portal.",
        "errors": {},
    }


@pytest.mark.django_db
def test_protocol_errors_are_json_in_indonesian(world, as_kota):
    cases = [
        (as_kota.put("/api/v1/claims/", {}, format="json"), 405, "method_not_allowed"),
        (as_kota.post("/api/v1/simulations/benefit/", {"nik": "1"}), 415, "unsupported_media_type"),
        (as_kota.post("/api/v1/simulations/benefit/", "{rusak", content_type="application/json"), 400, "parse_error"),
        (as_kota.post("/api/v1/simulations/benefit/", '{"nik": "\\ud800"}', content_type="application/json"),
         400, "parse_error"),
        (as_kota.get("/api/v1/claims/", HTTP_ACCEPT="text/csv"), 406, "not_acceptable"),
        (as_kota.get("/api/v1/participants/?cursor=bukan-kursor"), 404, "not_found"),
        (as_kota.get("/api/v1/participants/?region=17%00"), 400, "invalid"),
        (as_kota.get("/api/v1/claims/99999999999999999999999/"), 404, "not_found"),
        (as_kota.get("/api/v1/regions/17.71.xx/"), 404, "not_found"),
        (as_kota.get("/api/v1/coverage/?month_from=2025-13-01"), 400, "invalid"),
    ]  # fmt: skip
    for response, status, code in cases:
        assert response.status_code == status, (code, response.content[:200])
        body = response.json()
        assert body["code"] == code and body["message"] and set(body) == {"code", "message", "errors"}
        assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_throttled_calls_get_a_429_with_retry_after(world, disnaker_kota_bengkulu, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min"})
    client = token_client(disnaker_kota_bengkulu)
    statuses = [client.get("/api/v1/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/")
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_cursor_pages_walk_every_row_once_in_key_order(world, disnaker_kota_bengkulu):
    for serial in range(5):
        ParticipantFactory(desa_id="17.71.05.1001", nama=f"Halaman {serial}")
    client = token_client(disnaker_kota_bengkulu)
    url, seen = "/api/v1/participants/?page_size=2", []
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == 6 and seen == sorted(seen)


@pytest.mark.django_db
def test_a_nik_search_is_a_post_that_pages_by_posting_the_same_body_to_next(world, disnaker_kota_bengkulu):
    people = [ParticipantFactory(desa_id="17.71.05.1001", nama=f"Cari {serial}") for serial in range(5)]
    client = token_client(disnaker_kota_bengkulu)
    prefix = people[0].nik[:10]  # the factory's people share their first 12 digits (desa, birth date)
    url, seen, urls = "/api/v1/participants/search/?page_size=2", [], []
    while url:
        urls.append(url)
        body = client.post(url, {"nik": prefix}, format="json").json()
        seen += [row["nama"] for row in body["results"]]
        url = body["next"]
    expected = sorted(p.nama for p in people + [world.kota.participant] if p.nik.startswith(prefix))
    assert sorted(seen) == expected and len(urls) == 3
    assert not [u for u in urls if prefix in u]  # no page URL carries the NIK
    refused = client.get(f"/api/v1/participants/?nik={prefix}")
    assert refused.status_code == 400 and "POST /api/v1/participants/search/" in refused.json()["errors"]["nik"][0]
    assert client.post("/api/v1/participants/search/", {}, format="json").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/participants/", "/api/v1/claims/", "/api/v1/enrolments/"])
def test_a_page_costs_the_same_queries_for_10_and_100_rows(world, disnaker_kota_bengkulu, path):
    from tests.claims.conftest import make_claim
    from tests.factories import EnrolmentFactory

    client = token_client(disnaker_kota_bengkulu)

    def queries(n):
        for _ in range(n - len(client.get(f"{path}?page_size=200").json()["results"])):
            person = ParticipantFactory(desa_id="17.71.05.1001")
            EnrolmentFactory(participant=person, program=world.kota.program)
            make_claim(person, branch=world.kota.claim.branch)
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(f"{path}?page_size={n}").json()["results"]) == n
        return len(captured)

    assert queries(10) == queries(100)


@pytest.mark.django_db
def test_the_schema_validates_and_needs_a_login(world, as_kota):
    response = as_kota.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/participants/", "/api/v1/claims/{id}/actions/", "/api/v1/simulations/benefit/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["tokenApi"]["scheme"] == "bearer"
    assert APIClient().get("/api/v1/schema/").status_code == 401


@pytest.mark.django_db
def test_a_portal_session_browses_the_api_with_local_assets_only(world, client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    assert client.get("/api/v1/", HTTP_ACCEPT="application/json").json()["user"] == "disnaker-kota"
    page = client.get("/api/v1/claims/", HTTP_ACCEPT="text/html")
    html = page.content.decode()
    assert page.status_code == 200 and "/static/rest_framework/" in html
    assert "cdn" not in html.lower() and "https://" not in html.replace("https://www.django-rest-framework.org", "")
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and "/api/v1/simulations/benefit/" in docs.content.decode()


@pytest.mark.django_db
def test_the_docs_page_needs_a_login(client, regions):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


@pytest.mark.django_db
def test_program_budget_is_the_latest_revision_of_the_year(world, as_kota):
    from programs.models import Budget

    Budget.objects.create(
        program=world.kota.program, fiscal_year=2025, stage="PERUBAHAN", amount="150000000.00",
        decided_on=datetime.date(2025, 9, 1),
    )  # fmt: skip
    body = as_kota.get(f"/api/v1/programs/{world.kota.program.code}/?year=2025").json()
    assert (body["budget_year"], body["budget"]) == (2025, "150000000.00")
    assert as_kota.get(f"/api/v1/programs/{world.kota.program.code}/?year=2031").json()["budget"] is None


@pytest.mark.django_db
def test_a_finished_report_downloads_as_pdf_and_is_audited(world, as_kota):
    from monitoring.models import MonitoringReport

    listed = as_kota.get("/api/v1/reports/").json()["results"]
    assert [(row["region"], row["status"]) for row in listed] == [("17.71", "DONE")]
    response = as_kota.get(listed[0]["download"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="download", object_type="monitoring.MonitoringReport", object_id=str(world.kota.report.pk)
    ).exists()
    MonitoringReport.objects.filter(pk=world.kota.report.pk).update(status=MonitoringReport.Status.RUNNING)
    response = as_kota.get(listed[0]["download"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_full_niks_only_for_the_reveal_permission_and_the_call_is_audited_as_a_reveal(world, as_kota, as_bpjs):
    nik = world.kota.participant.nik
    masked = as_kota.get("/api/v1/participants/").json()["results"][0]["nik"]
    assert masked == f"{nik[:4]}••••••••{nik[-4:]}"
    assert AuditEvent.objects.filter(object_type="api").latest("pk").action == "view"
    # BPJS officers register and pay by NIK: they hold the reveal permission by role (User.may_reveal_nik).
    assert as_bpjs.get("/api/v1/participants/").json()["results"][0]["nik"] == nik
    row = AuditEvent.objects.filter(object_type="api").latest("pk")
    assert row.action == "reveal" and row.reason
