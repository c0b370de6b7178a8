"""History: migrations, saving every answer at once, SIGKILL, forget, show, export, report in Chromium."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_cli

from voicecoach.history.records import Answer, SessionRecord
from voicecoach.history.store import MIGRATIONS, Store, now_iso
from voicecoach.rules.evaluate import evaluate


def _qrec(index, qid, round_, text, transcript):
    ev = evaluate(transcript, round_, question=text)
    return Answer(index, qid, round_, "generic", text, "answered", transcript, evaluation=ev)


def _start(store, settings=None):
    return store.start_session(SessionRecord(now_iso(), "practice", settings=settings or {}))


HR_TEXT = ("I care about honest feedback and respect in a team, and your values of transparency are why I applied. "
           "In my last job I mentored two colleagues and organised our team retrospectives for the long term.")
WEAK_TEXT = "I am a hard worker and I like people, and I would like to work here because it seems like a good place."


def test_migrations_from_empty_and_from_previous_version(tmp_path):
    fresh = Store(tmp_path / "fresh")
    assert fresh.version == len(MIGRATIONS) == 4
    # A database made by the previous release (migration 1 only), with a row in the old schema.
    old = Store(tmp_path / "old", migrations=MIGRATIONS[:1])
    assert old.version == 1
    old.db.execute("INSERT INTO sessions (started_at, mode, status) "
                   "VALUES ('2026-01-01T10:00:00+00:00', 'practice', 'completed')")
    ev = json.dumps(evaluate(HR_TEXT, "hr").to_dict())
    old.db.execute("INSERT INTO answers (session_id, idx, question_id, round, question_text, status, transcript, "
                   "evaluation_json, created_at) VALUES (1, 1, 'gen-hr-why-us', 'hr', 'Why us?', 'answered', ?, ?, "
                   "'2026-01-01T10:01:00+00:00')", (HR_TEXT, ev))
    old.close()
    upgraded = Store(tmp_path / "old")
    assert upgraded.version == 4
    s = upgraded.session(1)
    assert s.answers[0].transcript == HR_TEXT and s.answers[0].words == () and s.answers[0].parts == ()
    assert s.summary.average_scores["hr"] == evaluate(HR_TEXT, "hr").scores["hr"]


def test_interrupted_sessions_are_marked_when_the_store_opens(tmp_path):
    store = Store(tmp_path)
    sid = _start(store, {"round": "hr"})
    store.db.execute("UPDATE sessions SET pid = 999999999 WHERE id = ?", (sid,))  # a process that is gone
    store.close()
    assert Store(tmp_path).session(sid).status == "interrupted"


def test_weakest_questions_use_the_latest_answer_for_its_round(tmp_path):
    store = Store(tmp_path)
    s1 = _start(store)
    store.save_answer(s1, _qrec(1, "gen-hr-why-us", "hr", "Why us?", WEAK_TEXT))
    store.save_answer(s1, _qrec(2, "gen-hr-values", "hr", "Values?", HR_TEXT))
    s2 = _start(store)
    store.save_answer(s2, _qrec(1, "gen-hr-values", "hr", "Values?", WEAK_TEXT + " " + WEAK_TEXT))
    store.save_answer(s2, _qrec(2, "gen-hr-why-us", "hr", "Why us?", HR_TEXT))
    assert store.weakest_questions(1) == ["gen-hr-values"]


@pytest.mark.slow
def test_demo_is_saved_and_forget_removes_rows_and_audio(tmp_path, home):
    r = run_cli("demo", "--silent")
    assert r.returncode == 0, r.stderr
    r = run_cli("demo", "--silent", "--no-keep-audio")
    assert r.returncode == 0, r.stderr
    sessions = json.loads(run_cli("history", "--json").stdout)
    assert [s["status"] for s in sessions] == ["completed", "completed"]
    assert all(s["summary"]["answered"] == 3 for s in sessions)
    assert sorted(p.name for p in (home / "audio" / "session-1").iterdir()) == ["q1.ogg", "q2.ogg", "q3.ogg"]
    assert not (home / "audio" / "session-2").exists()
    show = run_cli("show", "1")
    assert show.returncode == 0 and "[!what is the salary range" in show.stdout.lower()  # a flag, bracketed
    assert "attempts at this question" in run_cli("show", "2").stdout

    transcript = Store(home).session(1).answers[1].transcript
    distinctive = transcript.split()[3] + " " + transcript.split()[4]
    assert run_cli("forget", "1", "--yes").returncode == 0
    remaining = json.loads(run_cli("history", "--json").stdout)
    assert [s["id"] for s in remaining] == [2]
    assert not (home / "audio" / "session-1").exists()
    assert run_cli("forget", "--all", "--yes").returncode == 0
    assert json.loads(run_cli("history", "--json").stdout) == []
    db = sqlite3.connect(home / "voicecoach.db")
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    raw = b"".join(p.read_bytes() for p in home.glob("voicecoach.db*"))
    assert distinctive.encode() not in raw, "deleted transcript text is still in the database file"
    assert list((home / "audio").iterdir()) == []
    bad = run_cli("forget", "42")
    assert bad.returncode == 1 and "no session 42" in bad.stderr


@pytest.mark.slow
def test_sigkill_between_answers_keeps_completed_answers(tmp_path, home):
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", "demo", "--silent", "--realtime"],
                         cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db_path = home / "voicecoach.db"
    deadline = time.monotonic() + 120
    answered = 0
    while time.monotonic() < deadline and answered < 1:
        time.sleep(0.3)
        if db_path.exists():
            try:
                answered = sqlite3.connect(db_path).execute(
                    "SELECT count(*) FROM answers WHERE status = 'answered'").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert answered >= 1
    sessions = json.loads(run_cli("history", "--json").stdout)
    assert sessions[0]["status"] == "interrupted"
    assert sessions[0]["summary"]["answered"] >= 1
    assert Store(home).session(1).answers[0].transcript


def test_export_formats(tmp_path, home):
    store = Store(home)
    sid = _start(store, {"round": "hr"})
    store.save_answer(sid, _qrec(1, "gen-hr-why-us", "hr", "Why us?", HR_TEXT))
    store.save_answer(sid, _qrec(2, "gen-hr-values", "hr", "Values?", WEAK_TEXT))
    store.end_session(sid, "completed")
    data = json.loads(run_cli("export", "--format", "json").stdout)
    assert data[0]["answers"][0]["transcript"] == HR_TEXT
    import jsonschema

    schema = json.loads((ROOT / "docs" / "session.schema.json").read_text())
    for session in data:
        jsonschema.validate(session, schema)
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--format", "csv").stdout)))
    assert len(rows) == 2 and rows[0]["suits"] == "hr" and rows[1]["question_id"] == "gen-hr-values"
    md = tmp_path / "h.md"
    assert run_cli("export", "--format", "md", "--out", str(md)).returncode == 0
    assert "## Session 1" in md.read_text() and "> " + HR_TEXT in md.read_text()


@pytest.fixture()
def chromium():
    from shutil import which

    exe = which("chromium")
    if not exe:
        pytest.fail("Debian's chromium is needed for the report test: apt-get install chromium (scripts/test.sh does)")
    return exe


def test_report_in_headless_chromium(tmp_path, home, chromium):
    from playwright.sync_api import sync_playwright

    store = Store(home)
    nasty = "I fixed it. <script>alert('x')</script> & my team's values of <b>respect</b> matter to me."
    for n, text in enumerate((WEAK_TEXT, HR_TEXT + " " + nasty)):
        sid = _start(store, {"round": "hr"})
        q = _qrec(1, "gen-hr-why-us", "hr", "Why us?", text)
        wav = store.write_audio(sid, 1, np.sin(np.arange(16000) / 8).astype(np.float32) * 0.1)
        store.save_answer(sid, q.with_(audio_path=str(wav)))
        store.compress_audio(sid, 1, wav)
        words = [(f"w{i}", i * 60 / (130 + 10 * n), i * 60 / (130 + 10 * n) + 0.2) for i in range(90)]
        ev = evaluate(HR_TEXT, "hr", question="Values?", words=words)
        store.save_answer(sid, _qrec(2, "gen-hr-values", "hr", "Values?", HR_TEXT).with_(evaluation=ev))
        store.end_session(sid, "completed")
    out = tmp_path / "report.html"
    r = run_cli("report", "--all", "--out", str(out))
    assert r.returncode == 0, r.stderr
    html_text = out.read_text()
    assert "<script>" not in html_text and "http://" not in html_text and "https://" not in html_text
    errors, requests = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
        page.on("request", lambda req: requests.append(req.url))
        page.goto(out.resolve().as_uri())
        page.wait_for_load_state("load")
        assert errors == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        assert page.locator("script").count() == 0
        assert "<script>alert('x')</script>" in page.inner_text("body")
        assert page.locator("svg.chart").count() >= 5   # 3 progress charts + one per session
        assert page.locator("svg.chart rect").count() > 4 and page.locator("svg.chart polyline").count() >= 2
        box = page.locator("svg.chart").first.bounding_box()
        assert box["width"] > 300 and box["height"] > 100
        assert page.locator("mark.signal").count() > 0
        assert page.locator("audio").count() == 2
        assert page.locator("details table tr").count() >= 3  # attempts side by side (header + 2)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()


def test_retry_weak_needs_history(home, tmp_path):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/nothing")
    r = run_cli("practice", "--retry-weak", env=env)
    assert r.returncode == 1 and "no answered questions to retry" in r.stderr
    store = Store(home)
    sid = _start(store)
    store.save_answer(sid, _qrec(1, "gen-hr-why-us", "hr", "Why us?", WEAK_TEXT))
    r = run_cli("practice", "--retry-weak", env=env)
    assert r.returncode == 4  # got past question selection; stopped only for want of a microphone


def test_an_answer_saved_again_after_its_audio_was_compressed_keeps_the_ogg(tmp_path, home):
    # The verdict starts the compression; the answer is saved once more with its latency figures after the
    # feedback: that save must not point the history back at the WAV, which is gone by then.
    from voicecoach.interview.recorder import Recorder

    store = Store(home)
    recorder = Recorder("practice", {"round": "hr"}, store=store)
    recorder.start()
    answer = recorder.save(_qrec(1, "gen-hr-why-us", "hr", "Why us?", HR_TEXT),
                           (np.sin(np.arange(16000) / 8) * 0.1).astype(np.float32))
    assert answer.audio_path.endswith("q1.wav")
    recorder.compress_audio()
    recorder._join()
    recorder.save(answer.with_(timings={"after_end_silence_s": 0.1}))
    recorder.finish("completed")
    (kept,) = Store(home).session(recorder.record.id).answers
    assert kept.audio_path.endswith("q1.ogg") and Path(kept.audio_path).is_file()
    assert kept.timings == {"after_end_silence_s": 0.1}


def test_report_groups_the_attempts_by_occupation(tmp_path, home):
    """A nurse who also practised general questions finds her ward questions together under "Nurse", the general
    ones under "General questions", each with every attempt (issue 22)."""
    ev_hr = evaluate("I stayed beside the student nurse, talked her through the observations and let her make "
                     "the escalation call herself; afterwards we went through it together.", "hr")
    ev_gen = evaluate("I want to work here because your ward is known for how it trains its staff.", "hr")
    store = Store(home)
    for n in range(2):
        sid = store.start_session(SessionRecord(now_iso(), "typed", settings={"round": "hr", "role": "nurse"}))
        store.save_answer(sid, Answer(1, "nurse-hr-student", "hr", "nurse", "How do you support a student nurse?",
                                      "answered", ev_hr.transcript, evaluation=ev_hr))
        store.save_answer(sid, Answer(2, "gen-hr-why-us", "hr", "generic", "Why do you want to work here?",
                                      "answered", ev_gen.transcript, evaluation=ev_gen))
        store.end_session(sid, "completed")
    store.close()
    out = tmp_path / "r.html"
    r = run_cli("report", "--all", "--out", str(out))
    assert r.returncode == 0, r.stderr
    html_text = out.read_text()
    general, nurse = html_text.index("<h3>General questions</h3>"), html_text.index("<h3>Nurse</h3>")
    assert general < html_text.index('id="q-gen-hr-why-us"') < nurse < html_text.index('id="q-nurse-hr-student"')
    assert "How do you support a student nurse? (2 attempts)" in html_text
