"""Who may see what through the API, beyond the region scope that every selector applies."""

from rentan.formatting import mask_nik

REVEALED = "_rentan_nik_revealed"  # set on the request when an answer carried full NIKs (audited as "reveal")


def may_reveal_nik(user) -> bool:
    """Full NIKs for holders of the reveal permission (``User.may_reveal_nik``: BPJS officers, administrators and
    those granted ``rentan.reveal_nik``); everyone else reads ``1771••••••••0001``."""
    return bool(getattr(user, "may_reveal_nik", False))


def nik_for(request, nik: str) -> str:
    if may_reveal_nik(request.user):
        setattr(request, REVEALED, True)
        return nik
    return mask_nik(nik)
