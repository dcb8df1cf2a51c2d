"""The CAMEO table and the frames data: every PLOVER type is reachable, codes are known."""

from __future__ import annotations

from nexus.events.lexicon import default_lexicon
from nexus.ontology import PLOVER_TYPES, cameo_code, cameo_table


def test_codes_carry_goldstein_quad_class_and_plover():
    e = cameo_code("072")
    assert (e.name, e.goldstein, e.quad_class, e.plover_type) == ("Provide military aid", 8.3, 2, "AID")
    assert cameo_code("190").plover_type == "ASSAULT" and cameo_code("190").quad_class == 4
    assert cameo_code("163").plover_type == "SANCTION"  # the PLOVER manual's reading
    assert cameo_code("0231").plover_type == "REQUEST"  # appeals are requests
    assert cameo_code("010").plover_type is None  # statements have no PLOVER type
    assert cameo_code("1999").code == "19"  # unknown sub-codes fall back to the parent


def test_every_plover_type_has_codes_and_frames():
    mapped = {e.plover_type for e in cameo_table().values()}
    assert set(PLOVER_TYPES) <= mapped
    lex = default_lexicon()
    reachable = set()
    for frame in lex.frames:
        reachable.add(frame.plover or cameo_code(frame.code).plover_type)
        if frame.complement:
            table = lex.complements[frame.complement]
            reachable.update(cameo_code(c).plover_type for c in [table.default, *table.mapping.values()])
    assert set(PLOVER_TYPES) <= reachable


def test_frames_use_known_codes_and_classes():
    table = cameo_table()
    lex = default_lexicon()
    for frame in lex.frames:
        assert cameo_code(frame.code).code in table, frame.id
        assert frame.verbs or frame.nouns, frame.id
        for slot in frame.target:
            assert slot.isalpha(), frame.id
    for kind, comp in lex.complements.items():
        for code in [comp.default, *comp.mapping.values()]:
            assert code in table, (kind, code)
