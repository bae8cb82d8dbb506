"""The hand-built coverage world (world.py) plus what the monthly report adds: pagu, claims paid and overdue, notes.

May 2026, counted by hand on top of world.py (Provinsi Bengkulu 7 active, April 6; Kota 4, Kaur 3):

- pagu 2026: APBD Provinsi Rp201.600.000 (murni Rp100.000.000 revised to that), Dana Desa Kandang Rp2.016.000;
  Dana Desa Gedung Wani has none (so Kabupaten Kaur has a program but no pagu; every other kab/kota of
  Bengkulu has no program at all);
- santunan paid in May: JKM of A (Kota) Rp42.000.000 on 12 May to his widow, due 13 May (on time); JKK of G (Kaur)
  Rp5.000.000 on 20 May to himself, due 15 May (late); April: nothing paid;
- overdue: the JKM claim of J (Kaur), file complete, due 4 May 2026, unpaid.
"""

import datetime
from decimal import Decimal

from claims.models import AhliWaris, Claim, ClaimPayment
from monitoring.models import ReportNote
from programs.models import Branch, Budget
from tests.monitoring.world import D, World

HEIR_NAME = "Siti Aminah Contoh"


def add_report_data(world: World, *, author, heir_name: str = HEIR_NAME) -> dict:
    branch = Branch.objects.get_or_create(code="cabang-uji", defaults={"name": "BPJS Ketenagakerjaan Cabang Uji"})[0]
    Budget.objects.create(program=world.prov, fiscal_year=2026, amount=Decimal("100000000"), decided_on=D(2025, 12, 1))
    Budget.objects.create(
        program=world.prov,
        fiscal_year=2026,
        stage=Budget.Stage.PERUBAHAN,
        amount=Decimal("201600000"),
        decided_on=D(2026, 4, 2),
    )
    Budget.objects.create(
        program=world.kota_desa, fiscal_year=2026, amount=Decimal("2016000"), decided_on=D(2026, 1, 5)
    )
    people = world.people
    reported = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)

    def claim(person, kind, **fields):
        return Claim.objects.create(
            participant=people[person],
            type=kind,
            branch=branch,
            reported_at=reported,
            incident_date=D(2026, 4, 28),
            **fields,
        )

    jkm = claim(
        "A", Claim.Type.JKM, status=Claim.Status.DIBAYAR, complete_on=D(2026, 5, 8), due_on=D(2026, 5, 13),
        benefit_amount=Decimal("42000000"), paid_on=D(2026, 5, 12),
    )  # fmt: skip
    widow = AhliWaris.objects.create(
        claim=jkm,
        nama=heir_name,
        nik="1771055506870001",
        relationship=AhliWaris.Relationship.JANDA,
        tanggal_lahir=D(1987, 6, 15),
    )
    ClaimPayment.objects.create(
        claim=jkm, amount=Decimal("42000000"), paid_on=D(2026, 5, 12), reference="TRX-UJI-1", recipient=widow,
        recipient_name=heir_name, paid_by=author,
    )  # fmt: skip
    jkk = claim(
        "G", Claim.Type.JKK, jkk_kind=Claim.JkkKind.PERAWATAN, status=Claim.Status.DIBAYAR,
        complete_on=D(2026, 5, 6), due_on=D(2026, 5, 15), benefit_amount=Decimal("5000000"), paid_on=D(2026, 5, 20),
    )  # fmt: skip
    ClaimPayment.objects.create(
        claim=jkk, amount=Decimal("5000000"), paid_on=D(2026, 5, 20), reference="TRX-UJI-2",
        recipient_name=people["G"].nama, paid_by=author, late_days=5, late_compensation=Decimal("250000"),
    )  # fmt: skip
    overdue = claim(
        "J", Claim.Type.JKM, status=Claim.Status.BERKAS_LENGKAP, complete_on=D(2026, 4, 28), due_on=D(2026, 5, 4),
        benefit_amount=Decimal("42000000"),
    )  # fmt: skip
    note = ReportNote.objects.create(
        region_id="17",
        month=D(2026, 5, 1),
        kind=ReportNote.Kind.REKOMENDASI,
        text="Kabupaten Kaur segera menetapkan pagu Dana Desa Gedung Wani.",
        author=author,
    )
    return {"jkm": jkm, "jkk": jkk, "overdue": overdue, "widow": widow, "note": note}
