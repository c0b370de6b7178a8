#!/usr/bin/env python
"""Benchmark: a real practice session on a busy machine.

Runs the real-audio harness (scripts/practice_harness.py: PulseAudio null sinks, a second process answering)
with 0, 1 and 2 competing busy processes (`python -c "while True: pass"`) on the 2 cores, for each engine
and answer length, and prints per configuration:
  feedback   seconds from the end of the end-of-answer silence to the first word of feedback, measured
             inside voicecoach from the candidate's last speech (capture timestamps), median and worst
  heard      the same as the candidate hears it through the sound server, median and worst
  decode RTF decoding time over speech time for the answers
  CPU/min    CPU seconds voicecoach used per minute of answer speech
  first Q    seconds from launch to the first question starting to play (short introduction)
  peak MB    voicecoach's peak resident memory
  WER        word error rate of the answers

Usage: .venv/bin/python scripts/bench_load.py [--hogs 0,1,2] [--engines faster-whisper,openai-whisper]
                                              [--answer-seconds 15,60] [--runs 1]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "scripts")]

from practice_harness import run_once  # noqa: E402
from support.wer import word_error_rate  # noqa: E402


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} / {max(values):5.2f}" if values else "   -  /   -  "


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hogs", default="0,1,2")
    ap.add_argument("--engines", default="faster-whisper,openai-whisper")
    ap.add_argument("--answer-seconds", default="15,60")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    print("hogs engine          answer  feedback med/worst  heard med/worst  decode RTF  CPU/min  first Q  peak MB  "
          "WER    status")
    for n in [int(x) for x in args.hogs.split(",")]:
        for engine in args.engines.split(","):
            for seconds in [int(x) for x in args.answer_seconds.split(",")]:
                inside, heard, rtf, cpu_min, first, peak, wers, statuses = [], [], [], [], [], [], [], []
                for run in range(args.runs):
                    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
                    try:
                        work = Path(tempfile.mkdtemp(prefix="vc-load-"))
                        r = run_once(seconds, work, log=lambda s: None, engine=engine, intro="short")
                    finally:
                        for h in hogs:
                            h.kill()
                    s = r["session"]
                    statuses.append(s["status"] if s else f"exit {r['returncode']}")
                    if not s:
                        continue
                    answered = [a for a in s["answers"] if a["status"] == "answered"]
                    inside += [a["timings"]["after_end_silence_s"] for a in answered
                               if a["timings"].get("after_end_silence_s") is not None]
                    heard += r["latencies"]
                    rtf += [a["timings"]["decode_rtf"] for a in answered if "decode_rtf" in a["timings"]]
                    speech_min = sum(a["timings"].get("speech_s", 0) for a in answered) / 60
                    res = s.get("resources", {})
                    if speech_min and res.get("cpu_s"):
                        cpu_min.append(res["cpu_s"] / speech_min)
                    if res.get("launch_to_first_question_s") is not None:
                        first.append(res["launch_to_first_question_s"])
                    peak.append(res.get("peak_rss_mb", 0))
                    wers += [word_error_rate(t, a["transcript"]) for a, t in zip(s["answers"], r["answer_texts"])
                             if t and a["transcript"]]
                print(f"{n:>4} {engine:<15} {seconds:>4} s  {_fmt(inside)}    {_fmt(heard)}  "
                      f"{statistics.median(rtf) if rtf else float('nan'):10.2f}  "
                      f"{statistics.median(cpu_min) if cpu_min else float('nan'):7.1f}  "
                      f"{statistics.median(first) if first else float('nan'):7.1f}  {max(peak) if peak else 0:7.0f}  "
                      f"{statistics.mean(wers) if wers else float('nan'):5.1%}  {','.join(statuses)}", flush=True)


if __name__ == "__main__":
    main()
