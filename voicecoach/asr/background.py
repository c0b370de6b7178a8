"""Transcribe an answer piece by piece while the candidate is still speaking.

Utterances (speech between pauses) are queued as they end and decoded on a worker thread, so when
the answer ends only its last piece, if any, is left to decode.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from . import Transcriber, Word

__all__ = ["BackgroundTranscriber", "Piece"]


@dataclass(frozen=True)
class Piece:
    """One decoded utterance, word times relative to the start of listening."""

    index: int
    text: str
    words: tuple[Word, ...]
    decode_s: float
    """Seconds the decoding took."""


class BackgroundTranscriber:
    """A worker thread that decodes utterances in the order they were submitted."""

    def __init__(self, transcriber: Transcriber) -> None:
        self._tr = transcriber
        self._q: queue.Queue = queue.Queue()
        self._pieces: dict[int, Piece] = {}
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._next = 0
        self._thread = threading.Thread(target=self._work, name="voicecoach-asr", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._q.get()
            if job is None:
                self._q.task_done()
                return
            index, utt = job
            try:
                t = time.perf_counter()
                # Like Whisper's own long-form decoding, the previous piece primes the next one, so a
                # piece cut at a pause keeps the context of the sentence it continues.
                with self._lock:
                    previous = self._pieces.get(index - 1)
                result = self._tr.transcribe(utt.clip, prompt=previous.text if previous and previous.text else None)
                words = tuple(Word(w.word, w.start_s + utt.start_s, w.end_s + utt.start_s) for w in result.words)
                piece = Piece(index, result.text, words, time.perf_counter() - t)
                with self._lock:
                    self._pieces[index] = piece
            except BaseException as exc:  # reported by finish(); the thread must not die silently
                with self._lock:
                    self._errors.append(exc)
            finally:
                self._q.task_done()

    def submit(self, utterance) -> None:
        """Queue an utterance (``voicecoach.listen.Utterance``) for decoding."""
        self._q.put((self._next, utterance))
        self._next += 1

    def partial_text(self) -> str:
        """What has been decoded so far, in order (gaps skipped)."""
        with self._lock:
            return " ".join(self._pieces[i].text for i in sorted(self._pieces) if self._pieces[i].text)

    def finish(self) -> tuple[str, tuple[Word, ...], list[Piece]]:
        """Wait for every queued utterance; returns (text, words, pieces)."""
        self._q.join()
        with self._lock:
            if self._errors:
                raise self._errors[0]
            pieces = [self._pieces[i] for i in sorted(self._pieces)]
            self._pieces.clear()
        text = " ".join(p.text for p in pieces if p.text)
        words = tuple(w for p in pieces for w in p.words)
        return text, words, pieces

    def close(self) -> None:
        """Stop the worker."""
        self._q.put(None)
        self._thread.join(timeout=5)
