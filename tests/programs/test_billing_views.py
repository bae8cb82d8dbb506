"""Program page: bills, payments, realisation against the pagu, arrears warnings; who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from programs import billing
from programs.models import Bill, Budget, FundingSource, Payment
from rentan.models import AuditEvent
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("postgres", "regions")

D = datetime.date


@pytest.fixture
def eager_celery():
    from rentan.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def program():
    program = ProgramFactory(code="kota-2025", funding_source=FundingSource.SG, owner_region_id="17.71")
    for _ in range(3):
        EnrolmentFactory(program=program, start_month=D(2025, 1, 1))
    Budget.objects.create(program=program, fiscal_year=2025, amount=Decimal("604800"), decided_on=D(2025, 1, 2))
    return program


@pytest.fixture
def kaur_program():
    program = ProgramFactory(code="kaur-2025", owner_region_id="17.04")
    EnrolmentFactory(program=program, participant=ParticipantFactory(desa_id="17.04.01.2001"))
    return program


def payment_form(bill, amount="50400", **extra):
    return {
        "bill": bill.pk,
        "paid_on": "2025-03-10",
        "amount": amount,
        "sp2d_number": "SP2D/0001/2025",
        "kode_rekening": "5.1.02.01.01.0001",
        "note": "",
        **extra,
    }


def test_an_operator_records_a_payment_and_sees_it_with_the_realisation_bar(client, disnaker_kota_bengkulu, program):
    bill = billing.bill_generate(program=program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(reverse("programs:payment_create", args=[program.code]), payment_form(bill))

    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.amount == Decimal("50400") and payment.created_by == disnaker_kota_bengkulu
    assert AuditEvent.objects.filter(object_type="programs.Payment", action="create").exists()
    page = client.get(reverse("programs:program_detail", args=[program.code]), {"year": 2025}).text
    assert "SP2D/0001/2025" in page and "Rp50.400" in page
    assert "Realisasi vs pagu" in page and "Rp50.400 dari pagu Rp604.800" in page
    assert "Lunas" in page


def test_a_bad_kode_rekening_is_refused_in_indonesian(client, disnaker_kota_bengkulu, program):
    bill = billing.bill_generate(program=program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(
        reverse("programs:payment_create", args=[program.code]), payment_form(bill, kode_rekening="5/1/02")
    )

    assert response.status_code == 200
    assert "Kode rekening hanya berisi angka" in response.text
    assert not Payment.objects.exists()


def test_an_operator_edits_and_deletes_a_payment(client, disnaker_kota_bengkulu, program):
    bill = billing.bill_generate(program=program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)
    client.post(reverse("programs:payment_create", args=[program.code]), payment_form(bill))
    payment = Payment.objects.get()

    edit = client.post(
        reverse("programs:payment_edit", args=[program.code, payment.pk]), payment_form(bill, amount="60000")
    )
    payment.refresh_from_db()
    bill.refresh_from_db()
    assert edit.status_code == 302 and payment.amount == Decimal("60000")
    assert bill.settled_on == D(2025, 3, 10)  # Rp50.400 due, Rp9.600 credited to April

    client.post(reverse("programs:payment_delete", args=[program.code, payment.pk]))
    bill.refresh_from_db()
    assert not Payment.objects.exists() and bill.settled_on is None


@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_read_only_roles_cannot_record_payments_or_generate_bills(client, request, persona, program):
    bill = billing.bill_generate(program=program, month=D(2025, 3, 1)).bill
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("programs:payment_create", args=[program.code])).status_code == 403
    assert client.post(reverse("programs:payment_create", args=[program.code]), payment_form(bill)).status_code == 403
    assert client.post(reverse("programs:bill_generate", args=[program.code]), {"month": "2025-04"}).status_code == 403
    assert not Payment.objects.exists()


def test_a_foreign_program_answers_404_for_payments_and_bills(client, disnaker_kota_bengkulu, kaur_program):
    bill = billing.bill_generate(program=kaur_program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)

    assert client.get(reverse("programs:payment_create", args=[kaur_program.code])).status_code == 404
    assert (
        client.post(reverse("programs:payment_create", args=[kaur_program.code]), payment_form(bill)).status_code == 404
    )
    assert client.get(reverse("programs:bill_detail", args=[kaur_program.code, bill.pk])).status_code == 404
    assert client.get(reverse("programs:arrears_list", args=[kaur_program.code])).status_code == 404
    assert not Payment.objects.exists()


def test_a_bill_of_another_program_cannot_be_paid_through_this_one(
    client, disnaker_kota_bengkulu, program, kaur_program
):
    foreign = billing.bill_generate(program=kaur_program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(reverse("programs:payment_create", args=[program.code]), payment_form(foreign))

    assert response.status_code == 200 and not Payment.objects.exists()


def test_the_generate_button_bills_a_small_program_at_once(client, disnaker_kota_bengkulu, program):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("programs:bill_generate", args=[program.code]), {"month": "2025-04"}, follow=True)

    bill = Bill.objects.get(program=program)
    assert bill.month == D(2025, 4, 1) and bill.jiwa == 3 and bill.generated_by == disnaker_kota_bengkulu
    assert "Tagihan April 2025 dibuat." in response.text
    again = client.post(reverse("programs:bill_generate", args=[program.code]), {"month": "2025-04"}, follow=True)
    assert "tidak ada kepesertaan baru" in again.text and Bill.objects.count() == 1


def test_the_generate_button_queues_a_large_program_for_the_worker(
    client, disnaker_kota_bengkulu, program, eager_celery, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(billing, "BILL_SYNC_MAX_ENROLMENTS", 2)
    client.force_login(disnaker_kota_bengkulu)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("programs:bill_generate", args=[program.code]), {"month": "2025-04"})
    assert response.status_code == 302 and not Bill.objects.exists()

    for callback in callbacks:
        callback()

    bill = Bill.objects.get(program=program)
    assert bill.jiwa == 3 and bill.generated_by == disnaker_kota_bengkulu


def test_a_province_bill_lists_only_the_readers_own_participants(client, disnaker_kota_bengkulu):
    province = ProgramFactory(code="prov-2025", owner_region_id="17")
    EnrolmentFactory(program=province, participant=ParticipantFactory(nama="Warga Kota"))
    EnrolmentFactory(program=province, participant=ParticipantFactory(nama="Warga Kaur", desa_id="17.04.01.2001"))
    bill = billing.bill_generate(program=province, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)

    page = client.get(reverse("programs:bill_detail", args=[province.code, bill.pk])).text

    assert "Warga Kota" in page and "Warga Kaur" not in page
    assert "Rp33.600" in page  # the bill's total still covers both


def test_the_program_page_warns_about_arrears_and_lists_them(client, disnaker_kota_bengkulu, program):
    enrolment = program.enrolments.first()
    program.enrolments.filter(pk=enrolment.pk).update(arrears_months=2)
    client.force_login(disnaker_kota_bengkulu)

    page = client.get(reverse("programs:program_detail", args=[program.code])).text
    arrears = client.get(reverse("programs:arrears_list", args=[program.code])).text

    assert "1 peserta menunggak 2 bulan" in page
    assert enrolment.participant.nama in arrears and "Menunggak 2 bulan" in arrears


def test_the_bill_list_keeps_a_constant_number_of_queries(
    client, disnaker_kota_bengkulu, program, django_assert_max_num_queries
):
    for month in range(1, 13):
        billing.bill_generate(program=program, month=D(2025, month, 1))
    client.force_login(disnaker_kota_bengkulu)
    url = reverse("programs:program_detail", args=[program.code])
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def test_on_sqlite_the_button_says_bills_need_postgresql(client, disnaker_kota_bengkulu, program, monkeypatch):
    from django.db import connection

    client.force_login(disnaker_kota_bengkulu)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    response = client.post(reverse("programs:bill_generate", args=[program.code]), {"month": "2025-04"})
    monkeypatch.undo()

    assert response.status_code == 302 and not Bill.objects.exists()
    page = client.get(response["Location"]).text
    assert "hanya dapat dibuat pada basis data PostgreSQL" in page


@pytest.mark.parametrize("lines", [10, 100])
def test_the_bill_page_uses_a_constant_number_of_queries(client, disnaker_kota_bengkulu, lines):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = ProgramFactory(owner_region_id="17.71")
    for _ in range(lines):
        EnrolmentFactory(program=program, start_month=D(2025, 1, 1))
    bill = billing.bill_generate(program=program, month=D(2025, 3, 1)).bill
    client.force_login(disnaker_kota_bengkulu)
    url = reverse("programs:bill_detail", args=[program.code, bill.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 12, [q["sql"][:80] for q in queries.captured_queries]
