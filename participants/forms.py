from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants import selectors
from participants.models import ImportBatch, Participant
from participants.services import default_start_month, nik_check_for
from programs.forms import MonthField
from programs.models import Occupation, Program, Region
from rentan.formatting import mask_nik
from rentan.uploads import UploadRefused, check_spreadsheet

UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")


def _bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap's classes on every widget (the templates render fields as they are)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ParticipantFilterForm(forms.Form):
    """The list's search and filters; values that do not fit the user's scope are dropped, not obeyed."""

    q = forms.CharField(label=gettext_lazy("Cari"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    wilayah = forms.ChoiceField(label=gettext_lazy("Wilayah"), required=False)
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Semua program"),
    )
    pekerjaan = forms.ModelChoiceField(
        label=gettext_lazy("Pekerjaan"),
        queryset=Occupation.objects.order_by("name"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Semua pekerjaan"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Semua status")), *Participant.Status.choices]
        self.fields["wilayah"].choices = [
            ("", _("Seluruh wilayah Anda")),
            *selectors.region_filter_choices_for_user(user=user),
        ]
        self.fields["program"].queryset = selectors.program_list_for_participants(user=user)
        _bootstrap(self)

    def filters(self) -> dict:
        """The filters that validated (an invalid one is ignored rather than failing the page)."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "region_code": data.get("wilayah") or "",
            "program": data.get("program"),
            "pekerjaan": data.get("pekerjaan"),
        }


class ParticipantForm(forms.ModelForm):
    """Add or edit a participant: NIK errors block saving, NIK warnings are shown but do not (brief §7)."""

    desa = forms.CharField(label=gettext_lazy("Desa/kelurahan domisili"))

    class Meta:
        model = Participant
        fields = [
            "nik",
            "nama",
            "tempat_lahir",
            "tanggal_lahir",
            "jenis_kelamin",
            "alamat",
            "desa",
            "pekerjaan",
            "no_hp",
            "data_source",
            "status",
        ]
        widgets = {
            "tanggal_lahir": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.nik_warnings: list[str] = []
        choices = selectors.desa_choices_for_user(user=user)
        if choices is not None:
            self.fields["desa"] = forms.ChoiceField(
                label=gettext_lazy("Desa/kelurahan domisili"), choices=[("", "---------"), *choices]
            )
        else:
            self.fields["desa"].help_text = _("Kode desa/kelurahan, mis. 17.71.01.1001.")
        if self.instance.pk:
            self.initial["desa"] = self.instance.desa_id
            if not user.may_reveal_nik:
                # The edit form would otherwise show the full NIK to every editor: it keeps the stored one unless
                # a new one is typed (masked by default, SECURITY.md).
                self.initial["nik"] = ""
                self.fields["nik"].required = False
                self.fields["nik"].help_text = _(
                    "NIK tersimpan: %(nik)s (disamarkan). Kosongkan bila tidak berubah; ketik lengkap untuk "
                    "memperbaikinya."
                ) % {"nik": mask_nik(self.instance.nik)}
        else:
            del self.fields["status"]
        self.fields["pekerjaan"].queryset = Occupation.objects.order_by("name")
        _bootstrap(self)

    def clean_desa(self):
        code = self.cleaned_data["desa"].strip()
        desa = Region.objects.for_user(self.user).filter(code=code, level=Region.Level.DESA).first()
        if desa is None:
            raise forms.ValidationError(_("Desa/kelurahan %(code)s tidak ada di wilayah Anda.") % {"code": code})
        return desa

    def clean(self):
        data = super().clean()
        if self.instance.pk and not data.get("nik") and "nik" not in self.errors:
            data["nik"] = self.instance.nik
        if "nik" in data:
            check = nik_check_for(nik=data["nik"], birth_date=data.get("tanggal_lahir"), sex=data.get("jenis_kelamin"))
            if check.errors:
                self.add_error("nik", [issue.message for issue in check.errors])
            else:
                data["nik"] = check.nik
                self.nik_warnings = [issue.message for issue in check.warnings]
        return data

    def _post_clean(self):
        # The service validates the model (uniqueness with a scope-aware message included); a ModelForm would
        # repeat it with Django's generic wording.
        pass


class EnrolmentForm(forms.Form):
    program = forms.ModelChoiceField(label=gettext_lazy("Program"), queryset=Program.objects.none())
    start_month = MonthField(label=gettext_lazy("Bulan mulai"))
    end_month = MonthField(
        label=gettext_lazy("Bulan selesai"),
        required=False,
        help_text=gettext_lazy("Kosongkan: sampai program berakhir."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = selectors.program_list_for_participants(user=user)
        _bootstrap(self)


def _check_upload(upload) -> None:
    if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise forms.ValidationError(_("Unggah berkas .xlsx atau .csv."))
    limit = settings.PARTICIPANT_IMPORT_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _("Berkas lebih dari %(limit)s MB; bagi menjadi beberapa berkas.") % {"limit": limit}
        )
    if upload.size == 0:
        raise forms.ValidationError(_("Berkas kosong."))
    try:
        check_spreadsheet(upload)  # refused here, nothing is stored and no import is recorded
    except UploadRefused as error:
        raise forms.ValidationError(str(error)) from error


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas daftar (.xlsx atau .csv)"),
        help_text=gettext_lazy(
            "Baris pertama tabel berisi judul kolom: NIK, Nama, Tgl Lahir, JK (L/P), Desa (nama atau kode), "
            "Pekerjaan, No HP, Alamat, Tempat Lahir. Kolom NIK harus berformat teks di Excel."
        ),
    )
    program = forms.ModelChoiceField(label=gettext_lazy("Program"), queryset=Program.objects.none())
    start_month = MonthField(
        label=gettext_lazy("Bulan mulai kepesertaan"),
        required=False,
        help_text=gettext_lazy("Kosongkan: bulan ini, atau bulan pertama program bila program mulai belakangan."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Bila ada baris yang salah"),
        choices=ImportBatch.Mode.choices,
        initial=ImportBatch.Mode.SKIP_BAD_ROWS,
        widget=forms.RadioSelect,
    )
    default_pekerjaan = forms.ModelChoiceField(
        label=gettext_lazy("Pekerjaan untuk baris tanpa pekerjaan"),
        queryset=Occupation.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("— tolak baris tanpa pekerjaan —"),
    )
    data_source = forms.ChoiceField(
        label=gettext_lazy("Sumber data"),
        choices=Participant.DataSource.choices,
        initial=Participant.DataSource.LAINNYA,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = selectors.program_list_for_participants(user=user)
        _bootstrap(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        _check_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        program = data.get("program")
        if program is not None and not data.get("start_month"):
            data["start_month"] = default_start_month(program)
        return data


class BpjsReplyForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Balasan BPJS (.xlsx atau .csv)"),
        help_text=gettext_lazy("Kolom: NIK, KPJ (nomor peserta), Tanggal Kepesertaan, Status."),
    )
    program = forms.ModelChoiceField(label=gettext_lazy("Program"), queryset=Program.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = selectors.program_list_for_participants(user=user)
        _bootstrap(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        _check_upload(upload)
        return upload


class RevealNikForm(forms.Form):
    """Why a full NIK is needed: stored with the audit row (UU 27/2022 Pasal 16, purpose limitation)."""

    REASON_MIN_LENGTH = 10

    reason = forms.CharField(
        label=gettext_lazy("Alasan menampilkan NIK lengkap"),
        min_length=REASON_MIN_LENGTH,
        max_length=255,
        help_text=gettext_lazy("Misalnya: mencocokkan dengan KTP saat verifikasi klaim. Alasan dicatat."),
        error_messages={
            "required": gettext_lazy("Tuliskan alasan Anda memerlukan NIK lengkap."),
            "min_length": gettext_lazy("Alasan terlalu singkat; tulis paling sedikit %(limit_value)d karakter."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
