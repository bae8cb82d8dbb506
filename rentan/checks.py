"""System checks for protections that depend on how a library is installed."""

from django.core import checks


@checks.register(checks.Tags.security)
def openpyxl_parses_with_defusedxml(app_configs=None, **kwargs):
    """openpyxl expands no XML entities only when defusedxml is importable (and OPENPYXL_DEFUSEDXML is not off)."""
    from openpyxl import DEFUSEDXML

    if DEFUSEDXML:
        return []
    return [
        checks.Error(
            "openpyxl would parse XLSX files without defusedxml (entity expansion, XXE).",
            hint="Install defusedxml and do not set OPENPYXL_DEFUSEDXML=False.",
            id="rentan.E001",
        )
    ]
