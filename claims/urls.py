from django.urls import path

from claims import views
from claims.workflow import Action

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("terlambat/", views.claim_overdue, name="overdue"),
    path("ringkasan/", views.claim_summary_page, name="summary"),
    path("baru/", views.claim_create, name="create"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/verifikasi/", views.claim_action, {"action": Action.VERIFY}, name="verify"),
    path("<int:pk>/berkas-kurang/", views.claim_action, {"action": Action.MARK_INCOMPLETE}, name="mark_incomplete"),
    path("<int:pk>/berkas-lengkap/", views.claim_action, {"action": Action.MARK_COMPLETE}, name="mark_complete"),
    path("<int:pk>/setujui/", views.claim_action, {"action": Action.APPROVE}, name="approve"),
    path("<int:pk>/tolak/", views.claim_action, {"action": Action.REJECT}, name="reject"),
    path("<int:pk>/bayar/", views.claim_action, {"action": Action.PAY}, name="pay"),
    path("<int:pk>/ahli-waris/", views.heir_add, name="heir_add"),
    path("<int:pk>/ahli-waris/<int:heir_pk>/hapus/", views.heir_remove, name="heir_remove"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("<int:pk>/dokumen/<int:document_pk>/", views.document_download, name="document_download"),
]
