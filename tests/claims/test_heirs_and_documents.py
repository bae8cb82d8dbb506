"""Who receives a death benefit (PP 44/2015 Pasal 40(2), 37(5)) and which documents a claim needs."""

from decimal import Decimal

import pytest

from claims.documents import required_documents
from claims.heirs import propose_recipients
from claims.models import AhliWaris, Claim, ClaimDocument
from tests.claims.conftest import D, add_heir, enrolled_participant, make_claim

pytestmark = pytest.mark.usefixtures("branch_bengkulu")
R = AhliWaris.Relationship
K = ClaimDocument.Kind


@pytest.fixture
def claim():
    return make_claim(enrolled_participant(start=D(2024, 1, 1)))


def names(proposal):
    return sorted(heir.nama for heir in proposal.recipients)


def test_janda_and_children_receive_together_before_any_other_relative(claim):
    add_heir(claim, R.ORANG_TUA, name="Ibu")
    add_heir(claim, R.JANDA, name="Istri")
    add_heir(claim, R.ANAK, name="Anak", born=D(2012, 1, 1))

    proposal = propose_recipients(claim.heirs.all())

    assert proposal.group == 1
    assert names(proposal) == ["Anak", "Istri"]


@pytest.mark.parametrize(
    ("present", "group", "receives"),
    [
        ([(R.ORANG_TUA, "Ibu"), (R.SAUDARA_KANDUNG, "Kakak"), (R.MERTUA, "Mertua")], 2, ["Ibu"]),
        ([(R.CUCU, "Cucu"), (R.WASIAT, "Sahabat")], 2, ["Cucu"]),
        ([(R.SAUDARA_KANDUNG, "Kakak"), (R.MERTUA, "Mertua")], 3, ["Kakak"]),
        ([(R.MERTUA, "Mertua"), (R.WASIAT, "Sahabat")], 4, ["Mertua"]),
        ([(R.WASIAT, "Sahabat"), (R.PENGURUS_PEMAKAMAN, "Ketua RT")], 5, ["Sahabat"]),
    ],
)
def test_the_first_group_of_the_legal_order_that_has_someone_receives(claim, present, group, receives):
    for relationship, name in present:
        add_heir(claim, relationship, name=name)

    proposal = propose_recipients(claim.heirs.all())

    assert (proposal.group, names(proposal), proposal.funeral_only) == (group, receives, False)


def test_with_no_heir_only_whoever_arranged_the_funeral_is_proposed(claim):
    add_heir(claim, R.PENGURUS_PEMAKAMAN, name="Ketua RT")

    proposal = propose_recipients(claim.heirs.all())

    assert proposal.funeral_only
    assert names(proposal) == ["Ketua RT"]
    assert "Dana Jaminan Sosial" in proposal.explanation


def test_jkm_needs_death_documents_and_the_marriage_book_for_a_janda(claim):
    add_heir(claim, R.JANDA)

    kinds = [kind for kind, _ in required_documents(claim, heirs=list(claim.heirs.all()), total=Decimal("42000000"))]

    assert kinds == [
        K.KARTU_PESERTA,
        K.KTP_PESERTA,
        K.AKTA_KEMATIAN,
        K.KARTU_KELUARGA,
        K.SURAT_AHLI_WARIS,
        K.KTP_AHLI_WARIS,
        K.BUKU_TABUNGAN,
        K.BUKU_NIKAH,
    ]


def test_npwp_is_needed_only_above_50_million():
    participant = enrolled_participant(start=D(2024, 1, 1))
    jkk_death = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)

    above = dict(required_documents(jkk_death, heirs=[], total=Decimal("70000000")))
    exactly = dict(required_documents(jkk_death, heirs=[], total=Decimal("50000000")))

    assert above[K.NPWP] == "manfaat lebih dari Rp50.000.000"
    assert K.NPWP not in exactly
    assert K.AKTA_KEMATIAN in above and K.LAPORAN_TAHAP_2 in above


def test_a_traffic_accident_needs_a_police_report_and_costs_need_receipts():
    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(
        participant,
        claim_type=Claim.Type.JKK,
        jkk_kind=Claim.JkkKind.PERAWATAN,
        is_traffic_accident=True,
        medical_cost=Decimal("2500000"),
    )

    kinds = dict(required_documents(claim, heirs=[], total=Decimal("2500000")))

    assert kinds[K.LAPORAN_POLISI] == "kecelakaan lalu lintas"
    assert K.KUITANSI in kinds
    assert K.AKTA_KEMATIAN not in kinds
