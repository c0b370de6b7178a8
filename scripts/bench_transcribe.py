#!/usr/bin/env python
"""Benchmark: both Whisper engines on jfk.flac and a ~60 s synthesized answer.

Prints the median of several runs per engine and file, the ratio between engines measured in the
same run (these machines are noisy; compare ratios, not absolute seconds), and the WER of each.
Usage: .venv/bin/python scripts/bench_transcribe.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.wer import word_error_rate

from voicecoach.asr import make_transcriber
from voicecoach.asr.faster_whisper_engine import FasterWhisperTranscriber
from voicecoach.asr.models import resolve_model
from voicecoach.audio.clip import load_audio
from voicecoach.tts import make_tts

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech"
ANSWER_60S = (
    "In my last role I led a team of four analysts who built the weekly sales dashboard for the regional "
    "managers. The old process took three days of manual spreadsheet work every week, and the numbers were "
    "often wrong. I mapped every step of the process with the team, then we moved the data into a single "
    "database and wrote automated checks for each source. I chose to rebuild the reports in stages, so the "
    "managers always had something working while we changed things underneath. The hardest part was "
    "agreeing on one definition of revenue, because finance and sales counted returns differently. I set up "
    "a short meeting with both groups, we wrote the definition down, and we added it to the documentation. "
    "After two months the weekly report took four hours instead of three days, errors dropped by about "
    "ninety percent, and two other regions adopted the same approach. What I learned is that the technical "
    "work was the easy part, and getting people to agree early saved us weeks later."
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    jfk_ref = ("And so my fellow Americans, ask not what your country can do for you, "
               "ask what you can do for your country.")
    answer = make_tts(rate_wpm=170).synthesize_clip(ANSWER_60S)
    files = {"jfk.flac (11.0 s)": (load_audio(SHARED / "jfk.flac"), jfk_ref),
             f"answer ({answer.duration_s:.1f} s, espeak-ng)": (answer.to(16000), ANSWER_60S)}
    engines = {
        "faster-whisper float32": FasterWhisperTranscriber(resolve_model(None), compute_type="float32"),
        "faster-whisper int8": FasterWhisperTranscriber(resolve_model(None), compute_type="int8"),
        "openai-whisper": make_transcriber("openai-whisper"),
    }
    results: dict[tuple[str, str], float] = {}
    for fname, (clip, ref) in files.items():
        print(f"\n{fname}")
        for ename, eng in engines.items():
            eng.transcribe(clip)  # warm-up
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                out = eng.transcribe(clip)
                times.append(time.perf_counter() - t)
            med = statistics.median(times)
            results[(fname, ename)] = med
            print(f"  {ename:<24} median {med:6.2f} s over {args.runs} runs  "
                  f"(x{clip.duration_s / med:5.1f} real time)  WER {word_error_rate(ref, out.text):5.1%}")
        base = results[(fname, "faster-whisper float32")]
        for ename in engines:
            print(f"  ratio {ename} / faster-whisper float32: {results[(fname, ename)] / base:.2f}")


if __name__ == "__main__":
    main()
