"""Deterministic, clearly synthetic demo data for Provinsi Bengkulu (``manage.py seed_demo``).

Figures follow the news reports the project grew from (../shared/seeds): the province protected 39.487 pekerja
rentan in 2024 in Kaur, Mukomuko, Rejang Lebong and Bengkulu Selatan; Kota Bengkulu plans 1.700 nelayan; BPJS asked
the kab/kota to budget 70% of their pekerja rentan for 2025; UCJ target 48%. Every person is invented: surnames
are words such as "Contoh" and "Fiktif" so no one mistakes them for real people.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from claims.models import (
    AhliWaris,
    CacatSebagianRate,
    Claim,
    ClaimBenefitLine,
    ClaimPayment,
    ClaimTransition,
    SchoolLevel,
)
from participants.models import Enrolment, Participant
from programs.models import Branch, Budget, FundingSource, Occupation, Program, Region, RegionTarget
from programs.services import regions_load
from rentan.models import User

DEMO_PASSWORD = "rentan-demo-2024"  # noqa: S105 - printed for the demo accounts on purpose
PROVINCE = "17"
MARKER_PROGRAM = "demo-prov-17-apbd"
MONTHLY_IURAN = Decimal("16800")  # JKK 1% × Rp1 jt + JKM Rp6.800 (PP 44/2015 jo PP 49/2023)

FIRST_NAMES_L = ("Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irwan", "Joko", "Rahmat", "Wahyu", "Yusuf")
FIRST_NAMES_P = ("Siti", "Dewi", "Fitri", "Indah", "Lestari", "Nur", "Rina", "Sri", "Wati", "Yanti", "Ratna")
SYNTHETIC_SURNAMES = ("Contoh", "Fiktif", "Sampel", "Demo", "Rekaan", "Uji")

# (username, full name, role, region code or branch code)
DEMO_USERS = [
    ("disnaker.provinsi", "Operator Disnaker Provinsi Bengkulu", User.Role.DISNAKER, "17"),
    ("disnaker.kota", "Operator Disnaker Kota Bengkulu", User.Role.DISNAKER, "17.71"),
    ("disnaker.kaur", "Operator Disnaker Kabupaten Kaur", User.Role.DISNAKER, "17.04"),
    ("disnaker.desa", "Operator Kelurahan Kandang", User.Role.DISNAKER, "17.71.05.1001"),
    ("bpjs.bengkulu", "Petugas BPJS Cabang Bengkulu", User.Role.BPJS, "bengkulu"),
    ("sekda", "Sekda Provinsi Bengkulu", User.Role.PIMPINAN, "17"),
    ("admin", "Administrator Rentan", User.Role.ADMIN, ""),
]

BRANCHES = [
    ("bengkulu", "BPJS Ketenagakerjaan Cabang Bengkulu", ["17.71", "17.09", "17.05", "17.03", "17.06"]),
    ("curup", "BPJS Ketenagakerjaan Cabang Curup", ["17.02", "17.07", "17.08"]),
    ("manna", "BPJS Ketenagakerjaan Cabang Manna", ["17.01", "17.04"]),
]

# Semesta pekerja rentan per kab/kota (synthetic, roughly by population); 70% of it is the 2025 target.
SEMESTA = {
    "17.01": 9800, "17.02": 17400, "17.03": 19300, "17.04": 8900, "17.05": 12100,
    "17.06": 11200, "17.07": 6900, "17.08": 8800, "17.09": 7900, "17.71": 12580,
}  # fmt: skip
PENDUDUK_BEKERJA_PROVINSI = Decimal("1095000")


@dataclass
class DemoResult:
    created: bool
    participants: int = 0
    enrolments: int = 0
    claims: int = 0


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; existing accounts (and changed passwords) are left alone."""
    rows = []
    for username, full_name, role, scope in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _, last = full_name.partition(" ")
            user = User(username=username, first_name=first, last_name=last, role=role)
            if role == User.Role.BPJS:
                user.branch = Branch.objects.get(code=scope)
            elif scope:
                user.region_id = scope
            if role == User.Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.set_password(DEMO_PASSWORD)
            user.save()
        rows.append((username, user.get_role_display(), user.scope_label))
    return rows


def _month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1)


class _People:
    """Generates unique, valid-looking participants in a set of kab/kota."""

    def __init__(self, rng: random.Random, occupations: list[Occupation]):
        self.rng = rng
        self.occupations = occupations
        self.niks: set[str] = set()
        self.desa_by_kabkota: dict[str, list[str]] = {}
        for code in Region.objects.filter(level=Region.Level.DESA, code__startswith=f"{PROVINCE}.").values_list(
            "code", flat=True
        ):
            self.desa_by_kabkota.setdefault(code[:5], []).append(code)

    def make(self, kabkota: str, occupation: Occupation | None = None, source=Participant.DataSource.P3KE):
        rng = self.rng
        desa = rng.choice(self.desa_by_kabkota[kabkota])
        sex = rng.choice(Participant.Sex.values)
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 45))
        day = birth.day + (40 if sex == Participant.Sex.PEREMPUAN else 0)
        # NIK: kecamatan of first registration (here: of domicile), DDMMYY (+40 for women), serial.
        while True:
            nik = f"{desa[:8].replace('.', '')}{day:02d}{birth:%m%y}{rng.randrange(1, 10000):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                break
        first = rng.choice(FIRST_NAMES_P if sex == Participant.Sex.PEREMPUAN else FIRST_NAMES_L)
        return Participant(
            nik=nik,
            nama=f"{first} {rng.choice(SYNTHETIC_SURNAMES)}",
            tanggal_lahir=birth,
            jenis_kelamin=sex,
            alamat=f"Jl. Contoh No. {rng.randrange(1, 200)}",
            desa_id=desa,
            pekerjaan=occupation or rng.choice(self.occupations),
            no_hp=f"08{rng.randrange(10**9, 10**10)}",
            data_source=source,
        )


def _programs(admin: User) -> dict[str, Program]:
    specs = [
        (MARKER_PROGRAM, "Perlindungan Pekerja Rentan APBD Provinsi Bengkulu", "17", FundingSource.SG,
         _month(2024, 1), None, 39487, "PKS/BPJSTK-17/001/2024"),
        ("demo-kota-bengkulu-nelayan", "Nelayan Kecil Kota Bengkulu (APBD Kota)", "17.71", FundingSource.SG,
         _month(2025, 3), None, 1700, "PKS/BPJSTK-1771/007/2025"),
        ("demo-kaur-2025", "Jamsostek Pekerja Rentan Kabupaten Kaur", "17.04", FundingSource.SG,
         _month(2025, 1), _month(2025, 12), 2500, "PKS/BPJSTK-1704/002/2025"),
        ("demo-desa-100-rejang-lebong", "1 Desa 100 Pekerja Rentan Desa Air Meles Atas", "17.02.01.2001",
         FundingSource.SD, _month(2025, 1), None, 100, ""),
        ("demo-csr-ojol-bengkulu", "CSR Perbankan untuk Ojek Online Kota Bengkulu", "17.71", FundingSource.SB,
         _month(2026, 1), None, 300, "PKS/CSR/2026/01"),
    ]  # fmt: skip
    programs = {}
    for code, name, region, funding, start, end, target, pks in specs:
        if not Region.objects.filter(code=region).exists():
            region = region[:5]  # a desa code renamed in a later Kepmendagri: fall back to its kab/kota
        programs[code] = Program.objects.create(
            code=code,
            name=name,
            owner_region_id=region,
            funding_source=funding,
            is_transport=code == "demo-csr-ojol-bengkulu",
            start_month=start,
            end_month=end,
            target_jiwa=target,
            pks_number=pks,
            pks_date=start - datetime.timedelta(days=20) if pks else None,
            created_by=admin,
        )
    return programs


def _budgets(programs: dict[str, Program]) -> None:
    rows = []
    for program in programs.values():
        for year in range(program.start_month.year, 2027):
            if program.end_month and year > program.end_month.year:
                break
            months = 12 - (program.start_month.month - 1 if year == program.start_month.year else 0)
            murni = program.target_jiwa * MONTHLY_IURAN * months
            rows.append(
                Budget(
                    program=program,
                    fiscal_year=year,
                    amount=murni,
                    decided_on=datetime.date(year - 1, 11, 30),
                )
            )
            if year == 2025 and program.code == MARKER_PROGRAM:
                rows.append(
                    Budget(
                        program=program,
                        fiscal_year=year,
                        stage=Budget.Stage.PERUBAHAN,
                        amount=murni * Decimal("1.05"),
                        decided_on=datetime.date(2025, 9, 15),
                        note="Tambahan peserta APBD-P",
                    )
                )
    Budget.objects.bulk_create(rows)


def _targets() -> None:
    rows = [
        RegionTarget(region_id=PROVINCE, year=2025, indicator=RegionTarget.Indicator.UCJ_TARGET_PCT,
                     value=Decimal("48"), source=RegionTarget.Source.KEMENDAGRI),
        RegionTarget(region_id=PROVINCE, year=2025, indicator=RegionTarget.Indicator.PENDUDUK_BEKERJA,
                     value=PENDUDUK_BEKERJA_PROVINSI, source=RegionTarget.Source.BPS, note="Angka contoh"),
        RegionTarget(region_id=PROVINCE, year=2025, indicator=RegionTarget.Indicator.SEMESTA_RENTAN,
                     value=Decimal(sum(SEMESTA.values())), source=RegionTarget.Source.P3KE, note="Angka contoh"),
    ]  # fmt: skip
    for code, semesta in SEMESTA.items():
        rows.append(
            RegionTarget(
                region_id=code,
                year=2025,
                indicator=RegionTarget.Indicator.SEMESTA_RENTAN,
                value=Decimal(semesta),
                source=RegionTarget.Source.P3KE,
                note="Angka contoh",
            )
        )
        rows.append(
            RegionTarget(
                region_id=code,
                year=2025,
                indicator=RegionTarget.Indicator.TARGET_JIWA_RENTAN,
                value=Decimal(semesta * 70 // 100),
                source=RegionTarget.Source.PEMDA,
                note="70% semesta, permintaan BPJS Ketenagakerjaan Bengkulu",
            )
        )
    RegionTarget.objects.bulk_create(rows)


def _enrol(people: list[Participant], program: Program, start: datetime.date, rng, ended_share=0.0):
    enrolments = []
    for person in people:
        end = None
        if ended_share and rng.random() < ended_share:
            end = _month(2025, rng.randrange(1, 13))
        enrolments.append(
            Enrolment(
                participant=person,
                program=program,
                funding_source=program.funding_source,
                start_month=start,
                end_month=end if end is None or end >= start else start,
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    return enrolments


# Where a demo claim stops in the workflow, and the statuses it passes through to get there.
_CLAIM_PATHS = {
    Claim.Status.DIAJUKAN: [Claim.Status.DIAJUKAN],
    Claim.Status.VERIFIKASI: [Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI],
    Claim.Status.BERKAS_KURANG: [Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI, Claim.Status.BERKAS_KURANG],
    Claim.Status.BERKAS_LENGKAP: [Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI, Claim.Status.BERKAS_LENGKAP],
    Claim.Status.DISETUJUI: [
        Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI, Claim.Status.BERKAS_LENGKAP, Claim.Status.DISETUJUI,
    ],
    Claim.Status.DITOLAK: [Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI, Claim.Status.DITOLAK],
    Claim.Status.DIBAYAR: [
        Claim.Status.DIAJUKAN, Claim.Status.VERIFIKASI, Claim.Status.BERKAS_LENGKAP, Claim.Status.DISETUJUI,
        Claim.Status.DIBAYAR,
    ],
}  # fmt: skip
_SCHOOL_AGES = [(SchoolLevel.SD, 9), (SchoolLevel.SMP, 13), (SchoolLevel.SMA, 16), (SchoolLevel.PT, 19)]


def _claim_heirs(claim: Claim, person: Participant, rng) -> list[AhliWaris]:
    """A spouse and up to two school-age children, with synthetic NIKs and bank accounts."""
    desa = person.desa_id[:8].replace(".", "")
    spouse_sex = (
        Participant.Sex.PEREMPUAN if person.jenis_kelamin == Participant.Sex.LAKI_LAKI else Participant.Sex.LAKI_LAKI
    )
    spouse_birth = person.tanggal_lahir + datetime.timedelta(days=rng.randrange(-900, 900))
    people = [
        (
            AhliWaris.Relationship.JANDA if spouse_sex == "P" else AhliWaris.Relationship.DUDA,
            spouse_birth,
            "",
            spouse_sex,
        )
    ]
    for level, age in rng.sample(_SCHOOL_AGES, rng.randrange(0, 3)):
        birth = claim.incident_date - datetime.timedelta(days=365 * age + rng.randrange(0, 300))
        people.append((AhliWaris.Relationship.ANAK, birth, level, rng.choice(Participant.Sex.values)))
    heirs = []
    for number, (relationship, birth, level, sex) in enumerate(people, start=1):
        day = birth.day + (40 if sex == Participant.Sex.PEREMPUAN else 0)
        first = rng.choice(FIRST_NAMES_P if sex == Participant.Sex.PEREMPUAN else FIRST_NAMES_L)
        heirs.append(
            AhliWaris(
                claim=claim,
                nama=f"{first} {rng.choice(SYNTHETIC_SURNAMES)}",
                nik=f"{desa}{day:02d}{birth:%m%y}{number:04d}",
                relationship=relationship,
                tanggal_lahir=birth,
                school_level=level,
                bank_name="Bank Bengkulu" if number == 1 else "",
                bank_account=f"{rng.randrange(10**9, 10**10)}" if number == 1 else "",
            )
        )
    return heirs


def _claims(enrolments: list[Enrolment], branch_by_kabkota: dict[str, Branch], officer: User, rng) -> int:
    """60 claims spread over every workflow status, each with heirs and a timeline; approved and paid ones carry
    the breakdown computed from the benefit rules, like a claim that went through the services."""
    from claims.benefits import calculate_benefit
    from claims.eligibility import check_eligibility
    from claims.sla import sla_due_date, sla_state

    today = timezone.localdate()
    statuses = list(_CLAIM_PATHS)
    jkk_kinds = [Claim.JkkKind.PERAWATAN, Claim.JkkKind.STMB, Claim.JkkKind.MENINGGAL, Claim.JkkKind.CACAT_SEBAGIAN]
    cacat = CacatSebagianRate.objects.order_by("sort_order").first()
    claims, paths = [], []
    for enrolment in rng.sample(enrolments, 60):
        person = enrolment.participant
        claim_type = rng.choice([Claim.Type.JKM, Claim.Type.JKM, Claim.Type.JKK])
        kind = rng.choice(jkk_kinds) if claim_type == Claim.Type.JKK else ""
        status = rng.choice(statuses)
        incident = enrolment.start_month + datetime.timedelta(days=rng.randrange(30, 600))
        incident = min(incident, today - datetime.timedelta(days=30))
        reported = timezone.make_aware(datetime.datetime.combine(incident, datetime.time(9))) + datetime.timedelta(
            days=rng.randrange(1, 8)
        )
        complete_on = None
        if Claim.Status.BERKAS_LENGKAP in _CLAIM_PATHS[status]:
            complete_on = reported.date() + datetime.timedelta(days=rng.randrange(2, 10))
        claims.append(
            Claim(
                participant=person,
                type=claim_type,
                jkk_kind=kind,
                status=Claim.Status.DIAJUKAN,
                incident_date=incident,
                incident_place=person.alamat,
                cause="Sakit" if claim_type == Claim.Type.JKM else "Kecelakaan saat bekerja",
                is_work_related=claim_type == Claim.Type.JKK,
                reporter_name="Keluarga peserta" if claim_type == Claim.Type.JKM else "Ketua kelompok nelayan",
                branch=branch_by_kabkota[person.desa_id[:5]],
                reported_by=officer,
                reported_at=reported,
                medical_cost=Decimal(rng.randrange(5, 80) * 100000) if claim_type == Claim.Type.JKK else Decimal(0),
                transport_land=Decimal(rng.choice([0, 350000, 6500000]))
                if claim_type == Claim.Type.JKK
                else Decimal(0),
                stmb_months=rng.choice([2, 14]) if kind == Claim.JkkKind.STMB else 0,
                cacat_rate=cacat if kind == Claim.JkkKind.CACAT_SEBAGIAN else None,
                complete_on=complete_on,
            )
        )
        paths.append(_CLAIM_PATHS[status])
    Claim.objects.bulk_create(claims)

    heirs_by_claim = {
        claim.pk: _claim_heirs(claim, claim.participant, rng) if claim.is_death else [] for claim in claims
    }
    AhliWaris.objects.bulk_create([heir for heirs in heirs_by_claim.values() for heir in heirs])

    transitions, lines, payments = [], [], []
    for claim, path in zip(claims, paths, strict=True):
        heirs = heirs_by_claim[claim.pk]
        if claim.complete_on:
            claim.due_on = sla_due_date(claim, claim.complete_on)
        if Claim.Status.DISETUJUI in path:
            eligibility = check_eligibility(claim, heirs=heirs)
            breakdown = calculate_benefit(claim, eligibility=eligibility, heirs=heirs)
            if not eligibility.eligible or not breakdown.lines:
                path = _CLAIM_PATHS[Claim.Status.DITOLAK]
                claim.complete_on = claim.due_on = None
                claim.rejection_reason = " ".join(eligibility.reasons) or "Tidak ada manfaat yang dapat dibayar."
            else:
                claim.benefit_amount = breakdown.total
                claim.decided_at = timezone.make_aware(datetime.datetime.combine(claim.complete_on, datetime.time(14)))
                lines += [
                    ClaimBenefitLine(
                        claim=claim,
                        position=position,
                        code=line.code,
                        label=line.label[:200],
                        rule_text=line.rule_text[:300],
                        amount=line.amount,
                        heir=line.heir,
                        school_level=line.school_level,
                    )
                    for position, line in enumerate(breakdown.lines, start=1)
                ]
        claim.status = path[-1]
        if claim.status == Claim.Status.DITOLAK and not claim.rejection_reason:
            claim.rejection_reason = "Berkas tidak dapat diverifikasi (data demo)."
        if claim.status == Claim.Status.BERKAS_KURANG:
            claim.missing_documents = ["SURAT_AHLI_WARIS", "BUKU_TABUNGAN"]
        if claim.status == Claim.Status.DIBAYAR:
            claim.paid_on = min(claim.due_on + datetime.timedelta(days=rng.choice([-1, 0, 0, 2])), today)
            claim.payment_reference = f"TRX-DEMO-{rng.randrange(10**6, 10**7)}"
            sla = sla_state(claim, today=claim.paid_on)
            payments.append(
                ClaimPayment(
                    claim=claim,
                    amount=claim.benefit_amount,
                    paid_on=claim.paid_on,
                    reference=claim.payment_reference,
                    recipient=heirs[0] if heirs else None,
                    recipient_name=heirs[0].nama if heirs else claim.participant.nama,
                    bank_name=heirs[0].bank_name if heirs else "Bank Bengkulu",
                    bank_account=heirs[0].bank_account if heirs else f"{rng.randrange(10**9, 10**10)}",
                    late_days=sla.late_days,
                    late_compensation=sla.compensation,
                    paid_by=officer,
                )
            )
        # The timeline agrees with the claim's dates: complete, decided and paid on the days recorded above.
        fixed_days = {
            Claim.Status.BERKAS_LENGKAP: claim.complete_on,
            Claim.Status.DISETUJUI: claim.decided_at.date() if claim.decided_at else None,
            Claim.Status.DIBAYAR: claim.paid_on,
        }
        at = claim.reported_at
        for previous, current in zip(["", *path], path, strict=False):
            if fixed_days.get(current):
                at = max(at, timezone.make_aware(datetime.datetime.combine(fixed_days[current], datetime.time(11))))
            transitions.append(
                ClaimTransition(claim=claim, from_status=previous, to_status=current, by=officer, at=at, note="")
            )
            at += datetime.timedelta(hours=rng.randrange(2, 30))
    Claim.objects.bulk_update(
        claims,
        [
            "status", "complete_on", "due_on", "benefit_amount", "decided_at", "rejection_reason",
            "missing_documents", "paid_on", "payment_reference",
        ],
    )  # fmt: skip
    ClaimBenefitLine.objects.bulk_create(lines)
    ClaimPayment.objects.bulk_create(payments)
    ClaimTransition.objects.bulk_create(transitions)
    return len(claims)


@transaction.atomic
def seed_demo(*, province_participants: int = 39487, seed: int = 2024) -> DemoResult:
    """Create the Bengkulu demo world once; a second call changes nothing and returns ``created=False``."""
    if not Region.objects.filter(code=PROVINCE).exists():
        regions_load()
    for code, name, kabkota in BRANCHES:
        branch, _ = Branch.objects.get_or_create(code=code, defaults={"name": name})
        if not branch.regions.exists():
            branch.regions.set(kabkota)
    if Program.objects.filter(code=MARKER_PROGRAM).exists():
        return DemoResult(created=False)

    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    ensure_demo_users()
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="bpjs.bengkulu")
    occupations = list(Occupation.objects.exclude(is_transport=True).order_by("code"))
    ojek = Occupation.objects.get(code="ojek")
    nelayan = Occupation.objects.get(code="nelayan")
    programs = _programs(admin)
    _budgets(programs)
    _targets()
    people = _People(rng, occupations)

    province_kabkota = ["17.04", "17.06", "17.02", "17.01"]  # Kaur, Mukomuko, Rejang Lebong, Bengkulu Selatan
    groups = {
        MARKER_PROGRAM: [people.make(rng.choice(province_kabkota)) for _ in range(province_participants)],
        "demo-kota-bengkulu-nelayan": [people.make("17.71", nelayan) for _ in range(min(1700, province_participants))],
        "demo-kaur-2025": [people.make("17.04") for _ in range(min(2500, province_participants))],
        "demo-desa-100-rejang-lebong": [
            people.make("17.02", source=Participant.DataSource.USULAN_DESA) for _ in range(100)
        ],
        "demo-csr-ojol-bengkulu": [people.make("17.71", ojek) for _ in range(min(300, province_participants))],
    }
    all_people = [person for group in groups.values() for person in group]
    Participant.objects.bulk_create(all_people, batch_size=2000)

    enrolments = []
    for code, group in groups.items():
        program = programs[code]
        ended_share = 0.03 if code == MARKER_PROGRAM else 0.0
        enrolments += _enrol(group, program, program.start_month, rng, ended_share)

    branch_by_kabkota = {region.code: branch for branch in Branch.objects.all() for region in branch.regions.all()}
    claims = _claims(enrolments, branch_by_kabkota, officer, rng)
    return DemoResult(created=True, participants=len(all_people), enrolments=len(enrolments), claims=claims)
