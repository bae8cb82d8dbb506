import re

import pytest
from django.urls import path, reverse

from rentan.urls import urlpatterns as project_urlpatterns
from tests.conftest import PASSWORD
from tests.factories import ClaimFactory, ParticipantFactory

CANARY = "Kanari Kaur Rahasia"


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def boom(request):
    raise RuntimeError("kesalahan buatan untuk uji")


urlpatterns = [*project_urlpatterns, path("uji/galat/", boom)]
handler500 = "rentan.views.server_error"
handler404 = "rentan.views.page_not_found"


@pytest.fixture
def kaur_participant(regions, branch_bengkulu):
    participant = ParticipantFactory(desa_id="17.04.01.2001", nama=CANARY)
    ClaimFactory(participant=participant)
    return participant


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("participants:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_in_indonesian(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Masuk ke Rentan" in response.text
    assert '<html lang="id">' in response.text


def test_login_then_home_shows_the_users_scope(client, disnaker_kota_bengkulu):
    response = client.post(reverse("login"), {"username": "disnaker-kota", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Selamat datang" in response.text
    assert "Kota Bengkulu" in response.text


@pytest.mark.parametrize(
    ("persona", "sees_participants_menu"),
    [
        ("disnaker_provinsi", True),
        ("disnaker_kota_bengkulu", True),
        ("disnaker_desa", True),
        ("bpjs_cabang", True),
        ("sekda", False),
        ("administrator", True),
    ],
)
def test_every_role_gets_a_home_page_and_a_menu_that_fits(client, request, persona, sees_participants_menu):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert ('href="/peserta/"' in response.text) is sees_participants_menu
    assert ('href="/admin/"' in response.text) is user.is_administrator


def test_a_foreign_participant_answers_like_a_missing_one(client, disnaker_kota_bengkulu, kaur_participant):
    client.force_login(disnaker_kota_bengkulu)
    foreign = client.get(reverse("participants:detail", args=[kaur_participant.pk]))
    missing = client.get(reverse("participants:detail", args=[kaur_participant.pk + 10_000]))
    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_token(foreign.text) == without_csrf_token(missing.text)
    assert CANARY not in foreign.text


@pytest.mark.parametrize(
    "url",
    ["/", "/peserta/", "/peserta/?q=Kanari", "/klaim/", "/wilayah/", "/wilayah/17.71/", "/wilayah/17.04/"],
)
def test_kota_bengkulu_pages_never_show_kaur_data(client, disnaker_kota_bengkulu, kaur_participant, url):
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(url, follow=True)
    assert response.status_code in (200, 404)
    assert CANARY not in response.text
    assert kaur_participant.nik not in response.text


def test_province_operator_finds_the_kaur_participant(client, disnaker_provinsi, kaur_participant):
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("participants:list"), {"q": "Kanari"}, follow=True)
    assert CANARY in response.text


def test_participant_list_uses_a_constant_number_of_queries(client, disnaker_provinsi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(disnaker_provinsi)
    counts = []
    for rows in (10, 100):
        ParticipantFactory.create_batch(rows - len(counts) * 10)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("participants:list")).status_code == 200
        counts.append(len(queries))
    # 8 before the list got its filter selects (wilayah, program, pekerjaan): one query each for their options.
    assert counts[0] == counts[1] <= 11


def test_empty_participant_list_explains_itself(client, disnaker_kaur):
    client.force_login(disnaker_kaur)
    response = client.get(reverse("participants:list"))
    assert "Belum ada peserta di wilayah Anda." in response.text


@pytest.mark.urls("tests.rentan.test_views")
def test_server_errors_show_a_friendly_page_without_a_stack_trace(client, disnaker_kota_bengkulu):
    client.raise_request_exception = False
    client.force_login(disnaker_kota_bengkulu)
    response = client.get("/uji/galat/")
    assert response.status_code == 500
    assert "Terjadi gangguan pada sistem" in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert "kesalahan buatan" not in response.text


def test_not_found_page_is_in_indonesian(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text


def test_forbidden_page_is_in_indonesian(rf, db):
    from rentan.views import permission_denied

    response = permission_denied(rf.get("/"))
    assert response.status_code == 403
    assert "Akses ditolak" in response.content.decode()


def test_bad_request_page_is_in_indonesian(rf, db):
    from rentan.views import bad_request

    response = bad_request(rf.get("/"))
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_home_says_so_when_there_are_no_claims(client, disnaker_kaur):
    client.force_login(disnaker_kaur)
    assert "Belum ada klaim di wilayah Anda." in client.get("/").text
