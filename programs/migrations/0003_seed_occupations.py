"""Seed the editable list of pekerjaan categories seen in pekerja rentan programs (domain brief §1)."""

from django.db import migrations

OCCUPATIONS = [
    ("petani", "Petani/buruh tani", False),
    ("nelayan", "Nelayan", False),
    ("pedagang-kecil", "Pedagang kecil/PKL", False),
    ("buruh-harian-lepas", "Buruh harian lepas", False),
    ("ojek", "Ojek/ojek online", True),
    ("sopir", "Sopir", True),
    ("kurir", "Kurir", True),
    ("tukang-parkir", "Tukang parkir", False),
    ("buruh-bongkar-muat", "Buruh bongkar muat/pelabuhan", False),
    ("tukang-becak", "Tukang becak", False),
    ("art", "Asisten rumah tangga", False),
    ("tukang-bangunan", "Tukang bangunan", False),
    ("marbot", "Marbot/imam/bilal/garim/guru ngaji", False),
    ("ketua-rt-rw", "Ketua RT/RW", False),
    ("kader-posyandu", "Kader posyandu/PKK", False),
    ("perangkat-desa", "Perangkat desa/BPD", False),
    ("ptt-honorer", "PTT/honorer (non-ASN)", False),
    ("petugas-ad-hoc", "Petugas ad hoc pemilu/pilkada", False),
    ("pekerja-kebun", "Pekerja kebun (DBH sawit)", False),
    ("petani-tembakau", "Petani tembakau (DBHCHT)", False),
    ("lainnya", "Lainnya", False),
]


def seed(apps, schema_editor):
    Occupation = apps.get_model("programs", "Occupation")
    for code, name, is_transport in OCCUPATIONS:
        Occupation.objects.get_or_create(code=code, defaults={"name": name, "is_transport": is_transport})


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
