from django.db.models import Count, Q
from django.http import Http404

from programs.models import Program, Region
from rentan.access import region_q


def region_get_for_user(*, user, code: str) -> Region:
    """A region the user may see; a region outside their scope answers exactly like a missing one."""
    region = Region.objects.for_user(user).select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    return region


def region_roots_for_user(*, user):
    """Where a user's region browser starts: their own region(s), or the provinces for administrators."""
    codes = user.scope_region_codes()
    regions = (
        Region.objects.filter(level=Region.Level.PROVINSI) if codes is None else Region.objects.filter(code__in=codes)
    )
    return regions.order_by("code")


def region_children_for_user(*, user, region: Region):
    return (
        Region.objects.for_user(user)
        .filter(parent=region)
        .annotate(program_count=Count("programs", distinct=True))
        .order_by("code")
    )


def region_breadcrumb_for_user(*, user, region: Region) -> list[Region]:
    """The visible regions above this one, top first (a kab/kota operator does not see the province page)."""
    codes = region.ancestor_codes()
    return list(Region.objects.for_user(user).filter(code__in=codes).order_by("code"))


def program_list_for_user(*, user, search: str = "", region: Region | None = None):
    programs = Program.objects.for_user(user).select_related("owner_region")
    if region is not None:
        programs = programs.filter(owner_region=region)
    if search:
        programs = programs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return programs.order_by("owner_region_id", "name")


def program_get_for_user(*, user, code: str, writable: bool = False) -> Program:
    """A program the user may see; with ``writable``, one owned inside their scope (not a province program a
    kab/kota operator only reads). Anything else answers like a missing program."""
    programs = (
        Program.objects.filter(region_q(user, "owner_region__code")) if writable else program_list_for_user(user=user)
    )
    program = programs.select_related("owner_region").filter(code=code).first()
    if program is None:
        raise Http404
    return program
