from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="list"),
    path("ekspor/<str:fmt>/", views.participant_export, name="export"),
    path("tambah/", views.participant_create, name="create"),
    path("<int:pk>/", views.participant_detail, name="detail"),
    path("<int:pk>/ubah/", views.participant_edit, name="edit"),
    path("<int:pk>/nik/", views.participant_reveal_nik, name="reveal_nik"),
    path("<int:pk>/daftarkan/", views.participant_enrol, name="enrol"),
    path("impor/", views.import_list, name="import_list"),
    path("impor/templat/", views.import_template, name="import_template"),
    path("impor/<int:pk>/", views.import_detail, name="import_detail"),
    path("impor/<int:pk>/status/", views.import_status, name="import_status"),
    path("impor/<int:pk>/konfirmasi/", views.import_confirm, name="import_confirm"),
    path("impor/<int:pk>/batal/", views.import_cancel, name="import_cancel"),
    path("impor/<int:pk>/laporan/", views.import_report, name="import_report"),
    path("bpjs/registrasi/<slug:code>/", views.bpjs_registration, name="bpjs_registration"),
    path("bpjs/balasan/", views.bpjs_reply, name="bpjs_reply"),
    path("pendanaan-ganda/", views.double_funding, name="double_funding"),
]
