"""What stands between the network and the workbench: an access token, a size limit on every
request body, CORS only for configured origins, and security headers on every response.

Each piece is a small ASGI middleware, so it sees every request whatever route answers it
(API, pages, static files, the docs). `create_app` stacks them, outermost first:

    SecurityHeaders -> CORS (when configured) -> TokenAuth (when a token is set) -> BodyLimit -> routes

so that 401 and 413 answers carry the security headers too, CORS preflights (which never carry
credentials) are answered before the token check, and a request without the token is refused
before any of its body is read.

The token travels as `Authorization: Bearer <token>` (API clients) or, for a browser, as a
session cookie set by the /login form: HttpOnly (no script reads it), SameSite=Strict (no other
site's page can send it) and holding an HMAC of the token, never the token itself. The token is
never put in a URL, so it never reaches access logs or browser history. Tokens are compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import Headers
from starlette.requests import cookie_parser

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest body a request may send to any route but the upload (which has max_upload_bytes).
DEFAULT_MAX_BODY_BYTES = 64 * 1024
SESSION_COOKIE = "nexus_session"
LOGIN_PATH = "/login"
#: A token shorter than this is accepted, with a warning from `nexus serve`.
SHORT_TOKEN = 16

#: Only the server's own scripts, styles, images and fonts; nothing may frame the pages, and
#: forms post only to the server. data: images are allowed for the icons inside Swagger UI's
#: stylesheet (an image cannot run script).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


# ------------------------------------------------------------------------------ helpers

def is_loopback(host: str) -> bool:
    """True for addresses that only this machine can reach: localhost, 127.0.0.0/8 and ::1."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison (of digests, so not even the token's length shows in timing)."""
    return hmac.compare_digest(_digest(given), _digest(expected))


def session_value(token: str) -> str:
    """What the session cookie holds: an HMAC of the token, so the cookie never reveals it."""
    return hmac.new(token.encode("utf-8", "surrogateescape"), b"nexus-session-v1",
                    hashlib.sha256).hexdigest()


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this server, never another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _request_target(scope: Scope) -> str:
    """The path and query the client asked for, to come back to after signing in."""
    path = scope.get("root_path", "") + scope.get("path", "/")
    query = scope.get("query_string", b"").decode("latin-1")
    return path + ("?" + query if query else "")


async def _send_response(send: Send, status: int, body: bytes, content_type: str,
                         extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(scope: Scope, send: Send, status: int, title: str, message: str,
                      extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    """A JSON error under /api (as FastAPI's own), a small HTML page elsewhere."""
    if is_api(scope.get("path", "")):
        await _send_response(send, status, json.dumps({"detail": message}).encode(),
                             "application/json", extra)
    else:
        await _send_response(send, status, _page(title, f"<p>{html.escape(message)}</p>").encode(),
                             "text/html; charset=utf-8", extra)


def _page(title: str, body: str) -> str:
    """A self-contained page: nothing else to load, so it works before signing in."""
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            # an empty icon: else the browser asks for /favicon.ico, which needs the token too
            f'<link rel="icon" href="data:,">\n'
            f"<title>{html.escape(title)} · Nexus</title>\n</head>\n<body>\n<main>\n"
            f"<h1>{html.escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n")


def login_page(next_url: str, message: str | None = None) -> str:
    note = f'<p class="error" role="alert">{html.escape(message)}</p>\n' if message else ""
    form = (f"{note}<p>This Nexus workbench needs its access token.</p>\n"
            f'<form method="post" action="{LOGIN_PATH}">\n'
            f'<input type="hidden" name="next" value="{html.escape(safe_next(next_url))}">\n'
            '<label>Access token <input type="password" name="token" required autofocus '
            'autocomplete="current-password"></label>\n'
            '<button type="submit">Sign in</button>\n</form>')
    return _page("Sign in", form)


# ------------------------------------------------------------------------------ middlewares

class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TokenAuth:
    """Every request needs the token: `Authorization: Bearer <token>` or the session cookie.
    Without it: 401, JSON under /api, else the sign-in page. /login itself is open."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("TokenAuth needs a non-empty token")
        self.app = app
        self.token = token
        self.session = session_value(token)

    def authorised(self, headers: Headers) -> bool:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return same_secret(credentials.strip(), self.token)
        cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        return cookie is not None and same_secret(cookie, self.session)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or (
                scope["type"] == "http" and scope["path"] == LOGIN_PATH):
            await self.app(scope, receive, send)
            return
        if self.authorised(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if is_api(scope["path"]):
            await _send_error(scope, send, 401, "Unauthorised",
                              "this server needs its access token: send 'Authorization: Bearer <token>'",
                              [(b"www-authenticate", b'Bearer realm="nexus"')])
        else:
            await _send_response(send, 401, login_page(_request_target(scope)).encode(),
                                 "text/html; charset=utf-8")


class BodyLimit:
    """Refuses a request body over its route's limit with 413: at once when Content-Length
    says so, else as soon as the chunks received pass it. The body (at most the limit) is read
    before the route runs and handed to it as one piece, so no route, whatever it does with
    its body, ever sees more than the limit."""

    def __init__(self, app: ASGIApp, default: int = DEFAULT_MAX_BODY_BYTES,
                 limits: dict[tuple[str, str], int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits or {})  # (method, path) -> bytes

    def limit_for(self, scope: Scope) -> int:
        return self.limits.get((scope.get("method", ""), scope.get("path", "")), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        streamed = "transfer-encoding" in headers
        if declared is not None:
            if not declared.strip().isdigit():
                await _send_error(scope, send, 400, "Bad request", "bad Content-Length header",
                                  [(b"connection", b"close")])
                return
            if int(declared) > limit:
                await self._too_large(scope, send, limit)
                return
            if int(declared) == 0 and not streamed:
                await self.app(scope, receive, send)
                return
        elif not streamed:  # no body at all
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # afterwards: wait for the disconnect, as the server would

        await self.app(scope, replay, send)

    @staticmethod
    async def _too_large(scope: Scope, send: Send, limit: int) -> None:
        # The rest of the body is never read: close the connection rather than reuse it.
        await _send_error(scope, send, 413, "Request too large",
                          f"request body over the limit of {limit:,} bytes", [(b"connection", b"close")])


# ------------------------------------------------------------------------------ sign-in

login_router = APIRouter(include_in_schema=False)


@login_router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_form(next: str = "/") -> HTMLResponse:  # `next`: the query parameter's name
    return HTMLResponse(login_page(next), headers={"Cache-Control": "no-store"})


@login_router.post(LOGIN_PATH)
async def login(request: Request) -> Response:
    """Checks the form's token; on success sets the session cookie and goes back to `next`."""
    token: str = request.app.state.token
    try:
        fields = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:  # more fields than the form has
        return HTMLResponse(login_page("/", "That is not the sign-in form."), status_code=400,
                            headers={"Cache-Control": "no-store"})
    given = (fields.get("token") or [""])[0]
    target = safe_next((fields.get("next") or ["/"])[0])
    if not given or not same_secret(given, token):
        return HTMLResponse(login_page(target, "That is not this server's access token."),
                            status_code=401, headers={"Cache-Control": "no-store"})
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, session_value(token), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response
