"""Which documents a claim needs (domain brief §5; BPJS Ketenagakerjaan's claim requirements for BPU) and
which of them are still missing; plus the checks on an uploaded file.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from claims.heirs import has_spouse
from claims.models import AhliWaris, BenefitRule, Claim, ClaimDocument
from claims.rules import RuleBook
from rentan.formatting import format_rupiah

Kind = ClaimDocument.Kind
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Magic numbers of the formats a branch accepts: scans as PDF, photos as JPEG or PNG.
ALLOWED_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}

DEATH_DOCUMENTS = [Kind.AKTA_KEMATIAN, Kind.KARTU_KELUARGA, Kind.SURAT_AHLI_WARIS, Kind.KTP_AHLI_WARIS]
BASE_DOCUMENTS = {
    Claim.Type.JKM: [Kind.KARTU_PESERTA, Kind.KTP_PESERTA, *DEATH_DOCUMENTS, Kind.BUKU_TABUNGAN],
    Claim.Type.JKK: [
        Kind.KARTU_PESERTA,
        Kind.KTP_PESERTA,
        Kind.LAPORAN_TAHAP_1,
        Kind.LAPORAN_TAHAP_2,
        Kind.SURAT_DOKTER,
        Kind.KRONOLOGI,
        Kind.BUKU_TABUNGAN,
    ],
    Claim.Type.BEASISWA: [
        Kind.FORMULIR_BEASISWA,
        Kind.SURAT_SEKOLAH,
        Kind.IDENTITAS_ANAK,
        Kind.KARTU_KELUARGA,
        Kind.BUKU_TABUNGAN,
    ],
}


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    reason: str
    documents: list[ClaimDocument]
    required: bool = True

    @property
    def present(self) -> bool:
        return bool(self.documents)


def required_documents(claim: Claim, *, heirs: list[AhliWaris], total: Decimal | None) -> list[tuple[str, str]]:
    """``(kind, why)`` for every document the claim needs, in checklist order."""
    required = [(kind, "") for kind in BASE_DOCUMENTS[claim.type]]
    if claim.type == Claim.Type.JKK:
        if claim.jkk_kind == Claim.JkkKind.MENINGGAL:
            required += [(kind, _("meninggal dunia")) for kind in DEATH_DOCUMENTS]
        if claim.is_traffic_accident:
            required.append((Kind.LAPORAN_POLISI, _("kecelakaan lalu lintas")))
        if (
            claim.medical_cost
            or claim.homecare_cost
            or claim.transport_land
            or claim.transport_sea
            or claim.transport_air
        ):
            required.append((Kind.KUITANSI, _("ada biaya yang diganti")))
    if claim.is_death and has_spouse(heirs):
        required.append((Kind.BUKU_NIKAH, _("ahli waris janda/duda")))
    if total is not None and claim.type != Claim.Type.BEASISWA:
        threshold = RuleBook.on(claim.incident_date).value(BenefitRule.Code.NPWP_THRESHOLD)
        if total > threshold:
            required.append(
                (Kind.NPWP, _("manfaat lebih dari %(threshold)s") % {"threshold": format_rupiah(threshold)})
            )
    seen, unique = set(), []
    for kind, reason in required:
        if kind not in seen:
            seen.add(kind)
            unique.append((kind, reason))
    return unique


def checklist(
    claim: Claim, *, heirs: list[AhliWaris], documents: list[ClaimDocument], total: Decimal | None
) -> list[ChecklistItem]:
    by_kind: dict[str, list[ClaimDocument]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    items = [
        ChecklistItem(kind, Kind(kind).label, reason, by_kind.pop(kind, []))
        for kind, reason in required_documents(claim, heirs=heirs, total=total)
    ]
    # Documents uploaded beyond the checklist (e.g. "lainnya") are listed after it.
    items += [
        ChecklistItem(kind, Kind(kind).label, _("tambahan"), docs, required=False) for kind, docs in by_kind.items()
    ]
    return items


def missing_documents(claim: Claim, *, heirs: list[AhliWaris], total: Decimal | None) -> list[str]:
    uploaded = set(claim.documents.values_list("kind", flat=True))
    return [kind for kind, _reason in required_documents(claim, heirs=heirs, total=total) if kind not in uploaded]


def sniff_upload(uploaded_file) -> tuple[str, str]:
    """The content type and extension of an upload, read from its first bytes; refuses anything else."""
    if uploaded_file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Berkas terlalu besar; paling besar 5 MB."))
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    for magic, (content_type, suffix) in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type, suffix
    raise ValidationError(_("Hanya berkas PDF, JPG atau PNG yang diterima."))
