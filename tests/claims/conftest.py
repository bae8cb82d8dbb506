"""Fixtures for claims: an enrolled participant in Kota Bengkulu, claims at any status, heirs and documents."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from claims.benefits import calculate_benefit
from claims.documents import required_documents
from claims.models import AhliWaris, Claim, ClaimDocument
from programs.models import Branch
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory, nik_for

D = datetime.date
KOTA_DESA = "17.71.05.1001"
KAUR_DESA = "17.04.01.2001"
JUTA = Decimal("1000000")
DEFAULT_START = D(2021, 1, 1)
DEFAULT_BIRTH = D(1985, 3, 4)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads go to a temporary private folder, never to the project's var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def branch_manna(regions) -> Branch:
    branch = Branch.objects.create(code="cabang-manna", name="BPJS Ketenagakerjaan Cabang Manna")
    branch.regions.set(["17.04", "17.01"])
    return branch


def enrolled_participant(*, desa=KOTA_DESA, start=DEFAULT_START, end=None, income=JUTA, **fields):
    """A participant whose program (income bracket U = ``income``) covers ``start`` … ``end``."""
    program = ProgramFactory(owner_region_id=desa[:5], income_bracket=income, start_month=D(2015, 7, 1))
    participant = ParticipantFactory(desa_id=desa, **fields)
    EnrolmentFactory(participant=participant, program=program, start_month=start, end_month=end)
    return participant


def make_claim(participant, *, claim_type=Claim.Type.JKM, branch=None, **fields) -> Claim:
    """A claim row as the intake service would write it (status and dates can be set for the test)."""
    fields.setdefault("incident_date", D(2025, 2, 10))
    fields.setdefault(
        "reported_at", timezone.make_aware(datetime.datetime.combine(fields["incident_date"], datetime.time(10)))
    )
    fields.setdefault("is_work_related", claim_type == Claim.Type.JKK)
    if claim_type == Claim.Type.JKK:
        fields.setdefault("jkk_kind", Claim.JkkKind.MENINGGAL)
    return Claim.objects.create(
        participant=participant,
        type=claim_type,
        branch=branch or Branch.objects.filter(regions__code=participant.desa_id[:5]).first(),
        **fields,
    )


_serial = iter(range(1, 9999))


def add_heir(claim, relationship, *, born=DEFAULT_BIRTH, level="", name=None, **fields) -> AhliWaris:
    sex = "P" if relationship == AhliWaris.Relationship.JANDA else "L"
    return AhliWaris.objects.create(
        claim=claim,
        nama=name or f"{relationship.label} {next(_serial)}",
        nik=nik_for(KOTA_DESA, born, sex, next(_serial)),
        relationship=relationship,
        tanggal_lahir=born,
        school_level=level,
        **fields,
    )


def add_child(claim, *, age_on_incident: int, level="", name=None) -> AhliWaris:
    born = claim.incident_date.replace(year=claim.incident_date.year - age_on_incident) - datetime.timedelta(days=30)
    return add_heir(claim, AhliWaris.Relationship.ANAK, born=born, level=level, name=name)


def attach_documents(claim, user, *, total=None):
    """One row per required document (the file name only: these tests never open the files)."""
    heirs = list(claim.heirs.all())
    total = calculate_benefit(claim, heirs=heirs).total if total is None else total
    kinds = [kind for kind, _ in required_documents(claim, heirs=heirs, total=total)]
    ClaimDocument.objects.bulk_create(
        ClaimDocument(
            claim=claim,
            kind=kind,
            file=f"klaim/{claim.pk}/{kind.lower()}.pdf",
            original_name=f"{kind.lower()}.pdf",
            content_type="application/pdf",
            size=100,
            uploaded_by=user,
        )
        for kind in kinds
    )
