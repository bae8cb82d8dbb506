import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Budget, FundingSource, Payment, Program, Region
from rentan.access import region_code_in_scope


class MonthField(forms.DateField):
    """A month typed as ``YYYY-MM`` (an ``<input type="month">``), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        date = super().to_python(value)
        return date.replace(day=1) if date else date


class ScopedRegionField(forms.CharField):
    """A region code the user may act for, at the allowed levels; answers with the Region."""

    def __init__(self, *, levels, **kwargs):
        self.levels = levels
        self.user = None
        super().__init__(max_length=13, **kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        region = Region.objects.filter(code=code, level__in=self.levels).first()
        if region is None or not region_code_in_scope(self.user, code):
            raise forms.ValidationError(
                _("Kode wilayah %(code)s tidak dikenal atau di luar wilayah kerja Anda."), params={"code": code}
            )
        return region


class ProgramForm(forms.ModelForm):
    owner_region = ScopedRegionField(
        label=_("Kode wilayah pemilik"),
        levels=[Region.Level.PROVINSI, Region.Level.KABKOTA, Region.Level.DESA],
        help_text=_("Provinsi (17), kabupaten/kota (17.71) atau desa/kelurahan (17.71.05.1001)."),
    )
    start_month = MonthField(label=_("Bulan mulai"))
    end_month = MonthField(label=_("Bulan selesai"), required=False, help_text=_("Kosongkan bila berjalan terus."))

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "owner_region",
            "funding_source",
            "is_transport",
            "package",
            "income_bracket",
            "pks_number",
            "pks_date",
            "start_month",
            "end_month",
            "target_jiwa",
        ]
        widgets = {"pks_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_region"].user = user
        if self.instance.pk:
            self.initial["owner_region"] = self.instance.owner_region_id
            self.fields["code"].disabled = True


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = ["fiscal_year", "stage", "amount", "decided_on", "note"]
        widgets = {"decided_on": forms.DateInput(attrs={"type": "date"})}

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount < 0:
            raise forms.ValidationError(_("Pagu tidak boleh negatif."))
        return amount


def _this_year() -> int:
    return datetime.date.today().year  # noqa: DTZ011 - a default for a form field


class PlannerForm(forms.Form):
    population = forms.IntegerField(label=_("Semesta pekerja rentan (jiwa)"), min_value=0)
    target_percent = forms.DecimalField(
        label=_("Target cakupan (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2
    )
    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2015, max_value=2100, initial=_this_year)
    start_month = MonthField(label=_("Bulan mulai"), required=False, help_text=_("Kosongkan untuk Januari."))
    funding_source = forms.ChoiceField(label=_("Sumber dana"), choices=FundingSource.choices, initial=FundingSource.SG)
    package = forms.ChoiceField(label=_("Paket manfaat"), choices=Program.Package.choices)
    is_transport = forms.BooleanField(label=_("Sektor transportasi"), required=False)

    def clean(self):
        data = super().clean()
        start, year = data.get("start_month"), data.get("year")
        if start and year and start.year != year:
            self.add_error("start_month", _("Bulan mulai harus berada di tahun anggaran yang sama."))
        return data


class RegionPlannerForm(forms.Form):
    target_percent = forms.DecimalField(
        label=_("Target cakupan (%)"), min_value=Decimal(0), max_value=Decimal(100), decimal_places=2, initial=70
    )
    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2015, max_value=2100)
    funding_source = forms.ChoiceField(label=_("Sumber dana"), choices=FundingSource.choices, initial=FundingSource.SG)


class WhatIfForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2015, max_value=2100)
    extra_jiwa = forms.IntegerField(label=_("Tambah jiwa"), min_value=0, required=False)
    extra_from = MonthField(label=_("mulai bulan"), required=False)


class BillGenerateForm(forms.Form):
    month = MonthField(label=_("Bulan iuran"))


class PaymentForm(forms.ModelForm):
    """An SP2D against one of the program's bills; the bill list is the program's own."""

    class Meta:
        model = Payment
        fields = ["bill", "paid_on", "amount", "sp2d_number", "kode_rekening", "note"]
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bill"].queryset = program.bills.order_by("-month", "kind", "pk")
        self.fields["bill"].empty_label = None

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Jumlah pembayaran harus lebih dari nol."))
        return amount
