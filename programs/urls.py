from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("wilayah/", views.region_detail_root, name="region_detail_root"),
    path("wilayah/<str:code>/", views.region_detail, name="region_detail"),
    path("program/<slug:code>/", views.program_detail, name="program_detail"),
]
