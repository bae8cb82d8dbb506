"""JKM, JKK and beasiswa claims from report to payment (domain brief §3, §4, §5).

Regulation-set amounts live in :class:`BenefitRule` rows (dated, seeded by migration 0005 with the regulation cited),
the cacat sebagian percentages in :class:`CacatSebagianRate`; code reads them through ``claims.rules.RuleBook``.
"""

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from programs.models import Branch
from rentan.access import region_q

ZERO = Decimal("0")
NIK_PATTERN = r"^[0-9]{16}$"


class SchoolLevel(models.TextChoices):
    """Jenjang pendidikan for beasiswa (PP 82/2019; amounts and maximum years in ``BenefitRule``)."""

    TK = "TK", _("TK")
    SD = "SD", _("SD")
    SMP = "SMP", _("SMP")
    SMA = "SMA", _("SMA")
    PT = "PT", _("Perguruan tinggi / pelatihan")


class BenefitRuleQuerySet(models.QuerySet):
    def in_force(self, day):
        """Rules valid on ``day`` (``valid_from ≤ day ≤ valid_to``, open end allowed)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class BenefitRule(models.Model):
    """One regulation-set amount, factor, count or limit, valid for a span of incident dates.

    A new regulation adds a row and closes the previous one with ``valid_to``; rows are never edited in place once
    claims used them (approved claims keep their own breakdown in ``ClaimBenefitLine``).
    """

    class Code(models.TextChoices):
        # JKM (PP 82/2019 Pasal 34)
        JKM_SEKALIGUS = "JKM_SEKALIGUS", _("JKM: santunan sekaligus")
        JKM_BERKALA_BULAN = "JKM_BERKALA_BULAN", _("JKM: santunan berkala per bulan")
        JKM_BERKALA_KALI = "JKM_BERKALA_KALI", _("JKM: banyaknya santunan berkala (dibayar sekaligus)")
        JKM_PEMAKAMAN = "JKM_PEMAKAMAN", _("JKM: biaya pemakaman")
        # JKK (PP 82/2019 Lampiran III)
        JKK_DEATH_FACTOR = "JKK_DEATH_FACTOR", _("JKK meninggal: pengali penghasilan")
        JKK_DEATH_MIN = "JKK_DEATH_MIN", _("JKK meninggal: santunan paling sedikit")
        JKK_PEMAKAMAN = "JKK_PEMAKAMAN", _("JKK meninggal: biaya pemakaman")
        JKK_BERKALA = "JKK_BERKALA", _("JKK meninggal / cacat total tetap: santunan berkala (24 × Rp500 rb)")
        CTT_FACTOR = "CTT_FACTOR", _("Cacat total tetap: pengali penghasilan")
        CACAT_SEBAGIAN_FACTOR = "CACAT_SEBAGIAN_FACTOR", _("Cacat sebagian anatomis: pengali penghasilan")
        STMB_FULL_PCT = "STMB_FULL_PCT", _("STMB: persen penghasilan pada bulan-bulan pertama")
        STMB_FULL_MONTHS = "STMB_FULL_MONTHS", _("STMB: banyaknya bulan dengan persen penuh")
        STMB_AFTER_PCT = "STMB_AFTER_PCT", _("STMB: persen penghasilan sesudahnya sampai sembuh")
        TRANSPORT_DARAT_MAX = "TRANSPORT_DARAT_MAX", _("Transportasi darat: paling banyak")
        TRANSPORT_LAUT_MAX = "TRANSPORT_LAUT_MAX", _("Transportasi laut: paling banyak")
        TRANSPORT_UDARA_MAX = "TRANSPORT_UDARA_MAX", _("Transportasi udara: paling banyak")
        HOMECARE_MAX = "HOMECARE_MAX", _("Perawatan di rumah (home care): paling banyak")
        # Beasiswa (PP 82/2019; Permenaker 5/2021)
        BEASISWA_TK = "BEASISWA_TK", _("Beasiswa TK per tahun")
        BEASISWA_TK_TAHUN = "BEASISWA_TK_TAHUN", _("Beasiswa TK: paling lama (tahun)")
        BEASISWA_SD = "BEASISWA_SD", _("Beasiswa SD per tahun")
        BEASISWA_SD_TAHUN = "BEASISWA_SD_TAHUN", _("Beasiswa SD: paling lama (tahun)")
        BEASISWA_SMP = "BEASISWA_SMP", _("Beasiswa SMP per tahun")
        BEASISWA_SMP_TAHUN = "BEASISWA_SMP_TAHUN", _("Beasiswa SMP: paling lama (tahun)")
        BEASISWA_SMA = "BEASISWA_SMA", _("Beasiswa SMA per tahun")
        BEASISWA_SMA_TAHUN = "BEASISWA_SMA_TAHUN", _("Beasiswa SMA: paling lama (tahun)")
        BEASISWA_PT = "BEASISWA_PT", _("Beasiswa perguruan tinggi/pelatihan per tahun")
        BEASISWA_PT_TAHUN = "BEASISWA_PT_TAHUN", _("Beasiswa perguruan tinggi/pelatihan: paling lama (tahun)")
        BEASISWA_CAP_PER_CHILD = "BEASISWA_CAP_PER_CHILD", _("Beasiswa: paling banyak per anak")
        BEASISWA_MAX_CHILDREN = "BEASISWA_MAX_CHILDREN", _("Beasiswa: paling banyak anak")
        BEASISWA_MAX_AGE = "BEASISWA_MAX_AGE", _("Beasiswa: berakhir pada usia")
        BEASISWA_JKM_MIN_MASA_IUR = "BEASISWA_JKM_MIN_MASA_IUR", _("Beasiswa JKM: masa iur paling sedikit (bulan)")
        # Claims
        NPWP_THRESHOLD = "NPWP_THRESHOLD", _("NPWP wajib bila manfaat lebih dari")
        JKK_CLAIM_EXPIRY_YEARS = "JKK_CLAIM_EXPIRY_YEARS", _("Hak klaim JKK gugur setelah (tahun)")
        SLA_JKM_DAYS = "SLA_JKM_DAYS", _("Pembayaran JKM paling lama (hari kerja sejak berkas lengkap)")
        SLA_JKK_DAYS = "SLA_JKK_DAYS", _("Pembayaran JKK paling lama (hari kerja sejak berkas lengkap)")
        LATE_PCT_PER_DAY = "LATE_PCT_PER_DAY", _("Keterlambatan bayar: persen manfaat per hari")

    class Unit(models.TextChoices):
        RUPIAH = "RUPIAH", _("Rupiah")
        KALI = "KALI", _("kali")
        PERSEN = "PERSEN", _("persen")
        BULAN = "BULAN", _("bulan")
        TAHUN = "TAHUN", _("tahun")
        ORANG = "ORANG", _("orang")
        HARI = "HARI", _("hari kerja")

    code = models.CharField(_("kode"), max_length=30, choices=Code)
    value = models.DecimalField(_("nilai"), max_digits=18, decimal_places=2)
    unit = models.CharField(_("satuan"), max_length=6, choices=Unit)
    valid_from = models.DateField(_("berlaku untuk kejadian sejak"))
    valid_to = models.DateField(
        _("berlaku untuk kejadian sampai"),
        null=True,
        blank=True,
        help_text=_("Kosong berarti masih berlaku."),
    )
    regulation = models.CharField(
        _("dasar hukum"), max_length=200, help_text=_("Mis. PP 82/2019 Pasal 34 ayat (1) huruf a.")
    )
    note = models.CharField(_("keterangan"), max_length=255, blank=True)

    objects = BenefitRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("aturan manfaat")
        verbose_name_plural = _("aturan manfaat")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="benefit_rule_code_start_unique"),
            models.CheckConstraint(name="benefit_rule_value_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="benefit_rule_dates_ordered",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self):
        return f"{self.code} = {self.value} ({self.regulation})"

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Tanggal akhir tidak boleh sebelum tanggal mulai.")})
        if self.valid_from and self.code:
            overlap = Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            if self.valid_to:
                overlap &= Q(valid_from__lte=self.valid_to)
            if BenefitRule.objects.filter(overlap, code=self.code).exclude(pk=self.pk).exists():
                raise ValidationError(
                    {
                        "valid_from": _("Masa berlaku tumpang tindih dengan aturan %(code)s yang lain.")
                        % {"code": self.code}
                    }
                )


class CacatSebagianRate(models.Model):
    """A row of the cacat sebagian anatomis table (PP 82/2019 Lampiran): the percentage for a lost body part."""

    body_part = models.CharField(_("bagian tubuh yang hilang"), max_length=200)
    percent = models.DecimalField(_("persen"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("berlaku sejak"))
    valid_to = models.DateField(_("berlaku sampai"), null=True, blank=True)
    regulation = models.CharField(_("dasar hukum"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("persentase cacat sebagian")
        verbose_name_plural = _("tabel cacat sebagian anatomis")
        ordering = ["sort_order", "body_part"]
        constraints = [
            models.CheckConstraint(
                name="cacat_sebagian_percent_range", condition=Q(percent__gt=0) & Q(percent__lte=100)
            ),
        ]

    def __str__(self):
        return f"{self.body_part} ({self.percent}%)"


class ClaimQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "participant__desa__code"))


class Claim(models.Model):
    """A JKM, JKK or beasiswa claim of a protected worker, tracked from report to payment (brief §5)."""

    class Type(models.TextChoices):
        JKM = "JKM", _("Jaminan Kematian (JKM)")
        JKK = "JKK", _("Jaminan Kecelakaan Kerja (JKK)")
        BEASISWA = "BEASISWA", _("Beasiswa")

    class JkkKind(models.TextChoices):
        PERAWATAN = "PERAWATAN", _("Perawatan medis")
        STMB = "STMB", _("Sementara tidak mampu bekerja (STMB)")
        CACAT_SEBAGIAN = "CACAT_SEBAGIAN", _("Cacat sebagian anatomis")
        CACAT_TOTAL_TETAP = "CACAT_TOTAL_TETAP", _("Cacat total tetap")
        MENINGGAL = "MENINGGAL", _("Meninggal dunia akibat kecelakaan kerja")

    class Status(models.TextChoices):
        DIAJUKAN = "DIAJUKAN", _("Diajukan")
        VERIFIKASI = "VERIFIKASI", _("Verifikasi berkas")
        BERKAS_KURANG = "BERKAS_KURANG", _("Berkas kurang")
        BERKAS_LENGKAP = "BERKAS_LENGKAP", _("Berkas lengkap")
        DISETUJUI = "DISETUJUI", _("Disetujui")
        DITOLAK = "DITOLAK", _("Ditolak")
        DIBAYAR = "DIBAYAR", _("Dibayar")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="claims")
    type = models.CharField(_("jenis klaim"), max_length=10, choices=Type)
    jkk_kind = models.CharField(_("jenis manfaat JKK"), max_length=20, choices=JkkKind, blank=True)
    # A yearly beasiswa claim continues the death or cacat total tetap claim that opened the right to it.
    parent_claim = models.ForeignKey(
        "self",
        verbose_name=_("klaim asal beasiswa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beasiswa_claims",
    )
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.DIAJUKAN)
    incident_date = models.DateField(
        _("tanggal kejadian"),
        help_text=_("Tanggal meninggal atau kecelakaan; untuk beasiswa: tanggal pengajuan tahun ajaran ini."),
    )
    incident_place = models.CharField(_("tempat kejadian"), max_length=200, blank=True)
    cause = models.CharField(_("penyebab"), max_length=255, blank=True)
    is_work_related = models.BooleanField(
        _("akibat kecelakaan kerja"),
        default=False,
        help_text=_("JKM hanya untuk kematian yang bukan akibat kecelakaan kerja (PP 44/2015 Pasal 33)."),
    )
    is_traffic_accident = models.BooleanField(
        _("kecelakaan lalu lintas"), default=False, help_text=_("Bila ya, laporan polisi wajib dilampirkan.")
    )
    reporter_name = models.CharField(_("nama pelapor"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("telepon pelapor"), max_length=20, blank=True)
    branch = models.ForeignKey(Branch, verbose_name=_("kantor cabang"), on_delete=models.PROTECT, related_name="claims")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("dilaporkan pada"))
    # JKK costs as entered from receipts; the calculation caps them where PP 82/2019 Lampiran III caps them.
    medical_cost = models.DecimalField(_("biaya perawatan medis"), max_digits=18, decimal_places=2, default=ZERO)
    homecare_cost = models.DecimalField(_("biaya perawatan di rumah"), max_digits=18, decimal_places=2, default=ZERO)
    transport_land = models.DecimalField(_("biaya transportasi darat"), max_digits=18, decimal_places=2, default=ZERO)
    transport_sea = models.DecimalField(_("biaya transportasi laut"), max_digits=18, decimal_places=2, default=ZERO)
    transport_air = models.DecimalField(_("biaya transportasi udara"), max_digits=18, decimal_places=2, default=ZERO)
    stmb_months = models.PositiveSmallIntegerField(_("lama STMB (bulan)"), default=0)
    cacat_rate = models.ForeignKey(
        CacatSebagianRate,
        verbose_name=_("cacat sebagian (tabel)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    missing_documents = models.JSONField(_("dokumen yang kurang"), default=list, blank=True)
    complete_on = models.DateField(_("berkas lengkap pada"), null=True, blank=True)
    due_on = models.DateField(_("batas waktu bayar"), null=True, blank=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    benefit_amount = models.DecimalField(_("nilai manfaat"), max_digits=18, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(_("tanggal dibayar"), null=True, blank=True)
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=100, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="claim_status_due")]
        constraints = [
            models.CheckConstraint(
                name="claim_benefit_not_negative",
                condition=Q(benefit_amount__isnull=True) | Q(benefit_amount__gte=Decimal("0")),
            ),
            models.CheckConstraint(
                name="claim_paid_has_date",
                condition=~Q(status="DIBAYAR") | Q(paid_on__isnull=False),
            ),
            models.CheckConstraint(
                name="claim_jkk_kind_only_for_jkk",
                condition=(Q(type="JKK") & ~Q(jkk_kind="")) | (~Q(type="JKK") & Q(jkk_kind="")),
            ),
            models.CheckConstraint(
                name="claim_beasiswa_has_parent",
                condition=(Q(type="BEASISWA") & Q(parent_claim__isnull=False))
                | (~Q(type="BEASISWA") & Q(parent_claim__isnull=True)),
            ),
            models.CheckConstraint(
                name="claim_rejected_has_reason",
                condition=~Q(status="DITOLAK") | ~Q(rejection_reason=""),
            ),
            # A participant dies once: one death claim (JKM or JKK meninggal) that is not rejected.
            models.UniqueConstraint(
                fields=["participant"],
                condition=(Q(type="JKM") | Q(jkk_kind="MENINGGAL")) & ~Q(status="DITOLAK"),
                name="claim_one_death_per_participant",
                violation_error_message=_("Peserta ini sudah memiliki klaim kematian yang belum ditolak."),
            ),
            models.CheckConstraint(
                name="claim_costs_not_negative",
                condition=Q(medical_cost__gte=0)
                & Q(homecare_cost__gte=0)
                & Q(transport_land__gte=0)
                & Q(transport_sea__gte=0)
                & Q(transport_air__gte=0),
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} · {self.participant}"

    @property
    def is_death(self) -> bool:
        return self.type == self.Type.JKM or (self.type == self.Type.JKK and self.jkk_kind == self.JkkKind.MENINGGAL)

    @property
    def opens_beasiswa(self) -> bool:
        """Death (JKM, JKK) and cacat total tetap give the children a right to beasiswa."""
        return self.is_death or (self.type == self.Type.JKK and self.jkk_kind == self.JkkKind.CACAT_TOTAL_TETAP)

    @property
    def sla_type(self) -> str:
        """Which SLA applies: a beasiswa claim follows the program of the claim that opened it."""
        if self.type == self.Type.BEASISWA and self.parent_claim_id:
            return self.parent_claim.type
        return self.type if self.type != self.Type.BEASISWA else self.Type.JKM

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DITOLAK, self.Status.DIBAYAR)

    def clean(self):
        errors = {}
        if self.type == self.Type.JKK and not self.jkk_kind:
            errors["jkk_kind"] = _("Pilih jenis manfaat JKK.")
        if self.type != self.Type.JKK:
            self.jkk_kind = ""
        if self.jkk_kind == self.JkkKind.CACAT_SEBAGIAN and self.cacat_rate_id is None:
            errors["cacat_rate"] = _("Pilih bagian tubuh dari tabel cacat sebagian.")
        if self.type == self.Type.BEASISWA and self.parent_claim_id is None:
            # Not keyed on the field: the intake form has no such field (it finds the origin claim itself).
            errors[NON_FIELD_ERRORS] = _("Klaim beasiswa harus merujuk klaim kematian atau cacat total tetap.")
        if self.incident_date and self.incident_date > timezone.localdate():
            errors["incident_date"] = _("Tanggal kejadian tidak boleh di masa depan.")
        if errors:
            raise ValidationError(errors)


class AhliWaris(models.Model):
    """An heir (or, for beasiswa, a child) of the participant, recorded on one claim (PP 44/2015 Pasal 40(2))."""

    class Relationship(models.TextChoices):
        JANDA = "JANDA", _("Janda (istri)")
        DUDA = "DUDA", _("Duda (suami)")
        ANAK = "ANAK", _("Anak")
        ORANG_TUA = "ORANG_TUA", _("Orang tua")
        CUCU = "CUCU", _("Cucu")
        KAKEK_NENEK = "KAKEK_NENEK", _("Kakek/nenek")
        SAUDARA_KANDUNG = "SAUDARA_KANDUNG", _("Saudara kandung")
        MERTUA = "MERTUA", _("Mertua")
        WASIAT = "WASIAT", _("Pihak yang ditunjuk dalam wasiat")
        PENGURUS_PEMAKAMAN = "PENGURUS_PEMAKAMAN", _("Pihak yang mengurus pemakaman")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="heirs")
    nama = models.CharField(_("nama"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16)
    relationship = models.CharField(_("hubungan dengan peserta"), max_length=20, choices=Relationship)
    tanggal_lahir = models.DateField(_("tanggal lahir"))
    school_level = models.CharField(
        _("jenjang sekolah saat ini"),
        max_length=3,
        choices=SchoolLevel,
        blank=True,
        help_text=_("Untuk anak yang diusulkan menerima beasiswa."),
    )
    beasiswa_ended = models.BooleanField(
        _("sudah menikah atau bekerja"),
        default=False,
        help_text=_("Beasiswa berhenti bila anak menikah atau bekerja (PP 82/2019)."),
    )
    bank_name = models.CharField(_("nama bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ahli waris")
        verbose_name_plural = _("ahli waris")
        ordering = ["claim_id", "tanggal_lahir", "pk"]
        constraints = [
            models.CheckConstraint(name="ahli_waris_nik_16_digits", condition=Q(nik__regex=NIK_PATTERN)),
            models.CheckConstraint(
                name="ahli_waris_account_digits", condition=Q(bank_account="") | Q(bank_account__regex=r"^[0-9]{5,30}$")
            ),
            models.UniqueConstraint(fields=["claim", "nik"], name="ahli_waris_once_per_claim"),
        ]

    def __str__(self):
        return f"{self.nama} ({self.get_relationship_display()})"

    @property
    def masked_account(self) -> str:
        """Only the last four digits: what everyone but the paying officer sees."""
        if not self.bank_account:
            return ""
        return f"•••• {self.bank_account[-4:]}"

    def age_on(self, day) -> int:
        born = self.tanggal_lahir
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def document_upload_to(instance, filename: str) -> str:
    """A random name under the claim's folder: the original name is kept in the row, never in the path."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"klaim/{instance.claim_id}/{secrets.token_hex(16)}{suffix}"


class ClaimDocument(models.Model):
    """An uploaded document of a claim, kept in private storage and served only through a scoped view."""

    class Kind(models.TextChoices):
        KARTU_PESERTA = "KARTU_PESERTA", _("Kartu peserta (KPJ)")
        KTP_PESERTA = "KTP_PESERTA", _("e-KTP peserta")
        KTP_AHLI_WARIS = "KTP_AHLI_WARIS", _("e-KTP ahli waris")
        AKTA_KEMATIAN = "AKTA_KEMATIAN", _("Akta/surat keterangan kematian")
        KARTU_KELUARGA = "KARTU_KELUARGA", _("Kartu Keluarga")
        SURAT_AHLI_WARIS = "SURAT_AHLI_WARIS", _("Surat keterangan ahli waris")
        BUKU_NIKAH = "BUKU_NIKAH", _("Buku nikah")
        BUKU_TABUNGAN = "BUKU_TABUNGAN", _("Buku tabungan penerima")
        NPWP = "NPWP", _("NPWP penerima")
        LAPORAN_TAHAP_1 = "LAPORAN_TAHAP_1", _("Laporan kecelakaan kerja tahap I")
        LAPORAN_TAHAP_2 = "LAPORAN_TAHAP_2", _("Laporan kecelakaan kerja tahap II")
        SURAT_DOKTER = "SURAT_DOKTER", _("Surat keterangan dokter")
        KRONOLOGI = "KRONOLOGI", _("Kronologi kejadian dengan 2 saksi")
        LAPORAN_POLISI = "LAPORAN_POLISI", _("Laporan polisi (kecelakaan lalu lintas)")
        KUITANSI = "KUITANSI", _("Kuitansi biaya pengobatan/transportasi")
        FORMULIR_BEASISWA = "FORMULIR_BEASISWA", _("Formulir pengajuan beasiswa")
        SURAT_SEKOLAH = "SURAT_SEKOLAH", _("Surat keterangan sekolah/kuliah")
        IDENTITAS_ANAK = "IDENTITAS_ANAK", _("Kartu pelajar atau akta kelahiran anak")
        LAINNYA = "LAINNYA", _("Lainnya")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=Kind)
    file = models.FileField(_("berkas"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=200)
    content_type = models.CharField(_("jenis isi"), max_length=60)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("dokumen klaim")
        verbose_name_plural = _("dokumen klaim")
        ordering = ["claim_id", "kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


class ClaimTransition(models.Model):
    """One line of a claim's timeline: who moved it from which status to which, when, and why."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("dari status"), max_length=15, choices=Claim.Status, blank=True)
    to_status = models.CharField(_("ke status"), max_length=15, choices=Claim.Status)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("waktu"), default=timezone.now)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status klaim")
        verbose_name_plural = _("riwayat status klaim")
        ordering = ["claim_id", "at", "pk"]

    def __str__(self):
        return f"{self.claim_id}: {self.from_status or '-'} → {self.to_status}"


class ClaimBenefitLine(models.Model):
    """One line of an approved claim's breakdown, frozen at approval with the rule it came from."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="benefit_lines")
    position = models.PositiveSmallIntegerField(_("urutan"))
    code = models.CharField(_("kode"), max_length=40)
    label = models.CharField(_("uraian"), max_length=200)
    rule_text = models.CharField(_("aturan"), max_length=300)
    amount = models.DecimalField(_("jumlah"), max_digits=18, decimal_places=2)
    heir = models.ForeignKey(AhliWaris, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    school_level = models.CharField(_("jenjang"), max_length=3, choices=SchoolLevel, blank=True)

    class Meta:
        verbose_name = _("rincian manfaat")
        verbose_name_plural = _("rincian manfaat")
        ordering = ["claim_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="claim_benefit_line_position_unique"),
            models.CheckConstraint(name="claim_benefit_line_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.label}: {self.amount}"


class ClaimPayment(models.Model):
    """The one payment of a claim: the database refuses a second row for the same claim."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("jumlah dibayar"), max_digits=18, decimal_places=2)
    paid_on = models.DateField(_("tanggal bayar"))
    reference = models.CharField(_("referensi pembayaran"), max_length=100)
    recipient = models.ForeignKey(
        AhliWaris, verbose_name=_("penerima"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(_("nama penerima"), max_length=150)
    bank_name = models.CharField(_("nama bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("nomor rekening"), max_length=30, blank=True)
    late_days = models.PositiveIntegerField(_("hari terlambat"), default=0)
    late_compensation = models.DecimalField(
        _("kompensasi keterlambatan"), max_digits=18, decimal_places=2, default=ZERO
    )
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pembayaran klaim")
        verbose_name_plural = _("pembayaran klaim")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim"], name="claim_paid_once"),
            models.CheckConstraint(name="claim_payment_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.claim_id}: {self.amount} ({self.reference})"

    @property
    def masked_account(self) -> str:
        return f"•••• {self.bank_account[-4:]}" if self.bank_account else ""
