from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentanConfig(AppConfig):
    name = "rentan"
    verbose_name = _("Pengguna dan akses")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from rentan import checks  # noqa: F401 - registers the system checks
        from rentan.security import stamp_session_renewal

        user_logged_in.connect(stamp_session_renewal, dispatch_uid="rentan.stamp_session_renewal")
