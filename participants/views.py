import uuid
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from claims.selectors import claim_list_for_user
from participants import selectors, services
from participants.forms import (
    BpjsReplyForm,
    EnrolmentForm,
    ImportUploadForm,
    ParticipantFilterForm,
    ParticipantForm,
    RevealNikForm,
)
from participants.importing.columns import PARTICIPANT_COLUMNS
from participants.models import ImportBatch
from programs.selectors import program_get_for_user
from rentan.audit import audit_read
from rentan.exports import csv_response, xlsx_response
from rentan.pagination import paginate
from rentan.search import search_params, search_redirect

EXPORT_HEADER = [
    "NIK", "Nama", "Tempat lahir", "Tanggal lahir", "JK", "Alamat", "Kode desa", "Desa/kelurahan", "Kecamatan",
    "Pekerjaan", "No HP", "KPJ", "Mulai kepesertaan BPJS", "Sumber data", "Status",
]  # fmt: skip
REGISTRATION_HEADER = [
    "No", "NIK", "Nama", "Tempat lahir", "Tanggal lahir", "Jenis kelamin", "Alamat", "Desa/kelurahan",
    "Kecamatan", "Kabupaten/kota", "Pekerjaan", "No HP", "Program", "Penghasilan (Rp)", "Kode sumber dana", "KPJ",
]  # fmt: skip


def editor_required(view):
    """Only people who keep participant lists (Disnaker, administrators) reach write pages; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.may_edit_participants(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- list, detail, forms -------------------------------------------------------------------------------------
def _filter_form(request) -> tuple[ParticipantFilterForm, dict]:
    params = search_params(request)
    form = ParticipantFilterForm(params or None, user=request.user)
    return form, form.filters() if params else {}


@login_required
@require_http_methods(["GET", "POST"])
def participant_list(request):
    # The search box POSTs (a NIK never goes into a URL): swap its text for a token, then show the list.
    moved = search_redirect(request)
    if moved:
        return moved
    form, filters = _filter_form(request)
    participants = selectors.participant_list_for_user(user=request.user, **filters)
    context = {
        "page": paginate(request, participants),
        "form": form,
        "filtered": any(filters.values()),
        "program": filters.get("program"),
        "may_edit": services.may_edit_participants(request.user),
        "query": request.GET.urlencode(),
    }
    if not request.htmx:
        return render(request, "participants/participant_list.html", context)
    response = render(request, "participants/_participant_table.html", context)
    response["HX-Push-Url"] = request.get_full_path()
    return response


@login_required
def participant_export(request, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _form, filters = _filter_form(request)
    participants = selectors.participant_list_for_user(user=request.user, **filters)
    services.export_record(user=request.user, what="participant_list", detail=request.GET.urlencode())
    rows = selectors.participant_export_rows(participants)
    filename = f"peserta-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, header=EXPORT_HEADER, rows=rows)
    return xlsx_response(
        filename, header=EXPORT_HEADER, rows=rows, sheet_title=_("Peserta"), text_columns=(0, 6, 10, 11)
    )


@login_required
def participant_detail(request, pk):
    participant = selectors.participant_get_for_user(user=request.user, pk=pk)
    may_edit = services.may_edit_participants(request.user)
    enrolments = selectors.enrolment_list_for_participant(participant=participant, user=request.user)
    context = {
        "participant": participant,
        "enrolments": enrolments,
        "iuran_months": selectors.iuran_months_for_participant(enrolments=enrolments, today=timezone.localdate()),
        "claims": claim_list_for_user(user=request.user, participant=participant),
        "may_edit": may_edit,
        "enrol_form": EnrolmentForm(user=request.user) if may_edit else None,
        "today": timezone.localdate(),
        "may_reveal": request.user.may_reveal_nik,
        "reveal_form": RevealNikForm(),
    }
    audit_read(request, participant, action="view")
    return render(request, "participants/participant_detail.html", context)


@require_POST
@login_required
def participant_reveal_nik(request, pk):
    """Show one participant's full NIK in this one response, for a stated reason, and audit it."""
    if not request.user.may_reveal_nik:
        # Before the lookup: the refusal says nothing about which participants exist.
        raise PermissionDenied(
            _(
                "Menampilkan NIK lengkap memerlukan izin; minta administrator menambahkan Anda ke kelompok "
                "“Penampil NIK lengkap”."
            )
        )
    participant = selectors.participant_get_for_user(user=request.user, pk=pk)
    form = RevealNikForm(request.POST)
    revealed = form.is_valid()
    if revealed:
        audit_read(request, participant, action="reveal", reason=form.cleaned_data["reason"])
    context = {"participant": participant, "may_reveal": True, "reveal_form": form, "revealed": revealed}
    template = "participants/_nik.html" if request.htmx else "participants/participant_nik.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"  # the full NIK must not stay in a browser or proxy cache
    return response


@editor_required
def participant_create(request):
    form = ParticipantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Peserta %(nama)s disimpan.") % {"nama": participant.nama})
            for warning in form.nik_warnings:
                messages.warning(request, warning)
            return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/participant_form.html", {"form": form})


@editor_required
def participant_edit(request, pk):
    participant = selectors.participant_get_for_user(user=request.user, pk=pk)
    form = ParticipantForm(request.POST or None, instance=participant, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(user=request.user, participant=participant, data=form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Perubahan disimpan."))
            for warning in form.nik_warnings:
                messages.warning(request, warning)
            return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/participant_form.html", {"form": form, "participant": participant})


@require_POST
@editor_required
def participant_enrol(request, pk):
    participant = selectors.participant_get_for_user(user=request.user, pk=pk)
    form = EnrolmentForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.enrolment_create(
                user=request.user,
                participant=participant,
                program=form.cleaned_data["program"],
                start_month=form.cleaned_data["start_month"],
                end_month=form.cleaned_data["end_month"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Peserta didaftarkan ke program."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("participants:detail", pk=participant.pk)


# --- list imports --------------------------------------------------------------------------------------------
def _save_upload(upload) -> Path:
    """Keep the uploaded file in private storage (outside the web root) for the worker that reads it."""
    name = get_valid_filename(Path(upload.name).name) or "daftar"
    stored = default_storage.save(f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}/{name}", upload)
    return Path(default_storage.path(stored))


@editor_required
def import_list(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.import_batch_create(
                user=request.user,
                program=data["program"],
                source_path=_save_upload(data["file"]),
                file_name=data["file"].name,
                mode=data["mode"],
                start_month=data["start_month"],
                default_pekerjaan=data["default_pekerjaan"],
                data_source=data["data_source"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("participants:import_detail", pk=batch.pk)
    batches = selectors.import_batch_list_for_user(user=request.user, kind=ImportBatch.Kind.PARTICIPANTS)
    context = {"form": form, "page": paginate(request, batches, per_page=10), "columns": PARTICIPANT_COLUMNS}
    return render(request, "participants/import_list.html", context)


def _batch_context(request, batch) -> dict:
    report = Path(batch.error_report_path) if batch.error_report_path else None
    report_ready = bool(batch.rows_refused and report and report.exists())
    return {
        "batch": batch,
        "report_ready": report_ready,
        "polling": batch.is_running or bool(batch.rows_refused and not report_ready),
        "may_edit": services.may_edit_participants(request.user),
        "preview_sections": [
            (label, (batch.preview or {}).get(kind, []))
            for kind, label in (("new", _("baru")), ("updated", _("diperbarui")), ("unchanged", _("tidak berubah")))
        ],
    }


@login_required
def import_detail(request, pk):
    batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
    return render(request, "participants/import_detail.html", _batch_context(request, batch))


@login_required
def import_status(request, pk):
    """The part of the import page that changes while a task works; HTMX polls it."""
    batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
    return render(request, "participants/_import_status.html", _batch_context(request, batch))


@require_POST
@editor_required
def import_confirm(request, pk):
    batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
    try:
        services.import_batch_confirm(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("participants:import_detail", pk=batch.pk)


@require_POST
@editor_required
def import_cancel(request, pk):
    batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
    try:
        services.import_batch_cancel(user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("Impor dibatalkan; tidak ada data yang diubah."))
    return redirect("participants:import_detail", pk=batch.pk)


@login_required
def import_report(request, pk):
    batch = selectors.import_batch_get_for_user(user=request.user, pk=pk)
    # The refused rows come back exactly as uploaded (full NIKs, to be corrected): for the uploader, and for those
    # who may reveal NIKs. Others see the reasons line by line, masked, on the import page.
    if batch.created_by_id != request.user.pk and not request.user.may_reveal_nik:
        raise PermissionDenied(_("Berkas baris ditolak berisi NIK lengkap; hanya pengunggahnya yang dapat mengunduh."))
    path = Path(batch.error_report_path) if batch.error_report_path else None
    if not batch.rows_refused or path is None or not path.exists():
        raise Http404
    services.export_record(user=request.user, what="import_report", detail=str(batch.pk))
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{Path(batch.file_name).stem}-ditolak.xlsx")


@login_required
def import_template(request):
    """An empty list with the columns the import understands, NIK and phone formatted as text."""
    header = ["NIK", "Nama", "Tempat Lahir", "Tgl Lahir", "JK", "Alamat", "Kode Desa", "Pekerjaan", "No HP"]
    example = [["1771051506850001", "Contoh Nama", "Bengkulu", "15/06/1985", "L", "Jl. Contoh 1", "17.71.05.1001",
                "Nelayan", "081234567890"]]  # fmt: skip
    return xlsx_response(
        "templat-impor-peserta.xlsx", header=header, rows=example, sheet_title=_("Peserta"), text_columns=(0, 3, 8)
    )


# --- BPJS collective registration and its reply ------------------------------------------------------------------
@login_required
def bpjs_registration(request, code):
    """The collective registration list BPJS needs, with full NIKs: only for roles that may reveal NIKs."""
    if not request.user.may_reveal_nik:
        raise PermissionDenied(
            _(
                "Daftar registrasi BPJS berisi NIK lengkap. Minta administrator menambahkan Anda ke kelompok "
                "“Penampil NIK lengkap”, atau minta petugas BPJS cabang mengunduhnya."
            )
        )
    program = program_get_for_user(user=request.user, code=code)
    services.export_record(user=request.user, what="bpjs_registration", detail=program.code)
    rows = selectors.bpjs_registration_rows_for_user(user=request.user, program=program)
    return xlsx_response(
        f"registrasi-bpu-{program.code}-{timezone.localdate():%Y%m%d}.xlsx",
        header=REGISTRATION_HEADER,
        rows=rows,
        sheet_title=_("Registrasi BPU"),
        text_columns=(1, 11, 15),
    )


@login_required
def bpjs_reply(request):
    if not services.may_import_bpjs_reply(request.user):
        raise PermissionDenied
    form = BpjsReplyForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        batch = services.import_batch_create(
            user=request.user,
            program=form.cleaned_data["program"],
            source_path=_save_upload(form.cleaned_data["file"]),
            file_name=form.cleaned_data["file"].name,
            kind=ImportBatch.Kind.BPJS_REPLY,
        )
        return redirect("participants:import_detail", pk=batch.pk)
    batches = selectors.import_batch_list_for_user(user=request.user, kind=ImportBatch.Kind.BPJS_REPLY)
    return render(
        request, "participants/bpjs_reply.html", {"form": form, "page": paginate(request, batches, per_page=10)}
    )


# --- administrators ---------------------------------------------------------------------------------------------
@login_required
def double_funding(request):
    pairs = selectors.double_funding_pairs_for_user(user=request.user)
    page = paginate(request, pairs, per_page=50)
    enrolments = selectors.enrolments_by_id({pk for pair in page.object_list for pk in pair})
    rows = [(enrolments[a], enrolments[b]) for a, b in page.object_list]
    audit_read(request, "participants.double_funding", detail=f"halaman {page.number}")
    return render(request, "participants/double_funding.html", {"page": page, "rows": rows})
