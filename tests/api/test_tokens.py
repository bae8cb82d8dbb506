"""Personal API tokens: created and revoked in the portal, stored only as a digest, refused once revoked or expired."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from rentan.models import AuditEvent
from tests.api.conftest import token_client

ROOT = "/api/v1/"


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.django_db
def test_a_token_is_stored_only_as_its_sha256_digest(disnaker_kota_bengkulu):
    token, secret = api_token_create(user=disnaker_kota_bengkulu, name="SIPD")
    assert secret.startswith(f"rentan_{token.prefix}_") and len(secret) > 50
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    # Nowhere in the token table, nor in the audit trail, is the secret (or its random part) kept.
    random_part = secret.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM api_apitoken t")
        rows = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT row_to_json(a)::text FROM rentan_auditevent a")
        audit = " ".join(row[0] for row in cursor.fetchall())
    assert random_part not in rows and random_part not in audit
    assert token.prefix in rows


@pytest.mark.django_db
def test_a_token_acts_as_its_user_with_that_users_scope(disnaker_kota_bengkulu):
    response = token_client(disnaker_kota_bengkulu).get(ROOT)
    assert response.status_code == 200
    assert response.json()["user"] == "disnaker-kota"
    assert response.json()["scope"] == "Kota Bengkulu"


@pytest.mark.django_db
def test_a_revoked_token_is_refused_from_the_next_call(disnaker_kota_bengkulu):
    token, secret = api_token_create(user=disnaker_kota_bengkulu, name="Satu Data")
    client = bearer(secret)
    assert client.get(ROOT).status_code == 200
    api_token_revoke(user=disnaker_kota_bengkulu, token=token)
    response = client.get(ROOT)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert "dicabut" in response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_an_expired_token_is_refused(disnaker_kota_bengkulu):
    token, secret = api_token_create(
        user=disnaker_kota_bengkulu, name="lama", expires_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert bearer(secret).get(ROOT).status_code == 401


@pytest.mark.django_db
def test_a_guessed_secret_with_a_real_prefix_is_refused(disnaker_kota_bengkulu):
    token, secret = api_token_create(user=disnaker_kota_bengkulu, name="x")
    forged = f"rentan_{token.prefix}_{'A' * 43}"
    assert bearer(forged).get(ROOT).status_code == 401
    assert bearer("bukan-token").get(ROOT).status_code == 401
    assert bearer(secret).get(ROOT).status_code == 200


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_is_refused(disnaker_kota_bengkulu):
    _token, secret = api_token_create(user=disnaker_kota_bengkulu, name="x")
    disnaker_kota_bengkulu.is_active = False
    disnaker_kota_bengkulu.save(update_fields=["is_active"])
    assert bearer(secret).get(ROOT).status_code == 401


@pytest.mark.django_db
def test_the_portal_shows_a_new_token_once_and_revokes_it(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    page = reverse("api:token_list")
    response = client.post(page, {"name": "Sistem BPJS", "expires_on": ""})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    token = ApiToken.objects.get(user=disnaker_kota_bengkulu)
    assert AuditEvent.objects.filter(object_type="api.ApiToken", object_id=str(token.pk), action="create").exists()
    # Shown once: the list afterwards names the token by its prefix only.
    again = client.get(page).content.decode()
    assert secret not in again and token.prefix in again
    assert bearer(secret).get(ROOT).status_code == 200
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).get(ROOT).status_code == 401


@pytest.mark.django_db
def test_nobody_revokes_someone_elses_token(client, disnaker_kota_bengkulu, administrator):
    token, secret = api_token_create(user=disnaker_kota_bengkulu, name="x")
    client.force_login(administrator)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_a_token_needs_a_name_and_a_future_expiry(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("api:token_list"), {"name": "x", "expires_on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and response.context["secret"] is None
    assert "sesudah hari ini" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_token_page_needs_a_login(client):
    response = client.get(reverse("api:token_list"))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")
