"""Transcribe utterances on a worker thread while the candidate is still speaking.

Every utterance (speech between pauses) is decoded exactly once, in the order it was heard, off the
thread that reads the microphone. A short utterance that might be a voice command is decoded with
the command vocabulary as the prompt; if it turns out not to be a command, the same text is used as
a piece of the answer. A longer piece is primed with the text of the piece before it, as Whisper's
own long-form decoding does, so a piece cut at a pause keeps the context of its sentence.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from ..memory import decoding, release_free_memory
from . import Transcriber, Word, english_doubt

__all__ = ["BackgroundTranscriber", "Piece"]


@dataclass(frozen=True)
class Piece:
    """One decoded utterance, word times relative to the start of listening."""

    index: int
    text: str
    words: tuple[Word, ...]
    decode_s: float
    """Seconds the decoding took."""
    utterance: object
    """The ``voicecoach.audio.listen.Utterance`` it came from."""
    command_candidate: bool
    """Decoded with the command vocabulary (short enough to be a command)."""
    done_at: float = 0.0
    """``time.monotonic()`` when its decoding finished."""
    doubt: str | None = None
    """A note when the piece does not look like English (``asr.english_doubt``)."""


class BackgroundTranscriber:
    """A worker thread that decodes utterances in the order they were submitted."""

    def __init__(self, transcriber: Transcriber, command_prompt: str | None = None,
                 vocabulary: tuple[str, ...] = ()) -> None:
        self._tr = transcriber
        self.command_prompt = command_prompt
        self.glossary = (", ".join(vocabulary) + ".") if vocabulary else ""
        """Terms the answer pieces are biased towards (the job advert's), put first in their prompt."""
        self._q: queue.Queue = queue.Queue()
        self._done: dict[int, Piece] = {}
        self._errors: list[BaseException] = []
        self._cond = threading.Condition()
        self._next = 0          # index of the next submission
        self._delivered = 0     # pieces handed out by ready()/wait()
        self._generation = 0
        self._last_answer_text: str | None = None
        self._thread = threading.Thread(target=self._work, name="voicecoach-asr", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._q.get()
            if job is None:
                return
            generation, index, utt, candidate = job
            try:
                with self._cond:
                    stale = generation != self._generation
                    prompt = self.command_prompt if candidate else self._answer_prompt()
                if stale:
                    continue
                t = time.perf_counter()
                with decoding():
                    result = self._tr.transcribe(utt.clip, prompt=prompt)
                words = tuple(Word(w.word, w.start_s + utt.start_s, w.end_s + utt.start_s) for w in result.words)
                piece = Piece(index, result.text, words, time.perf_counter() - t, utt, candidate, time.monotonic(),
                              None if candidate else english_doubt(result))
                with self._cond:
                    if generation == self._generation:
                        self._done[index] = piece
                        if not candidate and piece.text:
                            self._last_answer_text = piece.text
                    self._cond.notify_all()
            except BaseException as exc:  # reported by ready()/wait(); the thread must not die silently
                with self._cond:
                    self._errors.append(exc)
                    self._cond.notify_all()
            if self._q.empty():
                release_free_memory()  # the decode's scratch, while nothing waits (voicecoach.memory)

    def _answer_prompt(self) -> str | None:
        # Like Whisper's own long-form decoding, the previous piece primes the next; the job's terms go
        # first so that the decoder knows their spelling.
        prompt = " ".join(p for p in (self.glossary, self._last_answer_text or "") if p)
        return prompt or None

    def submit(self, utterance, command_candidate: bool = False) -> int:
        """Queue an utterance (``voicecoach.audio.listen.Utterance``); returns its index."""
        with self._cond:
            index = self._next
            self._next += 1
            self._q.put((self._generation, index, utterance, command_candidate))
        return index

    @property
    def pending(self) -> int:
        """Submitted pieces not yet handed out."""
        with self._cond:
            return self._next - self._delivered

    def _take(self) -> list[Piece]:
        if self._errors:
            raise self._errors.pop(0)
        out = []
        while self._delivered in self._done:
            out.append(self._done.pop(self._delivered))
            self._delivered += 1
        return out

    def ready(self) -> list[Piece]:
        """Pieces decoded since the last call, in the order they were submitted (never skipping one)."""
        with self._cond:
            return self._take()

    def wait(self, timeout_s: float | None = None) -> list[Piece]:
        """Wait until every submitted piece is decoded (or ``timeout_s`` passed); returns them in order."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._cond:
            out = self._take()
            while self._delivered < self._next:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(left)
                out += self._take()
            return out

    def new_turn(self) -> None:
        """Forget everything submitted so far (the interviewer spoke; what was queued is stale)."""
        with self._cond:
            self._generation += 1
            self._done.clear()
            self._delivered = self._next
            self._last_answer_text = None

    def close(self) -> None:
        """Stop the worker."""
        self._q.put(None)
        self._thread.join(timeout=5)
