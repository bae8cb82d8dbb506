"""What the API reads and writes, field by field; the OpenAPI schema is generated from these same classes.

Money is a decimal string (``"42000000.00"``), months are the first day of the month (``2025-07-01``), NIKs are
masked (``1771••••••••0001``) unless the caller may reveal them (:func:`api.access.may_reveal_nik`).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.access import nik_for
from claims.models import AhliWaris, Claim, ClaimDocument, SchoolLevel
from claims.workflow import Action
from monitoring.models import CoverageSnapshot, MonitoringReport
from participants.models import Enrolment, Participant
from programs.models import FundingSource, Program, Region

MONEY = {"max_digits": 18, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}
DATETIME = serializers.DateTimeField()
NIK_INVALID = {"invalid": _("NIK harus 16 digit angka.")}


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField(help_text=_("Kode mesin, mis. invalid, not_found, permission_denied, conflict."))
    message = serializers.CharField(help_text=_("Penjelasan dalam Bahasa Indonesia."))
    errors = serializers.DictField(
        child=serializers.JSONField(), help_text=_("Per kolom: daftar pesan; kosong bila tidak ada rincian.")
    )


# --- regions -----------------------------------------------------------------------------------------------------
class RegionSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "display_name", "level", "kind", "parent", "postal_code"]


class RegionDetailSerializer(RegionSerializer):
    children = RegionSerializer(
        many=True, read_only=True, source="child_rows", help_text=_("Wilayah tepat di bawahnya.")
    )

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "children"]


class RegionFilterSerializer(serializers.Serializer):
    parent = serializers.CharField(required=False, max_length=13, help_text=_("Kode induk: anak langsungnya saja."))
    level = serializers.ChoiceField(choices=Region.Level.choices, required=False)
    under = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah: wilayah itu dan isinya."))


# --- programs ----------------------------------------------------------------------------------------------------
class ProgramSerializer(serializers.ModelSerializer):
    owner_region = serializers.CharField(source="owner_region_id", read_only=True)
    owner_region_name = serializers.CharField(source="owner_region.display_name", read_only=True)
    budget_year = serializers.IntegerField(read_only=True, help_text=_("Tahun anggaran pagu dan realisasi."))
    budget = serializers.DecimalField(
        **MONEY, read_only=True, allow_null=True, help_text=_("Pagu yang berlaku (revisi terakhir) tahun itu.")
    )
    realisation = serializers.DecimalField(
        **MONEY,
        read_only=True,
        allow_null=True,
        help_text=_("Iuran yang dibayar tahun itu (SP2D bertanggal tahun itu), dari pembayaran tagihan program."),
    )

    class Meta:
        model = Program
        fields = [
            "code", "name", "owner_region", "owner_region_name", "funding_source", "is_transport", "package",
            "income_bracket", "pks_number", "pks_date", "start_month", "end_month", "target_jiwa", "budget_year",
            "budget", "realisation",
        ]  # fmt: skip


class ProgramFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text=_("Tahun anggaran."))
    region = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah pemilik program."))
    search = serializers.CharField(required=False, max_length=100)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, required=False)


# --- participants ------------------------------------------------------------------------------------------------
class NikField(serializers.CharField):
    """A NIK as the caller may see it: masked unless they hold the reveal permission."""

    def to_representation(self, value):
        return nik_for(self.context["request"], value)


class ParticipantSerializer(serializers.ModelSerializer):
    nik = NikField(read_only=True, help_text=_("Disamarkan (1771••••••••0001) kecuali pengguna berhak melihat NIK."))
    desa = serializers.CharField(source="desa_id", read_only=True)
    desa_name = serializers.CharField(source="desa.name", read_only=True)
    pekerjaan = serializers.CharField(source="pekerjaan.code", read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "desa_name", "pekerjaan", "kpj",
            "bpjs_membership_start", "bpjs_status", "status", "data_source", "updated_at",
        ]  # fmt: skip

    def to_representation(self, p):
        """The same fields as declared above, written out: a page of 1.000 rows is most of a list call's time in
        DRF's per-field machinery (measured: ~60% of the request), and partner systems page through millions."""
        return {
            "id": p.pk,
            "nik": nik_for(self.context["request"], p.nik),
            "nama": p.nama,
            "tanggal_lahir": p.tanggal_lahir.isoformat(),
            "jenis_kelamin": p.jenis_kelamin,
            "desa": p.desa_id,
            "desa_name": p.desa.name,
            "pekerjaan": p.pekerjaan.code,
            "kpj": p.kpj,
            "bpjs_membership_start": p.bpjs_membership_start.isoformat() if p.bpjs_membership_start else None,
            "bpjs_status": p.bpjs_status,
            "status": p.status,
            "data_source": p.data_source,
            "updated_at": DATETIME.to_representation(p.updated_at),
        }


class EnrolmentSerializer(serializers.ModelSerializer):
    participant = serializers.IntegerField(source="participant_id", read_only=True)
    program = serializers.SerializerMethodField(
        help_text=_("Kode program; null bila program pembayar di luar wilayah Anda (lihat funding_source).")
    )
    program_visible = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ["id", "participant", "program", "program_visible", "funding_source", "start_month", "end_month"]

    def _visible(self, enrolment) -> bool:
        return enrolment.program_id in self.context["visible_programs"]

    def get_program(self, enrolment) -> str | None:
        return enrolment.program.code if self._visible(enrolment) else None

    def get_program_visible(self, enrolment) -> bool:
        return self._visible(enrolment)


class ParticipantDetailSerializer(ParticipantSerializer):
    enrolments = EnrolmentSerializer(many=True, read_only=True, source="enrolment_rows")

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "tempat_lahir", "alamat", "no_hp", "enrolments"]

    def to_representation(self, participant):
        return serializers.ModelSerializer.to_representation(self, participant)


class ParticipantFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah domisili (dan isinya)."))
    status = serializers.ChoiceField(choices=Participant.Status.choices, required=False)
    program = serializers.CharField(required=False, max_length=40, help_text=_("Kode program."))


class ParticipantSearchSerializer(ParticipantFilterSerializer):
    """A search by NIK travels in a POST body, never in a URL (UU 27/2022: URLs end up in logs and histories)."""

    nik = serializers.RegexField(
        r"^[0-9]{1,16}$",
        help_text=_("NIK lengkap atau awalannya."),
        error_messages={"invalid": _("Isi dengan angka NIK (paling banyak 16 digit).")},
    )


class ParticipantPageSerializer(serializers.Serializer):
    """One page of a participant search; POST the same body to ``next`` for the following page."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ParticipantSerializer(many=True)


class EnrolmentFilterSerializer(serializers.Serializer):
    program = serializers.CharField(required=False, max_length=40, help_text=_("Kode program."))
    participant = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    active_in = serializers.DateField(required=False, help_text=_("Kepesertaan yang mencakup bulan ini."))


# --- claims ------------------------------------------------------------------------------------------------------
class ClaimTransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class BenefitLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    rule_text = serializers.CharField(help_text=_("Aturan di balik baris ini, dengan dasar hukumnya."))
    amount = serializers.DecimalField(**MONEY)


class ClaimSerializer(serializers.ModelSerializer):
    participant = serializers.IntegerField(source="participant_id", read_only=True)
    participant_nama = serializers.CharField(source="participant.nama", read_only=True)
    participant_nik = NikField(source="participant.nik", read_only=True)
    desa = serializers.CharField(source="participant.desa_id", read_only=True)
    branch = serializers.CharField(source="branch.code", read_only=True)
    late_days = serializers.IntegerField(read_only=True, help_text=_("Hari lewat batas waktu bayar (SLA)."))

    class Meta:
        model = Claim
        fields = [
            "id", "type", "jkk_kind", "status", "participant", "participant_nama", "participant_nik", "desa",
            "branch", "incident_date", "reported_at", "complete_on", "due_on", "decided_at", "benefit_amount",
            "paid_on", "late_days",
        ]  # fmt: skip


class ClaimDetailSerializer(ClaimSerializer):
    timeline = ClaimTransitionSerializer(many=True, read_only=True, source="timeline_rows")
    benefit_lines = BenefitLineSerializer(many=True, read_only=True, source="benefit_rows")

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields, "parent_claim", "missing_documents", "rejection_reason",
            "payment_reference", "timeline", "benefit_lines",
        ]  # fmt: skip


class ClaimFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    type = serializers.ChoiceField(choices=Claim.Type.choices, required=False)
    region = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah domisili peserta."))
    overdue = serializers.BooleanField(required=False, default=False, help_text=_("Hanya yang lewat batas bayar."))


class ClaimActionSerializer(serializers.Serializer):
    """One workflow step, as the portal's buttons take it (the same services, rules and SLA effects)."""

    action = serializers.ChoiceField(choices=[c for c in Action.choices if c[0] != Action.SUBMIT])
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    documents = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimDocument.Kind.choices),
        required=False,
        allow_empty=True,
        max_length=len(ClaimDocument.Kind.choices),
        help_text=_("mark_incomplete: dokumen yang kurang; kosong = daftar dokumen yang belum diunggah."),
    )
    on = serializers.DateField(required=False, allow_null=True, help_text=_("mark_complete: berkas lengkap pada."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, help_text=_("reject: alasan."))
    paid_on = serializers.DateField(required=False, help_text=_("pay: tanggal bayar."))
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text=_("pay: referensi."))
    recipient = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**62, help_text=_("pay: id ahli waris penerima.")
    )
    bank_name = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    bank_account = serializers.RegexField(
        r"^[0-9]{0,30}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": _("Nomor rekening hanya berisi angka.")},
    )

    def validate(self, data):
        action = data["action"]
        if action == Action.PAY:
            missing = {name: [_("Wajib diisi untuk langkah pay.")] for name in ("paid_on", "reference") if
                       not data.get(name)}  # fmt: skip
            if missing:
                raise serializers.ValidationError(missing)
        if action == Action.REJECT and not (data.get("reason") or "").strip():
            raise serializers.ValidationError({"reason": [_("Alasan penolakan wajib diisi.")]})
        on = data.get("on")
        if on and on > self.context["today"]:
            raise serializers.ValidationError({"on": [_("Tanggal tidak boleh di masa depan.")]})
        return data


# --- coverage ----------------------------------------------------------------------------------------------------
class CoverageSnapshotSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.display_name", read_only=True)
    coverage_ucj_pct = serializers.DecimalField(**PERCENT, read_only=True, allow_null=True)
    coverage_rentan_pct = serializers.DecimalField(**PERCENT, read_only=True, allow_null=True)
    program = serializers.SerializerMethodField()

    class Meta:
        model = CoverageSnapshot
        fields = [
            "id", "region", "region_name", "level", "parent_code", "month", "program", "funding_source", "active",
            "active_male", "active_female", "penduduk_bekerja", "semesta_rentan", "coverage_ucj_pct",
            "coverage_rentan_pct", "ucj_target_pct", "target_jiwa", "targets_year", "gap_jiwa", "gap_rupiah",
            "computed_at",
        ]  # fmt: skip

    def get_program(self, snapshot) -> str | None:
        return snapshot.program.code if snapshot.program_id else None


class CoverageFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah (dan isinya)."))
    level = serializers.ChoiceField(choices=Region.Level.choices, required=False)
    month_from = serializers.DateField(required=False, help_text=_("Bulan pertama (hari pertama bulan)."))
    month_to = serializers.DateField(required=False)
    program = serializers.CharField(required=False, max_length=40, help_text=_("Kode program; kosong = semua."))
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, required=False)


class CoverageQuerySerializer(serializers.Serializer):
    month = serializers.DateField(required=False, help_text=_("Bulan (hari pertama); kosong = bulan terakhir."))


class CoverageChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    active = serializers.IntegerField()
    change = serializers.IntegerField(allow_null=True)
    coverage_pct = serializers.DecimalField(**PERCENT, allow_null=True)
    target_pct = serializers.DecimalField(**PERCENT, allow_null=True)


class CountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    active = serializers.IntegerField()


class CoverageClaimsSerializer(serializers.Serializer):
    paid_count = serializers.IntegerField()
    paid_amount = serializers.DecimalField(**MONEY)
    beasiswa_children = serializers.IntegerField()
    reported_total = serializers.IntegerField()


class CoverageRegionSerializer(serializers.Serializer):
    """The figures of the dashboard (/dasbor/wilayah/<kode>/) for one region and month."""

    region = serializers.CharField()
    region_name = serializers.CharField()
    month = serializers.DateField(allow_null=True)
    months = serializers.ListField(child=serializers.DateField(), help_text=_("Bulan yang sudah dihitung."))
    computed_at = serializers.DateTimeField(allow_null=True)
    active = serializers.IntegerField(allow_null=True)
    active_male = serializers.IntegerField(allow_null=True)
    active_female = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True, help_text=_("Perubahan peserta aktif dari bulan lalu."))
    penduduk_bekerja = serializers.IntegerField(allow_null=True)
    semesta_rentan = serializers.IntegerField(allow_null=True)
    coverage_ucj_pct = serializers.DecimalField(**PERCENT, allow_null=True)
    coverage_rentan_pct = serializers.DecimalField(**PERCENT, allow_null=True)
    ucj_target_pct = serializers.DecimalField(**PERCENT, allow_null=True)
    target_jiwa = serializers.IntegerField(allow_null=True)
    gap_jiwa = serializers.IntegerField(allow_null=True)
    gap_rupiah = serializers.DecimalField(**MONEY, allow_null=True)
    pagu = serializers.DecimalField(**MONEY, allow_null=True)
    pagu_programs = serializers.IntegerField()
    by_funding = CountSerializer(many=True)
    by_occupation = CountSerializer(many=True)
    children = CoverageChildSerializer(many=True)
    claims = CoverageClaimsSerializer(allow_null=True)


# --- monthly rapat monitoring reports ------------------------------------------------------------------------------
class MonitoringReportSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.display_name", read_only=True)
    download = serializers.SerializerMethodField(help_text=_("Alamat unduhan PDF; null bila belum selesai dibuat."))

    class Meta:
        model = MonitoringReport
        fields = [
            "id", "region", "region_name", "month", "version", "status", "trigger", "created_at", "finished_at",
            "data_as_of", "pages", "size", "download",
        ]  # fmt: skip

    def get_download(self, report) -> str | None:
        if report.status != MonitoringReport.Status.DONE:
            return None
        return reverse("api:report_download", args=[report.pk])


class ReportFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, max_length=13, help_text=_("Kode wilayah laporan (dan isinya)."))
    month = serializers.DateField(required=False, help_text=_("Bulan laporan (hari pertama bulan)."))
    status = serializers.ChoiceField(choices=MonitoringReport.Status.choices, required=False)


# --- BPJS reply --------------------------------------------------------------------------------------------------
class BpjsReplyRowSerializer(serializers.Serializer):
    nik = serializers.RegexField(r"^[0-9]{16}$", help_text=_("NIK 16 digit."), error_messages=NIK_INVALID)
    kpj = serializers.RegexField(
        r"^[0-9]{1,11}$",
        help_text=_("Nomor KPJ (kartu peserta), paling banyak 11 digit."),
        error_messages={"invalid": _("Nomor KPJ berisi 1 sampai 11 angka.")},
    )
    membership_start = serializers.DateField(required=False, allow_null=True)
    # No control characters: the status is kept as text and written back in the portal's XLSX reports.
    status = serializers.RegexField(
        r"^[^\x00-\x1f\x7f]*$",
        required=False,
        allow_blank=True,
        max_length=30,
        default="",
        error_messages={"invalid": _("Status tidak boleh berisi karakter kendali.")},
    )


class BpjsReplySerializer(serializers.Serializer):
    program = serializers.CharField(max_length=40, help_text=_("Kode program yang didaftarkan."))
    rows = BpjsReplyRowSerializer(many=True, allow_empty=False, max_length=5000)


class RefusedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text=_("Nomor baris (1 = baris pertama rows)."))
    nik = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class BpjsReplyResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text=_("Nomor impor di portal (Peserta › Balasan BPJS)."))
    status = serializers.CharField()
    error_message = serializers.CharField(allow_blank=True)
    rows_total = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    rows_refused = serializers.IntegerField()
    not_in_reply = serializers.IntegerField(help_text=_("NIK di daftar program yang tidak ada di balasan ini."))
    refused = RefusedRowSerializer(many=True)


# --- benefit simulation ------------------------------------------------------------------------------------------
class HistorySerializer(serializers.Serializer):
    program = serializers.CharField(max_length=40, help_text=_("Kode program yang membayar iuran."))
    start_month = serializers.DateField()
    end_month = serializers.DateField(required=False, allow_null=True)


class HeirInputSerializer(serializers.Serializer):
    nama = serializers.CharField(max_length=150)
    relationship = serializers.ChoiceField(choices=AhliWaris.Relationship.choices)
    tanggal_lahir = serializers.DateField()
    school_level = serializers.ChoiceField(choices=SchoolLevel.choices, required=False, allow_blank=True, default="")
    beasiswa_ended = serializers.BooleanField(required=False, default=False)


class IncidentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[Claim.Type.JKM, Claim.Type.JKK])
    jkk_kind = serializers.ChoiceField(choices=Claim.JkkKind.choices, required=False, allow_blank=True, default="")
    incident_date = serializers.DateField()
    reported_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Tanggal lapor; kosong = hari ini.")
    )
    is_work_related = serializers.BooleanField(required=False, default=False)
    medical_cost = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)
    homecare_cost = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)
    transport_land = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)
    transport_sea = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)
    transport_air = serializers.DecimalField(**MONEY, min_value=0, required=False, default=0)
    stmb_months = serializers.IntegerField(required=False, min_value=0, max_value=600, default=0)
    cacat_rate = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31, help_text=_("Id baris tabel cacat sebagian.")
    )


class SimulationSerializer(serializers.Serializer):
    nik = serializers.RegexField(
        r"^[0-9]{16}$",
        required=False,
        help_text=_("Peserta yang terdaftar di wilayah Anda; atau isi history."),
        error_messages=NIK_INVALID,
    )
    history = HistorySerializer(
        many=True, required=False, max_length=60, help_text=_("Riwayat kepesertaan rekaan bila tanpa NIK.")
    )
    incident = IncidentSerializer()
    heirs = HeirInputSerializer(many=True, required=False, max_length=20, default=list)

    def validate(self, data):
        if bool(data.get("nik")) == bool(data.get("history")):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Isi salah satu: nik peserta, atau history kepesertaan rekaan.")]}
            )
        spans = sorted(data.get("history") or [], key=lambda h: h["start_month"])
        for span in spans:
            end = span.get("end_month")
            if span["start_month"].day != 1 or (end and end.day != 1):
                raise serializers.ValidationError({"history": [_("Bulan ditulis sebagai hari pertama bulan.")]})
            if end and end < span["start_month"]:
                raise serializers.ValidationError({"history": [_("Bulan selesai tidak boleh sebelum bulan mulai.")]})
        for before, after in zip(spans, spans[1:], strict=False):
            if before.get("end_month") is None or before["end_month"] >= after["start_month"]:
                # One payer per NIK per month (domain brief §7): the history may not overlap.
                raise serializers.ValidationError({"history": [_("Periode kepesertaan tidak boleh tumpang tindih.")]})
        return data


class CheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    blocking = serializers.BooleanField(help_text=_("Syarat yang menentukan layak tidaknya klaim."))
    text = serializers.CharField()


class SimulationResultSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text=_("Mengapa tidak layak (bila tidak)."))
    checks = CheckSerializer(many=True)
    masa_iur_months = serializers.IntegerField()
    income_bracket = serializers.DecimalField(**MONEY, allow_null=True)
    lines = BenefitLineSerializer(many=True)
    total = serializers.DecimalField(**MONEY)
    notes = serializers.ListField(child=serializers.CharField())


# --- tokens (portal page) ----------------------------------------------------------------------------------------
class ApiRootSerializer(serializers.Serializer):
    version = serializers.CharField()
    user = serializers.CharField()
    role = serializers.CharField()
    scope = serializers.CharField()
    endpoints = serializers.DictField(child=serializers.CharField())
