"""Seed the BPU iuran rates and the PP 50/2025 discount in force (domain brief §2).

Rates for BPU participants at a declared income bracket U:
- JKK 1% × U: PP 44/2015 Lampiran II jo PP 49/2023 (U = Rp1.000.000 → Rp10.000).
- JKM Rp6.800 flat: PP 44/2015 jo PP 49/2023.
- JHT 2% × U, only for the optional JKK + JKM + JHT package: PP 46/2015 jo PP 60/2015.
They start with PP 44/2015's effect (1 July 2015) and stay open until a regulation changes them.

PP 50/2025 (diundangkan 22 Desember 2025): 50% of JKK and JKM for BPU participants (Pasal 4), iuran months
2026-01…2027-03 for the transport sector and 2026-04…2026-12 for everyone else; iuran paid through APBN or APBD
is excluded (Pasal 3). APBDes, other desa funds, CSR, SERTAKAN donors and mandiri are not named: seeded as
discounted, editable in the admin (domain brief: "configurable, default discounted").

The values are literals on purpose: a later change of rates is a new migration or an admin edit, never a rewrite
of this one.
"""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = [
    # component, kind, value, valid_from, regulation
    ("JKK", "PERCENT", Decimal("1.00"), datetime.date(2015, 7, 1), "PP 44/2015 Lampiran II jo PP 49/2023"),
    ("JKM", "FIXED", Decimal("6800.00"), datetime.date(2015, 7, 1), "PP 44/2015 jo PP 49/2023"),
    ("JHT", "PERCENT", Decimal("2.00"), datetime.date(2015, 7, 1), "PP 46/2015 jo PP 60/2015"),
]

DISCOUNTS = [
    # name, sector, valid_from, valid_to
    (
        "PP 50/2025 · sektor transportasi",
        "TRANSPORT",
        datetime.date(2026, 1, 1),
        datetime.date(2027, 3, 1),
    ),
    (
        "PP 50/2025 · selain sektor transportasi",
        "OTHER",
        datetime.date(2026, 4, 1),
        datetime.date(2026, 12, 1),
    ),
]

EXCLUDED = "PP 50/2025 Pasal 3: iuran yang dibayar melalui APBN/APBD dikecualikan dari penyesuaian iuran."
NOT_NAMED = "Tidak disebut dalam PP 50/2025; bawaan: mendapat potongan (dapat diubah)."
MANDIRI = "PP 50/2025 Pasal 3: peserta BPU yang membayar sendiri mendapat penyesuaian iuran."

FUNDING_RULES = [
    # funding_source, is_discounted, excluded_by_regulation, note
    ("SG", False, True, EXCLUDED),
    ("SA", False, True, EXCLUDED),
    ("SD", True, False, NOT_NAMED),
    ("SL", True, False, NOT_NAMED),
    ("SC", True, False, NOT_NAMED),
    ("SB", True, False, NOT_NAMED),
    ("SERTAKAN", True, False, NOT_NAMED),
    ("MANDIRI", True, False, MANDIRI),
]


def seed(apps, schema_editor):
    IuranRate = apps.get_model("programs", "IuranRate")
    IuranDiscount = apps.get_model("programs", "IuranDiscount")
    IuranDiscountFunding = apps.get_model("programs", "IuranDiscountFunding")

    for component, kind, value, valid_from, regulation in RATES:
        IuranRate.objects.get_or_create(
            component=component,
            valid_from=valid_from,
            defaults={"kind": kind, "value": value, "regulation": regulation},
        )
    for name, sector, valid_from, valid_to in DISCOUNTS:
        discount, _ = IuranDiscount.objects.get_or_create(
            name=name,
            defaults={
                "percent": Decimal("50.00"),
                "applies_to_jkk": True,
                "applies_to_jkm": True,
                "applies_to_jht": False,
                "sector": sector,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "regulation": "PP 50/2025 Pasal 3–4",
            },
        )
        for funding_source, is_discounted, excluded, note in FUNDING_RULES:
            IuranDiscountFunding.objects.get_or_create(
                discount=discount,
                funding_source=funding_source,
                defaults={"is_discounted": is_discounted, "excluded_by_regulation": excluded, "note": note},
            )


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_iuran_rates_discounts_holidays")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
