from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ekspor/", views.export, name="export"),
    path("wilayah/<str:code>/", views.dashboard, name="dashboard_region"),
    path("wilayah/<str:code>/ekspor/", views.export, name="export_region"),
    path("perhitungan/", views.run_start, name="run_start"),
    path("perhitungan/<int:pk>/", views.run_status, name="run_status"),
    path("target/", views.target_list, name="target_list"),
    path("target/baru/", views.target_create, name="target_create"),
    path("target/impor/", views.target_import, name="target_import"),
    path("target/<int:pk>/ubah/", views.target_edit, name="target_edit"),
    path("laporan/", views.report_index, name="report_index"),
    path("laporan/wilayah/<str:code>/", views.report_region, name="report_region"),
    path("laporan/wilayah/<str:code>/buat/", views.report_request, name="report_request"),
    path("laporan/wilayah/<str:code>/catatan/", views.report_note_create, name="report_note_create"),
    path("laporan/catatan/<int:pk>/ubah/", views.report_note_edit, name="report_note_edit"),
    path("laporan/catatan/<int:pk>/hapus/", views.report_note_delete, name="report_note_delete"),
    path("laporan/<int:pk>/unduh/", views.report_download, name="report_download"),
]
