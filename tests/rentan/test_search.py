"""A NIK typed into a search box never goes into a URL (UU 27/2022): the text is swapped for a per-user token."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.factories import ParticipantFactory


@pytest.fixture
def person(regions):
    return ParticipantFactory(nama="Sutejo Pencarian", desa_id="17.71.05.1001")


def assert_no_search_text(url: str, *texts: str) -> None:
    for text in texts:
        assert text not in url


def test_a_nik_search_redirects_to_a_url_with_a_token_only(client, disnaker_kota_bengkulu, person):
    ParticipantFactory(nama="Orang Lain", desa_id="17.71.05.1001")
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(reverse("participants:list"), {"q": person.nik, "status": "AKTIF"})

    assert response.status_code == 303
    location = response["Location"]
    assert_no_search_text(location, person.nik, person.nik[:8])
    query = parse_qs(urlsplit(location).query)
    assert set(query) == {"cari", "status"}  # non-personal filters stay readable in the URL
    page = client.get(location)
    assert [p.nama for p in page.context["page"].object_list] == ["Sutejo Pencarian"]
    assert f'value="{person.nik}"' in page.text  # the box still shows what was typed
    # Paging and export links carry the token, not the text.
    assert person.nik not in page.context["query"]
    export = client.get(reverse("participants:export", kwargs={"fmt": "csv"}) + "?" + page.context["query"])
    exported = b"".join(export.streaming_content).decode()
    assert "Sutejo Pencarian" in exported and "Orang Lain" not in exported


def test_an_old_link_with_the_text_is_swapped_for_a_token(client, disnaker_kota_bengkulu, person):
    client.force_login(disnaker_kota_bengkulu)

    response = client.get(reverse("participants:list"), {"q": "Sutejo", "halaman": "1"})

    assert response.status_code == 303
    assert "Sutejo" not in response["Location"]
    assert "cari=" in response["Location"]


def test_a_token_shows_nothing_of_the_search_to_another_user(client, disnaker_kota_bengkulu, person):
    client.force_login(disnaker_kota_bengkulu)
    location = client.post(reverse("participants:list"), {"q": person.nik})["Location"]
    colleague = make_user("rekan-kota", "disnaker", region="17.71")
    client.force_login(colleague)

    page = client.get(location, follow=True)

    assert person.nik not in page.text  # neither in the box nor as a filtered list (NIKs are masked)
    assert "kedaluwarsa" in page.text
    assert page.context["page"].paginator.count == 1  # the unfiltered list of the region


def test_htmx_search_is_told_which_url_to_show(client, disnaker_kota_bengkulu, person):
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(reverse("participants:list"), {"q": "sutejo"}, headers={"HX-Request": "true"}, follow=True)

    assert response.status_code == 200
    assert "Sutejo Pencarian" in response.text
    assert "<html" not in response.text  # the table fragment, not the whole page
    assert "cari=" in response["HX-Push-Url"] and "sutejo" not in response["HX-Push-Url"].lower()


def test_claim_intake_search_keeps_the_nik_out_of_the_url(client, bpjs_cabang, person):
    client.force_login(bpjs_cabang)

    response = client.post(reverse("claims:create"), {"q": person.nik})

    assert response.status_code == 303
    assert_no_search_text(response["Location"], person.nik)
    page = client.get(response["Location"])
    assert "Sutejo Pencarian" in page.text
