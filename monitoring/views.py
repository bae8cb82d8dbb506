from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monitoring import dashboard_cache, selectors, services
from monitoring.coverage import add_months, current_month, parse_month
from monitoring.forms import RegionTargetForm, ReportNoteForm, ReportRequestForm, RunStartForm, TargetImportForm
from monitoring.models import CoverageRun, MonitoringReport
from monitoring.selectors import Measure
from programs.models import RegionTarget
from programs.selectors import region_get_for_user
from rentan import views as rentan_views
from rentan.access import region_code_in_scope
from rentan.audit import audit_record
from rentan.exports import xlsx_response
from rentan.formatting import format_month
from rentan.models import User
from rentan.pagination import paginate


@login_required
def home(request):
    """Pimpinan land on their dashboard; everyone else on the portal's home page."""
    if request.user.role == User.Role.PIMPINAN:
        return _dashboard(request, None, greeting=True)
    return rentan_views.home(request)


def _filters(request) -> dict:
    month = None
    text = request.GET.get("bulan", "")
    if text:
        try:
            month = parse_month(text)
        except ValueError:
            month = None
    return {
        "month": month,
        "program_code": request.GET.get("program", "").strip()[:40],
        "funding_source": request.GET.get("sumber", "").strip()[:10],
        "measure": request.GET.get("ukuran", Measure.UCJ)[:10],
    }


@login_required
def dashboard(request, code=None):
    """The coverage dashboard of a region (or of the user's whole scope).

    The figures are rendered once per scope, region, filters and computation, then served from the cache: a
    region outside the user's scope is refused before the cache is asked, a missing one when the figures are read.
    """
    return _dashboard(request, code)


def _dashboard(request, code, *, greeting: bool = False):
    filters = _filters(request)
    if code is not None and not region_code_in_scope(request.user, code):
        raise Http404
    body, month = dashboard_cache.figures_for_user(user=request.user, code=code, filters=filters)
    may_recompute = services.may_start_coverage_run(request.user)
    latest_run = selectors.coverage_run_latest() if may_recompute else None
    context = {
        "title": body["title"],
        "month": month,
        "body": {name: mark_safe(html) for name, html in body.items()},  # noqa: S308 - rendered by our templates
        "may_recompute": may_recompute,
        "run": latest_run if latest_run and latest_run.is_running else None,
        "this_month": current_month(),
        "greeting": greeting,
    }
    return render(request, "monitoring/dashboard.html", context)


EXPORT_HEADER = [
    gettext_lazy("Kode wilayah"),
    gettext_lazy("Wilayah"),
    gettext_lazy("Peserta aktif"),
    gettext_lazy("Perubahan dari bulan lalu"),
    gettext_lazy("Laki-laki"),
    gettext_lazy("Perempuan"),
    gettext_lazy("Penduduk bekerja"),
    gettext_lazy("Cakupan UCJ (%)"),
    gettext_lazy("Target UCJ (%)"),
    gettext_lazy("Semesta pekerja rentan"),
    gettext_lazy("Cakupan pekerja rentan (%)"),
    gettext_lazy("Target jiwa pekerja rentan"),
    gettext_lazy("Kekurangan jiwa"),
    gettext_lazy("Sumber dana acuan"),
    gettext_lazy("Iuran per bulan (Rp)"),
    gettext_lazy("Kebutuhan anggaran setahun (Rp)"),
    gettext_lazy("Tahun target"),
]


def _export_row(code: str, name: str, snapshot, change) -> list:
    s = snapshot
    return [
        code,
        name,
        s.active if s else 0,
        change,
        s.active_male if s else 0,
        s.active_female if s else 0,
        s.penduduk_bekerja if s else None,
        s.coverage_ucj_pct if s else None,
        s.ucj_target_pct if s else None,
        s.semesta_rentan if s else None,
        s.coverage_rentan_pct if s else None,
        s.target_jiwa if s else None,
        s.gap_jiwa if s else None,
        s.typical_funding_source if s else "",
        s.monthly_iuran if s else None,
        s.gap_rupiah if s else None,
        s.targets_year if s else None,
    ]


@login_required
def export(request, code=None):
    """The dashboard's region table as XLSX: the same rows, order and figures as the page."""
    board = selectors.dashboard_for_user(user=request.user, code=code, with_claims=False, **_filters(request))
    if board.month is None:
        messages.info(request, _("Belum ada ringkasan cakupan untuk diekspor."))
        return redirect(
            reverse("monitoring:dashboard_region", args=[code]) if code else reverse("monitoring:dashboard")
        )
    rows = [_export_row(row.code, row.name, row.current, row.change) for row in board.rows]
    own_name = str(board.region) if board.region else _("Seluruh wilayah kerja")
    rows.append(_export_row(board.code, _("Jumlah: %(name)s") % {"name": own_name}, board.current, board.change))
    audit_record(
        user=request.user,
        action="export",
        object_type="monitoring.CoverageSnapshot",
        object_id=f"{board.month:%Y-%m}",
        object_repr=f"{own_name} {format_month(board.month)}",
        region_code=board.code,
        changes={"filters": dashboard_cache.filters_query(board)},
    )
    return xlsx_response(
        f"cakupan-{board.code or 'wilayah-kerja'}-{board.month:%Y-%m}.xlsx",
        header=[str(h) for h in EXPORT_HEADER],
        rows=rows,
        sheet_title=_("Cakupan %(month)s") % {"month": format_month(board.month)},
        text_columns=(0,),
        widths={0: 16, 1: 34},
    )


# --- coverage runs -----------------------------------------------------------------------------------------------
@require_POST
@login_required
def run_start(request):
    """The "hitung ulang" button: queue a run for the month shown (the current month by default)."""
    if not services.may_start_coverage_run(request.user):
        raise PermissionDenied
    form = RunStartForm(request.POST)
    month = (form.cleaned_data["month"] if form.is_valid() else None) or current_month()
    run, created = services.coverage_run_start(user=request.user, first_month=month, trigger=CoverageRun.Trigger.BUTTON)
    run.refresh_from_db()  # in the embedded demo the task already ran inline, at commit
    if request.htmx:
        return render(request, "monitoring/_run_status.html", {"run": run, "created": created})
    if created:
        messages.success(request, _("Perhitungan cakupan %(month)s dimulai.") % {"month": format_month(month)})
    else:
        messages.info(request, _("Perhitungan lain sedang berjalan; tunggu sampai selesai."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("monitoring:dashboard")  # never an off-site redirect
    return redirect(next_url)


@login_required
def run_status(request, pk):
    """The part of the dashboard that follows a run; HTMX polls it while the run is going."""
    run = selectors.coverage_run_get(pk=pk)
    return render(request, "monitoring/_run_status.html", {"run": run})


# --- targets -----------------------------------------------------------------------------------------------------
def _require_target_editor(user):
    if not services.may_edit_targets(user):
        raise PermissionDenied


@login_required
def target_list(request):
    year = request.GET.get("tahun", "")
    targets = selectors.region_target_list_for_user(
        user=request.user, year=int(year) if year.isdigit() else None, region_code=request.GET.get("wilayah", "")[:13]
    )
    context = {
        "page": paginate(request, targets),
        "year": year,
        "region_code": request.GET.get("wilayah", "")[:13],
        "may_edit": services.may_edit_targets(request.user),
        "indicators": RegionTarget.Indicator.choices,
    }
    return render(request, "monitoring/target_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request):
    _require_target_editor(request.user)
    form = RegionTargetForm(request.POST or None, user=request.user)
    if form.is_valid():
        services.region_target_save(user=request.user, target=form.instance)
        messages.success(request, _("Target disimpan. Dasbor memakainya setelah perhitungan cakupan berikutnya."))
        return redirect("monitoring:target_list")
    return render(request, "monitoring/target_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk):
    _require_target_editor(request.user)
    target = selectors.region_target_get_for_user(user=request.user, pk=pk)
    form = RegionTargetForm(request.POST or None, instance=target, user=request.user)
    if form.is_valid():
        services.region_target_save(user=request.user, target=form.instance)
        messages.success(request, _("Target disimpan. Dasbor memakainya setelah perhitungan cakupan berikutnya."))
        return redirect("monitoring:target_list")
    return render(request, "monitoring/target_form.html", {"form": form, "target": target})


@login_required
@require_http_methods(["GET", "POST"])
def target_import(request):
    _require_target_editor(request.user)
    form = TargetImportForm(request.POST or None, request.FILES or None)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.region_targets_import(
                user=request.user, data=upload.read(services.TARGET_CSV_MAX_BYTES + 1)
            )
        except services.TargetImportError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                _("Impor target selesai: %(created)s baru, %(updated)s diubah, %(unchanged)s tidak berubah.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("monitoring:target_list")
    return render(request, "monitoring/target_import.html", {"form": form, "errors": errors})


# --- monthly reports ---------------------------------------------------------------------------------------------
def _report_month(request, versions):
    """The month the report page works on: ``?bulan=`` when computed, else last month (the meeting's month)."""
    wanted = None
    try:
        wanted = parse_month(request.GET.get("bulan", "")) if request.GET.get("bulan") else None
    except ValueError:
        wanted = None
    computed = [m for m, _at in versions]
    if wanted in computed:
        return wanted
    last_month = add_months(current_month(), -1)
    return next((m for m in computed if m <= last_month), computed[0] if computed else None)


@login_required
def report_index(request):
    """The regions whose reports the user may read, each with its newest report."""
    regions = selectors.report_regions_for_user(user=request.user)
    latest = selectors.report_latest_by_region(regions=regions)
    rows = [(region, latest.get(region.code)) for region in regions]
    return render(request, "monitoring/report/report_index.html", {"rows": rows})


@login_required
def report_region(request, code):
    """One region's reports (every month and version) and the notes for the meeting of the month shown."""
    region = region_get_for_user(user=request.user, code=code)
    versions = selectors.coverage_month_versions()
    month = _report_month(request, versions)
    may_edit = services.may_request_reports(request.user)
    context = {
        "region": region,
        "month": month,
        "months": [m for m, _at in versions],
        "page": paginate(request, selectors.report_list_for_region(region=region)),
        "notes": list(selectors.report_note_list(region=region, month=month)) if month else [],
        "may_edit": may_edit,
        "request_form": ReportRequestForm(initial={"month": month}) if may_edit else None,
        "note_form": ReportNoteForm() if may_edit and month else None,
    }
    return render(request, "monitoring/report/report_region.html", context)


@require_POST
@login_required
def report_request(request, code):
    """The "buat laporan" button: queue a new version of the region's report for the month chosen."""
    region = region_get_for_user(user=request.user, code=code)
    if not services.may_request_reports(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih bulan laporan (YYYY-MM)."))
        return redirect("monitoring:report_region", code=region.code)
    month = form.cleaned_data["month"]
    try:
        report, _created = services.monitoring_report_request(
            user=request.user, region=region, month=month, trigger=MonitoringReport.Trigger.BUTTON
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Laporan %(month)s versi %(version)s sedang dibuat; muat ulang halaman ini sebentar lagi.")
            % {"month": format_month(month), "version": report.version},
        )
    return redirect(f"{reverse('monitoring:report_region', args=[region.code])}?bulan={month:%Y-%m}")


@login_required
@require_GET
def report_download(request, pk):
    """The PDF, for readers of its region only (another region's report answers like a missing one); audited."""
    report, handle = services.report_open_for_download(user=request.user, pk=pk)
    return FileResponse(handle, as_attachment=True, filename=report.download_name, content_type="application/pdf")


@require_POST
@login_required
def report_note_create(request, code):
    region = region_get_for_user(user=request.user, code=code)
    if not services.may_request_reports(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST)
    note_form = ReportNoteForm(request.POST)
    if form.is_valid() and note_form.is_valid():
        note = note_form.save(commit=False)
        note.region, note.month = region, form.cleaned_data["month"]
        try:
            services.report_note_save(user=request.user, note=note)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Catatan disimpan."))
        return redirect(f"{reverse('monitoring:report_region', args=[region.code])}?bulan={note.month:%Y-%m}")
    messages.error(request, _("Catatan tidak disimpan: isi jenis, bulan dan isi catatan."))
    return redirect("monitoring:report_region", code=region.code)


@login_required
@require_http_methods(["GET", "POST"])
def report_note_edit(request, pk):
    note = selectors.report_note_get_for_user(user=request.user, pk=pk)
    if not services.may_request_reports(request.user):
        raise PermissionDenied
    form = ReportNoteForm(request.POST or None, instance=note)
    if form.is_valid():
        services.report_note_save(user=request.user, note=form.instance)
        messages.success(request, _("Catatan diubah."))
        return redirect(f"{reverse('monitoring:report_region', args=[note.region_id])}?bulan={note.month:%Y-%m}")
    return render(request, "monitoring/report/note_form.html", {"form": form, "note": note})


@require_POST
@login_required
def report_note_delete(request, pk):
    note = selectors.report_note_get_for_user(user=request.user, pk=pk)
    if not services.may_request_reports(request.user):
        raise PermissionDenied
    region_code, month = note.region_id, note.month
    services.report_note_delete(user=request.user, note=note)
    messages.success(request, _("Catatan dihapus."))
    return redirect(f"{reverse('monitoring:report_region', args=[region_code])}?bulan={month:%Y-%m}")
