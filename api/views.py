"""The JSON API, version 1: thin views over the apps' own selectors and services.

Every view reaches data through the selectors that the portal's pages use (region scoping included), every write
goes through the portal's services (the same workflow rules, SLA effects and audit rows), and every call leaves one
audit row of its own (``api_call_record``). Errors are JSON in Bahasa Indonesia (``api.errors``).
"""

import csv
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.pagination import ApiCursorPagination
from api.services import api_call_record
from api.simulation import simulate_for_history, simulate_for_participant
from claims import services as claim_services
from claims.models import AhliWaris, Claim
from claims.selectors import claim_get_for_user, claim_list_for_user, with_late_days
from claims.workflow import Action, may
from monitoring.models import CoverageSnapshot, MonitoringReport
from monitoring.selectors import Measure, dashboard_for_user
from monitoring.services import report_open_for_download
from participants import services as participant_services
from participants.models import Enrolment, ImportBatch, ImportIssue
from participants.selectors import enrolment_list_for_participant, participant_get_for_user, participant_list_for_user
from programs.models import Program, Region
from programs.selectors import (
    program_get_for_user,
    program_list_for_user,
    program_pagu,
    program_realisation,
    region_get_for_user,
)
from rentan.access import region_code_in_scope, region_q


class ApiView(APIView):
    """Base of every API view: cursor pagination, and one audit row per call whatever its outcome."""

    pagination_class = ApiCursorPagination
    audit_region = ""  # a detail view sets the region of the object it showed, for "who touched Kaur's data"

    @cached_property
    def paginator(self):
        return self.pagination_class() if self.pagination_class else None

    def paginate_queryset(self, queryset):
        return self.paginator.paginate_queryset(queryset, self.request, view=self)

    def get_paginated_response(self, data):
        return self.paginator.get_paginated_response(data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        api_call_record(request=request, status_code=response.status_code, region_code=self.audit_region)
        return response

    def query(self, serializer_class) -> dict:
        """The query parameters, checked by a serializer (so bad filters are a 400 with reasons, never a 500)."""
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def page(self, queryset, serializer_class, **context):
        rows = self.paginate_queryset(queryset)
        return rows, lambda: self.get_paginated_response(
            serializer_class(rows, many=True, context={"request": self.request, **context}).data
        )


def _subtree(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


# --- root --------------------------------------------------------------------------------------------------------
class ApiRootView(ApiView):
    """Who is calling, with which scope, and where the endpoints are."""

    pagination_class = None

    @extend_schema(responses=s.ApiRootSerializer, operation_id="root")
    def get(self, request):
        names = ["regions", "programs", "participants", "enrolments", "claims", "coverage", "reports",
                 "bpjs_replies", "benefit_simulation", "schema", "docs"]  # fmt: skip
        return Response(
            {
                "version": "v1",
                "user": request.user.get_username(),
                "role": request.user.role,
                "scope": request.user.scope_label,
                "endpoints": {name: reverse(f"api:{name}") for name in names},
            }
        )


# --- regions -----------------------------------------------------------------------------------------------------
class RegionListView(ApiView):
    """Regions in the caller's scope, by code (the code prefix is the hierarchy: 17 → 17.71 → 17.71.01 → …)."""

    cursor_ordering = "code"

    @extend_schema(parameters=[s.RegionFilterSerializer], responses=s.RegionSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.RegionFilterSerializer)
        regions = Region.objects.for_user(request.user)
        if "parent" in wanted:
            regions = regions.filter(parent_id=wanted["parent"])
        if "level" in wanted:
            regions = regions.filter(level=wanted["level"])
        if "under" in wanted:
            regions = regions.filter(_subtree("code", wanted["under"]))
        _rows, respond = self.page(regions, s.RegionSerializer)
        return respond()


class RegionDetailView(ApiView):
    """One region with its children (the tree, one level at a time)."""

    pagination_class = None

    @extend_schema(responses=s.RegionDetailSerializer)
    def get(self, request, code):
        region = region_get_for_user(user=request.user, code=code)
        self.audit_region = region.code
        region.child_rows = list(Region.objects.for_user(request.user).filter(parent=region).order_by("code"))
        return Response(s.RegionDetailSerializer(region).data)


# --- programs ----------------------------------------------------------------------------------------------------
def _with_budget(programs: list[Program], year: int) -> list[Program]:
    """Set ``budget`` (the pagu in force, ``programs.selectors.program_pagu``) and
    ``realisation`` on a page of programs, in one query each."""
    ids = [p.pk for p in programs]
    latest = program_pagu(ids, year)
    realisation = program_realisation(Program.objects.filter(pk__in=ids), year)
    for program in programs:
        program.budget_year = year
        program.budget = latest.get(program.pk)
        program.realisation = realisation.get(program.pk)
    return programs


class ProgramListView(ApiView):
    """Programs the caller may read (their region's, those above it that enrol there), with pagu and realisation."""

    cursor_ordering = "code"

    @extend_schema(parameters=[s.ProgramFilterSerializer], responses=s.ProgramSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.ProgramFilterSerializer)
        programs = program_list_for_user(user=request.user, search=wanted.get("search", ""))
        if "region" in wanted:
            programs = programs.filter(owner_region_id=wanted["region"])
        if "funding_source" in wanted:
            programs = programs.filter(funding_source=wanted["funding_source"])
        rows, respond = self.page(programs, s.ProgramSerializer)
        _with_budget(rows, wanted.get("year") or timezone.localdate().year)
        return respond()


class ProgramDetailView(ApiView):
    pagination_class = None

    @extend_schema(parameters=[s.ProgramFilterSerializer], responses=s.ProgramSerializer)
    def get(self, request, code):
        wanted = self.query(s.ProgramFilterSerializer)
        program = program_get_for_user(user=request.user, code=code)
        self.audit_region = program.owner_region_id
        _with_budget([program], wanted.get("year") or timezone.localdate().year)
        return Response(s.ProgramSerializer(program).data)


# --- participants ------------------------------------------------------------------------------------------------
def _visible_program(user, code: str) -> Program | None:
    """A program named in a filter: only one the user may read, else the filter matches nothing."""
    return Program.objects.for_user(user).filter(code=code).first()


LIST_FIELDS = ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "pekerjaan", "kpj", "bpjs_membership_start",
               "bpjs_status", "status", "data_source", "updated_at")  # fmt: skip


class ParticipantListView(ApiView):
    """Participants living in the caller's region, in id order; NIKs masked unless the caller may reveal them."""

    @extend_schema(parameters=[s.ParticipantFilterSerializer], responses=s.ParticipantSerializer(many=True))
    def get(self, request):
        if "nik" in request.query_params:
            # Refused rather than ignored: an old client would otherwise take the whole list for its search result.
            message = _("NIK tidak boleh ada di URL; cari lewat POST /api/v1/participants/search/.")
            raise ValidationError({"nik": [message]})
        return self.respond(self.query(s.ParticipantFilterSerializer))

    def respond(self, wanted: dict):
        request = self.request
        program = None
        if "program" in wanted:
            program = _visible_program(request.user, wanted["program"])
        people = participant_list_for_user(
            user=request.user,
            search=wanted.get("nik", ""),
            status=wanted.get("status", ""),
            region_code=wanted.get("region", ""),
            program=program,
        )
        if "program" in wanted and program is None:
            people = people.none()
        # Only what a row shows: the desa's name and the pekerjaan's code (no kecamatan, no address or phone).
        people = (
            people.select_related(None)
            .select_related("desa", "pekerjaan")
            .only(*LIST_FIELDS, "desa__name", "pekerjaan__code")
        )
        _rows, respond = self.page(people.order_by(), s.ParticipantSerializer)
        return respond()


class ParticipantSearchView(ParticipantListView):
    """Participants by NIK (or its first digits) with the list's filters, in a POST body: a NIK never goes into a
    URL. The answer pages like the list; POST the same body to ``next`` for the following page."""

    http_method_names = ["post", "options"]

    @extend_schema(request=s.ParticipantSearchSerializer, responses=s.ParticipantPageSerializer)
    def post(self, request):
        serializer = s.ParticipantSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.respond(serializer.validated_data)


class ParticipantDetailView(ApiView):
    pagination_class = None

    @extend_schema(responses=s.ParticipantDetailSerializer)
    def get(self, request, pk):
        participant = participant_get_for_user(user=request.user, pk=pk)
        self.audit_region = participant.desa_id
        participant.enrolment_rows = enrolment_list_for_participant(participant=participant, user=request.user)
        visible = {e.program_id for e in participant.enrolment_rows if e.program_visible}
        context = {"request": request, "visible_programs": visible}
        return Response(s.ParticipantDetailSerializer(participant, context=context).data)


class EnrolmentListView(ApiView):
    """Enrolments of participants in the caller's region; a paying program outside it is not named."""

    @extend_schema(parameters=[s.EnrolmentFilterSerializer], responses=s.EnrolmentSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.EnrolmentFilterSerializer)
        enrolments = Enrolment.objects.for_user(request.user).select_related("program")
        if "program" in wanted:
            program = _visible_program(request.user, wanted["program"])
            enrolments = enrolments.filter(program=program) if program else enrolments.none()
        if "participant" in wanted:
            enrolments = enrolments.filter(participant_id=wanted["participant"])
        if "active_in" in wanted:
            enrolments = enrolments.active_in(wanted["active_in"].replace(day=1))
        rows = self.paginate_queryset(enrolments)
        visible = set(
            Program.objects.for_user(request.user)
            .filter(pk__in={e.program_id for e in rows})
            .values_list("pk", flat=True)
        )
        context = {"request": request, "visible_programs": visible}
        return self.get_paginated_response(s.EnrolmentSerializer(rows, many=True, context=context).data)


# --- claims ------------------------------------------------------------------------------------------------------
def _claim_detail(request, claim: Claim) -> dict:
    claim.timeline_rows = list(claim.transitions.order_by("at", "pk"))
    claim.benefit_rows = list(claim.benefit_lines.order_by("position"))
    with_late_days([claim], today=timezone.localdate())
    return s.ClaimDetailSerializer(claim, context={"request": request}).data


class ClaimListView(ApiView):
    """Claims of participants in the caller's region, newest first."""

    cursor_ordering = "-pk"

    @extend_schema(parameters=[s.ClaimFilterSerializer], responses=s.ClaimSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.ClaimFilterSerializer)
        today = timezone.localdate()
        claims = claim_list_for_user(
            user=request.user,
            status=wanted.get("status", ""),
            claim_type=wanted.get("type", ""),
            region_code=wanted.get("region", ""),
            overdue=wanted.get("overdue", False),
            today=today,
        )
        if wanted.get("region") and not region_code_in_scope(request.user, wanted["region"]):
            claims = claims.none()
        rows, respond = self.page(claims.order_by(), s.ClaimSerializer)
        with_late_days(rows, today=today)
        return respond()


class ClaimDetailView(ApiView):
    """A claim with its status, timeline (who moved it when) and, once approved, its frozen benefit lines."""

    pagination_class = None

    @extend_schema(responses=s.ClaimDetailSerializer)
    def get(self, request, pk):
        claim = claim_get_for_user(user=request.user, pk=pk)
        self.audit_region = claim.participant.desa_id
        return Response(_claim_detail(request, claim))


class ClaimActionView(ApiView):
    """Take one workflow step on a claim, exactly as the portal's buttons do (same services, rules, SLA clock).

    ``mark_complete`` starts the SLA clock (JKM 3, JKK 7 working days); ``pay`` records days late and the 1%-a-day
    compensation. A step the claim's status does not allow answers 409 with the reasons.
    """

    pagination_class = None

    @extend_schema(request=s.ClaimActionSerializer, responses={200: s.ClaimDetailSerializer})
    def post(self, request, pk):
        serializer = s.ClaimActionSerializer(data=request.data, context={"today": timezone.localdate()})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        action = data["action"]
        # As the portal: a role without the right is refused before the claim is looked up.
        if not may(request.user, action):
            raise PermissionDenied
        claim = claim_get_for_user(user=request.user, pk=pk)
        self.audit_region = claim.participant.desa_id
        user = request.user
        if action == Action.VERIFY:
            claim_services.claim_verify(user=user, claim=claim, note=data["note"])
        elif action == Action.MARK_INCOMPLETE:
            claim_services.claim_mark_incomplete(
                user=user, claim=claim, documents=data.get("documents") or None, note=data["note"]
            )
        elif action == Action.MARK_COMPLETE:
            claim_services.claim_mark_complete(user=user, claim=claim, on=data.get("on"), note=data["note"])
        elif action == Action.APPROVE:
            claim_services.claim_approve(user=user, claim=claim, note=data["note"])
        elif action == Action.REJECT:
            claim_services.claim_reject(user=user, claim=claim, reason=data["reason"])
        else:
            recipient = None
            if data.get("recipient"):
                recipient = AhliWaris.objects.filter(claim=claim, pk=data["recipient"]).first()
                if recipient is None:
                    raise ValidationError({"recipient": [_("Penerima harus ahli waris yang tercatat pada klaim ini.")]})
            claim_services.claim_pay(
                user=user,
                claim=claim,
                paid_on=data["paid_on"],
                reference=data["reference"],
                recipient=recipient,
                bank_name=data["bank_name"],
                bank_account=data["bank_account"],
            )
        return Response(_claim_detail(request, claim_get_for_user(user=user, pk=pk)))


# --- coverage ----------------------------------------------------------------------------------------------------
class CoverageListView(ApiView):
    """Coverage snapshot rows per region and month (all programs and funding sources unless filtered)."""

    @extend_schema(parameters=[s.CoverageFilterSerializer], responses=s.CoverageSnapshotSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.CoverageFilterSerializer)
        rows = CoverageSnapshot.objects.filter(region_q(request.user, "region__code")).select_related(
            "region", "program"
        )
        program = None
        if "program" in wanted:
            program = _visible_program(request.user, wanted["program"])
            if program is None:
                rows = rows.none()
        rows = rows.filter(program=program, funding_source=wanted.get("funding_source", ""))
        if "region" in wanted:
            rows = rows.filter(_subtree("region__code", wanted["region"]))
        if "level" in wanted:
            rows = rows.filter(level=wanted["level"])
        if "month_from" in wanted:
            rows = rows.filter(month__gte=wanted["month_from"].replace(day=1))
        if "month_to" in wanted:
            rows = rows.filter(month__lte=wanted["month_to"])
        _rows, respond = self.page(rows, s.CoverageSnapshotSerializer)
        return respond()


class CoverageRegionView(ApiView):
    """The dashboard's figures for one region and month: the same selector as /dasbor/wilayah/<kode>/."""

    pagination_class = None

    @extend_schema(parameters=[s.CoverageQuerySerializer], responses=s.CoverageRegionSerializer)
    def get(self, request, code):
        wanted = self.query(s.CoverageQuerySerializer)
        month = wanted["month"].replace(day=1) if wanted.get("month") else None
        board = dashboard_for_user(user=request.user, code=code, month=month)
        self.audit_region = board.code
        current = board.current
        funding = [{"key": key, "label": label, "active": n} for key, label, n in board.by_funding]
        occupations = [{"key": str(name), "label": str(name), "active": n} for name, n in board.by_occupation]
        children = [
            {
                "code": row.code,
                "name": row.name,
                "level": row.level,
                "active": row.active,
                "change": row.change,
                "coverage_pct": row.value,
                "target_pct": row.target,
            }
            for row in board.rows
        ]
        data = {
            "region": board.region.code,
            "region_name": board.region.display_name,
            "month": board.month,
            "months": board.months,
            "computed_at": board.computed_at,
            "active": current.active if current else None,
            "active_male": current.active_male if current else None,
            "active_female": current.active_female if current else None,
            "change": board.change,
            "penduduk_bekerja": current.penduduk_bekerja if current else None,
            "semesta_rentan": current.semesta_rentan if current else None,
            "coverage_ucj_pct": Measure.value(current, Measure.UCJ),
            "coverage_rentan_pct": Measure.value(current, Measure.RENTAN),
            "ucj_target_pct": current.ucj_target_pct if current else None,
            "target_jiwa": current.target_jiwa if current else None,
            "gap_jiwa": current.gap_jiwa if current else None,
            "gap_rupiah": current.gap_rupiah if current else None,
            "pagu": board.pagu,
            "pagu_programs": board.pagu_programs,
            "by_funding": funding,
            "by_occupation": occupations,
            "children": children,
            "claims": board.claims,
        }
        return Response(s.CoverageRegionSerializer(data).data)


# --- monthly reports ---------------------------------------------------------------------------------------------
class ReportListView(ApiView):
    """The monthly rapat monitoring reports (every version) of the regions in the caller's scope, newest first."""

    cursor_ordering = "-pk"

    @extend_schema(parameters=[s.ReportFilterSerializer], responses=s.MonitoringReportSerializer(many=True))
    def get(self, request):
        wanted = self.query(s.ReportFilterSerializer)
        reports = MonitoringReport.objects.filter(region_q(request.user, "region__code")).select_related("region")
        if "region" in wanted:
            reports = reports.filter(_subtree("region__code", wanted["region"]))
        if "month" in wanted:
            reports = reports.filter(month=wanted["month"].replace(day=1))
        if "status" in wanted:
            reports = reports.filter(status=wanted["status"])
        _rows, respond = self.page(reports, s.MonitoringReportSerializer)
        return respond()


class ReportDownloadView(ApiView):
    """The PDF of a finished report (another region's report answers like a missing one); audited as a download."""

    pagination_class = None

    def perform_content_negotiation(self, request, force=False):
        # The PDF is a file answer whatever the Accept header says; errors are JSON like everywhere else.
        return (JSONRenderer(), JSONRenderer.media_type)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        report, handle = report_open_for_download(user=request.user, pk=pk)
        self.audit_region = report.region_id
        return FileResponse(handle, as_attachment=True, filename=report.download_name, content_type="application/pdf")


# --- writes from other systems -----------------------------------------------------------------------------------
REPLY_HEADER = ["NIK", "KPJ", "Tanggal Kepesertaan", "Status"]


def _reply_file(rows: list[dict]) -> str:
    """BPJS's reply as the CSV the portal's upload accepts, kept in private storage like an upload."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(REPLY_HEADER)
    for row in rows:
        start = row.get("membership_start")
        writer.writerow([row["nik"], row["kpj"], start.isoformat() if start else "", row.get("status", "")])
    name = f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}/balasan-bpjs-api.csv"
    return default_storage.path(default_storage.save(name, ContentFile(text.getvalue().encode("utf-8"))))


class BpjsReplyView(ApiView):
    """BPJS's reply to a collective registration, in bulk: NIK → KPJ, membership start, status.

    Runs the portal's own reply import (``participants.services.bpjs_reply_import``) on the rows, at once: NIKs
    not in the program's list in the caller's region are refused with a reason; the batch is listed in the portal
    under Peserta › Balasan BPJS. At most 5.000 rows per call.
    """

    pagination_class = None

    @extend_schema(request=s.BpjsReplySerializer, responses={201: s.BpjsReplyResultSerializer})
    def post(self, request):
        if not participant_services.may_import_bpjs_reply(request.user):
            raise PermissionDenied
        serializer = s.BpjsReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            program = program_get_for_user(user=request.user, code=data["program"])
        except Http404:
            raise ValidationError({"program": [_("Program tidak ditemukan.")]}) from None
        self.audit_region = request.user.region_id or ""
        batch = participant_services.import_batch_create(
            user=request.user,
            program=program,
            source_path=_reply_file(data["rows"]),
            file_name="balasan-bpjs-api.csv",
            kind=ImportBatch.Kind.BPJS_REPLY,
            enqueue=False,
        )
        batch = participant_services.bpjs_reply_import(batch_id=batch.pk)
        refused = [
            {"line": line - 1 if line else None, "nik": nik, "code": code, "message": message}
            for line, nik, code, message in batch.issues.filter(severity=ImportIssue.Severity.REFUSED)
            .order_by("line", "pk")
            .values_list("line", "nik", "code", "message")
        ]
        result = {
            "batch": batch.pk,
            "status": batch.status,
            "error_message": batch.error_message,
            "rows_total": batch.rows_total,
            "rows_updated": batch.rows_updated,
            "rows_unchanged": batch.rows_unchanged,
            "rows_refused": batch.rows_refused,
            "not_in_reply": batch.rows_warned,
            "refused": refused,
        }
        return Response(s.BpjsReplyResultSerializer(result).data, status=201)


class BenefitSimulationView(ApiView):
    """Eligibility and the benefit breakdown for an incident, without recording a claim.

    Give a participant's ``nik`` (in your region), or a hypothetical ``history`` of enrolments in programs you may
    read. Each line of the breakdown names the rule and regulation behind it (PP 82/2019, PP 44/2015 …).
    """

    pagination_class = None

    @extend_schema(
        request=s.SimulationSerializer,
        responses={200: s.SimulationResultSerializer},
        operation_id="benefit_simulation",
    )
    def post(self, request):
        serializer = s.SimulationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("nik"):
            result = simulate_for_participant(
                user=request.user, nik=data["nik"], incident=data["incident"], heirs=data["heirs"]
            )
        else:
            result = simulate_for_history(
                user=request.user, history=data["history"], incident=data["incident"], heirs=data["heirs"]
            )
        return Response(s.SimulationResultSerializer(result).data)


# --- schema and the catch-all ------------------------------------------------------------------------------------
class SchemaView(ApiView, SpectacularAPIView):
    """The OpenAPI 3 schema of this API (JSON by default; ``?format=yaml`` for YAML)."""

    pagination_class = None


class NotFoundView(ApiView):
    """Any other address under /api/: a JSON 404, never the portal's HTML page."""

    pagination_class = None
    schema = None

    def _missing(self, request, *args, **kwargs):
        raise Http404

    get = post = put = patch = delete = _missing
