from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentanConfig(AppConfig):
    name = "rentan"
    verbose_name = _("Pengguna dan akses")

    def ready(self):
        from rentan import checks  # noqa: F401 - registers the system checks
