#!/usr/bin/env python
"""Benchmark: how soon the verdict reaches the candidate in the page, against the terminal, idle and busy.

The page: `voicecoach web` in its own process, headless Chromium (Debian's) whose fake microphone plays the
harness's 15-s HR answer (the demo candidate's voice) after a "repeat the question", as the harness does; one
question per session, several sessions. For each answer it reads:

* heard: from the end of the candidate's speech to the verdict's first sample at the page's speaker (the
  page's Web Audio output timestamp, reported back), minus the 2.5-s end silence. This is the interview's
  own ``after_end_silence_s``, as the terminal's "feedback" column measures it at the sound card.
* shown: the same to the moment the verdict's card was painted in the page.

The terminal: scripts/practice_harness.py (a real `voicecoach practice` through PulseAudio, answered by a
second process), giving its "feedback" (the same measure at PortAudio's speaker) and "heard" (as the
answering process hears it through the sound server).

Each with 0 and then 1 busy process (`python -c "while True: pass"`, as scripts/bench_load.py) on this
2-core machine. Two kinds of answer are measured: the first of a session (its start-up work still running, like the
harness's first question) and a later one (like the harness's third). Usage:
.venv/bin/python scripts/bench_web.py [--runs 2] [--hogs 0,1] [--terminal-runs 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "scripts")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from support.browser import WebServer, candidate_wav, chromium_path, launch  # noqa: E402

FIRST = [(9.0, "Repeat the question."), (20.0, "ANSWER")]
"""The first answer of a session, as the terminal's harness gives it: "repeat the question", then the answer
(times in seconds after the page opened the microphone; the first question has been heard by about 6 s, the
repeat by about 17 s; see tests/test_web.py). The session's start-up work (the lines synthesized ahead, the
evaluator loading) is still running then, as it is for the harness's first answer."""
LATER = [(9.0, "Repeat the question."), (20.0, "Repeat the question."), (31.0, "Repeat the question."),
         (42.0, "ANSWER")]
"""An answer once the start-up work is done, like the harness's third question: three repeats, then it."""


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {max(values):.2f}" if values else "-"


def web_runs(runs: int, workdir: Path, script, log=print) -> dict:
    """``runs`` one-question sessions in the page, the candidate following ``script``; the heard and shown
    latencies of each answer."""
    from playwright.sync_api import sync_playwright

    from practice_harness import SHORT
    from voicecoach.history.store import Store

    workdir.mkdir(parents=True, exist_ok=True)
    wav = candidate_wav(workdir / "answer.wav", [(t, SHORT[0] if x == "ANSWER" else x) for t, x in script],
                        total_s=150)
    home = workdir / "home"
    heard, shown, failures = [], [], 0
    with WebServer(home) as server, sync_playwright() as pw:
        browser = launch(pw, chromium_path(), wav)
        for run in range(runs):
            page = browser.new_page()
            # The same fixed 2.5-s end silence as the terminal's harness, so the two measure the same thing.
            page.goto(server.url + f"&round=hr&questions=1&seed={run + 1}&follow-ups=0&intro=none&end-silence=2.5"
                      "&autostart=1")
            deadline = time.monotonic() + 180
            while not page.evaluate("window.voicecoach.finished") and time.monotonic() < deadline:
                time.sleep(0.3)
            record = page.evaluate("window.voicecoach")
            page.close()
            got = [x for x in record["latencies"] if x.get("heard_s") is not None]
            if not record["finished"] or not got:
                failures += 1
                log(f"  web run {run + 1}: no verdict measured ({record['finished']}); "
                    f"server: {server.stderr()[-500:]}")
                continue
            heard.append(got[0]["heard_s"])
            if got[0].get("shown_s") is not None:
                shown.append(got[0]["shown_s"])
            log(f"  web run {run + 1}: heard {got[0]['heard_s']:.3f} s, shown {got[0].get('shown_s') or 0:.3f} s "
                f"after the end silence")
        browser.close()
    sessions = Store(home).sessions()
    for s in sessions:
        for a in s.answers:
            t = a.timings
            log(f"  session {s.id}: end detected -> verdict heard {t.get('end_detected_to_feedback_s')} s, of which "
                f"the last piece's decode {t.get('tail_transcribe_s')} s; decode RTF {t.get('decode_rtf')}")
    return {"heard": heard, "shown": shown, "failures": failures,
            "answered": sum(s.summary.answered for s in sessions)}


def terminal_runs(workdir: Path, log=print) -> dict:
    """One harness session (two answered questions): voicecoach's own feedback time and the heard one."""
    from practice_harness import run_once

    workdir.mkdir(parents=True, exist_ok=True)
    r = run_once(15, workdir, log=lambda s: None, intro="none")
    session = r["session"] or {}
    feedback = {a["index"]: a["timings"]["after_end_silence_s"] for a in session.get("answers", [])
                if a["timings"].get("after_end_silence_s") is not None}
    log(f"  terminal: feedback by question {feedback}, heard {[round(float(x), 3) for x in r['latencies']]}")
    # The harness answers questions 1 (after a repeat) and 3 (after a skip); "heard" is in that order.
    heard = {q: float(x) for q, x in zip(sorted(feedback), r["latencies"])}
    return {"first": {"feedback": [feedback[1]] if 1 in feedback else [], "heard": [heard[1]] if 1 in heard else []},
            "later": {"feedback": [feedback[3]] if 3 in feedback else [], "heard": [heard[3]] if 3 in heard else []}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2, help="one-question sessions in the page per kind of answer")
    ap.add_argument("--hogs", default="0,1", help="busy processes, e.g. 0,1")
    ap.add_argument("--terminal-runs", type=int, default=1, help="harness sessions per condition (0: none)")
    args = ap.parse_args()
    if not chromium_path():
        sys.exit("bench_web: Debian's chromium is needed: apt-get install chromium")
    rows = []
    for n in [int(x) for x in args.hogs.split(",")]:
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
        try:
            with tempfile.TemporaryDirectory(prefix="vc-bench-web-") as tmp:
                print(f"{n} busy process(es); load average before: {os.getloadavg()[0]:.2f}", flush=True)
                out = lambda s: print(s, flush=True)  # noqa: E731
                web = {kind: web_runs(args.runs, Path(tmp) / f"web-{kind}", script, log=out)
                       for kind, script in (("first", FIRST), ("later", LATER))}
                term = {"first": {"feedback": [], "heard": []}, "later": {"feedback": [], "heard": []}}
                for run in range(args.terminal_runs):
                    got = terminal_runs(Path(tmp) / f"terminal-{run}", log=out)
                    for kind in term:
                        for key in term[kind]:
                            term[kind][key] += got[kind][key]
        finally:
            for h in hogs:
                h.kill()
                h.wait()
        rows.append((n, web, term))
    print("\nlatency after the 2.5-s end silence, seconds, median / worst")
    print("busy  answer  page heard     page shown     terminal feedback  terminal heard (PulseAudio)  page - terminal")
    for n, web, term in rows:
        for kind in ("first", "later"):
            w, t = web[kind], term[kind]
            diff = (f"{statistics.median(w['heard']) - statistics.median(t['feedback']):+.2f}"
                    if w["heard"] and t["feedback"] else "-")
            print(f"{n:>4}  {kind:<6}  {_fmt(w['heard']):<13}  {_fmt(w['shown']):<13}  {_fmt(t['feedback']):<17}  "
                  f"{_fmt(t['heard']):<27}  {diff}"
                  + (f"   ({w['failures']} page run(s) failed)" if w["failures"] else ""))


if __name__ == "__main__":
    main()
