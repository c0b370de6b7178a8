"""Keeping the session: the record, the ``--json-out`` file and the history database, written as each
answer is evaluated, so Ctrl-C, a kill or a failing device loses nothing already said.

When the history cannot be written (a full disk, a folder made read-only mid-session) the session goes on:
the evaluation is still shown and spoken, and the whole record (every answer so far, with its audio where
there is room) is written to a fallback JSON file in a writable place instead: the ``--json-out`` path if
one was given, else the temporary folder, else the home folder. ``fallback`` says where, ``storage_error``
why; the CLI prints both at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from ..errors import StorageError
from ..history.records import Answer, SessionRecord
from ..history.store import now_iso, write_wav_file
from ..history.takes import encode_ogg
from ..history.writing import replace_file

__all__ = ["Recorder", "measure_resources"]


class _DumpFailed(OSError):
    """A JSON file could not be written; carries the ``StorageError`` that says why."""

    def __init__(self, error: StorageError) -> None:
        super().__init__(error.message)
        self.error = error


class Recorder:
    """Writes the session record to a JSON file (atomically) and to the history store, if any."""

    def __init__(self, mode: str, settings: dict, store=None, json_out: str | Path | None = None,
                 keep_audio: bool = True) -> None:
        self.record = SessionRecord(now_iso(), mode, "running", dict(settings))
        self.store = store
        self.json_out = Path(json_out) if json_out else None
        self.keep_audio = keep_audio
        self.storage_error: StorageError | None = None
        """Why the history (or the --json-out file) could not be written, once that happened."""
        self.fallback: Path | None = None
        """The JSON file the session was kept in instead (None while everything is written as asked)."""
        self._history_ok = store is not None
        self._json_ok = self.json_out is not None
        self._pending_audio: dict[int, Path] = {}
        """Takes kept as WAV and not yet compressed, by answer index (a take saved again replaces its entry)."""
        self._worker: threading.Thread | None = None
        self._lock = threading.RLock()  # the audio worker updates the record too (and a failed save dumps it)

    @property
    def session_id(self) -> int | None:
        """The history database's id for this session."""
        return self.record.id

    @property
    def in_history(self) -> bool:
        """True while the history has taken every write of this session."""
        return self._history_ok and self.record.id is not None

    def start(self) -> SessionRecord:
        """Open the session in the history."""
        if self._history_ok:
            try:
                self.record = self.record.with_(id=self.store.start_session(self.record))
            except StorageError as exc:
                self._history_failed(exc)
        self._write_json()
        return self.record

    def save(self, answer: Answer, audio: np.ndarray | None = None) -> Answer:
        """Keep ``answer`` (and its audio, as raw samples, at once); returns it as stored. Never raises for
        a storage failure: the answer then goes to the fallback file (see the module docstring)."""
        answer = answer.with_(session_id=self.record.id, created_at=answer.created_at or now_iso())
        if audio is not None and len(audio) and self.keep_audio:
            answer = self._keep_audio(answer, audio)
        failed = None
        with self._lock:  # the audio worker may be pointing this answer at its OGG: not in between
            if audio is None:
                # Saved again (its timings): keep the take where it now is, which may be the OGG the worker
                # made from the WAV this answer still names (that WAV is gone).
                kept = next((a.audio_path for a in self.record.answers if a.index == answer.index), None)
                if kept:
                    answer = answer.with_(audio_path=kept)
            self.record = self.record.with_answer(answer)
            if self._history_ok and self.record.id is not None:
                try:
                    self.store.save_answer(self.record.id, answer)
                except StorageError as exc:
                    failed = exc
        if failed is not None:
            self._history_failed(failed)
            answer = self._move_take(answer)
            with self._lock:
                self.record = self.record.with_answer(answer)
        self._write_json()
        return answer

    def _keep_audio(self, answer: Answer, audio: np.ndarray) -> Answer:
        if self._history_ok and self.record.id:
            try:
                path = self.store.write_audio(self.record.id, answer.index, audio)
            except StorageError as exc:
                self._history_failed(exc)
            else:
                self._pending_audio[answer.index] = path
                return answer.with_(audio_path=str(path))
        if self.fallback is not None:
            # Beside the fallback JSON, uncompressed: the disk the history is on may be the full one.
            path = self.fallback.with_name(f"{self.fallback.stem}-q{answer.index}.wav")
            try:
                write_wav_file(path, audio, 16000)
                return answer.with_(audio_path=str(path))
            except StorageError:
                pass  # the transcript and the evaluation are the record; the take itself had no room
        return answer

    def _move_take(self, answer: Answer) -> Answer:
        """The take just written into the history's folder, when the history then refused its row (the session
        was deleted under it): moved beside the fallback JSON, so nothing is left in the history that no row
        points to."""
        take = Path(answer.audio_path) if answer.audio_path else None
        if take is None or self.fallback is None or not take.is_file() or not take.is_relative_to(self.store.root):
            return answer
        moved = self.fallback.with_name(f"{self.fallback.stem}-q{answer.index}{take.suffix}")
        try:
            shutil.move(take, moved)
        except OSError:
            return answer
        self._pending_audio.pop(answer.index, None)
        with contextlib.suppress(OSError):
            take.parent.rmdir()  # the session's folder, once empty
        return answer.with_(audio_path=str(moved))

    def compress_audio(self) -> None:
        """Re-encode the kept takes as OGG on a worker thread (off the feedback path)."""
        if not self._pending_audio or not self._history_ok:
            return
        jobs, self._pending_audio = list(self._pending_audio.items()), {}
        self._join()

        def work() -> None:
            for index, wav in jobs:
                try:
                    ogg = encode_ogg(wav)  # the slow part, outside the lock
                    with self._lock:  # the row, the record and the files change together (see save)
                        self.store.use_audio(self.record.id, index, ogg)
                        a = next((a for a in self.record.answers if a.index == index), None)
                        if a is not None:
                            self.record = self.record.with_answer(a.with_(audio_path=str(ogg)))
                except (OSError, RuntimeError, StorageError):
                    continue  # the WAV stays: nothing is lost, it is only larger
                wav.unlink(missing_ok=True)

        self._worker = threading.Thread(target=work, name="voicecoach-audio", daemon=True)
        self._worker.start()

    def _join(self) -> None:
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def mark(self, status: str) -> None:
        """Write how the interview ended before its summary is spoken, so a kill during the summary leaves a
        complete session marked complete (``finish`` follows)."""
        self._end(status)

    def finish(self, status: str) -> SessionRecord:
        """Close the session: its status and end time, in the history and the JSON file."""
        self.compress_audio()
        self._join()
        self._end(status, ended_at=now_iso())
        return self.record

    def _end(self, status: str, **fields) -> None:
        """The session's status (and ``fields``) in the record, the history and the JSON file."""
        self.record = self.record.with_(status=status, **fields)
        if self._history_ok and self.record.id is not None:
            try:
                self.store.end_session(self.record.id, status)
            except StorageError as exc:
                self._history_failed(exc)
        self._write_json()

    # -- the fallback -----------------------------------------------------------------------------
    def _history_failed(self, exc: StorageError) -> None:
        """Stop writing to the history for this session; from now on the JSON file holds everything."""
        self._history_ok = False
        if self.storage_error is None:
            self.storage_error = exc
        if self.fallback is None:
            if self._json_ok:
                self.fallback = self.json_out
            else:
                self._choose_fallback()

    def _choose_fallback(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for folder in (Path(tempfile.gettempdir()), Path.home()):
            path = folder / f"voicecoach-session-{stamp}-{os.getpid()}.json"
            try:
                self._dump(path)
            except OSError:
                continue
            self.fallback = path
            return

    def _write_json(self) -> None:
        if self._json_ok:
            try:
                self._dump(self.json_out)
                return
            except _DumpFailed as exc:
                self._json_ok = False
                if self.storage_error is None:
                    self.storage_error = exc.error
                self._choose_fallback()
                return
        if self.fallback is not None:
            try:
                self._dump(self.fallback)
            except OSError:
                self._choose_fallback()

    def _dump(self, path: Path) -> None:
        """Write the record as JSON atomically (a temporary file beside it, then renamed; a link written
        through, a device or a FIFO refused: ``history.writing``)."""
        with self._lock:
            text = json.dumps(self.record.to_json(), indent=2, ensure_ascii=False)
        try:
            replace_file(path, text.encode("utf-8"), what="the --json-out file", make_folder=True)
        except StorageError as exc:
            raise _DumpFailed(exc) from None


def measure_resources(record) -> dict:
    """What this process has cost so far: CPU seconds, peak memory, and how soon the first question was heard."""
    import time

    first = next((a.timings.get("launch_to_question_s") for a in record.answers), None)
    return {"cpu_s": round(time.process_time(), 2), "launch_to_first_question_s": first,
            "peak_rss_mb": round(_peak_kb() / 1024)}


def _peak_kb() -> int:
    """This program's peak resident memory in KB. Linux's ``ru_maxrss`` is not it: it keeps the launching
    process's size across fork and exec (a harness holding 800 MB makes every child report 800 MB), so the
    memory map's own high-water mark (VmHWM) is read where there is one."""
    import resource

    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
