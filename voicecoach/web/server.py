"""The web application: the practice page, the history pages, the answer audio, the reports, the WebSocket.

A plain Starlette application, guarded by ``guard.Guard``. Pages are Jinja templates with autoescaping
(everything a candidate said or pasted is text, never markup); the history pages show what the HTML
report shows (``history.report.report_view``), with the recordings served from the history folder rather
than embedded; "download report" still gives the self-contained file of ``voicecoach report``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

from ..errors import VoicecoachError
from .guard import Guard, allowed_hosts
from .live import LiveSession, Outbox

__all__ = ["create_app", "ASSETS", "TEMPLATES", "URL_PARAMETERS"]

ASSETS = Path(__file__).with_name("static")
TEMPLATES = Path(__file__).with_name("templates")
URL_PARAMETERS = ("round", "role", "questions", "seed", "follow-ups", "intro", "end-silence", "autostart", "mode")
"""What a link may preset (``/?round=hr&role=nurse&questions=3&autostart=1``)."""

_ROUNDS = (("mixed", "Mixed: both rounds"), ("hr", "HR round"), ("hiring-manager", "Hiring-manager round"))
_VOICES_ENGLISH = ("en",)


def _jinja():
    import jinja2

    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES)),
                                  jinja2.PackageLoader("voicecoach.history", "templates")])
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)


def _voices() -> list[tuple[str, str]]:
    """The voices offered on the page: the neural voice and espeak-ng's English ones."""
    from ..tts import list_voices

    try:
        voices = list_voices()
    except VoicecoachError:
        return []
    return [(v.id, v.name + (" (neural)" if v.backend == "hibari" else " (espeak-ng)")) for v in voices
            if v.backend != "espeak" or v.id.split("-")[0] in _VOICES_ENGLISH]


def _preset(query) -> dict:
    """The form's starting values from the URL (only the documented parameters, as plain strings)."""
    p = {k: query.get(k) for k in URL_PARAMETERS if query.get(k) not in (None, "")}
    if p.get("round") == "hiring_manager":
        p["round"] = "hiring-manager"
    return p


def create_app(token: str, host: str = "127.0.0.1", port: int = 8765):
    """The application for one launch: ``token`` guards it, ``host:port`` is where it is served.

    The app's state has ``active`` (the ``LiveSession`` under way, at most one: one microphone, one
    candidate) and ``sessions_seen`` for tests.
    """
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    from ..history.render import ROUND, SUITS, summary_lines
    from ..history.report import render_html, report_view
    from ..history.store import open_store
    from ..questions.bank import default_bank

    env = _jinja()

    def page(name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(rounds_names=ROUND, suits=SUITS, **context),
                            status_code=status)

    def not_found(what: str, fix: str) -> HTMLResponse:
        return page("error.html.j2", 404, message=what, fix=fix)

    async def practice(request):
        occupations = sorted(default_bank().occupations.values(), key=lambda o: o.title.lower())
        return page("practice.html.j2", preset=_preset(request.query_params), rounds=_ROUNDS,
                    occupations=occupations, voices=_voices())

    @contextlib.contextmanager
    def _store():
        """The history, opened for one request and closed after it (the interview has its own connection)."""
        store = open_store(read_only_ok=True)
        try:
            yield store
        finally:
            store.close()

    async def history(request):
        with _store() as store:
            sessions = store.sessions()
        view = report_view([], sessions, {}) if sessions else None
        rows = [{"s": s, "summary": s.summary} for s in reversed(sessions)]
        return page("history.html.j2", rows=rows, progress=view["progress"] if view else [])

    async def session_page(request):
        sid = request.path_params["sid"]
        with _store() as store:
            try:
                s = store.session(sid)
            except VoicecoachError:
                return not_found(f"there is no session {sid}", "see the list of sessions")
            attempts = {a.question_id: store.answers(question_id=a.question_id) for a in s.answers}
            all_sessions = store.sessions()
        view = report_view([s], all_sessions, attempts,
                           audio=lambda a: f"/audio/{a.session_id}/{a.index}" if a.audio_path else None)
        return page("session.html.j2", s=s, view=view["sessions"][0], lines=summary_lines(s.summary),
                    rounds=view["rounds"])

    async def report(request):
        which = request.path_params["which"]
        with _store() as store:
            all_sessions = store.sessions()
            if which == "all":
                chosen = all_sessions
            else:
                try:
                    chosen = [store.session(int(which))]
                except (ValueError, VoicecoachError):
                    return not_found(f"there is no session {which}", "see the list of sessions")
            if not chosen:
                return not_found("there is nothing to report yet", "practise first")
            attempts = {a.question_id: store.answers(question_id=a.question_id) for s in chosen for a in s.answers}
        html = await asyncio.to_thread(render_html, chosen, all_sessions, attempts)
        name = f"voicecoach-report-{which}.html"
        # The report keeps its own policy (inline style, embedded audio, still no script): it is a file to
        # keep, downloaded rather than shown here.
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    async def audio(request):
        sid, idx = request.path_params["sid"], request.path_params["idx"]
        with _store() as store:
            try:
                answer = next((a for a in store.session(sid).answers if a.index == idx), None)
            except VoicecoachError:
                answer = None
        path = Path(answer.audio_path) if answer is not None and answer.audio_path else None
        if path is not None and not path.exists() and path.with_suffix(".wav").exists():
            path = path.with_suffix(".wav")  # still being compressed
        if path is not None and path.suffix == ".ogg" and not path.exists():
            path = path.with_suffix(".wav")
        root = (store.root / "audio").resolve()
        if path is None or not path.is_file() or not path.resolve().is_relative_to(root):
            return PlainTextResponse("no recording of that answer", status_code=404)
        kind = "audio/ogg" if path.suffix == ".ogg" else "audio/wav"
        return FileResponse(path, media_type=kind, content_disposition_type="inline")

    async def socket(websocket):
        await websocket.accept()
        outbox = Outbox(asyncio.get_running_loop())
        live: LiveSession | None = None
        from .browser_audio import PageClock, decode_frame

        clock = PageClock()
        pings: dict[int, float] = {}

        async def sender() -> None:
            while True:
                message = await outbox.queue.get()
                if isinstance(message, bytes):
                    await websocket.send_bytes(message)
                else:
                    await websocket.send_text(json.dumps(message))

        task = asyncio.create_task(sender())
        for n in range(8):
            pings[n] = time.monotonic()
            outbox.put({"type": "sync", "n": n})
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    if live is not None:
                        try:
                            live.mic.feed(*decode_frame(message["bytes"]))
                        except ValueError:
                            pass
                    continue
                try:
                    data = json.loads(message.get("text") or "")
                    kind = data["type"]
                except (ValueError, KeyError, TypeError):
                    continue
                if kind == "sync" and data.get("n") in pings:
                    clock.observe(pings[data["n"]], float(data["page"]), time.monotonic())
                elif kind == "start":
                    active = app.state.active
                    if active is not None and active.running:
                        outbox.put({"type": "error", "message": "an interview is already running in another tab",
                                    "fix": "finish or end it there, or close that tab, then start again"})
                        continue
                    live = LiveSession(outbox.put, clock)
                    app.state.active = live
                    app.state.sessions_seen += 1
                    await asyncio.to_thread(live.start, data)
                elif kind == "press" and live is not None and isinstance(data.get("command"), str):
                    live.press(data["command"])
                elif kind in ("played", "ended") and live is not None:
                    live.page_says(data)
        finally:
            if live is not None:
                live.close()
            task.cancel()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        # Ctrl-C: end the interview under way as a closed page would, and let it save what it has.
        active = app.state.active
        if active is not None and active.running:
            active.close()
            await asyncio.to_thread(active.thread.join, 15)

    routes = [
        Route("/", practice),
        Route("/history", history),
        Route("/history/{sid:int}", session_page),
        Route("/report/{which}.html", report),
        Route("/audio/{sid:int}/{idx:int}", audio),
        WebSocketRoute("/ws", socket),
        Mount("/static", StaticFiles(directory=str(ASSETS)), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.active = None
    app.state.sessions_seen = 0
    guarded = Guard(app, token, allowed_hosts(host, port), cookie=f"voicecoach-{port}")
    guarded.state = app.state
    return guarded
