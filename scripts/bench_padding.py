#!/usr/bin/env python
"""Does the silence a live piece keeps after its speech change what Whisper hears?

A piece is decoded once the silence kept after its speech (``ListenOptions.end_pad_s``) has been heard, so that silence
is on the path from the candidate's last word to the interviewer's reply. This compares paddings on the words: answers
from the pause set (tests/data/turns/pauses.toml, as rendered for scripts/bench_turns.py, with a room's hiss added) and
the 45 real recordings of ../shared/data/real_speech, each cut into pieces by the live listener and decoded piece by
piece as a session does (live options, each piece primed with the one before). Prints the WER of each padding and the
words that changed.

Usage: .venv/bin/python scripts/bench_padding.py [--answers 40] [--pads 0.2 0.1]
(run scripts/bench_turns.py once first: it renders the pause-set answers into the cache)
"""

from __future__ import annotations

import argparse
import difflib
import glob
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.load import feed  # noqa: E402
from support.wer import word_error_rate  # noqa: E402

REAL = Path(os.environ.get("VOICECOACH_REAL_SPEECH_DIR", ROOT.parent / "shared" / "data" / "real_speech"))


def _items(n: int) -> list[tuple[str, np.ndarray, str]]:
    from voicecoach.audio.clip import load_audio
    from voicecoach.rules.embed import cache_dir

    rng = np.random.default_rng(1)
    hiss = lambda k: rng.normal(0, 0.002, k).astype(np.float32)  # noqa: E731 - a room's hiss
    out = []
    for f in sorted(glob.glob(str(cache_dir() / "turns" / "*.npy")))[:n]:
        a = np.load(f).astype(np.float32)
        out.append(("pause set", a + hiss(len(a)), json.loads(Path(f[:-4] + ".json").read_text())["pauses"][-1][3]))
    for line in (REAL / "transcripts.jsonl").read_text().splitlines():
        it = json.loads(line)
        out.append(("real speech", load_audio(REAL / it["file"]).to(16000).samples, it["text"]))
    return [(kind, np.concatenate([hiss(8000), a, hiss(24000)]), ref) for kind, a, ref in out]


def _decode(listener, tr, audio: np.ndarray) -> str:
    from voicecoach.audio.listen import UtteranceEnded

    prompt, out = None, []
    for e in feed(listener, audio) + listener.flush():
        if isinstance(e, UtteranceEnded):
            text = tr.transcribe(e.utterance.clip, prompt=prompt).text
            if text:
                prompt = text
                out.append(text)
    return " ".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=40, help="pause-set answers (the real recordings are all used)")
    ap.add_argument("--pads", type=float, nargs="+", default=[0.2, 0.1])
    args = ap.parse_args()
    from voicecoach.asr import LIVE_OPTIONS, make_transcriber
    from voicecoach.audio.listen import Listener, ListenOptions
    from voicecoach.audio.vad import SileroVad

    vad, tr = SileroVad(), make_transcriber("faster-whisper", options=LIVE_OPTIONS)
    items = _items(args.answers)
    errors = {p: {} for p in args.pads}
    texts = {p: [] for p in args.pads}
    for kind, audio, ref in items:
        for pad in args.pads:
            hyp = _decode(Listener(vad, ListenOptions(end_pad_s=pad, early_silence_s=max(pad, 0.1))), tr, audio)
            e, n = errors[pad].get(kind, (0.0, 0))
            errors[pad][kind] = (e + word_error_rate(ref, hyp) * len(ref.split()), n + len(ref.split()))
            texts[pad].append(hyp)
    for pad in args.pads:
        print(f"padding {pad:.2f} s: " + "; ".join(f"{kind} WER {e / n:.2%} ({n} words)"
                                                   for kind, (e, n) in errors[pad].items()))
    base = args.pads[0]
    for pad in args.pads[1:]:
        changed = [(a, b) for a, b in zip(texts[base], texts[pad]) if a != b]
        print(f"padding {pad:.2f} s against {base:.2f} s: {len(changed)} of {len(items)} transcripts differ")
        for a, b in changed:
            sa, sb = a.split(), b.split()
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb).get_opcodes():
                if op != "equal":
                    print(f"    {' '.join(sa[i1:i2]) or '-'} -> {' '.join(sb[j1:j2]) or '-'}")


if __name__ == "__main__":
    main()
