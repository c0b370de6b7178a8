#!/usr/bin/env python
"""Benchmark: decoding one live answer piece with other work on the cores.

Each configuration runs in a fresh process (OpenMP's waiting policy is read when the library loads):
the OpenMP waiting policy (the library default, where waiting threads spin, or PASSIVE, where they
sleep), the number of decoding threads, the compute type and the beam. The piece is ~9 s of speech (the
demo candidate's voice), decoded 3 times; printed: median wall time, CPU seconds, real-time factor and
WER, with 0, 1 and 2 competing busy processes (`python -c "while True: pass"`) on the 2 cores.
Compare rows within one run (these machines are noisy).

Usage: .venv/bin/python scripts/bench_threads.py [--hogs 0,1,2] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIECE = ("In my last job the night shift kept missing the six o'clock trunk, so I pulled the scanner data for a "
         "month and found the packing bench was the bottleneck, not the pickers.")
CONFIGS = [  # (label, OMP_WAIT_POLICY or None for the library default, threads, compute type, beam)
    ("spin, 2 threads, float32, beam 5 (before)", None, 2, "float32", 5),
    ("PASSIVE, 2 threads, float32, beam 5", "PASSIVE", 2, "float32", 5),
    ("PASSIVE, 1 thread, float32, beam 5", "PASSIVE", 1, "float32", 5),
    ("PASSIVE, 1 thread, int8, greedy", "PASSIVE", 1, "int8", 1),
    ("PASSIVE, 2 threads, int8, greedy", "PASSIVE", 2, "int8", 1),
]
CHILD = r"""
import json, os, statistics, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from dataclasses import replace
from support.wer import word_error_rate
from voicecoach.asr import LIVE_OPTIONS
from voicecoach.asr.faster_whisper_engine import FasterWhisperTranscriber
from voicecoach.asr.models import resolve_model
from voicecoach.audio.clip import AudioClip
import numpy as np
threads, compute, beam, runs = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
samples = np.load(sys.argv[6])
clip = AudioClip(samples, 16000)
tr = FasterWhisperTranscriber(resolve_model(None), replace(LIVE_OPTIONS, beam_size=beam), compute_type=compute,
                              cpu_threads=threads)
tr.transcribe(AudioClip(samples[:16000 * 2], 16000))
walls, cpus, text = [], [], ""
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    text = tr.transcribe(clip).text
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
print(json.dumps({"wall": statistics.median(walls), "worst": max(walls), "cpu": statistics.median(cpus),
                  "wer": word_error_rate(sys.argv[7], text),
                  "rss_mb": next(int(l.split()[1]) for l in open("/proc/self/status")
                                 if l.startswith("VmHWM:")) / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hogs", default="0,1,2")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sys.path[:0] = [str(ROOT)]
    import numpy as np

    from voicecoach.tts import candidate_voice

    audio = candidate_voice().synthesize_clip(PIECE).to(16000).samples
    piece = Path("/tmp/voicecoach-bench-piece.npy")
    np.save(piece, audio)
    speech_s = len(audio) / 16000
    print(f"piece: {speech_s:.1f} s of speech; {args.runs} decodes per configuration; {os.cpu_count()} cores")
    for n in [int(x) for x in args.hogs.split(",")]:
        hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
        try:
            for label, policy, threads, compute, beam in CONFIGS:
                env = dict(os.environ)
                env.pop("OMP_WAIT_POLICY", None)
                env["VOICECOACH_OMP_WAIT_POLICY"] = policy or "library-default"
                if policy:
                    env["OMP_WAIT_POLICY"] = policy
                r = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(threads), compute, str(beam),
                                    str(args.runs), str(piece), PIECE], capture_output=True, text=True, env=env,
                                   timeout=900)
                if r.returncode:
                    print(f"  {n} busy  {label}: failed: {r.stderr.strip().splitlines()[-1:]}")
                    continue
                m = json.loads(r.stdout.strip().splitlines()[-1])
                print(f"  {n} busy  {label:<42} wall {m['wall']:5.2f} s (worst {m['worst']:5.2f}), "
                      f"CPU {m['cpu']:5.2f} s, RTF {m['wall'] / speech_s:.2f}, WER {m['wer']:.1%}, "
                      f"peak {m['rss_mb']:.0f} MB", flush=True)
        finally:
            for h in hogs:
                h.kill()


if __name__ == "__main__":
    main()
