"""django-import-export for participants in the admin: export, and import for small corrections.

The import checks NIKs with the same :func:`participants.nik.validate_nik` as the forms and list imports (hard
errors refuse the row with the Indonesian reason); every exported cell goes through the shared neutraliser.
Large lists go through the portal's list import, which is ~100× faster (see benchmarks/).
"""

from import_export import fields, resources, widgets

from participants.importing.rows import parse_date
from participants.models import Participant
from participants.services import kecamatan_codes, nik_check_for
from programs.models import Occupation, Region
from rentan.audit import audit_record
from rentan.exports import neutralise


class NikWidget(widgets.CharWidget):
    """A NIK checked by validate_nik; the stated birth date and sex of the row are compared as in the portal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_kecamatan = None

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)  # a number cell: validate_nik explains that digits were lost
        row = row or {}
        birth = parse_date(row.get("tanggal_lahir"), today=_today())
        if self.known_kecamatan is None:
            self.known_kecamatan = kecamatan_codes()  # once per import, not once per row
        check = nik_check_for(
            nik=value,
            birth_date=birth if not isinstance(birth, str) else None,
            sex=str(row.get("jenis_kelamin") or "").strip().upper() or None,
            known_kecamatan=self.known_kecamatan,
        )
        if not check.is_valid:
            raise ValueError(" ".join(issue.message for issue in check.errors))
        return check.nik

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IndonesianDateWidget(widgets.DateWidget):
    """Dates as Excel dates, serials, ``dd/mm/yyyy``, ``dd-mm-yyyy`` or ``yyyy-mm-dd`` (the list import's rules)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        parsed = parse_date(value, today=_today())
        if isinstance(parsed, str):
            raise ValueError(parsed)
        return parsed


class DesaWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Region, field="code")

    def get_queryset(self, value, row, *args, **kwargs):
        return Region.objects.filter(level=Region.Level.DESA)


def _today():
    from django.utils import timezone

    return timezone.localdate()


class ParticipantResource(resources.ModelResource):
    nik = fields.Field(attribute="nik", column_name="nik", widget=NikWidget())
    tanggal_lahir = fields.Field(attribute="tanggal_lahir", column_name="tanggal_lahir", widget=IndonesianDateWidget())
    desa = fields.Field(attribute="desa", column_name="desa", widget=DesaWidget())
    pekerjaan = fields.Field(
        attribute="pekerjaan", column_name="pekerjaan", widget=widgets.ForeignKeyWidget(Occupation, field="code")
    )

    class Meta:
        model = Participant
        import_id_fields = ["nik"]
        fields = (
            "nik",
            "nama",
            "tempat_lahir",
            "tanggal_lahir",
            "jenis_kelamin",
            "alamat",
            "desa",
            "pekerjaan",
            "no_hp",
            "kpj",
            "bpjs_membership_start",
            "bpjs_status",
            "data_source",
            "status",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import(self, dataset, **kwargs):
        self.fields["nik"].widget.known_kecamatan = None  # the region table may have changed since the last import
        super().before_import(dataset, **kwargs)

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def after_import(self, dataset, result, **kwargs):
        user = kwargs.get("user")
        if not kwargs.get("dry_run") and user is not None:
            totals = result.totals
            audit_record(
                user=user,
                action="import",
                object_type="participants.Participant",
                object_repr="django-import-export (admin)",
                changes={name: [None, totals.get(name, 0)] for name in ("new", "update", "skip", "error", "invalid")},
            )
        super().after_import(dataset, result, **kwargs)
