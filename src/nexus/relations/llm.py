"""An optional rewrite of a brief into prose by a language model the user runs: off by default.

Nexus itself never calls a model. Given an OpenAI-compatible endpoint (`--llm-url` or
NEXUS_LLM_URL, e.g. a local llama.cpp or vLLM server; the key, if it needs one, only from
NEXUS_LLM_KEY), `rewrite` sends the structured brief as JSON to /v1/chat/completions with an
instruction to write prose that keeps every [n] citation, and returns the model's text. The
caller appends it after the data-built brief, never in its place, and says where it came from.
Standard library only (urllib).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from nexus.relations.brief import Brief

URL_ENV = "NEXUS_LLM_URL"
MODEL_ENV = "NEXUS_LLM_MODEL"
KEY_ENV = "NEXUS_LLM_KEY"
DEFAULT_MODEL = "default"
DEFAULT_TIMEOUT_S = 120.0
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
HEADING = "Prose summary (written by a language model from the brief above; check it against the citations)"

INSTRUCTION = (
    "You are given a structured brief on the relationship between two international actors, as "
    "JSON: sections of statements, each with the numbers of the sources it cites, and the "
    "numbered sources. Rewrite it as a few paragraphs of clear analytical prose. Rules: use only "
    "what the statements say; keep every citation marker [n] after the claim it supports; never "
    "state as fact anything marked alleged, denied or ruled out, planned or promised, or "
    "conditional or speculated: say who alleges it, that it was denied, planned or only "
    "conditional; add no facts, names or dates of your own."
)


class LLMError(RuntimeError):
    """The model could not be reached or gave no usable answer (the message says why)."""


def configured_url(url: str | None = None) -> str | None:
    """The endpoint: `url`, else NEXUS_LLM_URL; None (no call) when neither is set."""
    value = (url if url is not None else os.environ.get(URL_ENV, "")).strip()
    return value or None


def endpoint(url: str) -> str:
    """The chat completions URL for a base URL ("http://host:8080", ".../v1" or the full path)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LLMError(f"the language model URL must be http:// or https://, got {url!r}")
    base = url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def request_body(brief: Brief, model: str) -> dict[str, Any]:
    return {"model": model, "temperature": 0,
            "messages": [{"role": "system", "content": INSTRUCTION},
                         {"role": "user", "content": json.dumps(brief.to_dict(), ensure_ascii=False)}]}


def rewrite(brief: Brief, url: str | None = None, model: str | None = None,
            timeout: float = DEFAULT_TIMEOUT_S) -> str:
    """The model's prose for `brief`. Raises LLMError with a clear message on any failure
    (no endpoint configured, unreachable, an HTTP error, an answer without text)."""
    base = configured_url(url)
    if base is None:
        raise LLMError(f"no language model configured (give --llm-url or set {URL_ENV})")
    target = endpoint(base)
    model = model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = os.environ.get(KEY_ENV)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(request_body(brief, model), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(target, data=data, headers=headers, method="POST")
    where = _display(target)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace").strip() if exc.fp else ""
        raise LLMError(f"the language model at {where} answered HTTP {exc.code} {exc.reason}"
                       + (f": {' '.join(detail.split())[:300]}" if detail else "")) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LLMError(f"cannot reach the language model at {where}: {reason}") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise LLMError(f"the language model at {where} sent more than {MAX_RESPONSE_BYTES:,} bytes")
    try:
        answer = json.loads(raw.decode("utf-8"))
        text = answer["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError):
        raise LLMError(f"the language model at {where} sent no chat completion "
                       "(expected JSON with choices[0].message.content)") from None
    if not isinstance(text, str) or not text.strip():
        raise LLMError(f"the language model at {where} sent an empty answer")
    return text.strip()


def _display(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def append_markdown(markdown: str, prose: str) -> str:
    """The data brief, then the model's prose under its own heading (its < and > escaped:
    what a model writes is no more trusted than the articles)."""
    safe = prose.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")
    return f"{markdown.rstrip()}\n\n## {HEADING}\n\n{safe.strip()}\n"
