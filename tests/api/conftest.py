"""Fixtures for the API: a small Bengkulu world (Kota Bengkulu, Kabupaten Kaur, a province program) and clients
that call the API with a persona's personal token."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_create
from claims.models import Claim
from monitoring.coverage import coverage_compute_month
from monitoring.models import MonitoringReport
from programs.models import Branch, Budget, Program

# The claims tests' fixtures: uploads in a temporary private folder (autouse), and Cabang Manna (Kaur).
from tests.claims.conftest import branch_manna, make_claim, private_storage  # noqa: F401
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory

D = datetime.date
KOTA_DESA = "17.71.05.1001"
KAUR_DESA = "17.04.01.2001"
COVERAGE_MONTH = D(2025, 7, 1)


@pytest.fixture(autouse=True)
def private_cache(settings):
    """A cache of this test's own (throttle counters, dashboard figures), not the shared Redis database."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}}
    from django.core.cache import cache

    cache.clear()


@dataclass
class Side:
    """One region's data: a program, an enrolled participant, a claim; ``canaries`` are texts nobody else may see."""

    program: Program
    participant: object
    claim: Claim
    report: MonitoringReport
    canaries: list[str] = field(default_factory=list)


@dataclass
class World:
    kota: Side
    kaur: Side
    prov_program: Program


def _side(key: str, desa: str, kabkota: str, branch: Branch, serial: int) -> Side:
    program = ProgramFactory(
        code=f"api-{key}", name=f"Program API {key.title()} Khusus", owner_region_id=kabkota, start_month=D(2015, 7, 1)
    )
    Budget.objects.create(program=program, fiscal_year=2025, amount=Decimal("120000000"), decided_on=D(2025, 1, 5))
    participant = ParticipantFactory(
        desa_id=desa, nama=f"Warga {key.title()} Rahasia", kpj=f"{serial:011d}", alamat=f"Jl. {key.title()} Sepi"
    )
    EnrolmentFactory(participant=participant, program=program, start_month=D(2021, 1, 1))
    claim = make_claim(participant, branch=branch, status=Claim.Status.DIAJUKAN)
    report = MonitoringReport(region_id=kabkota, month=COVERAGE_MONTH, version=1, trigger="BUTTON", pages=1)
    report.file.save("laporan.pdf", ContentFile(f"%PDF-1.4 laporan {key}\n%%EOF".encode()), save=False)
    report.status, report.size = MonitoringReport.Status.DONE, report.file.size
    report.save()
    canaries = [participant.nama, participant.nik, participant.kpj, participant.alamat, program.code, program.name]
    from rentan.formatting import mask_nik

    canaries.append(mask_nik(participant.nik))
    return Side(program=program, participant=participant, claim=claim, report=report, canaries=canaries)


@pytest.fixture
def world(regions, branch_bengkulu, branch_manna) -> World:  # noqa: F811 - the imported fixture
    kota = _side("kota", KOTA_DESA, "17.71", branch_bengkulu, 11223344551)
    kaur = _side("kaur", KAUR_DESA, "17.04", branch_manna, 99887766551)
    prov = ProgramFactory(code="api-prov", name="Program API Provinsi", owner_region_id="17")
    coverage_compute_month(month=COVERAGE_MONTH)
    return World(kota=kota, kaur=kaur, prov_program=prov)


def token_client(user, *, name="uji") -> APIClient:
    """An API client that authenticates with a fresh personal token of ``user`` (no session)."""
    _token, secret = api_token_create(user=user, name=name, expires_on=timezone.localdate() + datetime.timedelta(30))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def as_kota(disnaker_kota_bengkulu):
    return token_client(disnaker_kota_bengkulu)


@pytest.fixture
def as_bpjs(bpjs_cabang):
    return token_client(bpjs_cabang)
