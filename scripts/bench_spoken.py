#!/usr/bin/env python
"""The evaluator through the speech path: labelled answers spoken, transcribed, then judged.

Users speak, so the transcript has no reliable punctuation, numbers come as digits or words, and a few
words are misheard. Each answer is synthesized in a voice the tests do not use, answers alternating between
espeak-ng's received-pronunciation voice (robotic: tiny.en misses about one word in six) and the neural
voice with its pitch raised (about one in thirty, like the real recordings), transcribed by tiny.en with the
live session's decoding options, and judged
with its question by the same model as its text; the figures are set beside the text's.

  dev    a model fitted on the train writers (scripts/fit_rubric.py's fit) judges the dev writers' answers
  test   (--test, once, at the end) the model that ships judges the held-out writers' answers

Transcripts are cached in $VOICECOACH_CACHE/spoken/ (a rerun judges without speaking again).

Usage: nice .venv/bin/python scripts/bench_spoken.py [--test] [--voices en-gb-x-rp hibari:1.2] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

import fit_rubric as F  # noqa: E402
from bench_evaluate import EmbeddingCache, report  # noqa: E402
from support.corpus import load  # noqa: E402

from voicecoach.rules.embed import cache_dir  # noqa: E402
from voicecoach.rules.rubric import default_rubric  # noqa: E402


def spoken_transcripts(answers: list[dict], voices: list[str]) -> list[dict]:
    """Per answer: {"text", "words"} of its synthesized speech, transcribed (cached)."""
    from voicecoach.asr import LIVE_OPTIONS, make_transcriber

    folder = cache_dir() / "spoken"
    folder.mkdir(parents=True, exist_ok=True)
    tts = {v: _voice(v) for v in voices}
    transcriber = None
    out, t0, fresh = [], time.time(), 0
    for i, a in enumerate(answers):
        voice = voices[i % len(voices)]
        key = hashlib.sha1(f"{voice}\n{a['text']}".encode()).hexdigest()[:16]
        path = folder / f"{key}.json"
        if path.is_file():
            out.append(json.loads(path.read_text()))
            continue
        transcriber = transcriber or make_transcriber("faster-whisper", options=LIVE_OPTIONS)
        result = transcriber.transcribe(tts[voice].synthesize_clip(a["text"]))
        got = {"id": a["id"], "voice": voice, "text": result.text,
               "words": [[w.word, w.start_s, w.end_s] for w in result.words]}
        path.write_text(json.dumps(got))
        out.append(got)
        fresh += 1
        if fresh % 20 == 0:
            print(f"  spoken and transcribed {i + 1}/{len(answers)} ({time.time() - t0:.0f} s)", flush=True)
    return out


def _voice(name: str):
    """An espeak-ng voice by name, or ``hibari:PITCH`` (the neural voice with its pitch scaled, at 150 words a
    minute: another speaker than the interviewer and the demo's candidate)."""
    from voicecoach.tts import make_tts

    if name.startswith("hibari:"):
        from voicecoach.tts.hibari_tts import HibariTTS

        return HibariTTS(pitch_factor=float(name.split(":", 1)[1]), rate_wpm=150)
    return make_tts(voice=name, backend="espeak")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", action="store_true", help="the held-out writers (run once, at the end)")
    ap.add_argument("--voices", nargs="+", default=["en-gb-x-rp", "hibari:1.2"],
                    help="alternated answer by answer: espeak-ng voice names, or hibari:PITCH")
    ap.add_argument("--limit", type=int, default=0, help="only the first N answers of each split (quick look)")
    args = ap.parse_args()
    rubric = default_rubric()
    train, dev = load("train"), load("dev")
    judged = [("dev", dev)] + ([("test", load("test"))] if args.test else [])
    with EmbeddingCache():
        t_feats, t_meaning, _ = F.measure(train, rubric)
        model = F.fit(t_feats, t_meaning, [a["suits"] for a in train])
        for name, answers in judged:
            answers = answers[:args.limit] if args.limit else answers
            use = model if name == "dev" else rubric.model
            said = spoken_transcripts(answers, args.voices)
            spoken = [{**a, "text": s["text"] or "."} for a, s in zip(answers, said)]
            for label, group in (("text", answers), ("spoken", spoken)):
                feats, meaning, disq = F.measure(group, rubric)
                got = F.verdicts(use, feats, meaning, disq)
                flags = [bool(d.get("hr")) and "negotiates_package" in d["hr"] for d in disq]
                report(f"{name} {label}", group, got, flags)
                if label == "spoken":
                    for v in args.voices:
                        k = [i for i, s in enumerate(said) if s["voice"] == v]
                        report(f"    {v}", [group[i] for i in k], [got[i] for i in k], [flags[i] for i in k])
            wer = np.mean([_wer(a["text"], s["text"]) for a, s in zip(answers, said)])
            print(f"{name}: mean word error rate of the transcripts against the written answers {wer:.1%} "
                  f"(voices {', '.join(args.voices)}; punctuation and case ignored)")


def _wer(ref: str, hyp: str) -> float:
    from support.wer import word_error_rate

    return word_error_rate(ref, hyp)


if __name__ == "__main__":
    main()
