from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from monitoring import views as monitoring_views

urlpatterns = [
    # Pimpinan land on their coverage dashboard; the other roles on rentan.views.home.
    path("", monitoring_views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("programs.urls")),
    path("peserta/", include("participants.urls")),
    path("klaim/", include("claims.urls")),
    path("dasbor/", include("monitoring.urls")),
    # The JSON API (/api/v1/), its docs, and the personal tokens page (/akun/token-api/).
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "rentan.views.bad_request"
handler403 = "rentan.views.permission_denied"
handler404 = "rentan.views.page_not_found"
handler500 = "rentan.views.server_error"
