"""Block segmentation of plain text: headings, paragraphs, lists, furniture and captions."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexus.documents import Block, segment
from nexus.documents.furniture import default_patterns, load_patterns
from nexus.documents.segment import title_of


def spans(text: str) -> list[tuple[str, str]]:
    return [(b.kind, text[b.start : b.end]) for b in segment(text)]


def kind_of(text: str, fragment: str) -> str:
    """The kind of the block holding `fragment` (which must lie in exactly one block)."""
    at = text.index(fragment)
    (block,) = [b for b in segment(text) if b.start <= at < b.end]
    assert at + len(fragment) <= block.end, f"{fragment!r} runs across blocks"
    return block.kind


ARTICLE = """\
How Russia aids Iran

Russia built the Bushehr nuclear power plant for Iran, which opened in 2011 after years of
delays. The two countries have deepened cooperation since the start of the war in Ukraine,
and Western officials say the relationship now runs in both directions.

Weapons for technology
Iran has supplied Shahed drones to Russia, and in exchange Moscow has offered advanced military technology, Western officials said.

A pact with limits

The strategic partnership treaty signed in January does not commit Russia to defend Iran.
"""


def test_heading_is_its_own_block_and_not_glued_to_the_next_sentence() -> None:
    blocks = spans(ARTICLE)
    assert blocks[0] == ("title", "How Russia aids Iran")
    assert ("heading", "Weapons for technology") in blocks
    assert ("heading", "A pact with limits") in blocks
    para = next(t for k, t in blocks if t.startswith("Iran has supplied"))
    assert para.endswith("Western officials said.")
    assert kind_of(ARTICLE, "Iran has supplied Shahed drones") == "paragraph"
    assert title_of(ARTICLE, segment(ARTICLE)) == "How Russia aids Iran"


def test_hard_wrapped_paragraph_stays_one_block() -> None:
    prose = (
        "North Korea has shipped more than a million artillery shells to Russia since August, "
        "South Korea's spy agency said on Wednesday. The National Intelligence Service told "
        "lawmakers that Iran's Foreign Minister Abbas Araghchi had also visited Pyongyang, "
        "and that the United States and the European Union were weighing new sanctions."
    )
    text = "Intro line that is a paragraph.\n\n" + textwrap.fill(prose, width=72) + "\n"
    assert spans(text)[1] == ("paragraph", text[text.index("North") : text.rindex(".") + 1])
    assert len(segment(text)) == 2


def test_all_caps_and_markdown_headings() -> None:
    text = "# Russia and Iran\n\nFirst paragraph here.\n\n## Background\nThe plant opened in 2011.\n\nTHE NUCLEAR QUESTION\nWestern governments are concerned.\n"
    assert spans(text) == [
        ("title", "# Russia and Iran"),
        ("paragraph", "First paragraph here."),
        ("heading", "## Background"),
        ("paragraph", "The plant opened in 2011."),
        ("heading", "THE NUCLEAR QUESTION"),
        ("paragraph", "Western governments are concerned."),
    ]
    assert title_of(text, segment(text)) == "Russia and Iran"


def test_sentence_like_first_line_is_not_a_title() -> None:
    text = "Russia has shipped air-defence systems to Iran, officials said on Monday.\n\nMore text.\n"
    assert segment(text)[0].kind == "paragraph"


def test_a_lone_line_without_full_stop_is_a_paragraph() -> None:
    # one-sentence records (gold sets, wire snippets) often lack the final full stop
    text = "Obama has agreed to lift the sanctions on Iran"
    assert spans(text) == [("paragraph", text)]


def test_list_items() -> None:
    text = (
        "The deal covers:\n"
        "- Shahed-136 drones delivered in 2022\n"
        "- Ballistic missiles reportedly shipped\n"
        "  in 2024\n"
        "* Fighter jets\n"
        "1. First point\n"
        "2) Second point\n"
    )
    assert spans(text) == [
        ("paragraph", "The deal covers:"),
        ("list_item", "- Shahed-136 drones delivered in 2022"),
        ("list_item", "- Ballistic missiles reportedly shipped\n  in 2024"),
        ("list_item", "* Fighter jets"),
        ("list_item", "1. First point"),
        ("list_item", "2) Second point"),
    ]


def test_markdown_quote() -> None:
    text = "He said:\n\n> We will not abandon\n> our partners.\n\nThen he left.\n"
    assert ("quote", "> We will not abandon\n> our partners.") in spans(text)


FURNITURE = """\
Russia and Iran sign a treaty
By Jane Doe and John Smith | 17 January 2025
Updated 3 hours ago

MOSCOW, Jan 17 (Reuters) - Russia and Iran signed a strategic partnership treaty on Friday.

Image caption, Presidents Vladimir Putin and Masoud Pezeshkian at the Kremlin
Presidents Putin and Pezeshkian in Moscow. Photograph: Evgenia Novozhenina/Reuters
(Photo: Sputnik via AFP)

Advertisement

The treaty does not include a mutual defence clause, officials said.

Read more:
Iran's drone deliveries to Russia
How sanctions shaped the partnership

Share your thoughts in the comments below.
Sign up for our daily newsletter
Follow us on Telegram
Click here to subscribe
Reporting by Guy Faulconbridge; Editing by
Andrew Osborn
© 2025 Example News. All rights reserved.
"""


@pytest.mark.parametrize(
    ("fragment", "kind"),
    [
        ("By Jane Doe and John Smith", "furniture"),
        ("Updated 3 hours ago", "furniture"),
        ("MOSCOW, Jan 17 (Reuters) -", "dateline"),
        ("Russia and Iran signed", "paragraph"),
        ("Image caption, Presidents", "caption"),
        ("Photograph: Evgenia Novozhenina/Reuters", "caption"),
        ("(Photo: Sputnik via AFP)", "caption"),
        ("Advertisement", "furniture"),
        ("The treaty does not include", "paragraph"),
        ("Read more:", "furniture"),
        ("Iran's drone deliveries to Russia", "furniture"),
        ("How sanctions shaped the partnership", "furniture"),
        ("Share your thoughts", "furniture"),
        ("Sign up for our daily newsletter", "furniture"),
        ("Follow us on Telegram", "furniture"),
        ("Click here to subscribe", "furniture"),
        ("Andrew Osborn", "furniture"),
        ("© 2025 Example News", "furniture"),
        ("Russia and Iran sign a treaty", "title"),
    ],
)
def test_furniture_and_captions_are_marked(fragment: str, kind: str) -> None:
    assert kind_of(FURNITURE, fragment) == kind


@pytest.mark.parametrize(
    "sentence",
    [
        "The foreign ministry said the comments below the line were not official policy, and it declined to go further.",
        "Lavrov's comments drew a sharp response from Kyiv.",
        "Subscribers to the treaty pledged not to share nuclear technology.",
        "By contrast, Tehran has said little about the deal.",
        "Copyright disputes between the two states were settled in 2019.",
        "Officials said they would read more of the report before responding.",
        "Posted troops along the border were put on alert, the ministry said.",
    ],
)
def test_ordinary_sentences_are_not_furniture(sentence: str) -> None:
    text = f"Some context first.\n\n{sentence}\n"
    assert segment(text)[1].kind == "paragraph"


def test_wrapped_prose_line_starting_like_furniture_stays_prose() -> None:
    text = (
        "The court in Moscow found that the company had been accused of violating\n"
        "copyright protections in Iran and ordered it to pay damages to the plaintiffs.\n"
    )
    assert spans(text) == [("paragraph", text.strip())]


def test_patterns_are_data_and_can_be_replaced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    custom = tmp_path / "furniture.yaml"
    custom.write_text("furniture:\n  - '^weiterlesen\\b'\ncaption:\n  - '^foto:'\n", encoding="utf-8")
    patterns = load_patterns(custom)
    text = "Ein Absatz.\n\nWeiterlesen\n\nFoto: dpa\n"
    assert [b.kind for b in segment(text, patterns)] == ["paragraph", "furniture", "caption"]
    assert default_patterns().classify("Weiterlesen") is None


def test_bad_pattern_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "furniture.yaml"
    bad.write_text("furniture:\n  - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unclosed"):
        load_patterns(bad)


def test_empty_and_whitespace_text() -> None:
    assert segment("") == []
    assert segment(" \n\t\n  ") == []


def check_blocks(text: str, blocks: list[Block]) -> None:
    covered = [False] * len(text)
    last_end = 0
    for b in blocks:
        assert 0 <= last_end <= b.start < b.end <= len(text), "blocks overlap or leave the text"
        assert not text[b.start].isspace() and not text[b.end - 1].isspace()
        for i in range(b.start, b.end):
            covered[i] = True
        last_end = b.end
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text)), "non-space text outside blocks"


LINES = st.sampled_from(
    [
        "How Russia aids Iran", "THE NUCLEAR QUESTION", "# Background", "- a list item",
        "1. numbered", "> quoted", "Read more:", "Advertisement", "By Jane Doe",
        "Photo: Reuters", "Russia built the plant.", "it opened in 2011 and", "",
        "   ", "\t", "Share your thoughts in the comments below.",
        "North Korea has shipped more than a million artillery shells to Russia since",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(LINES, st.text(max_size=30))).map("\n".join)))
def test_blocks_never_overlap_and_cover_all_text(text: str) -> None:
    check_blocks(text, segment(text))


def test_property_holds_for_the_samples() -> None:
    for text in (ARTICLE, FURNITURE):
        check_blocks(text, segment(text))
