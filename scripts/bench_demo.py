#!/usr/bin/env python
"""Benchmark: how long `voicecoach demo` takes, with every interviewer word played through a real
PortAudio device (a PulseAudio null sink) and with --silent. Target: under a minute.

Usage: .venv/bin/python scripts/bench_demo.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.virtual_audio import VirtualAudio  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with VirtualAudio(("bench_speaker",)) as va, tempfile.TemporaryDirectory() as home:
        env = va.env(sink="bench_speaker")
        env["VOICECOACH_HOME"] = home
        for label, extra in (("played through a speaker", []), ("--silent", ["--silent"])):
            times = []
            for _ in range(args.runs):
                t = time.monotonic()
                r = subprocess.run([sys.executable, "-m", "voicecoach", "demo", *extra], env=env, cwd=ROOT,
                                   capture_output=True, text=True)
                times.append(time.monotonic() - t)
                if r.returncode != 0:
                    sys.exit(f"demo failed: {r.stderr[-500:]}")
            print(f"demo {label}: median {statistics.median(times):.1f} s over {args.runs} runs "
                  f"(min {min(times):.1f}, max {max(times):.1f})")


if __name__ == "__main__":
    main()
