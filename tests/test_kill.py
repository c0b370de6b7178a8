"""Nothing lost to any signal (issue 19): a real ``voicecoach demo`` stopped in every phase of a session
(introduction, answer, follow-up, verdict, summary) by SIGKILL, SIGTERM, SIGHUP and SIGINT.

What must hold: every answer given is in the history (SIGKILL included: an answer is kept the moment it is
evaluated, before its follow-up is asked); SIGTERM and SIGHUP behave as Ctrl-C does (the answer in
progress kept as partial, the session marked, one line, exit code 128 + the signal); ``--json-out`` ends in
a final status; a session stopped during its summary is complete. The demo runs with a speaker that takes
real time (``support/paced_demo.py``) so that "during the verdict" exists.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

pytestmark = pytest.mark.slow

# (phase in the paced demo's log, seconds after it starts): the moment each kill lands.
PHASES = {
    "intro": ("intro", 0.8),
    "answer": ("answer 2", 5.0),        # five seconds into the second answer
    "follow-up": ("follow_up 2", 0.6),  # while the follow-up probe is asked
    "verdict": ("verdict 1", 1.2),      # while the first verdict is spoken
    "summary": ("summary", 1.0),
}
SIGNALS = ("SIGKILL", "SIGTERM", "SIGHUP", "SIGINT")


def _stopped_demo(tmp_path: Path, home: Path, phase: str, signame: str):
    """Run the paced demo, send ``signame`` in ``phase``; returns (process, stderr, the --json-out file)."""
    mark, delay = PHASES[phase]
    log, out = tmp_path / "phases.log", tmp_path / "session.json"
    env = dict(os.environ, VOICECOACH_HOME=str(home), PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    p = subprocess.Popen([sys.executable, "-m", "support.paced_demo", str(log), "--realtime", "--json-out", str(out)],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and p.poll() is None:
        if log.exists() and mark in [line.split(" ", 1)[1] for line in log.read_text().splitlines()]:
            break
        time.sleep(0.05)
    assert p.poll() is None, f"the demo ended before {mark!r}: {p.stderr.read()[-2000:]}"
    time.sleep(delay)
    p.send_signal(getattr(signal, signame))
    _, err = p.communicate(timeout=120)
    return p, err, out


def _answers(home: Path) -> dict[int, tuple[str, str]]:
    db = sqlite3.connect(home / "voicecoach.db")
    try:
        return {i: (status, text) for i, status, text in db.execute("SELECT idx, status, transcript FROM answers")}
    finally:
        db.close()


@pytest.mark.parametrize("signame", SIGNALS)
@pytest.mark.parametrize("phase", list(PHASES))
def test_a_signal_in_any_phase_loses_nothing(tmp_path, home, phase, signame):
    p, err, out = _stopped_demo(tmp_path, home, phase, signame)
    signum = getattr(signal, signame)
    history = json.loads(run_cli("history", "--json").stdout)
    assert len(history) == 1
    answers = _answers(home)
    session = history[0]

    # What was answered before the signal is in the history, whatever the signal.
    expected = {"intro": {}, "answer": {1: "answered"}, "follow-up": {1: "answered", 2: "answered"},
                "verdict": {1: "answered"}, "summary": {1: "answered", 2: "answered", 3: "answered"}}[phase]
    for index, status in expected.items():
        assert answers[index][0] == status and answers[index][1], (index, answers)
    if phase == "follow-up":
        assert "checkout" in answers[2][1].lower()  # the main answer, kept before the probe was asked
    if phase == "summary":
        assert session["status"] == "completed"  # the interview was over; only its summary was cut
    else:
        assert session["status"] == "interrupted"

    if signame == "SIGKILL":
        assert p.returncode == -signal.SIGKILL
        if phase != "answer":
            assert set(answers) == set(expected)
        return
    # SIGTERM, SIGHUP and SIGINT: as Ctrl-C.
    assert p.returncode == 128 + signum, (p.returncode, err[-2000:])
    assert "Traceback" not in err and "terminate called" not in err, err[-2000:]
    last = [line for line in err.splitlines() if line.strip()][-1]
    said = {"SIGINT": "voicecoach: interrupted", "SIGTERM": "voicecoach: stopped by SIGTERM",
            "SIGHUP": "voicecoach: stopped by SIGHUP (the terminal was closed)"}[signame]
    assert last.startswith(said) and f"{len(expected) + (phase == 'answer')} answer(s) kept" in last, last
    if phase == "answer":
        assert answers[2][0] == "partial" and answers[2][1], answers  # the speech so far, transcribed and kept
    saved = json.loads(out.read_text())
    assert saved["status"] == session["status"] and saved["ended_at"]
    assert [a["status"] for a in saved["answers"]] == [s for _, (s, _) in sorted(answers.items())]
