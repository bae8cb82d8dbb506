"""The whole cacat sebagian anatomis table of PP 44/2015 Lampiran III (kept by PP 82/2019), in the annex's order.

0005 seeded 15 of its 27 rows; this adds the other 12 (siku, kedua belah kaki, jari lain, ruas pertama, jari kaki)
and puts every row in the annex's order. Rows already present keep their percentage.
"""

import datetime
from decimal import Decimal as D

from django.db import migrations

PP82 = datetime.date(2019, 12, 2)
REGULATION = "PP 44/2015 Lampiran III jo PP 82/2019"

ANNEX = [
    ("Lengan kanan dari sendi bahu ke bawah", D("40")),
    ("Lengan kiri dari sendi bahu ke bawah", D("35")),
    ("Lengan kanan dari atau dari atas siku ke bawah", D("35")),
    ("Lengan kiri dari atau dari atas siku ke bawah", D("30")),
    ("Tangan kanan dari atau dari atas pergelangan ke bawah", D("32")),
    ("Tangan kiri dari atau dari atas pergelangan ke bawah", D("28")),
    ("Kedua belah kaki dari pangkal paha ke bawah", D("70")),
    ("Sebelah kaki dari pangkal paha ke bawah", D("35")),
    ("Kedua belah kaki dari mata kaki ke bawah", D("50")),
    ("Sebelah kaki dari mata kaki ke bawah", D("20")),
    ("Penglihatan kedua belah mata", D("70")),
    ("Penglihatan sebelah mata atau diplopia pada penglihatan dekat", D("35")),
    ("Pendengaran pada kedua belah telinga", D("40")),
    ("Pendengaran pada sebelah telinga", D("20")),
    ("Ibu jari tangan kanan", D("15")),
    ("Ibu jari tangan kiri", D("12")),
    ("Jari telunjuk tangan kanan", D("9")),
    ("Jari telunjuk tangan kiri", D("7")),
    ("Salah satu jari lain tangan kanan", D("4")),
    ("Salah satu jari lain tangan kiri", D("3")),
    ("Ruas pertama jari telunjuk kanan", D("4.5")),
    ("Ruas pertama jari telunjuk kiri", D("3.5")),
    ("Ruas pertama jari lain tangan kanan", D("2")),
    ("Ruas pertama jari lain tangan kiri", D("1.5")),
    ("Salah satu ibu jari kaki", D("5")),
    ("Salah satu jari telunjuk kaki", D("3")),
    ("Salah satu jari kaki lainnya", D("2")),
]


def complete(apps, schema_editor):
    CacatSebagianRate = apps.get_model("claims", "CacatSebagianRate")
    for order, (body_part, percent) in enumerate(ANNEX, start=1):
        row, created = CacatSebagianRate.objects.get_or_create(
            body_part=body_part,
            valid_from=PP82,
            defaults={"percent": percent, "regulation": REGULATION, "sort_order": order * 10},
        )
        if not created:
            row.sort_order = order * 10
            row.regulation = REGULATION
            row.save(update_fields=["sort_order", "regulation"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_claim_constraints")]

    operations = [migrations.RunPython(complete, migrations.RunPython.noop)]
