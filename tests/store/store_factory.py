"""Coded documents for store and analysis tests: realistic sentences from articles on Russia,
Iran and their neighbours, coded by hand the way the event coder would code them.

Plain module (not a conftest) so the SIGKILL child process and tests/analysis can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nexus.actors.model import Actor, Mention
from nexus.coded import CodedDocument
from nexus.documents.model import Block, Document
from nexus.events.model import Attribution, Cameo, Event, EventDate, Location, Plover
from nexus.nlp.model import Sentence


def actor(text: str, code: str, country: str | None = None, sector: str | None = None,
          name: str | None = None) -> Actor:
    return Actor(text=text, code=code, country=country, sector=sector, name=name)


CAMEO = {  # code: (name, goldstein, quad class)
    "036": ("Express intent to meet or negotiate", 4.0, 1),
    "040": ("Consult", 1.0, 1),
    "057": ("Sign formal agreement", 8.0, 1),
    "061": ("Cooperate economically", 6.4, 2),
    "070": ("Provide aid", 7.4, 2),
    "072": ("Provide military aid", 8.3, 2),
    "111": ("Criticize or denounce", -2.0, 3),
    "138": ("Threaten with military force", -7.0, 3),
    "163": ("Impose embargo, boycott, or sanctions", -8.0, 4),
    "190": ("Use conventional military force", -10.0, 4),
}


@dataclass
class Ev:
    """An event to place in a sentence; offsets are found from the texts."""

    trigger: str
    source: Actor | None
    target: Actor | None
    plover: str
    cameo: str
    date: str | None
    factuality: str = "asserted"
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    attribution: Attribution | None = None
    location: Location | None = None
    confidence: float = 0.8
    precision: str | None = None


def coded_doc(doc_id: str, pub: date | None, sentences: list[tuple[str, list[Ev]]],
              title: str | None = None, kinds: dict[int, str] | None = None) -> CodedDocument:
    """A document whose paragraphs are the given sentences, with mentions, blocks and events."""
    kinds = kinds or {}
    text = "\n\n".join(s for s, _ in sentences)
    doc = Document(doc_id=doc_id, text=text, date=pub, title=title, url=f"https://example.org/{doc_id}",
                   origin=f"tests/{doc_id}")
    coded = CodedDocument(document=doc)
    pos = 0
    for i, (sent, evs) in enumerate(sentences):
        start, end = pos, pos + len(sent)
        kind = kinds.get(i, "paragraph")
        doc.blocks.append(Block(start, end, kind))  # type: ignore[arg-type]
        coded.sentences.append(Sentence(index=i, start=start, end=end, text=sent, block_kind=kind))
        seen: set[tuple[int, int]] = set()
        for ev in evs:
            for a in (ev.source, ev.target):
                if a is not None and a.text in sent:
                    at = start + sent.index(a.text)
                    if (at, at + len(a.text)) not in seen:
                        seen.add((at, at + len(a.text)))
                        coded.mentions.append(Mention(i, at, at + len(a.text), a))
            t0 = start + sent.index(ev.trigger)
            name, goldstein, quad = CAMEO[ev.cameo]
            precision = ev.precision or {4: "year", 7: "month", 10: "day"}.get(len(ev.date or ""), "unknown")
            event = Event(
                doc_id=doc_id, sentence=sent, offsets=(start, end), trigger=ev.trigger,
                source=ev.source, target=ev.target,
                plover=Plover(ev.plover, ev.mode, list(ev.context)),
                cameo=Cameo(ev.cameo, name, goldstein, quad), factuality=ev.factuality,  # type: ignore[arg-type]
                attribution=ev.attribution,
                date=EventDate(ev.date, precision, "text" if ev.date else "unknown"),  # type: ignore[arg-type]
                location=ev.location, confidence=ev.confidence, rule=f"test.{ev.plover.lower()}",
                trigger_offsets=(t0, t0 + len(ev.trigger)), sentence_index=i)
            event.assign_id()
            coded.events.append(event)
        pos = end + 2
    return coded


RUS = lambda t="Russia": actor(t, "RUS", "RUS", None, "Russia")  # noqa: E731
IRN = lambda t="Iran": actor(t, "IRN", "IRN", None, "Iran")  # noqa: E731
PUTIN = actor("Putin", "RUSGOV", "RUS", "GOV", "Vladimir Putin")
PEZESHKIAN = actor("Iranian President Masoud Pezeshkian", "IRNGOV", "IRN", "GOV", "Masoud Pezeshkian")
USA = actor("The United States", "USA", "USA", None, "United States")
UKR = actor("Ukraine", "UKR", "UKR", None, "Ukraine")
EU = actor("The European Union", "EUR", None, "IGO", "European Union")
NATO = actor("NATO leaders", "NATO", None, "IGO", "NATO")
CHN = actor("Beijing", "CHN", "CHN", None, "China")
ISR = actor("Israel", "ISR", "ISR", None, "Israel")


def corpus() -> list[CodedDocument]:
    """Four articles: background history, a treaty, strikes on Ukraine, NATO warnings."""
    aids = coded_doc("how-russia-aids-iran.txt", date(2023, 3, 1), [
        ("How Russia aids Iran", []),
        ("Iran supplied Russia with Shahed drones in 2022.",
         [Ev("supplied", IRN(), RUS(), "AID", "072", "2022", mode="military", context=["military"],
             confidence=0.9)]),
        ("Russia built the Bushehr power plant for Iran, which opened in 2011.",
         [Ev("built", RUS(), IRN(), "AID", "070", "2011", mode="economic", context=["economic"],
             location=Location("Bushehr", "IRN", 28.83, 50.89))]),
        ("Russia and Iran expanded trade in March 2022.",
         [Ev("expanded", RUS(), IRN(), "COOPERATE", "061", "2022-03", mode="economic"),
          Ev("expanded", IRN(), RUS(), "COOPERATE", "061", "2022-03", mode="economic")]),
        ("Washington and London are concerned that Russia has been helping Iran's weapons programme.",
         [Ev("helping", RUS(), IRN("Iran's"), "AID", "072", "2023", factuality="alleged",
             attribution=Attribution("Washington and London", "USA", "USA"), confidence=0.6)]),
        ("The pact does not commit Moscow to defend Tehran.",
         [Ev("defend", RUS("Moscow"), IRN("Tehran"), "AID", "072", "2023", factuality="negated")]),
        ("The European Union imposed sanctions on Iran in October 2022.",
         [Ev("imposed sanctions", EU, IRN(), "SANCTION", "163", "2022-10", mode="economic")]),
        ("Iran condemned the sanctions on 20 October 2022.",
         [Ev("condemned", IRN(), actor("the sanctions", "EUR", None, "IGO"), "ACCUSE", "111",
             "2022-10-20")]),
        ("Photo: a Shahed drone on display in Tehran", []),
        ("Share your thoughts in the comments", []),
    ], title="How Russia aids Iran", kinds={0: "title", 8: "caption", 9: "furniture"})
    treaty = coded_doc("russia-iran-treaty-2025.txt", date(2025, 1, 17), [
        ("Russia and Iran signed a comprehensive strategic partnership treaty in Moscow on Friday.",
         [Ev("signed", RUS(), IRN(), "AGREE", "057", "2025-01-17",
             location=Location("Moscow", "RUS", 55.76, 37.62), confidence=0.95),
          Ev("signed", IRN(), RUS(), "AGREE", "057", "2025-01-17",
             location=Location("Moscow", "RUS", 55.76, 37.62), confidence=0.95)]),
        ("Putin offered to mediate between Iran and Israel.",
         [Ev("offered to mediate", PUTIN, ISR, "CONSULT", "040", "2025-01-17")]),
        ("Iranian President Masoud Pezeshkian will visit Beijing next month.",
         [Ev("visit", PEZESHKIAN, CHN, "CONSULT", "036", "2025-02", factuality="future")]),
    ], title="Russia and Iran sign treaty")
    strikes = coded_doc("ukraine-strikes-2024.txt", date(2024, 2, 10), [
        ("Russia launched Iranian-made drones at Ukraine overnight, Ukrainian officials said.",
         [Ev("launched", RUS(), UKR, "ASSAULT", "190", "2024-02-10", mode="military",
             attribution=Attribution("Ukrainian officials", "UKRGOV", "UKR"),
             location=Location("Kyiv", "UKR", 50.45, 30.52), confidence=0.85)]),
        ("The United States imposed new sanctions on Iran over the drone transfers.",
         [Ev("imposed new sanctions", USA, IRN(), "SANCTION", "163", "2024-02-10")]),
        ("Ukraine accused Iran of supplying ballistic missiles to Russia.",
         [Ev("accused", UKR, IRN(), "ACCUSE", "111", "2024-02-10"),
          Ev("supplying", IRN(), RUS(), "AID", "072", "2024", factuality="alleged", mode="military",
             attribution=Attribution("Ukraine", "UKR", "UKR"), confidence=0.7)]),
    ], title="Drone strikes on Ukraine")
    nato = coded_doc("nato-summit-2024.txt", date(2024, 7, 10), [
        ("NATO leaders warned Russia against further escalation in July 2024.",
         [Ev("warned", NATO, RUS(), "THREATEN", "138", "2024-07")]),
        ("NATO leaders met in Washington.", []),
    ], title="NATO summit")
    return [aids, treaty, strikes, nato]


def synthetic(i: int) -> CodedDocument:
    """The i-th of many small, distinct documents (for bulk and crash tests)."""
    n = 3 + i % 5
    sents = [(f"In report {i}, Russia supplied Iran with {j + 1} drones in 2022.",
              [Ev("supplied", RUS(), IRN(), "AID", "072", "2022")] if j % 2 == 0 else [])
             for j in range(n)]
    return coded_doc(f"synthetic-{i:05d}.txt", date(2023, 1, 1 + i % 28), sents)
