from django.urls import path, re_path

from api import pages, views
from programs.models import REGION_CODE_PATTERN

app_name = "api"

REGION = REGION_CODE_PATTERN.strip("^$")

urlpatterns = [
    # Portal pages: the user's tokens (under the account) and the documentation.
    path("akun/token-api/", pages.token_list, name="token_list"),
    path("akun/token-api/<int:pk>/cabut/", pages.token_revoke, name="token_revoke"),
    path("api/v1/docs/", pages.docs, name="docs"),
    # The API.
    path("api/v1/", views.ApiRootView.as_view(), name="root"),
    path("api/v1/schema/", views.SchemaView.as_view(), name="schema"),
    path("api/v1/regions/", views.RegionListView.as_view(), name="regions"),
    re_path(rf"^api/v1/regions/(?P<code>{REGION})/$", views.RegionDetailView.as_view(), name="region_detail"),
    path("api/v1/programs/", views.ProgramListView.as_view(), name="programs"),
    path("api/v1/programs/<slug:code>/", views.ProgramDetailView.as_view(), name="program_detail"),
    path("api/v1/participants/", views.ParticipantListView.as_view(), name="participants"),
    path("api/v1/participants/search/", views.ParticipantSearchView.as_view(), name="participant_search"),
    path("api/v1/participants/<int:pk>/", views.ParticipantDetailView.as_view(), name="participant_detail"),
    path("api/v1/enrolments/", views.EnrolmentListView.as_view(), name="enrolments"),
    path("api/v1/claims/", views.ClaimListView.as_view(), name="claims"),
    path("api/v1/claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("api/v1/claims/<int:pk>/actions/", views.ClaimActionView.as_view(), name="claim_action"),
    path("api/v1/coverage/", views.CoverageListView.as_view(), name="coverage"),
    re_path(rf"^api/v1/coverage/(?P<code>{REGION})/$", views.CoverageRegionView.as_view(), name="coverage_region"),
    path("api/v1/reports/", views.ReportListView.as_view(), name="reports"),
    path("api/v1/reports/<int:pk>/download/", views.ReportDownloadView.as_view(), name="report_download"),
    path("api/v1/bpjs-replies/", views.BpjsReplyView.as_view(), name="bpjs_replies"),
    path("api/v1/simulations/benefit/", views.BenefitSimulationView.as_view(), name="benefit_simulation"),
    re_path(r"^api/", views.NotFoundView.as_view(), name="not_found"),
]
