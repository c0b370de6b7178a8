"""Who may talk to the local server: the launch token, the Host and Origin checks, the security headers.

As jupyter-server does: the server is bound to 127.0.0.1 unless told otherwise; a random token made at
launch is in the first URL it prints, and every request and WebSocket needs it, either as ``?token=`` or
as the cookie set from it (the first page load swaps the token in the URL for the cookie). The Host
header must name this server, so that a site whose DNS name is rebound to 127.0.0.1 is refused, and a
request or WebSocket whose Origin is another site is refused, so that a page open in the same browser
cannot drive it. Every response carries a strict Content-Security-Policy: the page's own scripts, styles,
audio and WebSocket, nothing from anywhere else, no inline script.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

__all__ = ["Guard", "new_token", "allowed_hosts", "CSP"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
       "font-src 'none'; connect-src 'self' {ws}; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
"""The Content-Security-Policy of every response; ``{ws}`` is this server's own WebSocket origin."""

_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"), (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"), (b"cache-control", b"no-store"),
            (b"permissions-policy", b"microphone=(self), camera=(), geolocation=()")]


def new_token() -> str:
    """A random token for one launch (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values that name this server: the loopback names, and ``host`` when it is another."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        names.add(f"[{host}]" if ":" in host else host)
    if host in ("0.0.0.0", "::"):
        import socket

        try:
            names.update({socket.gethostname(), *socket.gethostbyname_ex(socket.gethostname())[2]})
        except OSError:
            pass
    return frozenset(f"{n}:{port}" for n in names)


class Guard:
    """ASGI middleware: refuses (403) what lacks the token, names another host, or comes from another site.

    Args:
        app: the application it guards.
        token: the launch token.
        hosts: the accepted ``Host`` values (``host:port``), see ``allowed_hosts``.
        cookie: the name of the cookie that carries the token (one per port, so two servers do not clash).
    """

    def __init__(self, app, token: str, hosts: frozenset[str], cookie: str) -> None:
        self.app, self.token, self.hosts, self.cookie = app, token, hosts, cookie

    def _refusal(self, scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host not in self.hosts:
            return "this server answers only to its own address (the link voicecoach web printed)"
        origin = headers.get("origin")
        if origin is not None and origin not in {f"http://{h}" for h in self.hosts}:
            return "requests from other sites are refused"
        if scope["type"] == "websocket" and origin is None:
            return "a WebSocket must come from the voicecoach page"
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD") and origin is None:
            return "a change must come from the voicecoach page"
        if not (self._token_in_query(scope) or self._token_in_cookie(headers.get("cookie", ""))):
            return "the token is missing or wrong: open the link that `voicecoach web` printed"
        return None

    def _token_in_query(self, scope) -> bool:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        return "token" in query and hmac.compare_digest(query["token"].encode(), self.token.encode())

    def _token_in_cookie(self, header: str) -> bool:
        jar = SimpleCookie()
        try:
            jar.load(header)
        except Exception:  # noqa: BLE001 - a malformed cookie header is no token
            return False
        morsel = jar.get(self.cookie)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode())

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        refusal = self._refusal(scope)
        if refusal is not None:
            return await self._refuse(scope, receive, send, refusal)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope["type"] == "http" and self._token_in_query(scope) and scope["method"] == "GET":
            # The token goes into a cookie and out of the address bar (and the browser's history): redirect
            # to the same address without it.
            query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
            location = scope.get("path", "/") + (("?" + urlencode(query)) if query else "")
            cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            return await self._respond(send, 303, b"", [(b"location", location.encode()),
                                                        (b"set-cookie", cookie.encode())], headers.get("host", ""))
        host = headers.get("host", "")

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                extra = self.security_headers(host)
                names = {k for k, _ in extra}
                message = dict(message, headers=[(k, v) for k, v in message.get("headers", []) if k not in names]
                               + extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def security_headers(self, host: str) -> list[tuple[bytes, bytes]]:
        """The headers every response carries (the CSP names this server's WebSocket)."""
        return [(b"content-security-policy", CSP.format(ws=f"ws://{host}").encode()), *_HEADERS]

    async def _refuse(self, scope, receive, send, why: str) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            # Closing before accepting makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
            return
        body = (f"403 Forbidden: {why}.\n").encode()
        await self._respond(send, 403, body, [(b"content-type", b"text/plain; charset=utf-8")], "")

    async def _respond(self, send, status: int, body: bytes, headers: list, host: str) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, (b"content-length", str(len(body)).encode()),
                                *self.security_headers(host or "127.0.0.1")]})
        await send({"type": "http.response.body", "body": body})
