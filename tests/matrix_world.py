"""The world of the authorization matrix: four sites of data, each marked with canary values, and the personas.

Sites (every one has a program with a budget, participants, enrolments, claims at each status with heirs,
documents and a payment, a participant list import with refused rows and its report, a BPJS reply import and a
coverage target; coverage snapshots are computed for July 2025 by a real coverage run):

- ``desa``: Kelurahan 17.71.05.1001 (Kota Bengkulu). Inside every persona's scope: the "own" objects.
- ``kota``: the rest of Kota Bengkulu (desa 17.71.01.1001, program owned by 17.71). Foreign to the desa operator.
- ``kaur``: Kabupaten Kaur (17.04). Foreign to Kota Bengkulu's operators and to the BPJS branch of Bengkulu.
- ``p16``: Kota Palembang (16.71, Sumatera Selatan). Foreign to everyone but administrators.

Plus one province program (owner ``17``) that every Bengkulu persona may read, enrolling people of the three
Bengkulu sites. Every text a site writes carries its marker (``KANARI-KAUR-7f3a``), and every number (NIK, phone,
KPJ, bank account) is unique to its site, so a response that shows a site's data is caught by a plain scan.

The world is built once per test module inside an outer transaction (the pattern of Django's
``TestCase.setUpTestData``): each test runs in a savepoint inside it and the whole world is rolled back at the
end, province 16's regions included.
"""

import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from claims import services as claim_services
from claims.models import AhliWaris, Claim
from monitoring import services as monitoring_services
from monitoring.models import CoverageRun
from participants import services as participant_services
from participants.models import ImportBatch, Participant
from programs import billing
from programs import services as program_services
from programs.models import Branch, Program, Region, RegionTarget
from programs.services import regions_load
from rentan.models import User
from tests.claims.conftest import attach_documents, make_claim
from tests.conftest import make_user
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory, nik_for

D = datetime.date
TOKEN = "7f3a"
SITE_KEYS = ("desa", "kota", "kaur", "p16")
CLAIM_KEYS = ("diajukan", "verifikasi", "verifikasi_lengkap", "lengkap", "disetujui", "dibayar", "ditolak")
PROV_PROGRAM_MARKER = f"PROGRAM-PROV-{TOKEN}"
COVERAGE_MONTH = D(2025, 7, 1)
# Which region subtree holds each site's data (kota: Kota Bengkulu minus the desa site).
SITE_REGION = {"desa": "17.71.05.1001", "kota": "17.71", "kaur": "17.04", "p16": "16.71"}


def under(code: str | None, root: str) -> bool:
    return bool(code) and (code == root or code.startswith(f"{root}."))


def site_of(code: str | None) -> str | None:
    """The site a region code belongs to (None for other Bengkulu regions and the province itself)."""
    if under(code, SITE_REGION["desa"]):
        return "desa"
    for key in ("kota", "kaur"):
        if under(code, SITE_REGION[key]):
            return key
    if under(code, "16"):
        return "p16"
    if code == "17":
        return "prov"
    return None


@dataclass
class Site:
    key: str
    index: int
    marker: str  # in every text of the site's data
    program_marker: str  # in the site program's name, code and budget note
    desa: str  # where the site's participants live
    kabkota: str  # the kab/kota (or, for the desa site, the desa) used for region pages
    program_owner: str
    operator: User | None = None
    officer: User | None = None
    program: Program | None = None
    participants: dict[str, Participant] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    heirs: dict[str, AhliWaris] = field(default_factory=dict)
    document = None
    batch: ImportBatch | None = None
    reply_batch: ImportBatch | None = None
    target: RegionTarget | None = None
    numbers: set[str] = field(default_factory=set)  # NIKs, phones, KPJs, bank accounts: matched exactly
    texts: set[str] = field(default_factory=set)  # names, addresses, file names...: matched case-insensitively

    def number(self, kind: int, serial: int, width: int = 8) -> str:
        """A digit string unique to this site: ``9`` + site + kind + serial."""
        value = f"9{self.index}{kind}{serial:0{width}d}"
        self.numbers.add(value)
        return value

    def nik(self, serial: int, birth: datetime.date | None = None, sex="L", desa: str | None = None) -> str:
        value = nik_for(desa or self.desa, birth or D(1985, 3, 4), sex, self.index * 1000 + serial)
        self.numbers.add(value)
        return value

    def text(self, value: str) -> str:
        assert TOKEN in value, "every text canary carries the token (the scan looks for it first)"
        self.texts.add(value)
        return value


@dataclass
class World:
    sites: dict[str, Site]
    users: dict[str, User]
    prov_program: Program
    branches: dict[str, Branch]
    helpers: dict[str, User]
    p16_desa: str
    files: Path
    coverage_run: CoverageRun | None = None
    sessions: dict[str, str] = field(default_factory=dict)  # persona → session key, signed in once per module

    def site(self, key: str) -> Site:
        return self.sites[key]


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer says ``text`` (so pypdf can read it back)."""
    stream = f"BT /F1 12 Tf 40 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


LIST_HEADER = [
    "No",
    "NIK",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tgl Lahir",
    "L/P",
    "Alamat",
    "Kode Desa",
    "Pekerjaan",
    "No. HP",
]


def _write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _personas(branch_bengkulu: Branch) -> dict[str, User]:
    """The same personas as tests/conftest.py's fixtures (same names, roles and scopes), made once per module."""
    return {
        "disnaker_provinsi": make_user("disnaker-provinsi", User.Role.DISNAKER, region="17"),
        "disnaker_kota_bengkulu": make_user("disnaker-kota", User.Role.DISNAKER, region="17.71"),
        "disnaker_desa": make_user("disnaker-desa", User.Role.DISNAKER, region="17.71.05.1001"),
        "bpjs_cabang": make_user("bpjs-cabang", User.Role.BPJS, branch=branch_bengkulu),
        "sekda": make_user("sekda", User.Role.PIMPINAN, region="17"),
        "administrator": make_user("administrator", User.Role.ADMIN, is_staff=True, is_superuser=True),
        "inactive_user": make_user("nonaktif", User.Role.DISNAKER, region="17.71", is_active=False),
    }


def _claim(site: Site, admin: User, key: str, participant: Participant) -> Claim:
    """A JKM claim walked through the real workflow services up to the status ``key`` names."""
    claim = make_claim(
        participant,
        incident_date=D(2025, 2, 10),
        cause=site.text(f"Sebab {site.marker} {key}"),
        reporter_name=site.text(f"Pelapor {site.marker} {key}"),
        reporter_phone=site.number(3, CLAIM_KEYS.index(key), width=7),
    )
    serial = 500 + CLAIM_KEYS.index(key)
    heir = claim_services.heir_add(
        user=admin,
        claim=claim,
        data={
            "nama": site.text(f"{site.marker} Ahli Waris {key}"),
            "nik": site.nik(serial, birth=D(1987, 5, 6), sex="P"),
            "relationship": AhliWaris.Relationship.JANDA,
            "tanggal_lahir": D(1987, 5, 6),
            "bank_name": "Bank Contoh",
            "bank_account": site.number(4, CLAIM_KEYS.index(key), width=10),
            "phone": site.number(5, CLAIM_KEYS.index(key), width=7),
        },
    )
    site.heirs[key] = heir
    if key == "diajukan":
        content = minimal_pdf(f"Akta {site.marker} rahasia")
        site.document = claim_services.document_upload(
            user=admin,
            claim=claim,
            kind="AKTA_KEMATIAN",
            uploaded_file=SimpleUploadedFile(site.text(f"{site.marker}-akta.pdf"), content, "application/pdf"),
        )
        return claim
    if key != "verifikasi":
        attach_documents(claim, admin)
    claim_services.claim_verify(user=admin, claim=claim)
    if key in ("verifikasi", "verifikasi_lengkap"):
        return claim
    if key == "ditolak":
        claim_services.claim_reject(user=admin, claim=claim, reason=site.text(f"Ditolak {site.marker}"))
        return claim
    claim_services.claim_mark_complete(user=admin, claim=claim, on=D(2025, 3, 3))
    if key == "lengkap":
        return claim
    claim_services.claim_approve(user=admin, claim=claim)
    if key == "disetujui":
        return claim
    claim_services.claim_pay(
        user=admin,
        claim=claim,
        paid_on=D(2025, 3, 5),
        reference=site.text(f"TRX-{site.marker}"),
        recipient=heir,
        bank_account=site.number(6, 1, width=10),
    )
    return claim


def _participant(site: Site, key: str, serial: int, **fields) -> Participant:
    return ParticipantFactory(
        nama=site.text(f"{site.marker} Peserta {key}"),
        nik=site.nik(serial),
        tanggal_lahir=D(1985, 3, 4),
        desa_id=site.desa,
        alamat=site.text(f"Jl. {site.marker} No. {serial}"),
        tempat_lahir="Bengkulu",
        no_hp=site.number(1, serial, width=7),
        kpj=site.number(2, serial, width=7),
        **fields,
    )


def _imports(site: Site, files: Path, refused_desa: str, paid_elsewhere: Participant | None = None) -> None:
    """A participant list checked by the site's operator (two good rows, one refused) and a BPJS reply.

    ``paid_elsewhere``: a participant of the site whom another site's program pays, listed again (refused: one
    payer per month, with a reason that must not name a program the viewer may not read).
    """
    folder = files / site.key
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, (desa, serial) in enumerate([(site.desa, 801), (site.desa, 802), (refused_desa, 803)], start=1):
        rows.append(
            [
                number,
                site.nik(serial, birth=D(1990, 1, 2), desa=desa),
                site.text(f"{site.marker} Impor {serial}"),
                "Bengkulu",
                "02/01/1990",
                "L",
                site.text(f"Jl. {site.marker} Impor {serial}"),
                desa,
                "Nelayan",
                site.number(7, serial, width=7),
            ]
        )
    if paid_elsewhere is not None:
        p = paid_elsewhere
        rows.append([4, p.nik, p.nama, "", "04/03/1985", "L", "", p.desa_id, "Nelayan", ""])
    name = site.text(f"{site.marker}-daftar.csv")
    source = _write_csv(folder / name, LIST_HEADER, rows)
    batch = participant_services.import_batch_create(
        user=site.operator,
        program=site.program,
        source_path=source,
        file_name=name,
        start_month=D(2025, 7, 1),
        enqueue=False,
    )
    site.batch = participant_services.import_batch_validate(batch_id=batch.pk)
    assert site.batch.status == ImportBatch.Status.VALIDATED, site.batch.error_message
    assert site.batch.rows_refused == 1 + bool(paid_elsewhere), site.batch.preview
    assert Path(site.batch.error_report_path).exists()

    plain = site.participants["plain"]
    reply_name = site.text(f"{site.marker}-balasan.csv")
    reply = _write_csv(
        folder / reply_name,
        ["NIK", "KPJ", "Tanggal Kepesertaan", "Status"],
        [[plain.nik, plain.kpj, "01/02/2025", "AKTIF"], [site.nik(804), site.number(2, 804, width=7), "", "AKTIF"]],
    )
    reply_batch = participant_services.import_batch_create(
        user=site.officer,
        program=site.program,
        source_path=reply,
        file_name=reply_name,
        kind=ImportBatch.Kind.BPJS_REPLY,
        enqueue=False,
    )
    site.reply_batch = participant_services.bpjs_reply_import(batch_id=reply_batch.pk)
    assert site.reply_batch.status == ImportBatch.Status.DONE, site.reply_batch.error_message


def build_world(files: Path) -> World:
    """Create everything the matrix reads and writes; call inside a transaction that is rolled back later."""
    if not Region.objects.filter(code="17").exists():
        regions_load(only=("17",))
    if not Region.objects.filter(code="16").exists():
        regions_load(only=("16",))
    p16_desa = (
        Region.objects.filter(level=Region.Level.DESA, code__startswith="16.71.")
        .order_by("code")
        .values_list("code", flat=True)[0]
    )
    branches = {}
    for code, name, regions in [
        ("cabang-bengkulu", "BPJS Ketenagakerjaan Cabang Bengkulu", ["17.71", "17.09"]),
        ("cabang-manna", "BPJS Ketenagakerjaan Cabang Manna", ["17.04", "17.01"]),
        ("cabang-palembang", "BPJS Ketenagakerjaan Cabang Palembang", ["16.71"]),
    ]:
        branches[code] = Branch.objects.create(code=code, name=name)
        branches[code].regions.set(regions)
    users = _personas(branches["cabang-bengkulu"])
    admin = users["administrator"]
    helpers = {
        "kaur": make_user("disnaker-kaur", User.Role.DISNAKER, region="17.04"),
        "p16": make_user("disnaker-palembang", User.Role.DISNAKER, region="16.71"),
        "bpjs_manna": make_user("bpjs-manna", User.Role.BPJS, branch=branches["cabang-manna"]),
        "bpjs_palembang": make_user("bpjs-palembang", User.Role.BPJS, branch=branches["cabang-palembang"]),
    }
    prov_program = ProgramFactory(
        code=PROV_PROGRAM_MARKER.lower(),
        name=f"Program {PROV_PROGRAM_MARKER}",
        owner_region_id="17",
        start_month=D(2015, 7, 1),
    )
    program_services.budget_add(
        user=admin,
        program=prov_program,
        data={
            "fiscal_year": 2025,
            "stage": "MURNI",
            "amount": Decimal("500000000"),
            "decided_on": D(2025, 1, 10),
            "note": f"Pagu {PROV_PROGRAM_MARKER}",
        },
    )
    markers = {"desa": f"MILIK-DESA-{TOKEN}", "kota": f"KANARI-KOTA-{TOKEN}"}
    markers |= {"kaur": f"KANARI-KAUR-{TOKEN}", "p16": f"KANARI-PLG-{TOKEN}"}
    sites = {
        "desa": Site("desa", 1, markers["desa"], f"PROGRAM-DESA-{TOKEN}", "17.71.05.1001", "17.71.05.1001",
                     "17.71.05.1001", users["disnaker_desa"], users["bpjs_cabang"]),
        "kota": Site("kota", 2, markers["kota"], f"PROGRAM-KOTA-{TOKEN}", "17.71.01.1001", "17.71", "17.71",
                     users["disnaker_kota_bengkulu"], users["bpjs_cabang"]),
        "kaur": Site("kaur", 3, markers["kaur"], f"PROGRAM-KAUR-{TOKEN}", "17.04.01.2001", "17.04", "17.04",
                     helpers["kaur"], helpers["bpjs_manna"]),
        "p16": Site("p16", 4, markers["p16"], f"PROGRAM-PLG-{TOKEN}", p16_desa, "16.71", "16.71",
                    helpers["p16"], helpers["bpjs_palembang"]),
    }  # fmt: skip
    refused_desa = {"desa": "17.71.01.1001", "kota": "17.04.01.2001", "kaur": "17.71.01.1001", "p16": "17.71.01.1001"}
    for site in sites.values():
        site.program = ProgramFactory(
            code=site.program_marker.lower(),
            name=f"Program {site.program_marker}",
            owner_region_id=site.program_owner,
            start_month=D(2015, 7, 1),
            pks_number=f"PKS/{site.program_marker}",
        )
        program_services.budget_add(
            user=admin,
            program=site.program,
            data={
                "fiscal_year": 2025,
                "stage": "MURNI",
                "amount": Decimal("100000000"),
                "decided_on": D(2025, 1, 10),
                "note": f"Pagu {site.program_marker}",
            },
        )
        plain = site.participants["plain"] = _participant(site, "terdaftar", 1)
        EnrolmentFactory(participant=plain, program=site.program, start_month=D(2025, 1, 1))
        site.participants["free"] = _participant(site, "bebas", 2)
        if site.key != "p16":
            shared = site.participants["prov"] = _participant(site, "provinsi", 3)
            EnrolmentFactory(participant=shared, program=prov_program, start_month=D(2025, 1, 1))
        for number, key in enumerate(CLAIM_KEYS, start=10):
            participant = site.participants[f"klaim-{key}"] = _participant(site, f"klaim {key}", number)
            EnrolmentFactory(participant=participant, program=site.program, start_month=D(2024, 1, 1))
            site.claims[key] = _claim(site, admin, key, participant)
    # Someone who lives in the desa site but whose iuran Kaur's program pays (moved house): the desa's operators
    # see the person, and must not learn the name of Kaur's program, which they may not read.
    desa = sites["desa"]
    moved = desa.participants["pindahan"] = _participant(desa, "pindahan", 4)
    EnrolmentFactory(participant=moved, program=sites["kaur"].program, start_month=D(2025, 1, 1))
    desa.claims["pindahan"] = make_claim(moved, incident_date=D(2025, 2, 10), cause=desa.text(f"Sebab {desa.marker}"))
    for site in sites.values():
        _imports(site, files, refused_desa[site.key], paid_elsewhere=moved if site.key == "desa" else None)
    for site in sites.values():
        site.target = monitoring_services.region_target_save(
            user=admin,
            target=RegionTarget(
                region_id=site.kabkota,
                year=2025,
                indicator=RegionTarget.Indicator.SEMESTA_RENTAN,
                value=Decimal("1000"),
                source=RegionTarget.Source.PEMDA,
                note=site.text(f"Target {site.marker}"),
            ),
        )
    # Iuran bills of July 2025 for every program, each paid in part by an SP2D whose number is a canary (the
    # province program's bill lists people of three sites: each reader may see only their own lines).
    for program, site in [*((s.program, s) for s in sites.values()), (prov_program, None)]:
        bill = billing.bill_generate(program=program, month=COVERAGE_MONTH, user=admin).bill
        billing.payment_create(
            user=admin,
            program=program,
            data={
                "bill": bill,
                "paid_on": D(2025, 7, 10),
                "amount": Decimal("1000"),
                "sp2d_number": site.text(f"SP2D {site.marker}") if site else f"SP2D {PROV_PROGRAM_MARKER}",
                "kode_rekening": "5.1.02.01.01.0001",
            },
        )
    # The dashboards read coverage snapshots: compute July 2025 the way the "hitung ulang" command does.
    run, _created = monitoring_services.coverage_run_start(
        user=admin, first_month=COVERAGE_MONTH, trigger=CoverageRun.Trigger.COMMAND, enqueue=False
    )
    return World(
        sites=sites,
        users=users,
        prov_program=prov_program,
        branches=branches,
        helpers=helpers,
        p16_desa=p16_desa,
        files=files,
        coverage_run=monitoring_services.coverage_run_execute(run_id=run.pk),
    )


# --- snapshots of the rows a write could touch, bucketed by site ------------------------------------------------
def _snapshot_sources():
    from claims.models import ClaimBenefitLine, ClaimDocument, ClaimPayment, ClaimTransition
    from participants.models import Enrolment
    from programs.models import Bill, BillCredit, BillLine, Budget, Payment

    return [
        (Program, "program", ["owner_region"]),
        (Budget, "program", ["program__owner_region"]),
        (Bill, "program", ["program__owner_region"]),
        (Payment, "program", ["bill__program__owner_region"]),
        (BillCredit, "program", ["program__owner_region"]),
        (BillLine, "data", ["enrolment__participant__desa"]),
        (Participant, "data", ["desa"]),
        (Enrolment, "data", ["participant__desa"]),
        (Claim, "data", ["participant__desa"]),
        (AhliWaris, "data", ["claim__participant__desa"]),
        (ClaimDocument, "data", ["claim__participant__desa"]),
        (ClaimPayment, "data", ["claim__participant__desa"]),
        (ClaimTransition, "data", ["claim__participant__desa"]),
        (ClaimBenefitLine, "data", ["claim__participant__desa"]),
        (ImportBatch, "data", ["region", "program__owner_region"]),
        (RegionTarget, "data", ["region"]),
    ]


def _region_column(model, path: str, prefix: str) -> tuple[list[str], str]:
    """LEFT JOINs from ``t`` (a row of ``model``) along ``path``, and the column holding the region code."""
    joins, current, alias = [], model, "t"
    parts = path.split("__")
    for number, part in enumerate(parts):
        field = current._meta.get_field(part)
        if number == len(parts) - 1:
            return joins, f'{alias}."{field.column}"'
        target = field.related_model
        joined = f"{prefix}{number}"
        joins.append(
            f'LEFT JOIN "{target._meta.db_table}" {joined} ON {joined}."{target._meta.pk.column}" = '
            f'{alias}."{field.column}"'
        )
        current, alias = target, joined
    raise ValueError(path)


def _snapshot_sql() -> tuple[str, list]:
    selects = []
    for model, group, paths in _snapshot_sources():
        joins, columns = [], []
        for number, path in enumerate(paths):
            more, column = _region_column(model, path, f"j{number}_")
            joins += more
            columns.append(column)
        second = columns[1] if len(columns) > 1 else "NULL"
        selects.append(
            # Only the models' own table and column names go into the text; nothing comes from input.
            f"SELECT '{model.__name__}', '{group}', {columns[0]}, {second}, count(*), "  # noqa: S608
            f"md5(string_agg(t::text, ',' ORDER BY t.id)) "
            f'FROM "{model._meta.db_table}" t {" ".join(joins)} GROUP BY 3, 4'
        )
    return " UNION ALL ".join(selects), []


def snapshot() -> dict[tuple[str, str], dict[tuple, tuple]]:
    """A fingerprint of every row a write could touch, by (site, group): {(site, group): {key: (count, md5)}}.

    One query: per model and region code, the row count and an md5 of the rows' full text (PostgreSQL). Group
    ``program`` holds programs and budgets (the province program's rows are site ``prov``); group ``data`` holds
    the rest, placed by the first of its region paths that falls in a site (an import batch by its uploader's
    region, or by its program when a BPJS officer, who has no region, uploaded it).
    """
    from django.db import connection

    sql, params = _snapshot_sql()
    buckets: dict[tuple[str, str], dict[tuple, tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for model, group, first, second, count, digest in rows:
        wanted = (*SITE_KEYS, "prov") if group == "program" else SITE_KEYS
        site = next((site for site in (site_of(first), site_of(second)) if site in wanted), None)
        if site is not None:
            buckets.setdefault((site, group), {})[(model, f"{first or '-'}/{second or '-'}")] = (count, digest)
    return buckets


def write_counts() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table a write could touch (PostgreSQL)."""
    from django.db import connection

    tables = [model._meta.db_table for model, _group, _paths in _snapshot_sources()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
            [tables],
        )
        return dict(cursor.fetchall())
