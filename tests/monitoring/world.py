"""A small hand-built world for coverage tests: two kab/kota of Bengkulu, people whose status is known by heart.

May 2026 (``MAY``), counted by hand:

======  ===================  ===  ==========  ==================================================  =============
person  desa                 sex  pekerjaan   enrolments                                          active in May
======  ===================  ===  ==========  ==================================================  =============
A       17.71.05.1001 Kota   L    nelayan     provinsi SG from 2026-01                            yes (SG)
B       17.71.05.1001 Kota   P    petani      provinsi SG from 2026-03                            yes (SG)
C       17.71.05.1002 Kota   P    ojek        desa Kandang SD from 2026-02                        yes (SD)
D       17.71.01.1001 Kota   L    nelayan     provinsi SG from 2026-01 + desa Kandang SD from     once, as SG
                                              2026-04 (double funding: counted once, earliest)
E       17.71.05.1001 Kota   L    petani      provinsi SG 2026-01 … 2026-03 (ended: the stand-in  no
                                              for nonaktif until arrears are recorded)
F       17.04.01.2001 Kaur   P    petani      provinsi SG from 2026-07 (future)                   no
G       17.04.01.2001 Kaur   L    petani      desa Gedung Wani SD from 2025-06                    yes (SD)
H       17.04.01.2002 Kaur   P    pedagang    desa Gedung Wani SD from 2026-05                    yes (SD)
J       17.04.01.2002 Kaur   L    nelayan     provinsi SG from 2025-01                            yes (SG)
K       17.04.01.2001 Kaur   P    nelayan     none                                                no
======  ===================  ===  ==========  ==================================================  =============

So in May: Kota Bengkulu 4 (2 L, 2 P; SG 3, SD 1), Kaur 3 (SD 2, SG 1), Provinsi Bengkulu 7 (SG 4, SD 3).

Double funding (D) cannot be stored on PostgreSQL while the participants app's one-payer check
``enrolment_one_payer_per_month`` is on (its triggers, migration 0008); it still happens on SQLite and in data from
before the check, so the coverage job must count such a NIK once. ``build_world(double_funding=True)`` disables
the check inside the test's own transaction (rolled back with it); transactional tests (browser, worker) use
``double_funding=False``, so D has only his provinsi enrolment and every figure above stays the same.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from participants.models import Enrolment, Participant
from programs.models import FundingSource, Occupation, Program, RegionTarget

D = datetime.date
MAY = D(2026, 5, 1)
KOTA, KAUR, BENTENG, PROV = "17.71", "17.04", "17.09", "17"
ONE_PAYER_TRIGGERS = ("enrolment_one_payer_per_month_insert", "enrolment_one_payer_per_month_update")

# Targets and denominators (value, source); the 2027 row must be ignored in 2026, the 2025 one used.
TARGETS = [
    (KOTA, 2026, "PENDUDUK_BEKERJA", "200", "BPS"),
    (KOTA, 2026, "SEMESTA_RENTAN", "50", "P3KE"),
    (KOTA, 2026, "UCJ_TARGET_PCT", "48", "KEMENDAGRI"),
    (KOTA, 2026, "TARGET_JIWA_RENTAN", "10", "RPJMD"),
    (KOTA, 2027, "TARGET_JIWA_RENTAN", "999", "RPJMD"),
    (KAUR, 2025, "PENDUDUK_BEKERJA", "100", "BPS"),
    (KAUR, 2026, "TARGET_JIWA_RENTAN", "5", "PEMDA"),
    (KAUR, 2026, "UCJ_TARGET_PCT", "48", "KEMENDAGRI"),
    (BENTENG, 2026, "TARGET_JIWA_RENTAN", "8", "PEMDA"),
    (PROV, 2026, "PENDUDUK_BEKERJA", "1000", "BPS"),
    (PROV, 2026, "UCJ_TARGET_PCT", "48", "KEMENDAGRI"),
    (PROV, 2026, "TARGET_JIWA_RENTAN", "20", "RPJMD"),
]


@dataclass
class World:
    prov: Program
    kota_desa: Program
    kaur_desa: Program
    people: dict[str, Participant] = field(default_factory=dict)


def nik(desa: str, serial: int, sex: str) -> str:
    day = 15 + (40 if sex == "P" else 0)
    return f"{desa[:8].replace('.', '')}{day:02d}0685{serial:04d}"


def allow_double_funding() -> None:
    """Let the test store a NIK paid twice in one month (rolled back with the test's transaction)."""
    if connection.vendor == "postgresql":
        disable = ", ".join(f"DISABLE TRIGGER {name}" for name in ONE_PAYER_TRIGGERS)
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE participants_enrolment {disable}")


def build_world(*, double_funding: bool = True, marker: str = "") -> World:
    if double_funding:
        allow_double_funding()  # first: ALTER TABLE refuses a table with pending (deferred) FK checks
    occupation = {o.code: o for o in Occupation.objects.all()}

    def program(code, name, owner, funding):
        return Program.objects.create(
            code=code, name=f"{name}{marker}", owner_region_id=owner, funding_source=funding, start_month=D(2025, 1, 1)
        )

    world = World(
        prov=program("apbd-provinsi", "APBD Provinsi Bengkulu", PROV, FundingSource.SG),
        kota_desa=program("dd-kandang", "Dana Desa Kandang", "17.71.05.1001", FundingSource.SD),
        kaur_desa=program("dd-gedung-wani", "Dana Desa Gedung Wani", "17.04.01.2001", FundingSource.SD),
    )
    people = [
        # key, desa, sex, pekerjaan, [(program, start, end)]
        ("A", "17.71.05.1001", "L", "nelayan", [(world.prov, D(2026, 1, 1), None)]),
        ("B", "17.71.05.1001", "P", "petani", [(world.prov, D(2026, 3, 1), None)]),
        ("C", "17.71.05.1002", "P", "ojek", [(world.kota_desa, D(2026, 2, 1), None)]),
        ("D", "17.71.01.1001", "L", "nelayan", [(world.prov, D(2026, 1, 1), None)]),
        ("E", "17.71.05.1001", "L", "petani", [(world.prov, D(2026, 1, 1), D(2026, 3, 1))]),
        ("F", "17.04.01.2001", "P", "petani", [(world.prov, D(2026, 7, 1), None)]),
        ("G", "17.04.01.2001", "L", "petani", [(world.kaur_desa, D(2025, 6, 1), None)]),
        ("H", "17.04.01.2002", "P", "pedagang-kecil", [(world.kaur_desa, D(2026, 5, 1), None)]),
        ("J", "17.04.01.2002", "L", "nelayan", [(world.prov, D(2025, 1, 1), None)]),
        ("K", "17.04.01.2001", "P", "nelayan", []),
    ]
    for serial, (key, desa, sex, job, enrolments) in enumerate(people, start=1):
        person = Participant.objects.create(
            nik=nik(desa, serial, sex),
            nama=f"Peserta {key}{marker}",
            tanggal_lahir=D(1985, 6, 15),
            jenis_kelamin=sex,
            desa_id=desa,
            pekerjaan=occupation[job],
        )
        world.people[key] = person
        for prog, start, end in enrolments:
            Enrolment.objects.create(
                participant=person,
                program=prog,
                funding_source=prog.funding_source,
                start_month=start,
                end_month=end,
            )
    if double_funding:
        Enrolment.objects.create(
            participant=world.people["D"],
            program=world.kota_desa,
            funding_source=FundingSource.SD,
            start_month=D(2026, 4, 1),
        )
    for region, year, indicator, value, source in TARGETS:
        RegionTarget.objects.create(
            region_id=region, year=year, indicator=indicator, value=Decimal(value), source=source
        )
    return world
