"""Charts as inline SVG, drawn on the server: the actor network, the dyad timeline, the type
mix heat table, the world map and small bar charts.

Every chart is built through `tag`, which escapes each text and attribute value, so names and
sentences from the store can never become markup. The results are `Markup`, safe to place in
an autoescaped template as they are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
from markupsafe import Markup, escape

from nexus.server.worldmap import WorldMap, project

Child = str | Markup | None

QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
              4: "material conflict"}
QUAD_SHORT = {1: "verbal coop.", 2: "material coop.", 3: "verbal conflict", 4: "material conflict"}
QUAD_COLOURS = {1: "#92c5de", 2: "#2166ac", 3: "#f4a582", 4: "#b2182b"}
CONFLICT = (178, 24, 43)  # Goldstein -10
NEUTRAL = (189, 189, 189)  # Goldstein 0
COOPERATION = (33, 102, 172)  # Goldstein +10
BLANK = (236, 236, 232)  # a country without events


def tag(name: str, attrs: Mapping[str, object] | None = None, *children: Child) -> Markup:
    """One SVG/HTML element; attribute values and plain-string children are escaped."""
    parts = [f"<{name}"]
    for key, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}".rstrip("0").rstrip(".")
        parts.append(f' {key}="{escape(str(value))}"')
    inner = "".join(str(escape(c)) for c in children if c is not None)
    parts.append(f">{inner}</{name}>")
    return Markup("".join(parts))


def url_part(value: str) -> str:
    """A value as one path segment (actor codes come from the store: quote them)."""
    return quote(value, safe="")


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    t = min(max(t, 0.0), 1.0)
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def goldstein_colour(g: float | None) -> str:
    """Red for conflict (-10) through grey (0) to blue for cooperation (+10)."""
    if g is None or math.isnan(g):
        return _hex(NEUTRAL)
    t = max(-1.0, min(1.0, g / 10.0))
    return _hex(_mix(NEUTRAL, COOPERATION, t) if t >= 0 else _mix(NEUTRAL, CONFLICT, -t))


def goldstein_class(g: float | None) -> str:
    """The CSS class colouring text by a Goldstein score, to the nearest whole point: gs-n10
    (-10) ... gs-0 ... gs-p10 (+10); nexus.css gives each goldstein_colour of its point. Pages
    use classes, not style attributes: the Content-Security-Policy applies no inline style."""
    if g is None or math.isnan(g):
        return "gs-0"
    n = round(max(-10.0, min(10.0, float(g))))
    return "gs-0" if n == 0 else f"gs-{'p' if n > 0 else 'n'}{abs(n)}"


def goldstein_css() -> str:
    """The rules for goldstein_class, as in nexus.css (a test keeps the two the same)."""
    return "\n".join(f".{goldstein_class(n)} {{ color: {goldstein_colour(n)}; }}" for n in range(-10, 11))


def _fmt(g: float | None) -> str:
    return "n/a" if g is None or math.isnan(g) else f"{g:+.1f}"


# --- the network -------------------------------------------------------------------------------

@dataclass(slots=True)
class NetNode:
    key: str
    label: str
    n_events: int
    n_source: int
    n_target: int


@dataclass(slots=True)
class NetEdge:
    source: str
    target: str
    n_events: int
    mean_goldstein: float | None
    top_types: str = ""
    quads: tuple[int, int, int, int] = (0, 0, 0, 0)


def force_layout(keys: Sequence[str], links: Iterable[tuple[str, str, float]],
                 seed: int = 7, iterations: int = 300) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions in [0, 1]^2. Deterministic: the nodes are sorted, start
    on a circle with seeded jitter, and the cooling schedule is fixed."""
    order = sorted(set(keys))
    n = len(order)
    if n == 0:
        return {}
    if n == 1:
        return {order[0]: (0.5, 0.5)}
    index = {k: i for i, k in enumerate(order)}
    weight = np.zeros((n, n))
    for s, t, w in links:
        if s in index and t in index and s != t:
            weight[index[s], index[t]] += w
    weight = weight + weight.T
    if weight.max() > 0:
        weight = np.log1p(weight) / np.log1p(weight.max())  # heavy dyads must not swallow the rest
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * np.arange(n) / n
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) + rng.normal(0.0, 0.05, (n, 2))
    k = 1.6 / math.sqrt(n)  # ideal distance in a ~[-1, 1] square
    temperature = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = k * k / dist - (0.3 + weight) * dist * dist / k * (weight > 0)
        np.fill_diagonal(force, 0.0)
        disp = (force / dist)[:, :, None] * delta
        move = disp.sum(axis=1) - 0.4 * pos * np.linalg.norm(pos, axis=1)[:, None]  # gravity
        length = np.maximum(np.linalg.norm(move, axis=1), 1e-9)
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.985
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    unit = (pos - lo) / span
    return {key: (float(unit[i, 0]), float(unit[i, 1])) for i, key in enumerate(order)}


def network_svg(nodes: Sequence[NetNode], edges: Sequence[NetEdge], width: int = 960,
                height: int = 620, seed: int = 7) -> Markup:
    """Actors as circles sized by activity, directed curved edges sized by event count and
    coloured by mean Goldstein; nodes link to /actor/KEY, edges to /dyad/SOURCE/TARGET."""
    if not nodes:
        return tag("svg", {"viewBox": f"0 0 {width} 80", "class": "chart empty", "role": "img"},
                   tag("text", {"x": 12, "y": 40}, "No events match these filters."))
    unit = force_layout([n.key for n in nodes], [(e.source, e.target, e.n_events) for e in edges],
                        seed=seed)
    pad = 46.0
    xy = {k: (pad + x * (width - 2 * pad), pad + y * (height - 2 * pad)) for k, (x, y) in unit.items()}
    max_node = max(n.n_events for n in nodes) or 1
    radius = {n.key: 4.0 + 18.0 * math.sqrt(n.n_events / max_node) for n in nodes}
    max_edge = max((e.n_events for e in edges), default=1) or 1

    edge_parts = []
    for e in sorted(edges, key=lambda e: (e.n_events, e.source, e.target)):
        if e.source not in xy or e.target not in xy or e.source == e.target:
            continue
        stroke = 1.0 + 7.0 * math.sqrt(e.n_events / max_edge)
        d, arrow, (mx, my) = _curved_arrow(xy[e.source], xy[e.target], radius[e.target], stroke)
        colour = goldstein_colour(e.mean_goldstein)
        q = e.quads
        title = (f"{e.source} → {e.target}: {e.n_events} events, mean Goldstein "
                 f"{_fmt(e.mean_goldstein)}; cooperation {q[0] + q[1]}, conflict {q[2] + q[3]}"
                 + (f"; {e.top_types}" if e.top_types else ""))
        edge_parts.append(tag(
            "a", {"class": "edge", "href": f"/dyad/{url_part(e.source)}/{url_part(e.target)}",
                  "data-source": e.source, "data-target": e.target, "data-events": e.n_events},
            tag("title", None, title),
            tag("path", {"d": d, "class": "hit", "stroke-width": max(stroke, 10.0), "fill": "none"}),
            tag("path", {"d": d, "class": "line", "stroke": colour, "stroke-width": stroke,
                         "fill": "none"}),
            tag("path", {"d": arrow, "fill": colour, "class": "arrow"}),
            # A target on the curve itself, for pointers and browser tests to click.
            tag("circle", {"cx": mx, "cy": my, "r": max(stroke, 6.0), "class": "handle"})))

    node_parts = []
    for n in sorted(nodes, key=lambda n: n.key):
        x, y = xy[n.key]
        r = radius[n.key]
        title = (f"{n.label} ({n.key}): {n.n_events} events, {n.n_source} as source, "
                 f"{n.n_target} as target")
        node_parts.append(tag(
            "a", {"class": "node", "href": f"/actor/{url_part(n.key)}", "data-key": n.key,
                  "data-events": n.n_events},
            tag("title", None, title),
            tag("circle", {"cx": x, "cy": y, "r": r}),
            tag("text", {"x": x, "y": y - r - 3, "text-anchor": "middle"}, n.key)))

    # No role="img": that would hide the node and edge links from assistive technology.
    return tag("svg", {"viewBox": f"0 0 {width} {height}", "class": "chart network",
                       "aria-label": f"Network of {len(nodes)} actors and {len(edges)} relationships"},
               tag("g", {"class": "edges"}, *edge_parts), tag("g", {"class": "nodes"}, *node_parts))


def _curved_arrow(a: tuple[float, float], b: tuple[float, float], r_target: float,
                  stroke: float) -> tuple[str, str, tuple[float, float]]:
    """A quadratic curve bending to its right (so A->B and B->A do not overlap) that stops at the
    target circle, a triangular arrowhead there, and the curve's midpoint."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    bend = min(60.0, 0.15 * length)
    cx, cy = (x1 + x2) / 2 + nx * bend, (y1 + y2) / 2 + ny * bend
    tx, ty = x2 - cx, y2 - cy
    tl = math.hypot(tx, ty) or 1.0
    ux, uy = tx / tl, ty / tl
    head = 4.0 + 1.6 * stroke
    ex, ey = x2 - ux * (r_target + 1.5), y2 - uy * (r_target + 1.5)  # arrow tip
    bx, by = ex - ux * head, ey - uy * head  # where the line ends, under the arrowhead
    w = head * 0.55
    d = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {bx:.1f},{by:.1f}"
    arrow = (f"M{ex:.1f},{ey:.1f} L{bx - uy * w:.1f},{by + ux * w:.1f} "
             f"L{bx + uy * w:.1f},{by - ux * w:.1f} Z")
    middle = (0.25 * x1 + 0.5 * cx + 0.25 * bx, 0.25 * y1 + 0.5 * cy + 0.25 * by)
    return d, arrow, middle


def goldstein_legend() -> Markup:
    swatches = []
    for i, g in enumerate((-10, -5, 0, 5, 10)):
        swatches.append(tag("rect", {"x": 8 + i * 46, "y": 4, "width": 44, "height": 12,
                                     "fill": goldstein_colour(g)}))
        swatches.append(tag("text", {"x": 30 + i * 46, "y": 30, "text-anchor": "middle"}, f"{g:+d}"))
    return tag("svg", {"viewBox": "0 0 250 36", "class": "legend", "role": "img",
                       "aria-label": "Goldstein scale from conflict (red) to cooperation (blue)"},
               *swatches)


# --- dyad charts -------------------------------------------------------------------------------

@dataclass(slots=True)
class Period:
    label: str
    quads: tuple[int, int, int, int]  # counts per quad class 1..4
    mean_goldstein: float | None

    @property
    def total(self) -> int:
        return sum(self.quads)


def timeline_svg(periods: Sequence[Period], y_max: int | None = None, width: int = 460,
                 height: int = 220, caption: str = "") -> Markup:
    """Stacked bars of events per period by quad class, with the mean Goldstein as a line on a
    -10..+10 axis at the right."""
    left, right, top, bottom = 34.0, 34.0, 12.0, 42.0
    plot_w, plot_h = width - left - right, height - top - bottom
    if not periods:
        return tag("svg", {"viewBox": f"0 0 {width} 60", "class": "chart timeline empty", "role": "img"},
                   tag("text", {"x": 10, "y": 34}, "No events in this direction."))
    top_count = max(y_max or 0, max(p.total for p in periods), 1)
    slot = plot_w / len(periods)
    bar_w = max(2.0, min(36.0, slot * 0.7))
    parts: list[Markup] = []
    for tick in _ticks(top_count):  # count axis and grid
        y = top + plot_h * (1 - tick / top_count)
        parts.append(tag("line", {"x1": left, "x2": left + plot_w, "y1": y, "y2": y, "class": "grid"}))
        parts.append(tag("text", {"x": left - 4, "y": y + 3, "text-anchor": "end", "class": "axis"},
                         str(tick)))
    for g in (-10, 0, 10):  # Goldstein axis
        y = top + plot_h * (1 - (g + 10) / 20)
        parts.append(tag("text", {"x": left + plot_w + 4, "y": y + 3, "class": "axis goldstein-axis"},
                         f"{g:+d}"))
    label_every = max(1, math.ceil(len(periods) / 12))
    line_points: list[tuple[float, float, Period] | None] = []
    for i, p in enumerate(periods):
        cx = left + slot * (i + 0.5)
        y = top + plot_h
        for q in (1, 2, 3, 4):
            n = p.quads[q - 1]
            if n <= 0:
                continue
            h = plot_h * n / top_count
            y -= h
            parts.append(tag("rect", {"x": cx - bar_w / 2, "y": y, "width": bar_w, "height": h,
                                      "fill": QUAD_COLOURS[q], "class": f"bar q{q}",
                                      "data-period": p.label, "data-n": n},
                             tag("title", None, f"{p.label}: {n} {QUAD_NAMES[q]}")))
        if i % label_every == 0:
            parts.append(tag("text", {"x": cx, "y": top + plot_h + 14, "text-anchor": "middle",
                                      "class": "axis"}, p.label))
        if p.mean_goldstein is not None and not math.isnan(p.mean_goldstein):
            gy = top + plot_h * (1 - (p.mean_goldstein + 10) / 20)
            line_points.append((cx, gy, p))
        else:
            line_points.append(None)
    for run in _runs(line_points):  # the line breaks where a period has no events
        if len(run) > 1:
            parts.append(tag("polyline", {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in run),
                                          "class": "goldstein-line", "fill": "none"}))
    for x, y, p in (point for point in line_points if point is not None):
        parts.append(tag("circle", {"cx": x, "cy": y, "r": 3, "class": "goldstein-point"},
                         tag("title", None, f"{p.label}: mean Goldstein {_fmt(p.mean_goldstein)} "
                                            f"over {p.total} events")))
    legend_y, x = height - 10, left
    for q in (1, 2, 3, 4):
        parts.append(tag("rect", {"x": x, "y": legend_y - 8, "width": 9, "height": 9,
                                  "fill": QUAD_COLOURS[q]}))
        parts.append(tag("text", {"x": x + 12, "y": legend_y, "class": "legend-text"}, QUAD_SHORT[q]))
        x += 24 + 5.2 * len(QUAD_SHORT[q])  # ~5.2 units a character at the legend's font size
    return tag("svg", {"viewBox": f"0 0 {width} {height}", "class": "chart timeline", "role": "img",
                       "aria-label": caption or "Events per period by quad class and mean Goldstein"},
               *parts)


def _runs(points: Sequence[tuple[float, float, Period] | None]) -> list[list[tuple[float, float, Period]]]:
    """Consecutive non-empty points, split at the Nones."""
    runs: list[list[tuple[float, float, Period]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _ticks(top: int) -> list[int]:
    step = max(1, 10 ** int(math.log10(top)) if top >= 10 else 1)
    while top / step > 5:
        step *= 2
    return list(range(0, top + 1, step))


def heat_table_svg(rows: Sequence[str], cols: Sequence[str], counts: Mapping[tuple[str, str], int],
                   row_colour: Mapping[str, str] | None = None, caption: str = "") -> Markup:
    """A grid of counts (rows: PLOVER type and mode, columns: periods), darker for more."""
    if not rows or not cols:
        return tag("svg", {"viewBox": "0 0 300 40", "class": "chart heat empty", "role": "img"},
                   tag("text", {"x": 6, "y": 24}, "No events."))
    label_w, cell_w, cell_h, head_h = 150.0, max(30.0, min(56.0, 420.0 / len(cols))), 20.0, 34.0
    width = label_w + cell_w * len(cols) + 6
    height = head_h + cell_h * len(rows) + 4
    top = max(counts.values(), default=1) or 1
    parts: list[Markup] = []
    label_every = max(1, math.ceil(len(cols) / 10))
    for j, col in enumerate(cols):
        if j % label_every == 0:
            x = label_w + cell_w * (j + 0.5)
            parts.append(tag("text", {"x": x, "y": head_h - 8, "text-anchor": "middle",
                                      "class": "axis"}, col))
    for i, row in enumerate(rows):
        y = head_h + cell_h * i
        parts.append(tag("text", {"x": label_w - 6, "y": y + cell_h / 2 + 4, "text-anchor": "end",
                                  "class": "row-label"}, row))
        base = (row_colour or {}).get(row, "#2166ac")
        for j, col in enumerate(cols):
            n = counts.get((row, col), 0)
            x = label_w + cell_w * j
            opacity = 0.0 if n == 0 else 0.18 + 0.82 * math.sqrt(n / top)
            parts.append(tag("rect", {"x": x + 1, "y": y + 1, "width": cell_w - 2, "height": cell_h - 2,
                                      "fill": base, "fill-opacity": round(opacity, 2),
                                      "class": "cell"},
                             tag("title", None, f"{row}, {col}: {n} events")))
            if n:
                parts.append(tag("text", {"x": x + cell_w / 2, "y": y + cell_h / 2 + 4, "text-anchor": "middle",
                                          "class": "cell-count dark" if opacity > 0.55 else "cell-count"},
                                 str(n)))
    # width/height: drawn at its own size (the CSS only ever shrinks it), so the text stays small.
    return tag("svg", {"viewBox": f"0 0 {width:.0f} {height:.0f}", "width": f"{width:.0f}",
                       "height": f"{height:.0f}", "class": "chart heat", "role": "img",
                       "aria-label": caption or "Event types per period"}, *parts)


def bars_svg(items: Sequence[tuple[str, int, str]], width: int = 360, caption: str = "") -> Markup:
    """Horizontal bars: (label, count, colour)."""
    if not items:
        return tag("svg", {"viewBox": "0 0 300 30", "class": "chart bars empty", "role": "img"},
                   tag("text", {"x": 6, "y": 20}, "No events."))
    row_h, label_w = 18.0, 96.0
    top = max(n for _, n, _ in items) or 1
    parts = []
    for i, (label, n, colour) in enumerate(items):
        y = i * row_h
        w = (width - label_w - 40) * n / top
        parts.append(tag("text", {"x": label_w - 6, "y": y + 13, "text-anchor": "end",
                                  "class": "row-label"}, label))
        parts.append(tag("rect", {"x": label_w, "y": y + 3, "width": max(w, 1.0), "height": row_h - 6,
                                  "fill": colour}, tag("title", None, f"{label}: {n}")))
        parts.append(tag("text", {"x": label_w + w + 4, "y": y + 13, "class": "axis"}, str(n)))
    height = f"{row_h * len(items) + 2:.0f}"
    return tag("svg", {"viewBox": f"0 0 {width} {height}", "width": width, "height": height,
                       "class": "chart bars", "role": "img", "aria-label": caption or "Counts"}, *parts)


# --- the map -----------------------------------------------------------------------------------

@dataclass(slots=True)
class CountryStat:
    iso3: str
    n_events: int
    n_coop: int
    n_conflict: int
    mean_goldstein: float | None


@dataclass(slots=True)
class MapPoint:
    lat: float
    lon: float
    name: str
    n_events: int
    sentence: str
    doc_id: str
    sentence_idx: int


def country_colour(stat: CountryStat, top: int) -> str:
    """Blue where cooperation outweighs conflict, red where conflict does, grey where they
    balance; the more events, the stronger the colour."""
    balance = (stat.n_coop - stat.n_conflict) / max(stat.n_coop + stat.n_conflict, 1)
    hue = _mix(NEUTRAL, COOPERATION, balance) if balance >= 0 else _mix(NEUTRAL, CONFLICT, -balance)
    strength = 0.3 + 0.7 * math.log1p(stat.n_events) / math.log1p(max(top, 1))
    return _hex(_mix(BLANK, hue, strength))


def world_map_svg(world: WorldMap, stats: Mapping[str, CountryStat], points: Sequence[MapPoint],
                  focus: str | None = None, names: Mapping[str, str] | None = None) -> Markup:
    """Countries shaded by events (with `focus`: events with that actor), event places as dots."""
    top = max((s.n_events for s in stats.values()), default=1)
    shapes = []
    for c in world.countries:
        stat = stats.get(c.iso3 or "")
        fill = country_colour(stat, top) if stat else _hex(BLANK)
        name = (names or {}).get(c.iso3 or "", c.name)
        if stat:
            title = (f"{name}: {stat.n_events} events" + (f" with {focus}" if focus else "")
                     + f" ({stat.n_coop} cooperation, {stat.n_conflict} conflict; mean Goldstein "
                       f"{_fmt(stat.mean_goldstein)})")
        else:
            title = f"{name}: no events"
        classes = "country" + (" has-events" if stat else "") + (" focus" if c.iso3 and c.iso3 == focus else "")
        shape = tag("path", {"d": c.path, "fill": fill, "class": classes, "data-iso3": c.iso3,
                             "data-events": stat.n_events if stat else 0},
                    tag("title", None, title))
        if c.iso3 and stat:
            href = (f"/dyad/{url_part(focus)}/{url_part(c.iso3)}" if focus and c.iso3 != focus
                    else f"/actor/{url_part(c.iso3)}")
            shape = tag("a", {"href": href, "class": "country-link"}, shape)
        shapes.append(shape)
    top_point = max((p.n_events for p in points), default=1)
    dots = []
    for p in points:
        x, y = project(p.lon, p.lat)
        r = 2.5 + 4.5 * math.sqrt(p.n_events / top_point)
        title = f"{p.name or 'place'} ({p.n_events} events): {p.sentence}"
        dots.append(tag("a", {"href": f"/document/{quote(p.doc_id, safe='/')}#s-{p.sentence_idx}",
                              "class": "place"},
                        tag("circle", {"cx": x, "cy": y, "r": r, "data-events": p.n_events},
                            tag("title", None, title))))
    return tag("svg", {"viewBox": f"0 0 {world.width:.0f} {world.height:.0f}", "class": "chart map",
                       "aria-label": "World map of events"},
               tag("rect", {"x": 0, "y": 0, "width": world.width, "height": world.height,
                            "class": "sea"}),
               tag("g", {"class": "countries"}, *shapes), tag("g", {"class": "places"}, *dots))
