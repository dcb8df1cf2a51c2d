"""Reading Nexus's knowledge files (YAML). One loader for all of them, because YAML 1.1 reads
`on`, `off`, `yes` and `no` as booleans, and in word lists they are words ("sanctions on",
the negator "no"). Only true/false are booleans here."""

from __future__ import annotations

import re
from typing import Any

import yaml


class _WordLoader(yaml.SafeLoader):
    pass


_WordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WordLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_WordLoader)  # noqa: S506 - a SafeLoader subclass
