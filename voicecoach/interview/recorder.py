"""Keeping the session: the record, the ``--json-out`` file and the history database, written as each
answer is evaluated, so Ctrl-C, a kill or a failing device loses nothing already said."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from ..records import Answer, SessionRecord
from ..store import now_iso

__all__ = ["Recorder"]


class Recorder:
    """Writes the session record to a JSON file (atomically) and to the history store, if any."""

    def __init__(self, mode: str, settings: dict, store=None, json_out: str | Path | None = None,
                 keep_audio: bool = True) -> None:
        self.record = SessionRecord(now_iso(), mode, "running", dict(settings))
        self.store = store
        self.json_out = Path(json_out) if json_out else None
        self.keep_audio = keep_audio
        self._pending_audio: list[tuple[int, Path]] = []
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()  # the audio worker updates the record too

    @property
    def session_id(self) -> int | None:
        """The history database's id for this session."""
        return self.record.id

    def start(self) -> SessionRecord:
        """Open the session in the history."""
        if self.store is not None:
            self.record = self.record.with_(id=self.store.start_session(self.record))
        self._write_json()
        return self.record

    def save(self, answer: Answer, audio: np.ndarray | None = None) -> Answer:
        """Keep ``answer`` (and its audio, as raw samples, at once); returns it as stored."""
        answer = answer.with_(session_id=self.record.id, created_at=answer.created_at or now_iso())
        if audio is not None and len(audio) and self.keep_audio and self.store is not None and self.record.id:
            path = self.store.write_audio(self.record.id, answer.index, audio)
            answer = answer.with_(audio_path=str(path))
            self._pending_audio.append((answer.index, path))
        with self._lock:
            self.record = self.record.with_answer(answer)
        if self.store is not None and self.record.id is not None:
            self.store.save_answer(self.record.id, answer)
        self._write_json()
        return answer

    def compress_audio(self) -> None:
        """Re-encode the kept takes as OGG on a worker thread (off the feedback path)."""
        if not self._pending_audio or self.store is None:
            return
        jobs, self._pending_audio = self._pending_audio, []
        self._join()

        def work() -> None:
            for index, wav in jobs:
                try:
                    ogg = self.store.compress_audio(self.record.id, index, wav)
                except (OSError, RuntimeError):
                    continue  # the WAV stays: nothing is lost, it is only larger
                with self._lock:
                    a = next((a for a in self.record.answers if a.index == index), None)
                    if a is not None:
                        self.record = self.record.with_answer(a.with_(audio_path=str(ogg)))

        self._worker = threading.Thread(target=work, name="voicecoach-audio", daemon=True)
        self._worker.start()

    def _join(self) -> None:
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def finish(self, status: str) -> SessionRecord:
        """Close the session: its status and end time, in the history and the JSON file."""
        self.compress_audio()
        self._join()
        self.record = self.record.with_(status=status, ended_at=now_iso())
        if self.store is not None and self.record.id is not None:
            self.store.end_session(self.record.id, status)
        self._write_json()
        return self.record

    def _write_json(self) -> None:
        if not self.json_out:
            return
        self.json_out.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.json_out.with_name(self.json_out.name + ".tmp")
        tmp.write_text(json.dumps(self.record.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.json_out)
