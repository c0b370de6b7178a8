"""voicecoach web: the launch, the token, Host and Origin checks, the security headers, the pages and the
WebSocket over real HTTP; the page's audio pieces; and, in headless Chromium with a fake microphone playing
a WAV, a whole interview answered through the page and saved in the history."""

from __future__ import annotations

import http.client
import json
import re
import socket
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from support.browser import WebServer, candidate_wav, chromium_path, launch
from voicecoach.audio.clip import AudioClip
from voicecoach.errors import AudioDeviceFailed
from voicecoach.history.records import Answer, SessionRecord
from voicecoach.history.store import Store, now_iso
from voicecoach.rules.evaluate import evaluate
from voicecoach.web.browser_audio import BrowserMicrophone, BrowserPlayer, PageClock, decode_frame, encode_clip

STATIC = ROOT / "voicecoach" / "web" / "static"
TEMPLATES = ROOT / "voicecoach" / "web" / "templates"
NASTY = "I fixed it. <script>alert('x')</script> <img src=x onerror=alert(1)> & my team's <b>respect</b> matters."


@pytest.fixture()
def server(home):
    with WebServer(home) as s:
        yield s


def request(server, path, method="GET", headers=None, body=None, token=False, cookie=True):
    """One HTTP request as a browser (or an attacker) would send it; returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    h = {"Host": f"127.0.0.1:{server.port}"}
    if cookie:
        h["Cookie"] = f"voicecoach-{server.port}={server.token}"
    h.update(headers or {})
    if token:
        path += ("&" if "?" in path else "?") + f"token={server.token}"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


def ws_connect(server, host=None, origin="own", cookie=True, token=False):
    """A WebSocket to /ws with the Host, Origin, cookie and token given; raises on a refused handshake."""
    from websockets.sync.client import connect

    host = host or f"127.0.0.1:{server.port}"
    sock = socket.create_connection(("127.0.0.1", server.port))
    headers = {"Cookie": f"voicecoach-{server.port}={server.token}"} if cookie else {}
    origin = f"http://127.0.0.1:{server.port}" if origin == "own" else origin
    path = f"/ws?token={server.token}" if token else "/ws"
    return connect(f"ws://{host}{path}", sock=sock, origin=origin, additional_headers=headers, open_timeout=10,
                   compression=None, proxy=None)


def _seed_history(home: Path, transcript: str = NASTY) -> int:
    store = Store(home)
    sid = store.start_session(SessionRecord(now_iso(), "practice", settings={"round": "hr"}))
    wav = store.write_audio(sid, 1, (np.sin(np.arange(16000) / 8) * 0.1).astype(np.float32))
    ev = evaluate(transcript, "hr", question="Why do you want to work here?")
    store.save_answer(sid, Answer(1, "gen-hr-why-us", "hr", "generic", "Why do you want to work here?", "answered",
                                  transcript, evaluation=ev, audio_path=str(wav)))
    store.end_session(sid, "completed")
    store.close()
    return sid


# -- the launch --------------------------------------------------------------------------------------------------
def test_first_line_is_the_link_and_ctrl_c_stops_cleanly(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[A-Za-z0-9_-]{40,}", server.url)
    code = server.stop()
    err = server.stderr()
    assert code == 0, err
    assert "voicecoach web: stopped" in err and "Traceback" not in err


def test_a_port_in_use_is_one_line_with_the_fix(home):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        r = subprocess.run([sys.executable, "-m", "voicecoach", "web", "--no-open", "--port", str(port)],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    finally:
        busy.close()
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.strip().count("\n") == 0, r.stderr
    assert f"port {port} is already in use" in r.stderr and f"--port {port + 1}" in r.stderr


def test_another_host_warns(home):
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", "web", "--no-open", "--port", "0", "--host", "0.0.0.0"],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().startswith("voicecoach web: http://0.0.0.0:")
        assert "warning: listening on 0.0.0.0" in p.stderr.readline()
    finally:
        # Stopped the way a user does (Ctrl-C, whose exit test_first_line_is_the_link_and_ctrl_c_stops_cleanly
        # checks): this test is about the warning. Once, under the full suite's load, a SIGTERM sent here went
        # unanswered for 30 s (not seen again in isolation: NOTES.md, "Known gaps"), so a stuck server is
        # killed rather than left behind.
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# -- who may talk to it ----------------------------------------------------------------------------------------------
def test_the_token_is_needed_and_becomes_a_cookie(server):
    assert request(server, "/", cookie=False)[0] == 403
    assert request(server, "/?token=wrong", cookie=False)[0] == 403
    assert request(server, "/history", cookie=False)[0] == 403
    assert request(server, "/static/app.js", cookie=False)[0] == 403
    bad = {"Cookie": f"voicecoach-{server.port}=not-the-token"}
    assert request(server, "/", headers=bad, cookie=False)[0] == 403
    status, headers, _ = request(server, "/?round=hr", token=True, cookie=False)
    assert status == 303 and headers["location"] == "/?round=hr"  # the token leaves the address bar
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"voicecoach-{server.port}={server.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, headers, body = request(server, "/")
    assert status == 200 and b"Practise a job interview" in body


def test_other_hosts_and_other_sites_are_refused(server):
    # DNS rebinding: a name that resolves to 127.0.0.1 but is not this server's.
    assert request(server, "/", headers={"Host": f"evil.example:{server.port}"})[0] == 403
    assert request(server, "/history", headers={"Host": "127.0.0.1"})[0] == 403  # wrong port
    assert request(server, "/", headers={"Host": f"localhost:{server.port}"})[0] == 200
    # Another site open in the same browser (the cookie rides along, the Origin gives it away).
    assert request(server, "/", headers={"Origin": "http://evil.example"})[0] == 403
    assert request(server, "/history", method="POST", headers={"Origin": "http://evil.example"}, body=b"x")[0] == 403
    assert request(server, "/", headers={"Origin": f"http://127.0.0.1:{server.port}"})[0] == 200


def test_websocket_needs_the_token_its_host_and_its_origin(server):
    from websockets.exceptions import InvalidStatus

    for kwargs in ({"cookie": False}, {"origin": "http://evil.example"}, {"origin": None},
                   {"host": f"evil.example:{server.port}"}):
        with pytest.raises(InvalidStatus) as refused:
            ws_connect(server, **kwargs)
        assert refused.value.response.status_code == 403, kwargs
    for kwargs in ({}, {"cookie": False, "token": True}):
        with ws_connect(server, **kwargs) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "sync"


def test_every_response_has_a_strict_policy_and_no_outside_resources(server):
    status, headers, body = request(server, "/")
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert f"connect-src 'self' ws://127.0.0.1:{server.port}" in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert request(server, "/nowhere")[1]["content-security-policy"] == csp  # errors too
    assert b"<script>" not in body and b" style=" not in body and b"onclick" not in body  # no inline code
    for path in [*STATIC.iterdir(), *TEMPLATES.iterdir()]:
        text = path.read_text()
        assert not re.search(r"https?://(?!127\.0\.0\.1)", text), f"{path.name} names another site"
    for name in ("app.js", "mic-worklet.js", "style.css"):
        status, headers, _ = request(server, f"/static/{name}")
        assert status == 200, name
    # The page puts what the candidate said on screen as text only.
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function",
                         (STATIC / "app.js").read_text())


def test_url_parameters_preset_the_form_and_stay_text(server):
    path = "/?round=hr&role=%3Cscript%3Ealert(1)%3C/script%3E&questions=3&seed=7&follow-ups=2&intro=none&autostart=1"
    status, _, body = request(server, path)
    page = body.decode()
    assert status == 200
    assert 'value="hr" checked' in page and 'value="3"' in page and 'value="7"' in page
    assert '<option value="2" selected>' in page and '<option value="none" selected>' in page
    assert 'data-autostart="1"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    # The role field searches the 40 occupations of the question bank.
    datalist = page.split('<datalist id="occupations">')[1].split("</datalist>")[0]
    assert datalist.count("<option value=") == 40 and '<option value="Nurse"' in datalist


def test_a_bad_setting_comes_back_to_its_field(server):
    with ws_connect(server) as ws:
        ws.send(json.dumps({"type": "start", "mode": "practice", "microphone": True,
                            "settings": {"role": "astronaut pilot", "questions": "5"}}))
        while (m := json.loads(ws.recv(timeout=30)))["type"] == "sync":
            pass
        assert m["type"] == "error" and m["field"] == "role" and "astronaut pilot" in m["message"]
        ws.send(json.dumps({"type": "start", "settings": {"questions": "500"}}))
        m = json.loads(ws.recv(timeout=30))
        assert m["type"] == "error" and "between 1 and 60" in m["message"] and m["fix"]
        ws.send(json.dumps({"type": "start", "settings": {"job": {"name": "advert.exe", "data": "AAAA"}}}))
        m = json.loads(ws.recv(timeout=30))
        assert m["type"] == "error" and "text, Markdown or PDF" in m["message"]


def test_history_pages_reports_and_recordings(server, home):
    sid = _seed_history(home)
    status, _, body = request(server, "/history")
    assert status == 200 and f'href="/history/{sid}"'.encode() in body and b"svg" in body
    status, _, body = request(server, f"/history/{sid}")
    page = body.decode()
    assert status == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert f'src="/audio/{sid}/1"' in page
    status, headers, audio = request(server, f"/audio/{sid}/1")
    assert status == 200 and headers["content-type"] in ("audio/wav", "audio/ogg") and len(audio) > 1000
    status, headers, report = request(server, f"/report/{sid}.html")
    assert status == 200 and "attachment" in headers["content-disposition"]
    assert b"voicecoach report" in report and b"<script>alert" not in report and b"data:audio/" in report
    assert request(server, "/report/all.html")[0] == 200
    assert request(server, "/history/99")[0] == 404 and request(server, f"/audio/{sid}/9")[0] == 404
    assert request(server, "/report/99.html")[0] == 404


# -- the page's audio, without a page -----------------------------------------------------------------------------
def test_frames_and_clips_round_trip():
    samples = np.linspace(-0.5, 0.5, 512, dtype=np.float32)
    frame = np.float64(1234.5).tobytes() + (samples * 32768).astype("<i2").tobytes()
    page_ms, got = decode_frame(frame)
    assert page_ms == 1234.5 and len(got) == 512 and np.allclose(got, samples, atol=1e-4)
    with pytest.raises(ValueError):
        decode_frame(b"\x00" * 9)
    data = encode_clip(7, AudioClip(samples, 24000))
    assert int.from_bytes(data[:4], "little") == 7 and int.from_bytes(data[4:8], "little") == 24000
    assert len(data) == 8 + 2 * 512


def test_page_clock_keeps_the_shortest_round_trip():
    clock = PageClock()
    clock.observe(100.0, 5000.0, 100.2)  # 200 ms round trip
    clock.observe(101.0, 6000.0, 101.002)  # 2 ms: this one wins
    assert clock.offset_s == pytest.approx(101.001 - 6.0)
    assert clock.to_monotonic(7000.0) == pytest.approx(102.001)
    assert clock.to_page(102.001) == pytest.approx(7000.0)


def test_player_waits_for_the_page_and_reports_when_it_was_heard():
    clock = PageClock()
    clock.observe(10.0, 0.0, 10.0)
    sent = []
    player = BrowserPlayer(sent.append, clock)
    clips = [AudioClip(np.zeros(2400, np.float32), 24000), AudioClip(np.zeros(4800, np.float32), 24000)]
    result = {}
    t = threading.Thread(target=lambda: result.update(stats=player.play_stream(clips)))
    t.start()
    deadline = time.monotonic() + 5
    while len(sent) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [type(m) for m in sent] == [bytes, bytes, dict] and sent[2] == {"type": "audio_end", "stream": 0}
    assert t.is_alive()  # still playing in the page
    player.page_says({"type": "played", "stream": 0, "heard_at": 1500.0})
    player.page_says({"type": "ended", "stream": 0})
    t.join(5)
    assert result["stats"].first_audio_at == pytest.approx(11.5) and result["stats"].duration_s == pytest.approx(0.3)
    player.close()  # the page went away: nothing waits for it any more
    assert player.play_stream(clips).duration_s == 0.0


def test_microphone_ends_when_the_page_goes():
    clock = PageClock()
    mic = BrowserMicrophone(clock, timeout_s=0.3)
    mic.feed(1000.0, np.zeros(512, np.float32))
    chunks = mic.chunks()
    assert len(next(chunks)) == 512 and mic.captured_at is not None
    with pytest.raises(AudioDeviceFailed, match="no microphone audio"):
        next(chunks)
    mic = BrowserMicrophone(clock)
    mic.close("the page was closed")
    with pytest.raises(AudioDeviceFailed, match="the page was closed"):
        next(mic.chunks())


# -- in a real browser -------------------------------------------------------------------------------------------------
@pytest.fixture()
def chromium():
    exe = chromium_path()
    if not exe:
        pytest.fail("Debian's chromium is needed for the browser tests: "
                    "apt-get install chromium (scripts/test.sh does)")
    return exe


# When each utterance of the candidate starts, in seconds after the page opened the microphone. On this machine
# the first question has been heard by about 6 s; a repeat takes the question's length again (listening
# again by about 17 s); the follow-up probe is asked about 3 s after the answer's closing silence (listening
# by about 40 s). Each utterance comes 3-4 s after the interview is listening, well inside the 10 s after
# which a silent candidate is prompted.
FOLLOW_UP_SCENARIO = [(9.0, "Repeat the question."), (20.0, "ANSWER"), (44.0, "FOLLOW_UP")]


def scenario_wav(path: Path) -> Path:
    from practice_harness import FOLLOW_UP_ANSWER, FOLLOW_UP_RESULT

    texts = {"ANSWER": FOLLOW_UP_ANSWER, "FOLLOW_UP": FOLLOW_UP_RESULT}
    return candidate_wav(path, [(t, texts.get(x, x)) for t, x in FOLLOW_UP_SCENARIO], total_s=240)


def wait_for(page, expression: str, timeout_s: float):
    """Poll ``expression`` in the page until it is truthy (``wait_for_function`` evaluates a string, which the
    page's policy forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_s:.0f} s for {expression}")
        time.sleep(0.2)


def watch(page, errors: list, requests: list) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))


def test_whole_interview_answered_through_the_page(tmp_path, home, chromium):
    from playwright.sync_api import sync_playwright

    wav = scenario_wav(tmp_path / "candidate.wav")
    errors, requests = [], []
    with WebServer(home) as server, sync_playwright() as pw:
        browser = launch(pw, chromium, wav)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        watch(page, errors, requests)
        page.goto(server.url + "&round=hiring-manager&role=software+engineer&questions=1&seed=3&follow-ups=1"
                  "&intro=none&autostart=1")
        wait_for(page, "window.voicecoach.finished", 150)
        record = page.evaluate("window.voicecoach")
        page.screenshot(path=str(tmp_path / "interview.png"), full_page=True)
        assert record["finished"]["status"] == "completed", server.stderr()
        sid = record["finished"]["session_id"]
        # On the page: the question, the command heard, the follow-up, the card, the summary.
        assert page.inner_text("#question").startswith("Walk me through")
        assert "Command heard: repeat" in page.inner_text("#log")
        assert page.inner_text("#followup").startswith("Follow-up:")
        card = page.locator("#answer-1")
        assert card.locator(".verdict").inner_text().strip()
        assert "Follow-up asked" in card.inner_text() and "per request" in card.inner_text()
        assert card.locator("meter").count() == 2 and card.locator(".tips li").count() >= 1
        assert page.locator("#summary").is_visible() and "answered 1 of 1" in page.inner_text("#summary")
        assert page.inner_text("#announce").startswith("Question 1:")  # the verdict, read out by a screen reader
        # The answer's recording plays from the history.
        src = card.locator("audio").get_attribute("src")
        assert page.evaluate(f"fetch('{src}').then(r => r.status)") == 200
        # Latency as the page measured it: from the end of speech to the verdict heard, minus the end silence.
        (lat,) = record["latencies"]
        assert 0 < lat["heard_s"] < 3 and lat["shown_s"] <= lat["heard_s"]

        # The keyboard alone: a second interview, skipped with "N", then the history pages.
        page.goto(f"{server.base}/?round=hr&questions=1&seed=2&follow-ups=0&intro=none&autostart=1")
        wait_for(page, "document.getElementById('state').dataset.state === 'listening'", 60)
        page.keyboard.press("n")
        wait_for(page, "window.voicecoach.finished", 60)
        assert "Command: skip" in page.inner_text("#log")

        page.goto(f"{server.base}/history")
        assert page.locator("table.sessions tbody tr").count() == 2
        page.click(f"a[href='/history/{sid}']")
        assert page.locator("article.card").count() == 1 and page.locator("mark").count() >= 1
        page.screenshot(path=str(tmp_path / "session.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=Download report")
        assert "voicecoach report" in Path(download.value.path()).read_text()
        browser.close()
    assert errors == [], errors
    assert all(u.startswith((server.base, "data:", "blob:")) for u in requests), requests

    sessions = {s.id: s for s in Store(home).sessions()}
    first, second = sessions[sid], sessions[sid + 1]
    (a,) = first.answers
    assert first.status == "completed" and a.status == "answered"
    assert [c.command for c in a.commands] == ["repeat"]
    assert [p.kind for p in a.parts] == ["answer", "follow_up"] and "result" in a.parts[1].prompt.lower()
    assert "eleven" in a.transcript.lower() or "11" in a.transcript
    assert a.timings["after_end_silence_s"] == pytest.approx(lat["heard_s"])
    assert second.answers[0].status == "skipped"
    assert [(c.command, c.heard) for c in second.answers[0].commands] == [("skip", "(pressed)")]


def test_an_answer_to_a_brief_question_ends_after_the_short_silence_on_the_page(tmp_path, home, chromium):
    """The page asks its questions through the same interview as the terminal, so the end-of-turn judge hears the
    question there too: a seventeen-word sentence that answers "Do you have a full driving licence?" is a whole answer,
    and the interviewer takes its turn after the short silence (after an open question it would wait for more)."""
    from bench_turntaking import session_prompts
    from playwright.sync_api import sync_playwright

    from voicecoach.audio.endpoint import turn_rules

    asked = "Do you have a full driving licence?"
    prompts = session_prompts(tmp_path, {"1": asked}, every_question_open=False)
    said = "Yes, I have had a clean licence for eleven years, and I drive a van for work."
    wav = candidate_wav(tmp_path / "candidate.wav", [(8.0, said)], total_s=120)
    errors, requests = [], []
    with WebServer(home, extra_env={"VOICECOACH_PROMPTS": str(prompts)}) as server, sync_playwright() as pw:
        browser = launch(pw, chromium, wav)
        page = browser.new_page()
        watch(page, errors, requests)
        page.goto(server.url + "&round=hr&questions=1&follow-ups=0&intro=none&autostart=1")
        wait_for(page, "window.voicecoach.finished", 120)
        assert page.inner_text("#question") == asked
        assert page.evaluate("window.voicecoach.finished.status") == "completed", server.stderr()
        browser.close()
    assert errors == [], errors
    (s,) = Store(home).sessions()
    (a,) = s.answers
    assert a.status == "answered" and "van for work" in a.transcript.lower()
    last = a.timings["pauses_judged"][-1]
    assert last["brief_question"] is True, last
    assert a.timings["end_silence_s"] == turn_rules().finished_silence_s, a.timings


def test_markup_in_a_transcript_is_inert_in_the_browser(tmp_path, home, chromium):
    from playwright.sync_api import sync_playwright

    sid = _seed_history(home)
    errors, requests = [], []
    with WebServer(home) as server, sync_playwright() as pw:
        browser = launch(pw, chromium)
        page = browser.new_page()
        watch(page, errors, requests)
        page.goto(server.url)
        page.goto(f"{server.base}/history/{sid}")
        text = page.inner_text("article.card")
        assert "<script>alert('x')</script>" in text and "<img src=x onerror=alert(1)>" in text
        assert page.locator("article.card script, article.card img, article.card b").count() == 0
        browser.close()
    assert errors == []


def test_the_demo_runs_in_the_page(tmp_path, home, chromium):
    from playwright.sync_api import sync_playwright

    with WebServer(home) as server, sync_playwright() as pw:
        browser = launch(pw, chromium)
        page = browser.new_page(viewport={"width": 420, "height": 900})  # a narrow window
        errors, requests = [], []
        watch(page, errors, requests)
        page.goto(server.url + "&mode=demo&autostart=1")
        wait_for(page, "window.voicecoach.finished", 180)
        assert page.evaluate("window.voicecoach.finished.status") == "completed"
        assert page.locator("article.card").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 420  # nothing wider than the window
        text = page.inner_text("#cards")
        assert "undefined" not in text and "null" not in text  # every field the cards show is filled
        # The demo's third answer asks for the salary: the flag shows the words that raised it.
        assert re.search(r"Flag: Negotiates the package — “[^”]*salary range for this role", text, re.I), text
        page.screenshot(path=str(tmp_path / "demo.png"), full_page=True)
        browser.close()
    assert errors == []
    (s,) = Store(home).sessions()
    assert s.mode == "demo" and s.summary.answered == 3
