"""`voicecoach demo`: a complete mock interview on a machine without a microphone.

The candidate's answers are synthesized (a different espeak-ng voice from the interviewer's) and fed
through a scripted microphone, so they take the same path as a live answer: voice activity
detection, transcription piece by piece, evaluation, feedback and the summary. The microphone runs
on virtual time (no waiting), so the demo is quick whether or not there is a speaker to play to.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator

import numpy as np

from ..audio.clip import WHISPER_RATE_HZ, AudioClip
from ..audio.mic import Microphone
from ..interview.events import PromptSpoken
from ..tts import TextToSpeech

__all__ = ["DEMO_SCRIPT", "ScriptedMicrophone", "ScriptedCandidate"]

CHUNK = 512

# (question id, the candidate's turns, the turns after a follow-up probe). A turn is what they say after
# the interviewer stops talking; "<pause N>" inserts N seconds of silence (a thinking pause).
DEMO_SCRIPT: list[tuple[str, list[str], list[str]]] = [
    ("gen-hr-why-us", [
        "Repeat the question.",
        "I have followed your company for a few years because of its commitment to honest products, and that "
        "matches my own values. <pause 1.8> In my current team I organise our knowledge sharing sessions and I "
        "mentored two new colleagues. I want to grow with a company like this for the long term.",
    ], []),
    ("swe-hm-performance", [
        "Our checkout service was slow, so I profiled it and found the same database query ran eleven times per "
        "request. I added a cache in front of the pricing service, rewrote two queries to use an index, and added "
        "a test to our build so the slow query could not creep back.",
    ], [
        "Response time dropped from nine hundred milliseconds to one hundred and eighty, and errors fell by a third.",
    ]),
    ("gen-hr-questions-for-us", [
        "Yes. What is the salary range for this role, and how soon could I be promoted to a senior title?",
    ], []),
]
DEMO_JOB_ADVERT = "demo/job_advert.md"
"""The bundled example advert the demo runs with (in the prompts folder)."""


class ScriptedMicrophone(Microphone):
    """Yields queued audio, then silence, in 32 ms chunks, as fast as they are read."""

    def __init__(self, max_silence_s: float = 120.0, realtime: bool = False) -> None:
        self.realtime = realtime
        """Deliver chunks at the pace of real speech (to watch the demo, or to interrupt it)."""
        self._current = np.zeros(0, np.float32)
        self._turns: deque[np.ndarray] = deque()
        self.max_silence_s = max_silence_s

    def is_available(self) -> bool:
        """Always true."""
        return True

    def queue_turns(self, turns: list[np.ndarray]) -> None:
        """Say the first turn now; each later one after the interviewer next speaks."""
        self._turns = deque(turns)
        self._current = self._turns.popleft() if self._turns else np.zeros(0, np.float32)

    def discard_pending(self) -> None:
        """The interviewer just spoke: stop the current turn and move to the next, if any."""
        self._current = self._turns.popleft() if self._turns else np.zeros(0, np.float32)

    def chunks(self) -> Iterator[np.ndarray]:
        """Queued audio, then silence (a session that waits forever is a bug: stop after a while)."""
        silent = 0
        silence = np.zeros(CHUNK, np.float32)
        next_at = time.monotonic()
        while True:
            if self.realtime:
                next_at += CHUNK / WHISPER_RATE_HZ
                time.sleep(max(0.0, next_at - time.monotonic()))
                self.captured_at = next_at
            if len(self._current):
                chunk, self._current = self._current[:CHUNK], self._current[CHUNK:]
                silent = 0
                yield chunk if len(chunk) == CHUNK else np.concatenate([chunk, silence[: CHUNK - len(chunk)]])
            else:
                silent += CHUNK
                if silent > self.max_silence_s * WHISPER_RATE_HZ:
                    return
                yield silence


def render_turn(tts: TextToSpeech, text: str) -> np.ndarray:
    """Synthesize a turn at 16 kHz, with ``<pause N>`` as silence, and a little silence either side."""
    parts = []
    for i, piece in enumerate(text.split("<pause ")):
        if i:
            secs, piece = piece.split(">", 1)
            parts.append(np.zeros(int(float(secs) * WHISPER_RATE_HZ), np.float32))
        if piece.strip():
            parts.append(tts.synthesize_clip(piece.strip()).to(WHISPER_RATE_HZ).samples)
    lead = np.zeros(int(0.4 * WHISPER_RATE_HZ), np.float32)
    return np.concatenate([lead, *parts])


class ScriptedCandidate:
    """Answers each question from the script once the interviewer has asked it (an observer)."""

    def __init__(self, mic: ScriptedMicrophone, turns_by_question: list[list[AudioClip | np.ndarray]],
                 follow_ups_by_question: list[list[AudioClip | np.ndarray]] | None = None) -> None:
        self.mic = mic
        self.turns = turns_by_question
        self.follow_ups = follow_ups_by_question or []

    def notify(self, event) -> None:
        """Queue the scripted turns when a question (or a follow-up probe) has been spoken."""
        if isinstance(event, PromptSpoken):
            script = self.turns if event.kind == "question" else self.follow_ups
            turns = script[event.index] if event.index < len(script) else []
            self.mic.queue_turns([t.samples if isinstance(t, AudioClip) else t for t in turns])
