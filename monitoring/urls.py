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
]
