"""``voicecoach demo`` as a user would run it, with a speaker that takes real time and a log of its phases.

The demo's player plays nothing (``--silent``), so everything the interviewer says takes no time at all and
a kill could never land "during the verdict". Here the same player takes as long as the audio lasts (a
speaker at ``PACE`` times normal speed), and each phase is written to a log as it starts, so a test can
send a signal in the middle of any phase: ``intro``, ``question N``, ``answer N`` (the candidate is
speaking), ``follow_up N`` (the probe is asked), ``follow_up_answer N``, ``verdict N``, ``summary``.

Run: ``python -m support.paced_demo LOG [demo arguments...]`` from ``tests/`` on the path; the process is
``voicecoach.cli.main`` itself, with its signal handling and exit codes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PACE = 1.5
"""The speaker plays this many times faster than real time (long enough to be interrupted in)."""


def install(log: Path) -> None:
    from voicecoach.app.demo import ScriptedCandidate
    from voicecoach.audio.snd import NullPlayer, PlaybackStats
    from voicecoach.interview.events import PromptSpoken
    from voicecoach.interview.feedback import Feedback
    from voicecoach.interview.loop import Interview
    from voicecoach.interview.turn import TurnRunner

    def mark(phase: str) -> None:
        with open(log, "a") as f:
            f.write(f"{time.monotonic():.3f} {phase}\n")

    def play_stream(self, clips):
        first, total = None, 0.0
        for clip in clips:
            first = first or time.monotonic()
            time.sleep(clip.duration_s / PACE)
            total += clip.duration_s
        return PlaybackStats(first or time.monotonic(), total)

    NullPlayer.play_stream = play_stream

    def wrap(cls, name, phase_of):
        real = getattr(cls, name)

        def wrapped(self, *args, **kwargs):
            phase = phase_of(*args)
            if phase:
                mark(phase)
            return real(self, *args, **kwargs)

        setattr(cls, name, wrapped)

    wrap(Interview, "_intro", lambda: "intro")
    wrap(TurnRunner, "run", lambda index, kind, *a: f"{kind} {index + 1}")
    wrap(Feedback, "conclude", lambda answer, *a: f"verdict {answer.index}")
    wrap(Feedback, "summary", lambda *a: "summary")
    real_notify = ScriptedCandidate.notify

    def notify(self, event):
        if isinstance(event, PromptSpoken):
            mark(f"{'answer' if event.kind == 'question' else 'follow_up_answer'} {event.index + 1}")
        return real_notify(self, event)

    ScriptedCandidate.notify = notify


if __name__ == "__main__":
    install(Path(sys.argv[1]))
    from voicecoach.cli import main

    sys.exit(main(["demo", "--silent", *sys.argv[2:]]))
