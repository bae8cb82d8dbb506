from django.urls import reverse
from django.utils.translation import gettext as _


def navigation(request):
    """The menu a user sees follows their role; the pages still check access themselves."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", _("Beranda"), "bi-house"), ("monitoring:dashboard", _("Dasbor"), "bi-speedometer2")]
    items.append(("monitoring:report_index", _("Laporan"), "bi-file-earmark-pdf"))
    items.append(("programs:region_detail_root", _("Wilayah"), "bi-map"))
    items.append(("programs:program_list", _("Program"), "bi-briefcase"))
    if not user.is_read_only:
        items.append(("participants:list", _("Peserta"), "bi-people"))
    items.append(("claims:list", _("Klaim"), "bi-file-earmark-medical"))
    nav = [
        {
            "url": reverse(name),
            "label": label,
            "icon": icon,
            "active": request.resolver_match is not None and request.resolver_match.view_name == name,
        }
        for name, label, icon in items
    ]
    if user.is_administrator:
        nav.append({"url": reverse("admin:index"), "label": _("Admin"), "icon": "bi-gear", "active": False})
    return {"nav_items": nav}
