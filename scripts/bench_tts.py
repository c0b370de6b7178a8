#!/usr/bin/env python
"""Benchmark: every voice's latency, speed, level and intelligibility, and espeak-ng's reliability.

For each voice (hibari's neural "heart", the demo candidate, espeak-ng en-us and en):

* time to first audio: from ``stream(text)`` to the first sentence's clip, for a one-sentence question,
  a three-sentence question and a verdict, with the time to synthesize the whole text beside it (what
  the first audio waited for before streaming); medians over --runs;
* real-time factor: synthesis seconds per second of audio over 20 interview sentences;
* level before and after loudness normalisation: plain RMS and gated speech level (dBFS), and peak;
* Whisper tiny.en (faster-whisper) word error rate over the same 20 sentences (questions, answers,
  verdicts), and over the demo candidate's three scripted answers.

With pulseaudio installed, also the time to first audio through a real PortAudio stream into a
private PulseAudio null sink (``play_stream``, which adds opening the stream and its output latency).

Then the espeak-ng reliability loops: --fresh renders in fresh processes (each the first utterance of
its process, then a rate change) and --back-to-back renders in one process alternating 200 and 120
words per minute, counting failures, renders at the wrong rate and pyttsx3 cancels.

Usage: .venv/bin/python scripts/bench_tts.py [--runs 5] [--fresh 50] [--back-to-back 200] [--busy] [--no-wer]
``--busy`` runs one CPU-bound process beside the whole benchmark.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np

from voicecoach.audio.loudness import peak_level_dbfs, speech_level_dbfs
from voicecoach.tts import candidate_voice, make_tts

QUESTION_1 = "Why do you want to work for this company rather than one of our competitors?"
QUESTION_3 = ("Tell me about a time you disagreed with your manager. What did you do about it? "
              "And looking back, what would you do differently?")
VERDICT = "That answer suits the hiring manager round."

SENTENCES = [
    "Tell me about yourself.",
    "Why do you want to work for this company rather than one of our competitors?",
    "Describe a time when you disagreed with your manager. What did you do, and what was the outcome?",
    "Where do you see yourself in five years?",
    "What is your greatest weakness, and how are you working on it?",
    "Walk me through the most complicated project you have led from start to finish.",
    "How do you prioritize when several deadlines land in the same week?",
    "Tell me about a mistake you made at work and what you learned from it.",
    "What salary are you expecting for this role?",
    "Do you have any questions for us?",
    "In my last role I led a team of four analysts who built the weekly sales dashboard.",
    "Our checkout service was slow, so I profiled it and cut the response time from 400 milliseconds to 120.",
    "I want to join your company because your product helps small businesses manage their cash flow.",
    "I handled the conflict by meeting my colleague one to one and agreeing on clear priorities.",
    "My greatest strength is that I stay calm under pressure and communicate early when plans change.",
    "I learned to ask for feedback much earlier, before the design was finished.",
    "We shipped the migration two weeks ahead of schedule with no customer downtime.",
    "That answer suits the hiring manager round.",
    "Good answer: you gave a concrete example with a measurable result.",
    "That answer is too short for the HR round; add a specific example.",
]

# The demo candidate's scripted answers (voicecoach/demo.py, DEMO_SCRIPT), pauses left out.
DEMO_ANSWERS = [
    "Repeat the question.",
    "I have followed your company for a few years because of its commitment to honest products, and that "
    "matches my own values. In my current team I organise our knowledge sharing sessions and I "
    "mentored two new colleagues. I want to grow with a company like this for the long term.",
    "Our checkout service was slow, so I profiled it and found the same database query ran eleven times per "
    "request. I added a cache and rewrote two queries to use an index. Response time dropped from nine "
    "hundred milliseconds to one hundred and eighty milliseconds.",
    "Yes. What is the salary range for this role, and how soon could I be promoted to a senior title?",
]

FRESH = r"""
import json, sys
from voicecoach.tts import make_tts
first, second = int(sys.argv[1]), int(sys.argv[2])
tts = make_tts(backend="espeak", rate_wpm=first)
a = tts.synthesize_clip(sys.argv[3])
b = tts.at_rate(second / first).synthesize_clip(sys.argv[3])
print(json.dumps([a.duration_s, b.duration_s]))
"""

COLD = r"""
import time
t0 = time.perf_counter()
from voicecoach.tts import make_tts
tts = make_tts(backend=__import__("sys").argv[1])
t1 = time.perf_counter()
tts.warm_up()
t2 = time.perf_counter()
next(tts.stream("Tell me about yourself."))
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f}")
"""


def _db(x: float) -> float:
    return 20 * np.log10(x) if x > 0 else float("-inf")


def first_and_total(tts, text: str) -> tuple[float, float, float]:
    """Seconds to the first clip and to the whole text, and the audio's length."""
    start = time.perf_counter()
    stream = tts.stream(text)
    first = next(stream)
    first_s = time.perf_counter() - start
    audio_s = first.duration_s + sum(c.duration_s for c in stream)
    return first_s, time.perf_counter() - start, audio_s


def bench_voice(label: str, tts, runs: int, whisper) -> dict:
    tts.warm_up()
    out: dict = {"voice": label}
    for name, text in (("question_1", QUESTION_1), ("question_3", QUESTION_3), ("verdict", VERDICT)):
        timings = [first_and_total(tts, text) for _ in range(runs)]
        out[name] = {"first_ms": 1000 * statistics.median(t[0] for t in timings),
                     "whole_ms": 1000 * statistics.median(t[1] for t in timings),
                     "audio_s": timings[0][2]}
    synth_s = audio_s = 0.0
    raw_rms, raw_level, raw_peak, rms, level, peak = [], [], [], [], [], []
    errors = words = 0.0
    for sentence in SENTENCES:
        start = time.perf_counter()
        clip = tts.synthesize_clip(sentence)
        synth_s += time.perf_counter() - start
        audio_s += clip.duration_s
        for raw in tts._render(sentence):
            raw_rms.append(_db(raw.rms()))
            raw_level.append(speech_level_dbfs(raw))
            raw_peak.append(peak_level_dbfs(raw))
        rms.append(_db(clip.rms()))
        level.append(speech_level_dbfs(clip))
        peak.append(peak_level_dbfs(clip))
        if whisper is not None:
            from support.wer import normalize, word_error_rate

            n = len(normalize(sentence))
            errors += word_error_rate(sentence, whisper.transcribe(clip).text) * n
            words += n
    out["rtf"] = synth_s / audio_s
    out["level"] = {"raw_rms": statistics.mean(raw_rms), "raw_speech": statistics.mean(raw_level),
                    "raw_peak": max(raw_peak), "rms": statistics.mean(rms), "speech": statistics.mean(level),
                    "speech_min": min(level), "speech_max": max(level), "peak": max(peak)}
    if whisper is not None:
        out["wer"] = errors / words
        out["words"] = int(words)
        from support.wer import normalize, word_error_rate

        d_err = d_words = 0.0
        for answer in DEMO_ANSWERS:
            n = len(normalize(answer))
            d_err += word_error_rate(answer, whisper.transcribe(tts.synthesize_clip(answer)).text) * n
            d_words += n
        out["demo_wer"] = d_err / d_words
    return out


def device_first_audio(runs: int) -> dict[str, dict[str, float]] | None:
    """Through PortAudio into a private PulseAudio null sink: ``play_stream``'s first audio, per backend.

    Milliseconds from calling ``play_stream(tts.stream(text))`` to ``first_audio_at`` (the first
    sample's estimated arrival at the device), medians over ``runs``. None without pulseaudio.
    """
    import os
    import shutil

    if not shutil.which("pulseaudio"):
        return None
    from support.virtual_audio import VirtualAudio

    out: dict[str, dict[str, float]] = {}
    with VirtualAudio(("bench_speaker",)) as va:
        # PortAudio reads these when sounddevice is first imported (in SounddevicePlayer).
        os.environ.update({k: v for k, v in va.env(sink="bench_speaker").items() if k.startswith("PULSE_")})
        from voicecoach.audio.snd import SounddevicePlayer

        player = SounddevicePlayer()
        for backend in ("hibari", "espeak"):
            tts = make_tts(backend=backend)
            tts.warm_up()
            out[backend] = {}
            for name, text in (("question_3", QUESTION_3), ("verdict", VERDICT)):
                firsts = []
                for _ in range(runs):
                    start = time.monotonic()
                    stats = player.play_stream(tts.stream(text))
                    firsts.append(1000 * (stats.first_audio_at - start))
                out[backend][name] = statistics.median(firsts)
    return out


def cold_start(backend: str) -> list[float]:
    r = subprocess.run([sys.executable, "-c", COLD, backend], capture_output=True, text=True, cwd=ROOT, timeout=120)
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    return [float(x) for x in r.stdout.split()]


def fresh_loop(n: int, sentence: str) -> dict:
    failures, wrong_rate, ratios = 0, 0, []
    for i in range(n):
        first, second = (120, 200) if i % 2 else (200, 120)
        r = subprocess.run([sys.executable, "-c", FRESH, str(first), str(second), sentence], capture_output=True,
                           text=True, cwd=ROOT, timeout=120)
        if r.returncode != 0:
            failures += 1
            print(f"  fresh process {i} failed: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        a, b = json.loads(r.stdout.strip().splitlines()[-1])
        slow, fast = (a, b) if first == 120 else (b, a)
        ratios.append(slow / fast)
        wrong_rate += slow < 1.5 * fast
    return {"processes": n, "renders": 2 * n, "failures": failures, "wrong_rate": wrong_rate,
            "ratio_min": min(ratios) if ratios else None, "ratio_max": max(ratios) if ratios else None}


def back_to_back_loop(n: int, sentence: str) -> dict:
    from pyttsx3.drivers import _espeak

    from voicecoach.errors import SpeechSynthesisFailed

    cancels = []
    original = _espeak.Cancel
    _espeak.Cancel = lambda: (cancels.append(1), original())[1]
    tts = make_tts(backend="espeak", rate_wpm=200)
    durations: dict[int, list[float]] = {120: [], 200: []}
    failures = 0
    start = time.perf_counter()
    try:
        for i in range(n):
            rate = 120 if i % 2 else 200
            try:
                durations[rate].append(tts.at_rate(rate / 200).synthesize_clip(sentence).duration_s)
            except SpeechSynthesisFailed as exc:
                failures += 1
                print(f"  render {i} failed: {exc.one_line()}", file=sys.stderr)
    finally:
        _espeak.Cancel = original
    took = time.perf_counter() - start
    slow, fast = durations[120], durations[200]
    fast_max = max(fast) if fast else 0.0
    wrong = sum(d < 1.5 * fast_max for d in slow) + sum(d > min(slow) / 1.5 for d in fast) if slow and fast else 0
    return {"renders": n, "failures": failures, "wrong_rate": wrong, "cancels": len(cancels),
            "ratio": statistics.mean(slow) / statistics.mean(fast) if slow and fast else None, "seconds": took}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timing runs per text (median)")
    ap.add_argument("--fresh", type=int, default=50, help="espeak renders in fresh processes")
    ap.add_argument("--back-to-back", type=int, default=200, help="espeak renders in one process")
    ap.add_argument("--busy", action="store_true", help="run one CPU-bound process beside the benchmark")
    ap.add_argument("--no-wer", action="store_true", help="skip Whisper")
    args = ap.parse_args()

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        print(f"== bench_tts ({'one busy process beside it' if busy else 'idle'})")
        device = device_first_audio(3)
        if device:
            for backend, r in device.items():
                print(f"first audio through PortAudio/PulseAudio ({backend}, play_stream): three-sentence question "
                      f"{r['question_3']:.0f} ms, verdict {r['verdict']:.0f} ms")
        for backend in ("hibari", "espeak"):
            imp, warm, first = cold_start(backend)
            print(f"cold start {backend:7s}: import+make_tts {imp * 1000:.0f} ms, warm_up {warm * 1000:.0f} ms, "
                  f"then first sentence {first * 1000:.0f} ms")
        whisper = None
        if not args.no_wer:
            from voicecoach.asr import make_transcriber

            whisper = make_transcriber("faster-whisper")
        voices = [("hibari heart", make_tts(backend="hibari")),
                  ("candidate (heart, pitch x0.7)", candidate_voice()),
                  ("espeak en-us", make_tts(voice="en-us")),
                  ("espeak en (default)", make_tts(backend="espeak"))]
        print()
        print(f"{'voice':30s} {'first audio ms: 1 sent / 3 sent / verdict':>44s} {'whole text ms (same)':>24s} "
              f"{'RTF':>7s} {'WER':>6s} {'demo WER':>8s}")
        results = []
        for label, tts in voices:
            r = bench_voice(label, tts, args.runs, whisper)
            results.append(r)
            firsts = " / ".join(f"{r[k]['first_ms']:5.0f}" for k in ("question_1", "question_3", "verdict"))
            wholes = " / ".join(f"{r[k]['whole_ms']:4.0f}" for k in ("question_1", "question_3", "verdict"))
            wer = f"{r['wer']:6.3f}" if "wer" in r else "     -"
            demo = f"{r['demo_wer']:8.3f}" if "demo_wer" in r else "       -"
            print(f"{label:30s} {firsts:>44s} {wholes:>24s} {r['rtf']:7.4f} {wer} {demo}")
        print()
        print(f"{'voice':30s} {'before: RMS / speech / peak dBFS':>34s} {'after: RMS / speech (min..max) / peak':>44s}")
        for r in results:
            lv = r["level"]
            print(f"{r['voice']:30s} {lv['raw_rms']:8.1f} / {lv['raw_speech']:6.1f} / {lv['raw_peak']:5.1f}      "
                  f"{lv['rms']:8.1f} / {lv['speech']:6.1f} ({lv['speech_min']:.1f}..{lv['speech_max']:.1f}) / "
                  f"{lv['peak']:5.1f}")
        if whisper is not None:
            print(f"(WER over {results[0]['words']} words; the demo's answers say 'nine hundred' where Whisper writes "
                  "'900', which counts as errors for every voice alike)")
        print()
        b2b = back_to_back_loop(args.back_to_back, QUESTION_1)
        print(f"espeak back-to-back in one process: {b2b['renders']} renders alternating 200/120 wpm, "
              f"{b2b['failures']} failures, {b2b['wrong_rate']} at the wrong rate, {b2b['cancels']} pyttsx3 cancels, "
              f"duration ratio 120 vs 200 wpm {b2b['ratio']:.3f} (expected 1.667), {b2b['seconds']:.1f} s")
        fresh = fresh_loop(args.fresh, QUESTION_1)
        print(f"espeak fresh processes: {fresh['processes']} processes x 2 renders (first utterance, then a rate "
              f"change): {fresh['failures']} failed processes, {fresh['wrong_rate']} at the wrong rate, ratio "
              f"{fresh['ratio_min']:.3f}..{fresh['ratio_max']:.3f}")
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
