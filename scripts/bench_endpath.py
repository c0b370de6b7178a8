#!/usr/bin/env python
"""From the end of the candidate's speech to "the last piece's transcript and its voice score are both ready", with a
busy process beside it: the part of the reply a session's listener options decide.

For each answer of the pause set (rendered by scripts/bench_turns.py, a room's hiss added), its last piece is cut by
the live listener with each variant's padding; then, timed from the end of the speech, Smart Turn scores the voice
(on its own thread) and Whisper decodes the piece (live options) at the variant's moments. Variants run interleaved
in one process and are compared as ratios to the first (these machines are noisy).

Usage: .venv/bin/python scripts/bench_endpath.py [--answers 12] [--busy 1] [--rounds 2]
"""

from __future__ import annotations

import argparse
import glob
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.load import busy_processes, feed  # noqa: E402

# name: (padding kept after the speech, voice heard at, decoded at), seconds into the pause; None: the voice is scored
# once the transcript is in.
VARIANTS = {
    "padding 0.2 s, voice at 0.1 s, decode at 0.2 s (third session)": (0.2, 0.1, 0.2),
    "padding 0.1 s, voice at 0.05 s, decode at 0.1 s (shipped)": (0.1, 0.05, 0.1),
    "padding 0.1 s, voice and decode at 0.1 s": (0.1, 0.1, 0.1),
    "padding 0.1 s, voice after the decode": (0.1, None, 0.1),
}


def _pieces(n: int) -> list[dict]:
    """Per answer and padding: its pieces as the listener closes them."""
    from voicecoach.audio.listen import Listener, ListenOptions, UtteranceEnded
    from voicecoach.audio.vad import SileroVad
    from voicecoach.rules.embed import cache_dir

    vad, rng, out = SileroVad(), np.random.default_rng(1), []
    for f in sorted(glob.glob(str(cache_dir() / "turns" / "*.npy")))[:n]:
        a = np.load(f).astype(np.float32)
        a = np.concatenate([a + rng.normal(0, 0.002, len(a)).astype(np.float32),
                            rng.normal(0, 0.002, 16000).astype(np.float32)])
        by_pad = {}
        for pad in {v[0] for v in VARIANTS.values()}:
            events = feed(Listener(vad, ListenOptions(end_pad_s=pad, early_silence_s=pad)), a)
            by_pad[pad] = [e.utterance for e in events if isinstance(e, UtteranceEnded)]
        out.append(by_pad)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=12)
    ap.add_argument("--busy", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    from voicecoach.asr import LIVE_OPTIONS, make_transcriber
    from voicecoach.audio.endpoint import EndOfTurn

    tr, eot = make_transcriber("faster-whisper", options=LIVE_OPTIONS), EndOfTurn().load()
    if not eot.has_voice_model:
        sys.exit("Smart Turn is not installed: run scripts/setup.sh")
    answers = _pieces(args.answers)
    voice_pool, decoder = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
    ready: dict[str, list[float]] = {k: [] for k in VARIANTS}
    with busy_processes(args.busy):
        time.sleep(1)
        for _ in range(args.rounds):
            for by_pad in answers:
                for name, (pad, voice_at, decode_at) in VARIANTS.items():
                    pieces = by_pad[pad]
                    audio = np.concatenate([u.clip.samples for u in pieces[-8:]])
                    t0, voice = time.perf_counter(), None
                    if voice_at is not None:
                        time.sleep(voice_at)
                        voice = voice_pool.submit(eot.voice, audio)
                    time.sleep(decode_at - (voice_at or 0.0))
                    decoder.submit(tr.transcribe, pieces[-1].clip, None).result()
                    (voice or voice_pool.submit(eot.voice, audio)).result()
                    ready[name].append(time.perf_counter() - t0)
                    time.sleep(0.3)
    base = ready[next(iter(VARIANTS))]
    print(f"{len(answers)} last pieces x {args.rounds}, {args.busy} busy process(es): seconds from the end of speech "
          "until the transcript and the voice score are both ready")
    for name, times in ready.items():
        ratio = statistics.median(a / b for a, b in zip(times, base))
        print(f"  {name:<66} median {statistics.median(times):.3f} s, ratio to the first {ratio:.3f}")


if __name__ == "__main__":
    main()
