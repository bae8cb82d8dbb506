"""Seed the JKM/JKK benefit rules and part of the cacat sebagian table (domain brief §3, §4, §5).

Amounts from PP 82/2019 (amending PP 44/2015; in force for incidents from its promulgation, 2 December 2019):
JKM Rp20 jt sekaligus + 24 × Rp500 rb berkala + Rp10 jt pemakaman (Pasal 34); JKK death max(48 × U, Rp20 jt) +
Rp10 jt pemakaman + Rp12 jt berkala; cacat total tetap 56 × U + Rp12 jt; cacat sebagian table % × 80 × U; STMB
100% U for months 1–12 then 50%; transport caps land Rp5 jt, sea Rp2 jt, air Rp10 jt; home care ≤ Rp20 jt
(Lampiran III); beasiswa per child per year TK/SD Rp1,5 jt, SMP Rp2 jt, SMA Rp3 jt, PT Rp12 jt (max 2/6/3/3/5
years, Rp87 jt per child, 2 children, until 23; JKM only after 36 months of iuran; Permenaker 5/2021 for the JKK
case without that rule); JKK claims expire 5 years after the accident. From PP 44/2015 (1 July 2015): payment SLA
JKM 3 working days (Pasal 40(3)), JKK 7 working days (Pasal 37), 1% of the benefit per day late. NPWP over
Rp50 jt follows BPJS Ketenagakerjaan's claim requirements.

Cacat sebagian anatomis: only these common rows of the annex (PP 44/2015 Lampiran III, kept by PP 82/2019) are
entered; the rest of the annex (fingers' joints, functional loss, etc.) is to be entered in the admin and every row
checked against the official annex before production use: right/left arm from the shoulder 40/35%, right/left
hand from the wrist 32/28%, one leg from the hip 35%, one foot from the ankle 20%, both eyes 70%, one eye 35%,
hearing both ears 40%, one ear 20%, right/left thumb 15/12%, right/left index finger 9/7%, one big toe 5%.

Values are literals on purpose: a later regulation is a new row (admin or migration), never an edit of this one.
JKK claims recorded before ``jkk_kind`` existed are backfilled as "perawatan medis" so the next migration's
constraint holds.
"""

import datetime
from decimal import Decimal

from django.db import migrations

PP82 = datetime.date(2019, 12, 2)
PP44 = datetime.date(2015, 7, 1)
JKM = "PP 82/2019 Pasal 34 (mengubah PP 44/2015)"
JKK = "PP 82/2019 Lampiran III (mengubah PP 44/2015)"
BEASISWA = "PP 82/2019; Permenaker 5/2021"
D = Decimal

RULES = [
    # code, value, unit, valid_from, regulation, note
    ("JKM_SEKALIGUS", D("20000000"), "RUPIAH", PP82, JKM, ""),
    ("JKM_BERKALA_BULAN", D("500000"), "RUPIAH", PP82, JKM, "Dibayar sekaligus untuk 24 bulan"),
    ("JKM_BERKALA_KALI", D("24"), "KALI", PP82, JKM, ""),
    ("JKM_PEMAKAMAN", D("10000000"), "RUPIAH", PP82, JKM, ""),
    ("JKK_DEATH_FACTOR", D("48"), "KALI", PP82, JKK, "48 × penghasilan yang dilaporkan (U)"),
    ("JKK_DEATH_MIN", D("20000000"), "RUPIAH", PP82, JKK, "Santunan kematian JKK paling sedikit"),
    ("JKK_PEMAKAMAN", D("10000000"), "RUPIAH", PP82, JKK, ""),
    ("JKK_BERKALA", D("12000000"), "RUPIAH", PP82, JKK, "24 × Rp500.000, dibayar sekaligus"),
    ("CTT_FACTOR", D("56"), "KALI", PP82, JKK, "56 × U"),
    ("CACAT_SEBAGIAN_FACTOR", D("80"), "KALI", PP82, JKK, "% tabel × 80 × U"),
    ("STMB_FULL_PCT", D("100"), "PERSEN", PP82, JKK, ""),
    ("STMB_FULL_MONTHS", D("12"), "BULAN", PP82, JKK, ""),
    ("STMB_AFTER_PCT", D("50"), "PERSEN", PP82, JKK, "Sampai sembuh"),
    ("TRANSPORT_DARAT_MAX", D("5000000"), "RUPIAH", PP82, JKK, ""),
    ("TRANSPORT_LAUT_MAX", D("2000000"), "RUPIAH", PP82, JKK, ""),
    ("TRANSPORT_UDARA_MAX", D("10000000"), "RUPIAH", PP82, JKK, ""),
    ("HOMECARE_MAX", D("20000000"), "RUPIAH", PP82, JKK, "Paling lama 1 tahun"),
    ("BEASISWA_TK", D("1500000"), "RUPIAH", PP82, BEASISWA, ""),
    ("BEASISWA_TK_TAHUN", D("2"), "TAHUN", PP82, BEASISWA, ""),
    ("BEASISWA_SD", D("1500000"), "RUPIAH", PP82, BEASISWA, ""),
    ("BEASISWA_SD_TAHUN", D("6"), "TAHUN", PP82, BEASISWA, ""),
    ("BEASISWA_SMP", D("2000000"), "RUPIAH", PP82, BEASISWA, ""),
    ("BEASISWA_SMP_TAHUN", D("3"), "TAHUN", PP82, BEASISWA, ""),
    ("BEASISWA_SMA", D("3000000"), "RUPIAH", PP82, BEASISWA, ""),
    ("BEASISWA_SMA_TAHUN", D("3"), "TAHUN", PP82, BEASISWA, ""),
    ("BEASISWA_PT", D("12000000"), "RUPIAH", PP82, BEASISWA, "Perguruan tinggi atau pelatihan"),
    ("BEASISWA_PT_TAHUN", D("5"), "TAHUN", PP82, BEASISWA, ""),
    ("BEASISWA_CAP_PER_CHILD", D("87000000"), "RUPIAH", PP82, BEASISWA, "Rp174 jt untuk dua anak"),
    ("BEASISWA_MAX_CHILDREN", D("2"), "ORANG", PP82, BEASISWA, ""),
    ("BEASISWA_MAX_AGE", D("23"), "TAHUN", PP82, BEASISWA, "Juga berhenti bila menikah atau bekerja"),
    ("BEASISWA_JKM_MIN_MASA_IUR", D("36"), "BULAN", PP82, JKM, "Tidak berlaku untuk JKK (Permenaker 5/2021)"),
    ("NPWP_THRESHOLD", D("50000000"), "RUPIAH", PP82, "Persyaratan klaim BPJS Ketenagakerjaan", ""),
    ("JKK_CLAIM_EXPIRY_YEARS", D("5"), "TAHUN", PP82, "PP 82/2019 (Pasal 26)", "Sejak kecelakaan atau diagnosis"),
    ("SLA_JKM_DAYS", D("3"), "HARI", PP44, "PP 44/2015 Pasal 40 ayat (3)", "Sejak berkas lengkap"),
    ("SLA_JKK_DAYS", D("7"), "HARI", PP44, "PP 44/2015 Pasal 37", "Sejak berkas lengkap"),
    ("LATE_PCT_PER_DAY", D("1"), "PERSEN", PP44, "PP 44/2015 Pasal 37 dan 40", "Dibayarkan kepada penerima"),
]

CACAT_TABLE = "PP 44/2015 Lampiran III jo PP 82/2019 (sebagian baris; periksa terhadap lampiran resmi)"
CACAT_SEBAGIAN = [
    ("Lengan kanan dari sendi bahu ke bawah", D("40")),
    ("Lengan kiri dari sendi bahu ke bawah", D("35")),
    ("Tangan kanan dari atau dari atas pergelangan ke bawah", D("32")),
    ("Tangan kiri dari atau dari atas pergelangan ke bawah", D("28")),
    ("Sebelah kaki dari pangkal paha ke bawah", D("35")),
    ("Sebelah kaki dari mata kaki ke bawah", D("20")),
    ("Penglihatan kedua belah mata", D("70")),
    ("Penglihatan sebelah mata atau diplopia pada penglihatan dekat", D("35")),
    ("Pendengaran pada kedua belah telinga", D("40")),
    ("Pendengaran pada sebelah telinga", D("20")),
    ("Ibu jari tangan kanan", D("15")),
    ("Ibu jari tangan kiri", D("12")),
    ("Jari telunjuk tangan kanan", D("9")),
    ("Jari telunjuk tangan kiri", D("7")),
    ("Salah satu ibu jari kaki", D("5")),
]


def seed(apps, schema_editor):
    BenefitRule = apps.get_model("claims", "BenefitRule")
    CacatSebagianRate = apps.get_model("claims", "CacatSebagianRate")
    Claim = apps.get_model("claims", "Claim")
    for code, value, unit, valid_from, regulation, note in RULES:
        BenefitRule.objects.get_or_create(
            code=code,
            valid_from=valid_from,
            defaults={"value": value, "unit": unit, "regulation": regulation, "note": note},
        )
    for order, (body_part, percent) in enumerate(CACAT_SEBAGIAN, start=1):
        CacatSebagianRate.objects.get_or_create(
            body_part=body_part,
            valid_from=PP82,
            defaults={"percent": percent, "regulation": CACAT_TABLE, "sort_order": order * 10},
        )
    Claim.objects.filter(type="JKK", jkk_kind="").update(jkk_kind="PERAWATAN")


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_claim_workflow_heirs_documents_benefit_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
