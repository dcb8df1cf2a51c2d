"""Loads the coder's knowledge (frames.yaml, complements.yaml, cues.yaml) into lookup tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from nexus.datafiles import load_yaml

COMPLEMENT_KINDS = ("intent", "request", "demand", "reject", "threaten", "accuse")


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    code: str
    verbs: tuple[str, ...] = ()
    nouns: tuple[str, ...] = ()
    objects: frozenset[str] | None = None  # None: no object constraint
    target: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    symmetric: bool = False
    requires_target: bool = False
    requires_complement: bool = False
    complement: str | None = None
    plover: str | None = None
    mode: str | None = None
    intransitive: bool = False  # only without a direct object ("returned to Kabul", not "returned the land")
    subjects: frozenset[str] | None = None  # required subject words (troops arriving deploy)
    lights: frozenset[str] | None = None  # for nouns: the light verbs that must carry them
    place_target: bool = False  # a place named in the clause may be the recipient (visits)
    excludes: frozenset[str] = frozenset()  # dependency labels on the verb that rule the frame out
    irregular: str | None = None  # the code when the actor is not a state's forces (CAMEO 18x vs 19x)
    complement_via: frozenset[str] | None = None  # constructions that carry the embedded event

    @property
    def specificity(self) -> int:
        return 2 if self.objects is not None or self.subjects is not None else 1 if self.complement else 0


@dataclass(frozen=True, slots=True)
class ComplementTable:
    kind: str
    default: str
    mapping: dict[str, str]
    factuality: str
    actor: str  # "subject" or "object": who does the embedded act

    def code_for(self, embedded_code: str | None) -> str:
        if embedded_code:
            for n in range(len(embedded_code), 1, -1):
                if embedded_code[:n] in self.mapping:
                    return self.mapping[embedded_code[:n]]
        return self.default


@dataclass(slots=True)
class Lexicon:
    frames: list[Frame]
    verb_frames: dict[str, list[Frame]] = field(default_factory=dict)
    noun_frames: dict[str, list[Frame]] = field(default_factory=dict)
    complements: dict[str, ComplementTable] = field(default_factory=dict)
    cues: dict[str, frozenset[str]] = field(default_factory=dict)

    def cue(self, name: str) -> frozenset[str]:
        return self.cues.get(name, frozenset())


def _expand(values, classes: dict[str, list[str]]) -> frozenset[str]:
    out: set[str] = set()
    for v in values or []:
        v = str(v)
        if v.startswith("@"):
            out.update(str(x).lower() for x in classes[v[1:]])
        else:
            out.add(v.lower())
    return frozenset(out)


def build_lexicon(frames_doc: dict, complements_doc: dict, cues_doc: dict) -> Lexicon:
    classes = frames_doc.get("classes", {})
    frames = []
    for f in frames_doc["frames"]:
        requires = f.get("requires") or []
        requires = {requires} if isinstance(requires, str) else set(requires)
        frames.append(Frame(
            id=f["id"], code=str(f["code"]),
            verbs=tuple(str(v).lower() for v in f.get("verbs", [])),
            nouns=tuple(str(n).lower() for n in f.get("nouns", [])),
            objects=_expand(f["object"], classes) if "object" in f else None,
            target=tuple(f.get("target", [])), source=tuple(f.get("source", [])),
            symmetric=bool(f.get("symmetric")), requires_target="target" in requires,
            requires_complement="complement" in requires, complement=f.get("complement"),
            plover=f.get("plover"), mode=f.get("mode"), intransitive=bool(f.get("intransitive")),
            subjects=_expand(f["subject"], classes) if "subject" in f else None,
            lights=frozenset(str(v).lower() for v in f["light"]) if "light" in f else None,
            place_target=bool(f.get("place_target")),
            excludes=frozenset(f.get("excludes", [])),
            irregular=str(f["irregular"]) if "irregular" in f else None,
            complement_via=frozenset(f["complement_via"]) if "complement_via" in f else None,
        ))
    lex = Lexicon(frames=frames)
    # Specific frames first; among equals, those that need a recipient (and so fail cleanly
    # without one) before their fallbacks.
    for frame in sorted(frames, key=lambda fr: (-fr.specificity, not fr.requires_target)):
        for v in frame.verbs:
            lex.verb_frames.setdefault(v, []).append(frame)
        for n in frame.nouns:
            lex.noun_frames.setdefault(n, []).append(frame)
    for kind in COMPLEMENT_KINDS:
        spec = complements_doc[kind]
        emb = spec.get("embedded", {})
        lex.complements[kind] = ComplementTable(
            kind=kind, default=str(spec["default"]),
            mapping={str(k): str(v) for k, v in (spec.get("map") or {}).items()},
            factuality=emb.get("factuality", "hypothetical"), actor=emb.get("actor", "subject"))
    lex.cues = {k: frozenset(str(x).lower() for x in v) for k, v in cues_doc.items()}
    return lex


def _load(name: str, directory: Path | None):
    if directory is not None and (Path(directory) / name).is_file():
        return load_yaml((Path(directory) / name).read_text(encoding="utf-8"))
    return load_yaml(resources.files("nexus.events").joinpath("data", name).read_text(encoding="utf-8"))


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """The packaged frames, or a user's own copies of the same files from `directory`."""
    return build_lexicon(_load("frames.yaml", directory), _load("complements.yaml", directory),
                         _load("cues.yaml", directory))


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()
