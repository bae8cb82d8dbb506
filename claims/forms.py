from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import AhliWaris, CacatSebagianRate, Claim, ClaimDocument
from claims.selectors import decided_parent_claims
from participants.nik import validate_nik
from programs.forms import MonthField
from programs.models import Branch

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"min_value": Decimal(0), "max_digits": 18, "decimal_places": 2}


class ClaimForm(forms.ModelForm):
    """The intake form: what happened, who reported it, and (for JKK) the costs and the kind of benefit."""

    reported_at = forms.DateTimeField(
        label=_("Dilaporkan pada"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=_("Kosongkan untuk saat ini."),
    )

    class Meta:
        model = Claim
        fields = [
            "type",
            "jkk_kind",
            "incident_date",
            "incident_place",
            "cause",
            "is_work_related",
            "is_traffic_accident",
            "reporter_name",
            "reporter_phone",
            "reported_at",
            "branch",
            "medical_cost",
            "homecare_cost",
            "transport_land",
            "transport_sea",
            "transport_air",
            "stmb_months",
            "cacat_rate",
        ]
        widgets = {"incident_date": DATE}

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        kabkota = participant.desa_id[:5]
        branches = Branch.objects.filter(regions__code=kabkota).order_by("name")
        self.fields["branch"].queryset = branches
        self.fields["branch"].initial = branches.first()
        if not branches.exists():
            self.fields["branch"].help_text = _(
                "Belum ada kantor cabang BPJS yang tercatat melayani kabupaten/kota ini; hubungi administrator."
            )
        self.fields["cacat_rate"].queryset = CacatSebagianRate.objects.filter(valid_to__isnull=True)
        self.fields["jkk_kind"].help_text = _("Wajib untuk klaim JKK.")
        for name in ("medical_cost", "homecare_cost", "transport_land", "transport_sea", "transport_air"):
            self.fields[name].min_value = Decimal(0)
            self.fields[name].widget.attrs["min"] = "0"

    def clean_reported_at(self):
        value = self.cleaned_data.get("reported_at") or timezone.now()
        if value > timezone.now():
            raise forms.ValidationError(_("Waktu laporan tidak boleh di masa depan."))
        return value

    def clean(self):
        data = super().clean()
        reported, incident = data.get("reported_at"), data.get("incident_date")
        if reported and incident and timezone.localtime(reported).date() < incident:
            self.add_error("reported_at", _("Waktu laporan tidak boleh sebelum tanggal kejadian."))
        if data.get("type") == Claim.Type.BEASISWA:
            parent = decided_parent_claims(participant=self.participant).first()
            if parent is None:
                raise forms.ValidationError(
                    _(
                        "Beasiswa tahunan hanya dapat diajukan sesudah klaim kematian atau cacat total tetap peserta "
                        "ini disetujui."
                    )
                )
            # On the instance too: the model's clean() checks that a beasiswa claim names its origin.
            data["parent_claim"] = self.instance.parent_claim = parent
        return data


class HeirForm(forms.ModelForm):
    class Meta:
        model = AhliWaris
        fields = [
            "nama",
            "nik",
            "relationship",
            "tanggal_lahir",
            "school_level",
            "beasiswa_ended",
            "bank_name",
            "bank_account",
            "phone",
        ]
        widgets = {"tanggal_lahir": DATE}

    def clean_nik(self):
        check = validate_nik(self.cleaned_data["nik"])
        if not check.is_valid:
            raise forms.ValidationError([issue.message for issue in check.errors])
        return check.nik

    def clean_bank_account(self):
        account = "".join(self.cleaned_data.get("bank_account", "").split()).replace("-", "")
        if account and not account.isdigit():
            raise forms.ValidationError(_("Nomor rekening hanya berisi angka."))
        return account


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=ClaimDocument.Kind.choices)
    file = forms.FileField(label=_("Berkas (PDF, JPG atau PNG, paling besar 5 MB)"))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncompleteForm(NoteForm):
    documents = forms.MultipleChoiceField(
        label=_("Dokumen yang kurang"),
        choices=ClaimDocument.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan untuk memakai daftar dokumen yang belum diunggah."),
    )


class CompleteForm(NoteForm):
    on = forms.DateField(label=_("Berkas lengkap pada"), required=False, widget=DATE)

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise forms.ValidationError(_("Tanggal tidak boleh di masa depan."))
        return on


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Alasan penolakan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("Tanggal bayar"), widget=DATE)
    reference = forms.CharField(label=_("Referensi pembayaran"), max_length=100)
    recipient = forms.ModelChoiceField(label=_("Penerima"), queryset=AhliWaris.objects.none(), required=False)
    bank_name = forms.CharField(label=_("Nama bank (bila berbeda)"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("Nomor rekening (bila berbeda)"), max_length=30, required=False)

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = AhliWaris.objects.filter(claim=claim)
        self.fields["paid_on"].initial = timezone.localdate()
        if not (claim.is_death or claim.type == Claim.Type.BEASISWA):
            self.fields["recipient"].help_text = _("Kosongkan bila dibayar kepada peserta sendiri.")

    def clean_bank_account(self):
        account = "".join(self.cleaned_data.get("bank_account", "").split()).replace("-", "")
        if account and not account.isdigit():
            raise forms.ValidationError(_("Nomor rekening hanya berisi angka."))
        return account


class SummaryForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah"))
    month = MonthField(label=_("Bulan"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region.code, str(region)) for region in regions]
