from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import ReportNote
from monitoring.services import TARGET_CSV_MAX_BYTES, target_value_error
from programs.forms import MonthField, ScopedRegionField
from programs.models import Region, RegionTarget
from rentan.uploads import UploadRefused, check_spreadsheet


class RegionTargetForm(forms.ModelForm):
    """One target or denominator of a region inside the user's scope, with its source."""

    region = ScopedRegionField(
        label=_("Kode wilayah"),
        levels=list(Region.Level.values),
        help_text=_("Provinsi (17), kabupaten/kota (17.71), kecamatan (17.71.05) atau desa (17.71.05.1001)."),
    )

    class Meta:
        model = RegionTarget
        fields = ["region", "year", "indicator", "value", "source", "note"]
        help_texts = {
            "value": _("Target UCJ dalam persen (mis. 48,00); yang lain dalam jiwa."),
            "source": _("Dari mana angka ini: Kemendagri, RPJMN, RPJMD, BPS, P3KE/DTSEN atau pemda sendiri."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].user = user
        self.fields["value"].localize = True
        self.fields["value"].widget.is_localized = True
        self.fields["year"].min_value = 2000
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
        else:
            self.initial.setdefault("year", timezone.localdate().year)

    def clean(self):
        data = super().clean()
        problem = target_value_error(data.get("indicator"), data.get("value"))
        if problem:
            self.add_error("value", problem)
        return data

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= timezone.localdate().year + 10:
            raise forms.ValidationError(_("Tahun di luar rentang yang wajar."))
        return year


class TargetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV"),
        help_text=_(
            "Kolom: kode_wilayah, tahun, indikator, nilai, sumber, keterangan (dipisah koma atau titik koma). "
            "Satu baris salah membatalkan seluruh berkas."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > TARGET_CSV_MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 1 MB)."))
        try:
            kind = check_spreadsheet(upload)  # the content must be text, whatever the name says
        except UploadRefused as error:
            raise forms.ValidationError(str(error)) from error
        if kind != "csv":
            raise forms.ValidationError(_("Unggah berkas CSV (teks), bukan berkas Excel."))
        return upload


class RunStartForm(forms.Form):
    month = MonthField(label=_("Bulan"), required=False)


class ReportRequestForm(forms.Form):
    month = MonthField(label=_("Bulan laporan"))


class ReportNoteForm(forms.ModelForm):
    """A note or recommendation for the meeting of the month shown on the report page."""

    class Meta:
        model = ReportNote
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}
        help_texts = {"text": _("Tampil di bagian 7 laporan berikutnya yang dibuat untuk bulan ini.")}
