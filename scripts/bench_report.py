"""How long `voicecoach report --all` takes and how large the file is, for a long history (issue 19).

A real demo session is recorded once (real transcripts, evaluations, word timings, follow-up parts, insights,
audio), then copied into N sessions a day apart: the same three questions every time, which is the worst case
for "earlier attempts at this question". The report is then written by the CLI in a fresh process, and its
time, size and peak memory (VmHWM) printed.

    .venv/bin/python scripts/bench_report.py                 # 500 sessions
    .venv/bin/python scripts/bench_report.py --sessions 100 --src /path/to/another/checkout
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
import sys, runpy
sys.argv = ["voicecoach", *sys.argv[1:]]
try:
    runpy.run_module("voicecoach", run_name="__main__")
finally:
    print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) // 1024,
          file=sys.stderr)
"""


def build_history(home: Path, sessions: int, src: Path) -> None:
    """One real demo session, copied into ``sessions`` sessions a day apart."""
    env = dict(os.environ, VOICECOACH_HOME=str(home), PYTHONPATH=str(src), HF_HUB_OFFLINE="1")
    subprocess.run([sys.executable, "-m", "voicecoach", "demo", "--silent"], env=env, check=True, cwd=src,
                   stdout=subprocess.DEVNULL)
    db = sqlite3.connect(home / "voicecoach.db")
    session = db.execute("SELECT * FROM sessions WHERE id = 1").fetchone()
    cols = [d[0] for d in db.execute("SELECT * FROM sessions").description]
    acols = [d[0] for d in db.execute("SELECT * FROM answers").description]
    answers = db.execute("SELECT * FROM answers WHERE session_id = 1").fetchall()
    start = datetime.fromisoformat(session[cols.index("started_at")])
    db.execute("BEGIN")
    for n in range(2, sessions + 1):
        when = (start + timedelta(days=n - 1)).isoformat(timespec="seconds")
        row = list(session)
        row[cols.index("id")], row[cols.index("started_at")], row[cols.index("ended_at")] = n, when, when
        db.execute(f"INSERT INTO sessions ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", row)
        for a in answers:
            row = list(a)
            row[acols.index("id")] = None
            row[acols.index("session_id")], row[acols.index("created_at")] = n, when
            db.execute(f"INSERT INTO answers ({','.join(acols)}) VALUES ({','.join('?' * len(acols))})", row)
    db.execute("COMMIT")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--src", type=Path, default=ROOT, help="the checkout whose voicecoach writes the report")
    ap.add_argument("--history", type=Path, help="reuse (or keep) the history in this folder")
    ap.add_argument("--no-audio", action="store_true",
                    help="sessions without recordings (as --no-keep-audio keeps them)")
    args = ap.parse_args()
    home = args.history or Path(tempfile.mkdtemp(prefix="vc-bench-report-"))
    if not (home / "voicecoach.db").exists():
        t = time.monotonic()
        build_history(home, args.sessions, ROOT)
        print(f"history: {args.sessions} sessions built in {time.monotonic() - t:.1f} s ({home})")
    if args.no_audio:
        db = sqlite3.connect(home / "voicecoach.db")
        db.execute("UPDATE answers SET audio_path = NULL")
        db.commit()
        db.close()
    out = home / "report-all.html"
    env = dict(os.environ, VOICECOACH_HOME=str(home), PYTHONPATH=str(args.src), HF_HUB_OFFLINE="1")
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-c", MEASURE, "report", "--all", "--out", str(out)], env=env, cwd=args.src,
                       capture_output=True, text=True)
    took = time.monotonic() - t
    if r.returncode != 0:
        sys.exit(r.stderr[-2000:])
    peak = r.stderr.strip().splitlines()[-1]
    print(f"report --all, {args.sessions} sessions{' without audio' if args.no_audio else ''} ({args.src}): "
          f"{took:.1f} s, {out.stat().st_size / 1e6:.1f} MB, "
          f"peak {peak} MB")
    if args.history is None:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
