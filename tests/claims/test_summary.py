"""The claim summary per region and month that the dashboard and the monthly report read."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimBenefitLine, ClaimPayment, SchoolLevel
from claims.selectors import claim_summary
from tests.claims.conftest import KAUR_DESA, D, add_child, enrolled_participant, make_claim

S = Claim.Status
MARCH = D(2025, 3, 1)
JAKARTA = ZoneInfo("Asia/Jakarta")


def paid_claim(officer, *, desa="17.71.05.1001", claim_type=Claim.Type.JKM, amount, due, paid, branch=None):
    claim = make_claim(
        enrolled_participant(desa=desa, start=D(2024, 1, 1)),
        claim_type=claim_type,
        branch=branch,
        incident_date=D(2025, 2, 10),
        reported_at=datetime.datetime(2025, 3, 1, 9, tzinfo=JAKARTA),
        status=S.DIBAYAR,
        benefit_amount=amount,
        complete_on=due - datetime.timedelta(days=5),
        due_on=due,
        paid_on=paid,
        payment_reference="TRX",
    )
    late = max(0, (paid - due).days)
    ClaimPayment.objects.create(
        claim=claim,
        amount=amount,
        paid_on=paid,
        reference="TRX",
        recipient_name="Ahli waris",
        late_days=late,
        late_compensation=amount * late / 100,
        paid_by=officer,
    )
    return claim


@pytest.fixture
def march(bpjs_cabang, branch_manna):
    jkm = paid_claim(bpjs_cabang, amount=Decimal("42000000"), due=D(2025, 3, 6), paid=D(2025, 3, 5))
    child = add_child(jkm, age_on_incident=9, level=SchoolLevel.SD)
    ClaimBenefitLine.objects.create(
        claim=jkm, position=4, code="BEASISWA_SD", label="x", rule_text="x", amount=Decimal("1500000"), heir=child
    )
    paid_claim(
        bpjs_cabang, claim_type=Claim.Type.JKK, amount=Decimal("70000000"), due=D(2025, 3, 12), paid=D(2025, 3, 14)
    )
    for due in (D(2025, 3, 25), D(2025, 3, 31)):
        make_claim(
            enrolled_participant(start=D(2024, 1, 1)),
            status=S.DISETUJUI,
            benefit_amount=Decimal("42000000"),
            complete_on=due - datetime.timedelta(days=5),
            due_on=due,
            reported_at=datetime.datetime(2025, 2, 20, 9, tzinfo=JAKARTA),
        )
    paid_claim(bpjs_cabang, desa=KAUR_DESA, amount=Decimal("42000000"), due=D(2025, 3, 6), paid=D(2025, 3, 6),
               branch=branch_manna)  # fmt: skip


def test_summary_counts_and_sums_claims_of_a_region_in_a_month(march):
    summary = claim_summary(region_code="17.71", month=MARCH, today=D(2025, 3, 28))

    rows = {row["type"]: row for row in summary["rows"]}
    assert rows["JKM"]["reported"] == 1 and rows["JKK"]["reported"] == 1  # the other two were reported in February
    assert (rows["JKM"]["paid_count"], rows["JKM"]["paid_amount"]) == (1, Decimal("42000000"))
    assert (rows["JKK"]["paid_count"], rows["JKK"]["paid_amount"]) == (1, Decimal("70000000"))
    assert rows["JKK"]["late_compensation"] == Decimal("1400000")
    assert summary["paid_amount"] == Decimal("112000000")
    assert summary["beasiswa_children"] == 1
    assert summary["sla"] == {"due": 4, "on_time": 1, "paid_late": 1, "unpaid_overdue": 1, "pending": 1, "missed": 2}
    assert summary["sla_percent"] == Decimal("33.33")


def test_the_province_summary_includes_every_kab_kota(march):
    summary = claim_summary(region_code="17", month=MARCH, today=D(2025, 4, 10))

    assert summary["paid_count"] == 3
    assert summary["sla"]["missed"] == 3  # the 31 March claim is unpaid after its due date by 10 April


def test_a_month_without_claims_summarises_to_zero(regions):
    summary = claim_summary(region_code="17.71", month=D(2024, 1, 1), today=D(2025, 1, 1))

    assert summary["paid_amount"] == 0
    assert summary["sla_percent"] is None


def test_the_summary_page_shows_only_regions_inside_the_users_scope(client, disnaker_kota_bengkulu, march):
    client.force_login(disnaker_kota_bengkulu)

    page = client.get(reverse("claims:summary"), {"region": "17.71", "month": "2025-03"}).text
    foreign = client.get(reverse("claims:summary"), {"region": "17.04", "month": "2025-03"}).text

    assert "Rp112.000.000" in page
    assert 'value="17.04"' not in page
    assert "Kaur" not in foreign  # the region is not offered, so the page falls back to the user's own
    assert "Klaim Kota Bengkulu," in foreign
