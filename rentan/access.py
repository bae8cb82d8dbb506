"""Region scoping: the one place that decides which rows a user may see.

Region codes are hierarchical (``17`` → ``17.71`` → ``17.71.01`` → ``17.71.01.1001``), so "inside my region"
is "equal to my code or starting with my code and a dot". Every model's ``for_user`` queryset method names the
path to its region field and calls :func:`region_q`; selectors call ``for_user``; views never filter by region
themselves.
"""

from django.db.models import Q


def region_q(user, field: str) -> Q:
    """Filter for rows whose region ``field`` (a path to a region code) lies inside the user's scope."""
    codes = user.scope_region_codes() if user.is_authenticated else []
    if codes is None:
        return Q()
    if not codes:
        return Q(pk__in=[])
    condition = Q()
    for code in codes:
        condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
    return condition


def region_code_in_scope(user, code: str) -> bool:
    """Whether a single region code lies inside the user's scope (for checks on input rather than querysets)."""
    codes = user.scope_region_codes() if user.is_authenticated else []
    if codes is None:
        return True
    return any(code == c or code.startswith(f"{c}.") for c in codes)


def ancestor_codes(code: str) -> list[str]:
    """``17.71.01`` → ``["17", "17.71"]``: the regions above a code, top first."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]
