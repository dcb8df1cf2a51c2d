"""The pieces the pages are drawn with: escaping SVG builder, highlights, the network layout,
the TopoJSON decoder and the atlas look-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_pages_support import parse, select

from nexus.server import charts, worldmap
from nexus.server.pages import highlight

EVIL = '<script>alert("x")</script>&'


def test_tag_escapes_text_and_attributes() -> None:
    out = str(charts.tag("text", {"data-key": EVIL, "x": 1.25, "skip": None}, EVIL,
                         charts.tag("title", None, EVIL)))
    assert "<script>" not in out and 'alert("x")' not in out
    assert out.startswith('<text data-key="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" x="1.2"')
    assert "skip" not in out and out.count("&lt;script&gt;") == 3


def test_highlight_pieces_rebuild_the_sentence() -> None:
    sentence = "Russia supplied Iran with drones."
    offset = 100  # the sentence's place in its document
    pieces = highlight(sentence, offset, [(107, 115, "trigger"), (100, 106, "source"),
                                          (112, 120, "target"), (116, 120, "target"), (90, 95, "x")])
    assert "".join(text for text, _ in pieces) == sentence
    assert [(t, k) for t, k in pieces if k] == [("Russia", "source"), ("supplied", "trigger"),
                                                ("Iran", "target")]
    assert highlight("", 0, [(0, 3, "trigger")]) == []
    assert highlight("abc", 0, [(1, 99, "trigger")]) == [("a", None), ("bc", "trigger")]


def test_force_layout_is_deterministic_and_order_free() -> None:
    keys = ["RUS", "IRN", "USA", "CHN", "IND", "UKR", "ISR"]
    links = [("RUS", "IRN", 5), ("IRN", "RUS", 4), ("USA", "IRN", 7), ("CHN", "IND", 10),
             ("RUS", "UKR", 7), ("IRN", "ISR", 6)]
    first = charts.force_layout(keys, links)
    assert first == charts.force_layout(list(reversed(keys)), list(reversed(links)))
    assert set(first) == set(keys)
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in first.values())
    assert len({(round(x, 3), round(y, 3)) for x, y in first.values()}) == len(keys)
    assert charts.force_layout([], []) == {} and charts.force_layout(["A"], []) == {"A": (0.5, 0.5)}


def test_network_svg_links_and_escapes() -> None:
    nodes = [charts.NetNode("RUS", "Russia", 10, 6, 4), charts.NetNode("A/B", EVIL, 2, 1, 1)]
    edges = [charts.NetEdge("RUS", "A/B", 2, -7.5, "ASSAULT (2)", (0, 0, 1, 1))]
    svg = str(charts.network_svg(nodes, edges))
    assert "<script>" not in svg
    tree = parse(f"<div>{svg}</div>")
    edge = select(tree, ".edge")[0]
    assert edge.get("href") == "/dyad/RUS/A%2FB" and edge.get("data-target") == "A/B"
    assert select(tree, '.node[data-key="A/B"]')[0].get("href") == "/actor/A%2FB"
    assert charts.goldstein_colour(-10) == "#b2182b" and charts.goldstein_colour(10) == "#2166ac"
    assert select(edge, "path.line")[0].get("stroke") == charts.goldstein_colour(-7.5)
    assert "No events" in str(charts.network_svg([], []))


def test_timeline_and_heat_table() -> None:
    periods = [charts.Period("2022", (1, 2, 0, 0), 5.0), charts.Period("2023", (0, 0, 0, 0), None),
               charts.Period("2024", (0, 0, 1, 3), -6.0)]
    tree = parse(f"<div>{charts.timeline_svg(periods)}</div>")
    assert sum(int(b.get("data-n")) for b in select(tree, ".bar")) == 7
    assert len(select(tree, ".goldstein-point")) == 2
    assert not select(tree, "polyline")  # the line breaks at the empty 2023
    heat = parse(f"<div>{charts.heat_table_svg(['AID', EVIL], ['2022'], {('AID', '2022'): 3})}</div>")
    assert len(select(heat, ".cell")) == 2 and "<script>" not in str(charts.heat_table_svg([EVIL], ["x"], {}))
    assert "No events" in str(charts.timeline_svg([])) and "No events" in str(charts.heat_table_svg([], [], {}))


def topology(tmp_path: Path) -> Path:
    """A tiny quantised, delta-encoded topology: a square shared by two countries (one of them
    using the arc reversed), and an island across the 180th meridian."""
    topo = {
        "type": "Topology",
        "transform": {"scale": [1.0, 1.0], "translate": [-180, -90]},
        "arcs": [
            [[200, 100], [10, 0], [0, 10]],       # (20,10) -> (30,10) -> (30,20)
            [[210, 110], [-10, 0], [0, -10]],     # (30,20) -> (20,20) -> (20,10)
            [[210, 100], [10, 0], [0, 10], [-10, 0], [0, -10]],  # (30,10) square to the east
            # lon 175 -> 180, then -180 -> -175 (the same island across the meridian) and back
            [[355, 90], [5, 0], [-360, 0], [5, 0], [0, 5], [-5, 0], [360, 0], [-5, 0], [0, -5]],
        ],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "id": "643", "properties": {"name": "Russia"}},
            {"type": "MultiPolygon", "arcs": [[[2]], [[3]]], "id": "242", "properties": {"name": "Fiji"}},
            {"type": "Polygon", "arcs": [[-2, -1]], "properties": {"name": "Kosovo"}},
            {"type": "Polygon", "arcs": [[2]], "id": "010", "properties": {"name": "Antarctica"}},
        ]}},
    }
    path = tmp_path / "countries-110m.json"
    path.write_text(json.dumps(topo), encoding="utf-8")
    return path


def test_decode_topology(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = topology(tmp_path)
    monkeypatch.setenv(worldmap.ATLAS_ENV, str(path))
    world = worldmap.load_world()
    assert world is not None and world.source == path
    by_name = {c.name: c for c in world.countries}
    assert set(by_name) == {"Russia", "Fiji", "Kosovo"}  # Antarctica is left off
    assert (by_name["Russia"].iso3, by_name["Fiji"].iso3, by_name["Kosovo"].iso3) == ("RUS", "FJI", "XKX")
    # Arc deltas and the transform: Russia's ring runs through (20,10), (30,10), (30,20), (20,20).
    corners = [world.project(lon, lat) for lon, lat in ((20, 10), (30, 10), (30, 20), (20, 20))]
    for x, y in corners:
        assert f"{x:g},{y:g}" in by_name["Russia"].path
    assert by_name["Russia"].path.count("M") == 1 and by_name["Kosovo"].path.count("M") == 1
    # The island across the meridian is cut in two pieces, each within the map.
    fiji = by_name["Fiji"].path
    assert fiji.count("M") == 3
    xs = [float(p.split(",")[0]) for p in fiji.replace("M", "L").replace("Z", "").split("L") if p]
    assert all(0 <= x <= world.width for x in xs)
    assert max(xs) - min(xs) > world.width * 0.9  # one piece at each edge, no streak between


def test_unreadable_atlas_is_no_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "countries-110m.json"
    broken.write_text('{"type": "Topology", "arcs": [[[0, 0]]]', encoding="utf-8")
    monkeypatch.setenv(worldmap.ATLAS_ENV, str(broken))
    assert worldmap.load_world() is None


def test_atlas_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = topology(tmp_path)
    monkeypatch.setenv(worldmap.ATLAS_ENV, str(tmp_path))  # a folder holding the file works too
    assert worldmap.find_atlas() == path
    monkeypatch.setenv(worldmap.ATLAS_ENV, str(tmp_path / "missing.json"))
    monkeypatch.chdir(tmp_path)
    found = worldmap.find_atlas()
    assert found is None or found.name == "countries-110m.json"  # the repository's, if installed
    (tmp_path / "node_modules" / "world-atlas").mkdir(parents=True)
    local = tmp_path / "node_modules" / "world-atlas" / "countries-110m.json"
    local.write_text(path.read_text("utf-8"), encoding="utf-8")
    assert worldmap.find_atlas() == local


@pytest.mark.skipif(worldmap.find_atlas() is None, reason="world-atlas not installed")
def test_installed_atlas_decodes() -> None:
    world = worldmap.load_world()
    assert world is not None and world is worldmap.load_world()  # decoded once
    iso3 = {c.iso3 for c in world.countries}
    assert {"RUS", "IRN", "USA", "CHN", "XKX", "PSE"} <= iso3 and "ATA" not in iso3
    assert len(world.countries) > 170
