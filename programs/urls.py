from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("wilayah/", views.region_detail_root, name="region_detail_root"),
    path("wilayah/<str:code>/", views.region_detail, name="region_detail"),
    path("wilayah/<str:code>/perencanaan/", views.region_budget_plan, name="region_budget_plan"),
    path("program/", views.program_list, name="program_list"),
    path("program/baru/", views.program_create, name="program_create"),
    path("program/<slug:code>/", views.program_detail, name="program_detail"),
    path("program/<slug:code>/ubah/", views.program_edit, name="program_edit"),
    path("program/<slug:code>/pagu/baru/", views.budget_create, name="budget_create"),
    path("program/<slug:code>/tagihan/buat/", views.bill_generate, name="bill_generate"),
    path("program/<slug:code>/tagihan/<int:pk>/", views.bill_detail, name="bill_detail"),
    path("program/<slug:code>/pembayaran/baru/", views.payment_create, name="payment_create"),
    path("program/<slug:code>/pembayaran/<int:pk>/ubah/", views.payment_edit, name="payment_edit"),
    path("program/<slug:code>/pembayaran/<int:pk>/hapus/", views.payment_delete, name="payment_delete"),
    path("program/<slug:code>/tunggakan/", views.arrears_list, name="arrears_list"),
    path("perencanaan/", views.budget_planner, name="budget_planner"),
]
