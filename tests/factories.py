"""factory_boy factories; every person they make is synthetic and has a well-formed NIK."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from claims.models import Claim
from participants.models import Enrolment, Participant
from programs.models import Branch, FundingSource, Occupation, Program


def nik_for(desa_code: str, birth: datetime.date, sex: str, serial: int) -> str:
    """A NIK whose digits agree with the region, birth date and sex (day + 40 for women)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{desa_code[:8].replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"program-uji-{n}")
    name = factory.Sequence(lambda n: f"Program Uji {n}")
    owner_region_id = "17"
    funding_source = FundingSource.SG
    start_month = datetime.date(2025, 1, 1)
    target_jiwa = 1000


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    nama = factory.Sequence(lambda n: f"Peserta Contoh {n}")
    tanggal_lahir = datetime.date(1985, 6, 15)
    jenis_kelamin = "L"
    desa_id = "17.71.05.1001"
    pekerjaan = factory.LazyFunction(lambda: Occupation.objects.get(code="nelayan"))
    nik = factory.LazyAttributeSequence(lambda o, n: nik_for(o.desa_id, o.tanggal_lahir, o.jenis_kelamin, n % 9999 + 1))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    program = factory.SubFactory(ProgramFactory)
    funding_source = factory.LazyAttribute(lambda o: o.program.funding_source)
    start_month = datetime.date(2025, 1, 1)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    participant = factory.SubFactory(ParticipantFactory)
    type = Claim.Type.JKM
    incident_date = datetime.date(2025, 6, 1)
    branch = factory.LazyFunction(lambda: Branch.objects.order_by("pk").first())
    reported_at = factory.LazyFunction(timezone.now)
    benefit_amount = Decimal("42000000")
