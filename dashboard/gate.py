"""Workshop mode's server: Solara's ASGI app behind a gate that checks the join code on every request.

Run by :class:`dashboard.server.DashboardServer` as ``python -m dashboard.gate
--host H --port P`` with the codes and the log's path in its environment
(:mod:`dashboard.workshop`). :class:`JoinGate` sits in front of Solara's app:

* a request from the server's own machine (loopback) is the facilitator's;
* ``?fcode=FACILITATOR_CODE`` (right code) sets the facilitator cookie, ``?join=JOIN_CODE``
  the join cookie, each answered with a redirect to the same address without the code;
* any other request without the right cookie gets HTTP 403 (a page with a box
  for the code; a websocket is closed before it opens) and never reaches Solara;
* a token of a team the facilitator removed gets 403 too;
* the facilitator's view (``?view=facilitator``) needs the facilitator's role.

Each page request that passes gets a participant token (cookie) if it has none.
Solara's page then reads who it is from two headers the gate sets on every
request it lets through (any such headers sent by the browser are dropped first):
``x-dashboard-role`` (``facilitator`` or ``participant``) and ``x-dashboard-participant``.
"""

from __future__ import annotations

import argparse
import html
import os
import secrets
from urllib.parse import parse_qsl, urlencode

from . import workshop

ROLE_HEADER = "x-dashboard-role"
PARTICIPANT_HEADER = "x-dashboard-participant"
JOIN_COOKIE = "dash_join"
FACILITATOR_COOKIE = "dash_facilitator"
PARTICIPANT_COOKIE = "dash_participant"
FACILITATOR_VIEW = ("view", "facilitator")
LOOPBACK = ("127.0.0.1", "::1")
REFUSED = {
    "code": ("需要加入码 · Join code required",
             "请输入主持人投影上的加入码。· Type the join code shown on the facilitator's screen."),
    "wrong": ("加入码不对 · Wrong join code", "请再核对一次。· Please check it and try again."),
    "facilitator": ("仅限主持人 · Facilitator only",
                    "主持人视图只在运行服务器的电脑上打开，或使用主持人码。· "
                    "The facilitator's view opens on the computer running the server, or with the facilitator code."),
    "removed": ("已被主持人移出 · Removed by the facilitator", "请与主持人联系。· Please ask the facilitator."),
}


def _cookies(scope: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                out[key] = val
    return out


def _same(given: str | None, code: str) -> bool:
    return given is not None and secrets.compare_digest(workshop.normalise_code(given), code)


def refusal_page(why: str) -> bytes:
    """The 403 page: what is missing, in Chinese and English, with a box for the join code."""
    title, text = (html.escape(s) for s in REFUSED[why])
    form = ("" if why in ("removed", "facilitator") else
            '<form method="get"><input name="join" autofocus autocomplete="off" '
            'style="font-size:28px;width:10em;text-transform:uppercase"> '
            '<button style="font-size:28px">加入 · Join</button></form>')
    return (f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>{title}</title>'
            f'<body style="font-family:sans-serif;margin:3em"><h1 class="dash-refused">{title}</h1>'
            f"<p>{text}</p>{form}</body></html>").encode()


class JoinGate:
    """ASGI middleware: only requests with the join or facilitator code (or from loopback) reach ``app``."""

    def __init__(self, app, join_code: str, facilitator_code: str, registry=None):
        self.app = app
        self.join_code = workshop.normalise_code(join_code)
        self.facilitator_code = workshop.normalise_code(facilitator_code)
        self.registry = registry  # None: workshop.registry(), looked up on the first request

    def role(self, scope: dict, cookies: dict[str, str]) -> str | None:
        """'facilitator', 'participant', or None (no right code)."""
        client = (scope.get("client") or ("",))[0]
        if client in LOOPBACK or _same(cookies.get(FACILITATOR_COOKIE), self.facilitator_code):
            return "facilitator"
        if _same(cookies.get(JOIN_COOKIE), self.join_code):
            return "participant"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        cookies = _cookies(scope)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        registry = self.registry or workshop.registry()
        token = cookies.get(PARTICIPANT_COOKIE, "")
        if token and registry.removed(token):
            return await self._refuse(scope, send, "removed")
        if scope["type"] == "http" and any(k in ("join", "fcode") for k, _ in query):
            return await self._enter(scope, send, query, token)
        role = self.role(scope, cookies)
        if role is None:
            return await self._refuse(scope, send, "code")
        if FACILITATOR_VIEW in query and role != "facilitator":
            return await self._refuse(scope, send, "facilitator")
        new_token = scope["type"] == "http" and scope["path"] == "/" and not token
        token = token or secrets.token_urlsafe(16)
        headers = [(k, v) for k, v in scope["headers"] if not k.startswith(b"x-dashboard-")]
        headers += [(ROLE_HEADER.encode(), role.encode()), (PARTICIPANT_HEADER.encode(), token.encode())]
        scope = {**scope, "headers": headers}
        if not new_token:
            return await self.app(scope, receive, send)

        async def send_with_token(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), _set_cookie(PARTICIPANT_COOKIE, token)]}
            await send(message)

        return await self.app(scope, receive, send_with_token)

    async def _enter(self, scope, send, query, token: str) -> None:
        """``?join=`` or ``?fcode=``: the right code sets its cookie and redirects to the address without it."""
        given = dict(query)
        cookies = []
        if _same(given.get("fcode"), self.facilitator_code):
            cookies.append(_set_cookie(FACILITATOR_COOKIE, self.facilitator_code))
        if _same(given.get("join"), self.join_code):
            cookies.append(_set_cookie(JOIN_COOKIE, self.join_code))
        if not cookies:
            return await self._refuse(scope, send, "wrong")
        if not token:
            cookies.append(_set_cookie(PARTICIPANT_COOKIE, secrets.token_urlsafe(16)))
        rest = urlencode([(k, v) for k, v in query if k not in ("join", "fcode")])
        location = scope["path"] + (f"?{rest}" if rest else "")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode()), (b"content-length", b"0"), *cookies]})
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, scope, send, why: str) -> None:
        """HTTP 403 with the refusal page; a websocket is closed before it is accepted (the client sees 403)."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = refusal_page(why)
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})


def _set_cookie(name: str, value: str) -> tuple[bytes, bytes]:
    return b"set-cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax".encode()


def main(argv: list[str] | None = None) -> int:
    """Serve ``dashboard.app`` behind the gate, as ``solara run --production`` would serve it."""
    p = argparse.ArgumentParser(prog="python -m dashboard.gate")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args(argv)
    os.environ.update({"SOLARA_APP": "dashboard.workshop_page", "SERVER_NAME": args.host,
                       "SERVER_PORT": str(args.port)})
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    import solara.server.starlette

    gate = JoinGate(solara.server.starlette.app, os.environ[workshop.JOIN_ENV], os.environ[workshop.FACILITATOR_ENV])
    uvicorn.run(gate, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
