"""Who may see what through the API, beyond the region scope that every selector applies."""

from rentan.formatting import mask_nik


def may_reveal_nik(user) -> bool:
    """Whether full NIKs may be shown to ``user``. No reveal permission exists yet, so NIKs are always masked."""
    return False


def nik_for(user, nik: str) -> str:
    return nik if may_reveal_nik(user) else mask_nik(nik)
