"""Helpers for the web page tests (no tests here): parse a page and query it with the few CSS
selectors the tests use (lxml's cssselect needs a package Nexus does not install)."""

from __future__ import annotations

import re

from lxml import html

_COMPOUND = re.compile(r"([a-zA-Z][\w-]*|\*)?((?:[#.][\w-]+|\[[^\]]+\])*)")
_PART = re.compile(r"[#.][\w-]+|\[[^\]]+\]")


def _compound(selector: str) -> str:
    match = _COMPOUND.fullmatch(selector)
    if match is None:
        raise ValueError(f"unsupported selector {selector!r}")
    conditions = []
    for part in _PART.findall(match.group(2)):
        if part[0] == "#":
            conditions.append(f'@id="{part[1:]}"')
        elif part[0] == ".":
            conditions.append(f'contains(concat(" ", normalize-space(@class), " "), " {part[1:]} ")')
        else:
            name, _, value = part[1:-1].partition("=")
            conditions.append(f'@{name}="{value.strip(chr(34) + chr(39))}"' if value else f"@{name}")
    return (match.group(1) or "*") + "".join(f"[{c}]" for c in conditions)


def xpath(selector: str) -> str:
    """XPath for tag, #id, .class, [attr], [attr="value"] (no spaces), descendants and commas."""
    return " | ".join("descendant-or-self::" + "//".join(_compound(p) for p in alt.split())
                      for alt in selector.split(","))


def select(tree: html.HtmlElement, selector: str) -> list[html.HtmlElement]:
    return tree.xpath(xpath(selector))


def parse(text: str) -> html.HtmlElement:
    return html.fromstring(text)
