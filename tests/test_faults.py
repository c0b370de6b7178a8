"""The fault matrix (issue 12): every expected failure ends in one line on stderr that says what happened
and the fix, with the documented exit code, no traceback, and nothing already recorded lost.

Most cases need no Whisper model. Permissions are real: as root (CI) the CLI runs without the
capabilities that let root ignore them (``run_cli(..., unprivileged=True)``). A full disk is a real
small tmpfs where one can be mounted (root); the recorder's fallback is also tested with a store that
simulates the full disk, which runs anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_cli

from voicecoach.errors import StorageError
from voicecoach.history.records import Answer, SessionRecord
from voicecoach.history.store import Store, now_iso


# -- helpers ----------------------------------------------------------------------------------------
def one_line(r, code: int, *phrases: str) -> str:
    """Assert the exit code, no traceback or interpreter noise, and exactly one stderr line with a fix
    (holding ``phrases``); returns that line."""
    assert r.returncode == code, (r.returncode, r.stderr[-2000:])
    for noise in ("Traceback", "Exception ignored", "Note: Illegal", "Warning:"):
        assert noise not in r.stderr, r.stderr[-2000:]
    lines = [line for line in r.stderr.splitlines() if "Fix:" in line]
    assert len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith("voicecoach"), lines[0]
    for p in phrases:
        assert p in lines[0], (p, lines[0])
    return lines[0]


def _env(**extra) -> dict:
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}


def _answer(i: int, text: str) -> Answer:
    return Answer(i, f"gen-q{i}", "hr", "generic", "Why do you want to work here?", "answered", text)


def _history(home: Path, sessions: int = 1, answers: int = 3) -> list[str]:
    """A history with ``sessions`` x ``answers`` answers; returns every transcript."""
    store = Store(home)
    texts = []
    for s in range(sessions):
        sid = store.start_session(SessionRecord(now_iso(), "practice", settings={"round": "hr"}))
        for i in range(1, answers + 1):
            text = f"In session {s + 1} answer {i} I talked about my team and our values. " * 8
            store.save_answer(sid, _answer(i, text))
            texts.append(text)
        store.end_session(sid, "completed")
    store.close()
    return texts


def _transcripts(home: Path) -> list[str]:
    return [a.transcript for a in Store(home, read_only_ok=True).answers()]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def tmpfs(tmp_path):
    """``make(size_kb)`` mounts a small tmpfs (a real disk that fills up) and returns its folder."""
    mounted: list[Path] = []

    def make(size_kb: int, name: str = "disk") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(folder)],
                           capture_output=True, text=True, check=False)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({r.stderr.strip()}); test_recorder_keeps_everything_when_"
                        "the_store_fails simulates the full disk instead")
        mounted.append(folder)
        return folder

    yield make
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    try:
        with open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 65536)
    except OSError:
        pass
    return filler


def _remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


# -- the history database ---------------------------------------------------------------------------
def test_damaged_history_is_moved_aside_salvaged_and_replaced(home):
    texts = _history(home, sessions=40, answers=5)
    db = home / "voicecoach.db"
    assert db.stat().st_size > 120_000
    with open(db, "r+b") as f:  # a few KB overwritten in the middle
        f.seek(100_000)
        f.write(b"\xab" * 5000)
    damaged = _sha(db)
    r = run_cli("history")
    line = one_line(r, 0, "was damaged", str(db), "a fresh one was started", ".recover")
    moved = Path(re.search(r"it is kept as (\S+) and", line).group(1))
    assert moved.name.startswith("voicecoach.damaged-") and moved.parent == home
    assert _sha(moved) == damaged  # kept byte for byte, never deleted
    kept = _transcripts(home)
    assert 0.8 * len(texts) <= len(kept) < len(texts)  # every row that still reads was copied back
    assert set(kept) <= set(texts)
    assert re.search(r"\d+ session\(s\) and \d+ answer\(s\) that still read were copied", line)
    again = run_cli("history")  # the fresh database is healthy: no second warning
    assert again.returncode == 0 and again.stderr == "" and len(again.stdout.splitlines()) > 1


@pytest.mark.parametrize("damage", ["not a database", "header overwritten"])
def test_history_that_is_not_a_database(home, damage):
    _history(home)
    db = home / "voicecoach.db"
    if damage == "not a database":
        db.write_text("these are my notes, not a database\n")
    else:
        with open(db, "r+b") as f:
            f.write(b"\xab" * 4096)
    before = _sha(db)
    line = one_line(run_cli("history"), 0, "was damaged", "file is not a database", "fresh one")
    moved = Path(re.search(r"it is kept as (\S+) and", line).group(1))
    assert _sha(moved) == before
    assert run_cli("history").stderr == ""
    # and a session can be written into the fresh one
    assert run_cli("forget", "--all", "--yes").returncode == 0


def test_read_only_history_file_can_be_read_but_not_written(home):
    texts = _history(home)
    db = home / "voicecoach.db"
    db.chmod(0o444)
    try:
        r = run_cli("history", unprivileged=True)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert "completed" in r.stdout
        exported = run_cli("export", "--format", "json", unprivileged=True)
        assert exported.returncode == 0 and json.loads(exported.stdout)[0]["answers"][0]["transcript"] == texts[0]
        one_line(run_cli("forget", "1", "--yes", unprivileged=True), 7, str(db), "read-only", "chmod u+w")
    finally:
        db.chmod(0o644)
    assert _transcripts(home) == texts


def test_read_only_history_folder(home):
    texts = _history(home)
    home.chmod(0o555)
    try:
        r = run_cli("history", unprivileged=True)
        assert r.returncode == 0 and "completed" in r.stdout, r.stderr
        one_line(run_cli("forget", "--all", "--yes", unprivileged=True), 7, f"the folder {home} is read-only")
        one_line(run_cli("export", "--format", "md", "--out", str(home / "h.md"), unprivileged=True), 7)
    finally:
        home.chmod(0o755)
    assert _transcripts(home) == texts


def test_history_folder_that_cannot_be_created(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o555)
    r = run_cli("history", env=_env(VOICECOACH_HOME=parent / "home"), unprivileged=True)
    one_line(r, 7, "cannot write the data folder", "read-only", "VOICECOACH_HOME")


def test_history_on_a_read_only_file_system(tmpfs):
    disk = tmpfs(2048)
    texts = _history(disk)
    _remount_read_only(disk)
    env = _env(VOICECOACH_HOME=disk)
    r = run_cli("history", env=env)
    assert r.returncode == 0 and "completed" in r.stdout, r.stderr
    one_line(run_cli("forget", "1", "--yes", env=env), 7, "read-only file system", "VOICECOACH_HOME")
    assert _transcripts(disk) == texts


def test_disk_full_while_opening_the_history(tmpfs):
    disk = tmpfs(256)
    _fill(disk)
    r = run_cli("forget", "--all", "--yes", env=_env(VOICECOACH_HOME=disk / "home"))
    one_line(r, 7, "the disk is full", "df -h")


def test_disk_full_with_an_existing_history(tmpfs):
    disk = tmpfs(1024)
    texts = _history(disk)
    _fill(disk)
    env = _env(VOICECOACH_HOME=disk)
    r = run_cli("history", env=env)
    assert r.returncode == 0 and "completed" in r.stdout, r.stderr
    one_line(run_cli("forget", "1", "--yes", env=env), 7, "the disk is full")
    assert _transcripts(disk) == texts


# -- nothing lost when the history fails mid-session --------------------------------------------------
class _FullStore(Store):
    """A store whose disk fills after ``room`` answers: the simulation, for machines without tmpfs."""

    def __init__(self, root, room: int) -> None:
        super().__init__(root)
        self.room = room

    def _full(self):
        return StorageError(f"cannot write the history database {self.path}: the disk is full",
                            "free some space on that disk")

    def save_answer(self, session_id, a):
        if self.room <= 0:
            raise self._full()
        self.room -= 1
        return super().save_answer(session_id, a)

    def write_audio(self, session_id, index, samples, rate_hz=16000):
        if self.room <= 0:
            raise self._full()
        return super().write_audio(session_id, index, samples, rate_hz)

    def end_session(self, session_id, status):
        raise self._full()


@pytest.mark.parametrize("json_out", [False, True])
def test_recorder_keeps_everything_when_the_store_fails(tmp_path, home, monkeypatch, json_out):
    import tempfile

    from voicecoach.interview.recorder import Recorder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = tmp_path / "out" / "session.json" if json_out else None
    rec = Recorder("practice", {"round": "hr"}, store=_FullStore(home, room=1), json_out=out)
    rec.start()
    audio = np.sin(np.arange(16000) / 9).astype(np.float32) * 0.1
    texts = [f"answer {i} about my team " * 10 for i in (1, 2, 3)]
    for i, text in enumerate(texts, 1):
        saved = rec.save(_answer(i, text), audio)
        assert saved.transcript == text  # the caller carries on: the evaluation is shown and spoken
    rec.finish("completed")
    assert rec.storage_error is not None and "disk is full" in rec.storage_error.message
    assert rec.fallback == out if json_out else rec.fallback.parent == tmp_path
    kept = json.loads(rec.fallback.read_text())
    assert [a["transcript"] for a in kept["answers"]] == texts and kept["status"] == "completed"
    for a in kept["answers"][1:]:  # the takes the history had no room for are beside the JSON
        assert Path(a["audio_path"]).parent == rec.fallback.parent and Path(a["audio_path"]).is_file()
    assert _transcripts(home) == texts[:1]  # what the history took is still there


@pytest.mark.slow
def test_disk_full_during_a_session_keeps_every_answer(tmpfs, tmp_path):
    """A real demo session whose history disk fills after the first answer."""
    disk = tmpfs(8192)
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = (
        "import sys\n"
        "from voicecoach.interview import recorder as R\n"
        "real, done = R.Recorder.save, []\n"
        "def save(self, answer, audio=None):\n"
        "    out = real(self, answer, audio)\n"
        "    if answer.evaluation is not None and not done:\n"
        "        done.append(1)\n"
        "        try:\n"
        f"            with open({str(disk / 'filler')!r}, 'wb') as f:\n"
        "                while True: f.write(b'\\0' * 65536)\n"
        "        except OSError: pass\n"
        "    return out\n"
        "R.Recorder.save = save\n"
        "from voicecoach.cli import main\n"
        "sys.exit(main(['demo', '--silent']))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False, text=True, cwd=ROOT, timeout=600,
                       env=_env(VOICECOACH_HOME=disk, TMPDIR=temp))
    line = one_line(r, 7, "the disk is full", "3 answer(s) kept", str(temp))
    assert r.stdout.count("You said:") == 3  # every evaluation was still shown
    fallback = Path(re.search(r"kept \(in (\S+)\)", line).group(1))
    kept = json.loads(fallback.read_text())
    assert [a["status"] for a in kept["answers"]] == ["answered"] * 3
    assert all(a["transcript"] and a["evaluation"] for a in kept["answers"])
    (disk / "filler").unlink()
    first = _transcripts(disk)
    assert first == [kept["answers"][0]["transcript"]]
    hist = json.loads(run_cli("history", "--json", env=_env(VOICECOACH_HOME=disk)).stdout)
    assert hist[0]["status"] == "interrupted"  # its process is gone; the answer it kept is readable


@pytest.mark.slow
@pytest.mark.parametrize("exc_name", ["AudioDeviceFailed", "KeyboardInterrupt"])
def test_failure_mid_answer_keeps_the_speech_as_a_partial_answer(tmp_path, transcribers, tts, exc_name):
    from test_practice import HR_ANSWER, FailingMic, scripted_session

    from voicecoach.app.demo import render_turn
    from voicecoach.errors import AudioDeviceFailed
    from voicecoach.questions.bank import load_questions
    from voicecoach.tts import make_tts

    exc = AudioDeviceFailed("the microphone stopped") if exc_name == "AudioDeviceFailed" else KeyboardInterrupt()
    voice = make_tts(voice="en-us", rate_wpm=165)
    first = render_turn(voice, HR_ANSWER)
    # the first answer, its end silence, then about five seconds into the second answer
    mic = FailingMic(len(first) // 512 + int(4 * 16000 / 512) + int(5 * 16000 / 512), exc)
    bank = {q.id: q for q in load_questions()}
    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["gen-hr-why-us", "gen-hr-values"],
                         [[HR_ANSWER], [HR_ANSWER]], mic=mic)
    with pytest.raises(type(exc)):
        s.run()
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["answers"][0]["status"] == "answered"
    assert saved["answers"][1]["status"] == "partial" and saved["answers"][1]["transcript"]


# -- the question bank --------------------------------------------------------------------------------
@pytest.fixture()
def prompts_copy(tmp_path) -> Path:
    copy = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", copy)
    return copy


def test_question_bank_with_a_folder_named_toml(prompts_copy):
    (prompts_copy / "questions" / "extra.toml").mkdir()
    r = run_cli("questions", env=_env(VOICECOACH_PROMPTS=prompts_copy))
    one_line(r, 2, "extra.toml is a folder", "rename the folder")


def test_question_bank_with_a_list_where_a_string_belongs(prompts_copy):
    f = prompts_copy / "questions" / "generic.toml"
    f.write_text(re.sub(r'(?m)^text = (".*")$', r"text = [\1]", f.read_text(), count=1))
    r = run_cli("questions", env=_env(VOICECOACH_PROMPTS=prompts_copy))
    one_line(r, 2, "generic.toml: question #1", "'text' must be str, not list")


def test_question_bank_file_that_cannot_be_read(prompts_copy):
    f = prompts_copy / "questions" / "sales.toml"
    f.chmod(0)
    r = run_cli("questions", env=_env(VOICECOACH_PROMPTS=prompts_copy), unprivileged=True)
    one_line(r, 2, "sales.toml: permission denied", "chmod a+r")


def test_prompts_variable_pointing_nowhere(tmp_path):
    r = run_cli("questions", env=_env(VOICECOACH_PROMPTS=tmp_path / "nowhere"))
    one_line(r, 2, "VOICECOACH_PROMPTS points to", "unset it")


@pytest.mark.parametrize("edit, phrase", [
    (lambda t: re.sub(r"(?m)^patterns = \[\n", 'patterns = ["(?:anything)?",\n', t, count=1),
     "matches an empty string"),
    (lambda t: t.replace('kind = "package"\n', 'kind = "package"\nmin_hits = 0\n', 1), "'min_hits' must be at least 1"),
])
def test_rubric_entries_that_match_everything(prompts_copy, edit, phrase):
    f = prompts_copy / "rubric" / "flags.toml"
    f.write_text(edit(f.read_text()))
    r = run_cli("evaluate", "--round", "hr", "--text", "I like teams.", env=_env(VOICECOACH_PROMPTS=prompts_copy))
    one_line(r, 2, "flags.toml", phrase)


# -- models ---------------------------------------------------------------------------------------------
def test_model_folder_with_a_garbage_model_bin(tmp_path, speech_dir):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(np.random.default_rng(1).bytes(100_000))
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--model", str(folder))
    one_line(r, 6, "model.bin is not a CTranslate2 model", "leave out --model")


@pytest.mark.parametrize("content", [b"not a checkpoint\n", bytes(range(256)) * 20])
def test_pt_file_that_is_not_a_checkpoint(tmp_path, speech_dir, content):
    pt = tmp_path / "weights.pt"
    pt.write_bytes(content)
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--engine", "openai-whisper", "--model", str(pt))
    one_line(r, 6, "weights.pt is not a usable openai-whisper checkpoint", "not a PyTorch checkpoint")


def test_damaged_cached_checkpoint(tmp_path, speech_dir):
    from voicecoach.asr.convert import _fingerprint
    from voicecoach.asr.models import bundled_model_dir

    cache = tmp_path / "cache"
    target = cache / "openai-whisper" / f"tiny.en-{_fingerprint(bundled_model_dir())}.pt"
    target.parent.mkdir(parents=True)
    import torch

    torch.save({"dims": {}, "model_state_dict": {"w": torch.zeros(4096)}}, target)
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])  # a checkpoint cut short (a full disk, a killed conversion)
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--engine", "openai-whisper",
                env=_env(VOICECOACH_CACHE=cache))
    one_line(r, 6, str(target), "damaged or cut short", f"delete the cached checkpoint (rm {target})")


# -- audio files ------------------------------------------------------------------------------------------
def test_audio_file_that_cannot_be_read(tmp_path, speech_dir):
    f = tmp_path / "answer.flac"
    shutil.copy(speech_dir / "jfk.flac", f)
    f.chmod(0)
    one_line(run_cli("transcribe", str(f), unprivileged=True), 7, "permission denied", "chmod a+r")


def test_png_renamed_mp3_says_it_is_not_audio(tmp_path):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 14)) + chunk(b"IEND", b""))
    (tmp_path / "answer.mp3").write_bytes(png)
    r = run_cli("transcribe", str(tmp_path / "answer.mp3"))
    one_line(r, 3, "answer.mp3 is not audio (it looks like a PNG image)")
    assert r.stderr.count("\n") == 1  # no decoder notes either


def test_unrecognised_bytes_named_mp3(tmp_path):
    (tmp_path / "noise.mp3").write_bytes(np.random.default_rng(3).bytes(3000))
    r = run_cli("transcribe", str(tmp_path / "noise.mp3"))
    line = one_line(r, 3, "is not audio voicecoach can read")
    assert "pipe" not in line and r.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["empty.wav", "empty.mp3"])
def test_empty_file_says_it_is_empty(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    one_line(run_cli("transcribe", str(tmp_path / name)), 3, f"{name} is empty (0 bytes)")


# -- say ----------------------------------------------------------------------------------------------------
def test_say_into_a_missing_folder(tmp_path):
    r = run_cli("say", "Hello there.", "--out", str(tmp_path / "no" / "such" / "q.wav"))
    one_line(r, 7, "does not exist", "mkdir -p")


def test_say_onto_a_folder(tmp_path):
    one_line(run_cli("say", "Hello there.", "--out", str(tmp_path)), 7, "is a folder", "out.wav")


def test_say_when_synthesis_fails(tmp_path):
    # espeak-ng renders "..." as silence: nothing to write, and no half-made WAV left behind
    r = run_cli("say", "...", "--voice", "en-us", "--out", str(tmp_path / "q.wav"))
    one_line(r, 5)
    assert list(tmp_path.iterdir()) == []


def test_say_without_a_speaker_suggests_a_file(tmp_path):
    r = run_cli("say", "Hello there.", env=_env(PULSE_SERVER=f"unix:{tmp_path}/no-such-socket"))
    one_line(r, 4, "no audio output device", "--out FILE.wav")


# -- reports and exports (output.py) -------------------------------------------------------------------------
@pytest.mark.parametrize("where, phrase", [
    ("missing", "does not exist"), ("folder", "is a folder"), ("read-only", "permission denied")])
def test_export_and_report_into_a_bad_place(tmp_path, home, where, phrase):
    texts = _history(home)
    target = {"missing": tmp_path / "no" / "x.md", "folder": tmp_path,
              "read-only": tmp_path / "ro" / "x.md"}[where]
    if where == "read-only":
        target.parent.mkdir(mode=0o555)
    one_line(run_cli("export", "--format", "md", "--out", str(target), unprivileged=True), 7, phrase)
    one_line(run_cli("report", "--out", str(target), unprivileged=True), 7, phrase)
    assert _transcripts(home) == texts


def test_export_onto_a_full_disk(tmpfs, home):
    _history(home)
    disk = tmpfs(64)
    _fill(disk)
    one_line(run_cli("export", "--format", "json", "--out", str(disk / "all.json")), 7, "the disk is full")
    assert not (disk / "all.json").exists()


def test_default_report_in_a_read_only_folder(tmp_path, home):
    """The report goes to the data folder by default; when that cannot be written, one line says to use --out."""
    _history(home)
    home.chmod(0o555)
    try:
        one_line(run_cli("report", unprivileged=True), 7, "the reports folder", "read-only", "--out")
    finally:
        home.chmod(0o755)


def test_report_says_where_it_went(tmp_path, home):
    _history(home)
    r = run_cli("report")
    assert r.returncode == 0, r.stderr
    written = home / "reports" / "voicecoach-report-1.html"
    assert f"wrote {written}" in r.stdout and written.is_file() and "--open" in r.stdout


def test_forget_asks_first_and_needs_yes_without_a_terminal(home):
    _history(home)
    r = run_cli("forget", "1")
    one_line(r, 1, "deletes session 1", "there is no terminal to ask on", "--yes")
    assert run_cli("history").stdout.count("\n") >= 2, "nothing was deleted"


# -- usage (done earlier; kept here so the matrix is whole) ----------------------------------------------------
@pytest.mark.parametrize("n", ["0", "-2"])
def test_question_count_must_be_positive(n):
    one_line(run_cli("practice", "--questions", n), 1, "--questions must be between 1 and")


def test_show_with_a_word_is_a_usage_error():
    one_line(run_cli("show", "abc"), 1, "is not a session number")


def test_help_names_exit_codes_and_environment():
    r = run_cli("--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    for phrase in ("exit codes:", "7 history or output file cannot be written", "VOICECOACH_HOME",
                   "VOICECOACH_CACHE", "VOICECOACH_PROMPTS"):
        assert phrase in text
    practice = " ".join(run_cli("practice", "--help").stdout.split())
    assert "(default: 5)" in practice and "(default: judged at each pause" in practice


def test_devices_lists_or_says_there_are_none():
    r = run_cli("devices")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert r.stdout.strip()


@pytest.mark.slow
def test_doctor_checks_prompts_and_history(tmp_path, home):
    _history(home)
    (home / "voicecoach.db").chmod(0o444)
    r = run_cli("doctor", "--engine", "faster-whisper", env=_env(VOICECOACH_PROMPTS=tmp_path / "nowhere"),
                unprivileged=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "[FAIL] prompts: VOICECOACH_PROMPTS points to" in r.stdout
    assert "[FAIL] history: cannot write the history database" in r.stdout and "chmod u+w" in r.stdout
    assert "engine openai-whisper: installed (not loaded" in r.stdout
    assert "voicecoach is ready" not in r.stdout


def test_escape_sequences_are_shown_inert():
    r = run_cli("evaluate", "--round", "hr", "--text", "I lead a team.\x1b[2J\x07 We shipped it.")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


# -- models, transcripts and long recordings ---------------------------------------------------------------------
class _Recording:
    """A Transcriber whose decoder only notes how much audio it was handed (no model needed)."""

    @staticmethod
    def make():
        from voicecoach.asr import Segment, Transcriber, Word

        class Fake(Transcriber):
            engine = "fake"

            def __init__(self):
                super().__init__("fake")
                self.lengths: list[int] = []

            def _decode(self, samples, options):
                self.lengths.append(len(samples))
                end = len(samples) / 16000
                return [Segment(" word.", (Word(" word", 0.0, min(0.5, end)),), 0.0, -0.2)]

        return Fake()


def test_long_recording_is_decoded_in_bounded_windows(speech_dir):
    from voicecoach.asr.timeline import WINDOW_S
    from voicecoach.audio.clip import AudioClip, load_audio

    parts = [load_audio(speech_dir / n).samples for n in ("jfk.flac", "stereo_diarization.wav", "hotwords.mp3")]
    gap = np.zeros(16000, np.float32)
    unit = np.concatenate([x for p in parts for x in (p, gap)])
    clip = AudioClip(np.tile(unit, 8), 16000)  # about 3 minutes
    t = _Recording.make()
    lines: list[str] = []
    t.progress = lines.append
    result = t.transcribe(clip)
    assert len(t.lengths) >= 5 and max(t.lengths) <= WINDOW_S * 16000 + 1
    assert lines[-1].startswith("transcribed") and f"part {len(t.lengths)} of {len(t.lengths)}" in lines[-1]
    starts = [w.start_s for w in result.words]
    assert starts == sorted(starts) and starts[-1] < clip.duration_s


def test_one_long_monologue_is_cut_at_its_quietest_moment():
    from voicecoach.asr.timeline import speech_windows
    from voicecoach.audio.vad import WINDOW_S as VAD_WINDOW_S
    from voicecoach.audio.vad import SpeechSpan

    probs = np.full(int(100 / VAD_WINDOW_S), 0.9, np.float32)
    probs[int(27 / VAD_WINDOW_S)] = 0.1  # a breath at 27 s
    windows = speech_windows([SpeechSpan(0.0, 100.0)], probs, 30.0)
    assert windows[0][0].end_s == pytest.approx(27.0, abs=0.05)
    assert all(sum(s.duration_s for s in w) <= 30.0 + 1e-6 for w in windows)
    assert windows[-1][-1].end_s == 100.0


def test_long_file_resampling_equals_whole_file_resampling():
    from scipy.signal import resample_poly

    from voicecoach.audio.clip import resample

    x = np.random.default_rng(5).standard_normal(44100 * 75).astype(np.float32)
    np.testing.assert_allclose(resample(x, 44100, 16000), resample_poly(x, 160, 441).astype(np.float32), atol=1e-5)


def _peak_rss_mb(seconds: int, tmp_path: Path, speech_dir: Path) -> float:
    """Transcribe a ``seconds`` long recording in a fresh process; its peak resident memory in MB."""
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from voicecoach.asr import make_transcriber\n"
        "from voicecoach.audio.clip import AudioClip, load_audio\n"
        f"parts = [load_audio(p).samples for p in {[str(speech_dir / n) for n in ('jfk.flac', 'hotwords.mp3')]!r}]\n"
        "unit = np.concatenate([x for p in parts for x in (p, np.zeros(16000, np.float32))])\n"
        f"n = {seconds} * 16000\n"
        "clip = AudioClip(np.tile(unit, n // len(unit) + 1)[:n], 16000)\n"
        "make_transcriber().transcribe(clip)\n"
        # VmHWM, not ru_maxrss: Linux's ru_maxrss keeps the size of the process that launched this one
        # (pytest, holding both engines), which would hide any growth.
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')) / 1024)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return float(r.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_memory_does_not_grow_with_length(tmp_path, speech_dir):
    short, long = _peak_rss_mb(60, tmp_path, speech_dir), _peak_rss_mb(360, tmp_path, speech_dir)
    print(f"peak RSS: 1 min {short:.0f} MB, 6 min {long:.0f} MB")
    # Before windowed decoding this grew by about 65 MB a minute (427 MB at 1 min, 950 MB at 10).
    assert long - short < 150


@pytest.mark.slow
def test_transcribe_shows_progress_on_a_long_file(tmp_path, speech_dir):
    from voicecoach.audio.clip import load_audio

    x = load_audio(speech_dir / "jfk.flac").samples
    with wave.open(str(tmp_path / "long.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes((np.tile(np.concatenate([x, np.zeros(8000, np.float32)]), 7) * 32767).astype("<i2").tobytes())
    r = run_cli("transcribe", str(tmp_path / "long.wav"))
    assert r.returncode == 0, r.stderr
    progress = [line for line in r.stderr.splitlines() if line.startswith("transcribed ")]
    assert len(progress) >= 2 and progress[-1].endswith(f"(part {len(progress)} of {len(progress)})")


# -- answers that are not English --------------------------------------------------------------------------------
def _espeak(tmp_path: Path, voice: str, text: str) -> Path:
    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is needed: apt-get install espeak-ng")
    out = tmp_path / f"{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
    return out


@pytest.mark.slow
def test_non_english_answer_gets_a_note(tmp_path):
    fr = _espeak(tmp_path, "fr", "Bonjour, je m'appelle Pierre. J'ai travaillé cinq ans dans une banque, et j'aime "
                                 "beaucoup travailler en équipe avec mes collègues.")
    r = run_cli("transcribe", str(fr))
    assert r.returncode == 0 and "note:" in r.stderr and "English answers only" in r.stderr, r.stderr
    es = _espeak(tmp_path, "es", "Hola, me llamo Carlos. Trabajé cinco años en una empresa de software y me gusta "
                                 "mucho trabajar en equipo.")
    one_line(run_cli("evaluate", "--round", "hr", str(es)), 3, "English answers only", "answer in English")
    en = _espeak(tmp_path, "en-us", "Hello, my name is Peter. I worked for five years in a bank, and I really enjoy "
                                    "working in a team with my colleagues.")
    r = run_cli("transcribe", str(en))
    assert r.returncode == 0 and "note:" not in r.stderr


# -- scripts/main.sh and the shared recordings --------------------------------------------------------------------
def _demo_filter(*args: str) -> subprocess.CompletedProcess:
    script = (ROOT / "scripts" / "main.sh").read_text()
    code = script.split("<<'PY'\n", 1)[1].split("\nPY\n", 1)[0]
    return subprocess.run([sys.executable, "-", *args], input=code, capture_output=True, check=False, text=True,
                          cwd=ROOT)


def test_main_sh_passes_the_demo_its_arguments_and_names_the_rest():
    r = _demo_filter("--round", "hr", "--engine", "openai-whisper", "--role", "sales", "--json-out=/tmp/s.json",
                     "--no-keep-audio", "--questions", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\0")[:-1] == ["--engine", "openai-whisper", "--json-out=/tmp/s.json", "--no-keep-audio"]
    assert r.stderr.strip() == ("(the demo ignores: --round hr --role sales --questions 3; they apply to "
                                "`voicecoach practice`)")
    assert _demo_filter().stdout == "" and _demo_filter().stderr == ""


def test_missing_shared_recordings_say_where_they_were_looked_for(tmp_path):
    test = tmp_path / "test_needs_speech.py"
    test.write_text("def test_it(speech_dir):\n    pass\n")
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
                       capture_output=True, text=True, cwd=tmp_path, check=False,
                       env=_env(VOICECOACH_SPEECH_DIR=tmp_path / "nowhere", PYTHONPATH=ROOT / "tests"))
    assert r.returncode == 1
    assert f"VOICECOACH_SPEECH_DIR points to {tmp_path / 'nowhere'}" in r.stdout
    assert "../shared/data/speech" in r.stdout


# == The second sweep (issue 19) ==================================================================================
# Each row of the issue is a test below (the signals are in test_kill.py); siblings the sweep did not try sit
# beside them.

def _device(folder: Path, name: str = "full", major: int = 1, minor: int = 7, block: bool = False) -> Path:
    """A device node of our own (``mknod``), never the machine's: c 1 7 is what /dev/full is."""
    import stat

    folder.mkdir(parents=True, exist_ok=True)
    node = folder / name
    try:
        os.mknod(node, 0o666 | (stat.S_IFBLK if block else stat.S_IFCHR), os.makedev(major, minor))
    except PermissionError:
        pytest.skip("making a device node needs root (mknod)")
    return node


def _is_char_device(path: Path) -> bool:
    import stat

    return stat.S_ISCHR(os.lstat(path).st_mode)


# -- writing files: special files are never replaced ---------------------------------------------------------------
@pytest.mark.parametrize("command", [
    ["report", "--out"], ["export", "--format", "md", "--out"], ["say", "Hello there.", "--out"]])
def test_a_device_is_refused_not_replaced(tmp_path, home, command):
    _history(home)
    full = _device(tmp_path / "dev")
    r = run_cli(*command, str(full))
    one_line(r, 7, str(full), "it is a device", "never writes into or replaces one")
    assert _is_char_device(full) and r.stdout == ""


def test_a_link_to_a_device_is_refused(tmp_path, home):
    _history(home)
    link = tmp_path / "report.html"
    link.symlink_to(_device(tmp_path / "dev", "null", 1, 3))
    one_line(run_cli("report", "--out", str(link)), 7, "a link to", "it is a device")
    assert link.is_symlink() and _is_char_device(link.resolve())


def test_a_block_device_is_refused(tmp_path, home):
    _history(home)
    disk = _device(tmp_path / "dev", "loop9", 7, 9, block=True)
    one_line(run_cli("export", "--out", str(disk)), 7, "it is a device (block special file)", "leave out --out")
    import stat

    assert stat.S_ISBLK(os.lstat(disk).st_mode)


@pytest.mark.parametrize("command", [["export", "--out"], ["report", "--out"], ["say", "Hello there.", "--out"]])
def test_a_named_pipe_is_refused_at_once(tmp_path, home, command):
    _history(home)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = run_cli(*command, str(fifo), timeout=60)  # never opened, so no wait for a reader
    one_line(r, 7, "it is a named pipe (FIFO)")
    import stat

    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_refused(tmp_path, home):
    import socket

    _history(home)
    path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    try:
        one_line(run_cli("export", "--out", str(path)), 7, "it is a socket")
    finally:
        s.close()


@pytest.mark.parametrize("command", [["report", "--out"], ["export", "--format", "md", "--out"]])
def test_a_symlink_is_written_through(tmp_path, home, command):
    _history(home)
    target = tmp_path / "real" / "file.out"
    target.parent.mkdir()
    target.write_text("old contents")
    target.chmod(0o640)
    link = tmp_path / "link.out"
    link.symlink_to(target)
    r = run_cli(*command, str(link))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and link.resolve() == target  # the link stays a link
    written = target.read_text()  # and its target holds the new file
    assert "Why do you want to work here?" in written and "old contents" not in written
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # with the permissions it had
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.out"]  # no temporary file left


def test_a_dangling_symlink_makes_its_target(tmp_path, home):
    _history(home)
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "new.md")
    assert run_cli("export", "--format", "md", "--out", str(link)).returncode == 0
    assert link.is_symlink() and (tmp_path / "new.md").read_text().startswith("#")


def test_json_out_onto_a_device_is_refused_before_the_session(tmp_path, home):
    full = _device(tmp_path / "dev")
    r = run_cli("demo", "--silent", "--json-out", str(full), timeout=60)
    one_line(r, 7, "the --json-out file", "it is a device", "--json-out ~/session.json")
    assert _is_char_device(full) and not home.exists() or not (home / "voicecoach.db").exists()


def test_recorder_never_replaces_a_fifo(tmp_path, monkeypatch):
    """A --json-out that becomes a FIFO mid-session (or a path checked by another front end): the session
    goes on into the fallback file, and the FIFO stays."""
    import stat
    import tempfile

    from voicecoach.interview.recorder import Recorder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fifo = tmp_path / "session.json"
    os.mkfifo(fifo)
    rec = Recorder("practice", {"round": "hr"}, json_out=fifo)
    rec.start()
    rec.save(_answer(1, "I led the team."))
    rec.finish("completed")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert "named pipe" in rec.storage_error.message
    assert json.loads(rec.fallback.read_text())["answers"][0]["transcript"] == "I led the team."


# -- writing files: a failure is the real one, in one line --------------------------------------------------------
def test_report_in_a_read_only_current_folder_on_a_read_only_mount(tmpfs, home):
    _history(home)
    disk = tmpfs(256)
    _remount_read_only(disk)
    r = subprocess.run([sys.executable, "-m", "voicecoach", "report", "--out", "report.html"], capture_output=True,
                       text=True, cwd=disk, env=_env(PYTHONPATH=ROOT))
    one_line(r, 7, "report.html", "read-only file system")


def test_report_with_a_name_too_long(tmp_path, home):
    _history(home)
    r = run_cli("report", "--out", str(tmp_path / ("r" * 300 + ".html")))
    one_line(r, 7, "a name in it is too long (305 bytes; this file system allows 255)", "use a shorter name")
    assert list(tmp_path.iterdir()) == [home]
    longest = tmp_path / ("r" * 250 + ".html")  # as long as a name can be: the temporary name must not be longer
    assert run_cli("report", "--out", str(longest)).returncode == 0 and longest.is_file()


@pytest.mark.parametrize("how", ["a name too long", "a path too long"])
def test_data_folder_path_too_long(tmp_path, how):
    home = tmp_path / ("d" * 300) if how == "a name too long" else tmp_path.joinpath(*["d" * 200] * 25)
    r = run_cli("history", env=_env(VOICECOACH_HOME=home))
    one_line(r, 7, "cannot write the data folder", "the path is too long" if how == "a path too long"
             else "a name in it is too long (300 bytes", "VOICECOACH_HOME")


def test_a_circle_of_links_is_named(tmp_path, home):
    _history(home)
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.symlink_to(b)
    b.symlink_to(a)
    one_line(run_cli("export", "--format", "md", "--out", str(a)), 7, "go round in a circle")


# -- standard output that cannot be written -----------------------------------------------------------------------
@pytest.mark.parametrize("command", [["history"], ["show", "1"], ["export"], ["questions"], ["history", "--json"]])
def test_a_full_standard_output_is_one_line(tmp_path, home, command):
    _history(home)
    with open(_device(tmp_path / "dev"), "wb") as full:
        r = subprocess.run([sys.executable, "-m", "voicecoach", *command], stdout=full, stderr=subprocess.PIPE,
                           text=True, cwd=ROOT, timeout=120)
    one_line(r, 7, "cannot write to standard output", "is full")


@pytest.mark.parametrize("command", ["history", "export --format csv", "show 1"])
def test_a_closed_standard_output_is_one_line(home, command):
    _history(home)
    r = subprocess.run(["bash", "-c", f"exec {sys.executable} -m voicecoach {command} >&-"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    one_line(r, 7, "cannot write to standard output: it is closed")
    assert _transcripts(home)  # and nothing was written into the history in its place


def test_a_closed_standard_error_changes_nothing(home):
    _history(home)
    r = subprocess.run(["bash", "-c", f"exec {sys.executable} -m voicecoach history 2>&-"], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and "completed" in r.stdout
    assert len(_transcripts(home)) == 3


# -- input at the edges: undecodable bytes, any locale, blank text, ids, encodings, non-regular files ---------------
_LATIN1_CAFE = b"I love the caf\xe9 team and I mentored two colleagues last year.".decode("utf-8", "surrogateescape")
_NO_DEVICES = {"PULSE_SERVER": "unix:/nonexistent-voicecoach-test"}


@pytest.mark.parametrize("locale_env", [{}, {"LC_ALL": "C"},
                                        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}])
@pytest.mark.parametrize("option", ["--text", "--question"])
def test_undecodable_bytes_in_text_arguments(locale_env, option):
    args = (["--text", _LATIN1_CAFE] if option == "--text" else
            ["--question", b"Pourquoi notre caf\xe9?".decode("utf-8", "surrogateescape"), "--text", "I led a team."])
    r = run_cli("evaluate", "--round", "hr", *args, "--json", env=_env(**locale_env))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert f"voicecoach: note: {option} is not UTF-8 text: read it as Latin-1" in r.stderr
    out = json.loads(r.stdout)
    assert "café" in (out["transcript"] if option == "--text" else out["question"])


def test_utf8_arguments_in_an_ascii_locale(tmp_path):
    """An ASCII locale (LC_ALL=C with Python's UTF-8 mode off): UTF-8 arguments are read as UTF-8, and what the
    terminal cannot show is replaced, not a crash."""
    env = _env(LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    r = run_cli("evaluate", "--round", "hr", "--text", "I led the café team — and we cut waiting times by a third.",
                env=env)
    assert r.returncode == 0 and "Traceback" not in r.stderr and "note:" not in r.stderr, r.stderr[-2000:]
    assert "caf? team" in r.stdout or "café" in r.stdout
    r = run_cli("evaluate", "--round", "hr", "--text", "I led the café team and we cut waiting times.", "--json",
                env=env)
    assert json.loads(r.stdout)["transcript"].startswith("I led the café team")  # escaped, so still exact


def test_undecodable_bytes_in_a_role_and_in_spoken_text(tmp_path):
    r = run_cli("questions", "--role", b"infirmi\xe8re".decode("utf-8", "surrogateescape"))
    one_line(r, 1, "no occupation called 'infirmière'")
    out = tmp_path / "q.wav"
    r = run_cli("say", b"Bienvenue au caf\xe9.".decode("utf-8", "surrogateescape"), "--voice", "en-us", "--out",
                str(out))
    assert r.returncode == 0 and out.stat().st_size > 1000, r.stderr


def test_undecodable_bytes_in_a_typed_answer(home):
    answer = b"I love the caf\xe9 team and I mentored two colleagues last year.\n\n"
    r = subprocess.run([sys.executable, "-m", "voicecoach", "practice", "--typed", "--questions", "1", "--round", "hr"],
                       input=answer, capture_output=True, cwd=ROOT, timeout=300, env=_env(**_NO_DEVICES))
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-2000:]
    kept = json.loads(run_cli("history", "--json").stdout)
    assert kept[0]["summary"]["answered"] == 1
    assert "café" in Store(home).session(1).answers[0].transcript


def test_the_evaluator_takes_a_lone_surrogate():
    """Below the front ends: text with an undecodable byte kept as a surrogate reaches the tokenizer safely."""
    from voicecoach.rules.evaluate import evaluate

    assert evaluate(_LATIN1_CAFE, "hr").suits in ("hr", "hiring_manager", "both", "neither")


@pytest.mark.parametrize("command", ["show", "report", "forget"])
@pytest.mark.parametrize("number", [str(2**64), str(2**63), "9" * 40])
def test_session_numbers_beyond_64_bits(home, command, number):
    _history(home)
    r = run_cli(command, number, *(["--yes"] if command == "forget" else []))
    one_line(r, 1, "there is no session", "session numbers go up to 9223372036854775807")
    assert len(_transcripts(home)) == 3


@pytest.mark.parametrize("number", ["²", "١", "0", "-1", "1.5"])
def test_session_numbers_that_are_not_numbers(home, number):
    _history(home)
    one_line(run_cli("show", number), 1, "is not a session number")


@pytest.mark.parametrize("text", ["", "   ", "\t\n", " ... ?! "])
def test_blank_text_is_a_usage_error(text):
    one_line(run_cli("evaluate", "--round", "hr", "--text", text), 1, "--text holds no words", "--text")


def test_blank_question_and_blank_speech_are_usage_errors(tmp_path):
    one_line(run_cli("evaluate", "--round", "hr", "--question", "  ", "--text", "I led a team."), 1,
             "--question holds no words")
    one_line(run_cli("say", "   ", "--out", str(tmp_path / "q.wav")), 1, "nothing to say")


@pytest.mark.parametrize("writer", ["none", "died"])
@pytest.mark.parametrize("command", ["transcribe", "evaluate"])
def test_audio_from_a_named_pipe_is_refused_at_once(tmp_path, speech_dir, writer, command):
    fifo = tmp_path / "answer.wav"
    os.mkfifo(fifo)
    if writer == "died":  # a writer that sent a little and went away
        subprocess.Popen(["bash", "-c", f"head -c 2000 {speech_dir / 'jfk.flac'} > {fifo}"])
    args = ["evaluate", "--round", "hr", str(fifo)] if command == "evaluate" else ["transcribe", str(fifo)]
    one_line(run_cli(*args, timeout=60), 3, "is a named pipe (FIFO), not an audio file", "save the recording")


def test_audio_from_a_device_is_refused(tmp_path):
    zero = _device(tmp_path / "dev", "zero", 1, 5)
    one_line(run_cli("transcribe", str(zero), timeout=60), 3, "is a device, not an audio file")


def test_job_advert_from_a_device_or_a_silent_pipe(tmp_path):
    zero = _device(tmp_path / "dev", "zero", 1, 5)
    one_line(run_cli("practice", "--typed", "--job", str(zero), timeout=60, env=_env(**_NO_DEVICES)), 2,
             "is a device, not a document")
    fifo = tmp_path / "advert"
    os.mkfifo(fifo)
    one_line(run_cli("practice", "--typed", "--cv", str(fifo), timeout=60, env=_env(**_NO_DEVICES)), 2,
             "a named pipe with nothing written to it")


def test_job_advert_read_from_a_pipe_with_a_writer(tmp_path):
    """``--job <(curl ...)``: a pipe someone writes to is read (with a bound on size and on silence)."""
    import threading

    from voicecoach.tailoring.documents import read_document

    fifo = tmp_path / "advert"
    os.mkfifo(fifo)
    advert = "Staff Nurse, Ward 7\nWe value compassion.\nYou will assess patients and keep records in Datix.\n"

    def write() -> None:
        with open(fifo, "w") as f:
            f.write(advert)

    t = threading.Thread(target=write)
    t.start()
    time.sleep(0.2)
    assert read_document(str(fifo)) == advert
    t.join()


ADVERT = ("Staff Nurse, Ward 7\n\nWe value compassion, openness and teamwork.\n\nYou will:\n- assess patients and "
          "plan their care\n- give medicines safely and keep records in Datix\n- escalate a deteriorating patient "
          "using NEWS2\n\nWe are looking for a nurse with NMC registration and a café culture of kindness.\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "cp1252"])
def test_adverts_in_other_encodings_are_read(tmp_path, encoding):
    from voicecoach.tailoring.documents import read_document
    from voicecoach.tailoring.job import job_profile

    f = tmp_path / "advert.txt"
    f.write_bytes(ADVERT.encode(encoding))
    text = read_document(str(f))
    assert text == ADVERT
    assert {"Datix", "NEWS2"} <= {t.text for t in job_profile(text).terms}


def test_a_utf16_advert_from_the_command_line(tmp_path):
    f = tmp_path / "advert.txt"
    f.write_bytes(ADVERT.encode("utf-16"))  # Notepad's "Unicode"
    r = run_cli("practice", "--typed", "--questions", "1", "--job", str(f), input="", env=_env(**_NO_DEVICES))
    assert r.returncode == 0 and "not a text" not in r.stderr, r.stderr[-2000:]
    assert "Key terms in the job advert for Staff Nurse, Ward 7" in r.stderr and "Datix" in r.stderr


@pytest.mark.parametrize("content, phrase", [
    (b"PK\x03\x04" + bytes(range(256)) * 8, "it looks like a ZIP archive: a Word .docx"),
    (b"\xd0\xcf\x11\xe0" + bytes(range(256)) * 8, "an old Word .doc"),
    (bytes(range(256)) * 8, "is not a text, Markdown or PDF document")])
def test_documents_that_are_not_text_are_named(tmp_path, content, phrase):
    f = tmp_path / "advert.docx"
    f.write_bytes(content)
    one_line(run_cli("practice", "--typed", "--job", str(f), env=_env(**_NO_DEVICES)), 2, phrase)


FRENCH_ADVERT = """Responsable de salle – Brasserie Le Marché, Lyon

Nous recherchons un responsable de salle expérimenté pour gérer l'équipe du service.

Vos missions :
- Gérer l'encaissement sur la caisse Zelty et la clôture journalière
- Faire respecter les règles d'hygiène HACCP
- Former les nouveaux serveurs et préparer les plannings

Nous valorisons la convivialité, le respect et l'esprit d'équipe.
"""


def test_a_french_advert_keeps_whole_words_and_says_it_is_not_english(tmp_path):
    from voicecoach.tailoring.job import job_profile

    terms = [t.text for t in job_profile(FRENCH_ADVERT).terms]
    words = set(" ".join(terms).split())  # no word broken at an accent ("r gles", "hygi ne", "cl ture")
    assert not words & {"r", "gles", "hygi", "ne", "cl", "ture", "journali", "re"}, terms
    assert any("hygiène" in t or "clôture" in t for t in terms), terms
    f = tmp_path / "annonce.txt"
    f.write_text(FRENCH_ADVERT)
    r = run_cli("practice", "--typed", "--questions", "1", "--job", str(f), input="", env=_env(**_NO_DEVICES))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "note: the job advert does not look like English" in r.stderr and "English documents only" in r.stderr


def test_an_english_advert_gets_no_language_note():
    from voicecoach.tailoring.documents import english_note

    assert english_note(ADVERT * 2) is None
    assert english_note((ROOT / "prompts" / "demo" / "job_advert.md").read_text()) is None


# -- devices named right, and no native abort ------------------------------------------------------------------
@pytest.fixture(scope="module")
def pulse():
    """A private PulseAudio server with two speakers (null sinks); their monitors are microphones."""
    from support.virtual_audio import VirtualAudio

    with VirtualAudio(("vc_one", "vc_two")) as va:
        yield va


@pytest.fixture(scope="module")
def empty_pulse():
    """A PulseAudio server with no speaker and no microphone at all (PortAudio still lists 'pulse' and 'default')."""
    from support.virtual_audio import VirtualAudio

    with VirtualAudio(()) as va:
        yield va


def _no_abort(r) -> None:
    assert r.returncode != 134 and "terminate called" not in r.stderr, r.stderr[-2000:]


@pytest.mark.parametrize("device", ["nosuchmic", "99", "-1"])
def test_practice_names_a_wrong_input_device_and_lists_the_real_ones(pulse, device):
    r = run_cli("practice", "--questions", "1", f"--input-device={device}",
                env=pulse.env(sink="vc_one", source="vc_one.monitor"), timeout=120)
    _no_abort(r)
    line = one_line(r, 4, "the input devices are:", "'pulse'", "'default'", "--input-device")
    assert "no microphone found" not in line and "plug one in" not in line
    assert (f"no input device matches {device!r}" if not device.lstrip("-").isdigit()
            else f"there is no input device number {device}") in line


@pytest.mark.parametrize("command", [["demo"], ["say", "Hello there."], ["practice", "--questions", "1"]])
@pytest.mark.parametrize("device", ["99", "nosuchspeaker"])
def test_a_wrong_output_device_is_named_with_the_list_for_every_command(pulse, command, device):
    r = run_cli(*command, "--output-device", device, env=pulse.env(sink="vc_one", source="vc_one.monitor"),
                timeout=300)
    _no_abort(r)
    one_line(r, 4, "the output devices are:", "'default'", "--output-device")
    assert "Summary" not in r.stdout  # the demo no longer goes on silently (it exited 0)


def test_a_device_named_right_is_used(pulse, tmp_path):
    r = run_cli("say", "Hello there.", "--output-device", "pulse", env=pulse.env(sink="vc_two"), timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


def test_practice_on_a_sound_server_with_no_devices(empty_pulse):
    r = run_cli("practice", "--questions", "1", env=empty_pulse.env(), timeout=300)
    _no_abort(r)
    one_line(r, 4, "cannot record from the default input device", "pactl list short sources", "voicecoach demo")
    assert "Expression" not in r.stderr and "ALSA lib" not in r.stderr  # PortAudio's own noise stays out


def test_typed_practice_on_a_sound_server_with_no_devices_shows_the_questions(empty_pulse):
    r = run_cli("practice", "--typed", "--questions", "1", env=empty_pulse.env(), input="", timeout=300)
    _no_abort(r)
    assert r.returncode == 0 and "Question 1/1" in r.stdout, r.stderr[-2000:]


def test_doctor_fails_on_a_sound_server_with_no_devices(empty_pulse):
    r = run_cli("doctor", env=empty_pulse.env(), timeout=300)
    assert r.returncode == 4, (r.returncode, r.stdout, r.stderr[-2000:])
    assert "voicecoach is ready" not in r.stdout
    assert "[FAIL] microphone (input device): cannot record" in r.stdout
    assert "[FAIL] speaker (output device): cannot play" in r.stdout
    assert "`voicecoach demo` and `voicecoach practice --typed` work without them" in r.stdout


def test_doctor_is_ready_with_devices(pulse):
    r = run_cli("doctor", env=pulse.env(sink="vc_one", source="vc_one.monitor"), timeout=300)
    assert r.returncode == 0 and "voicecoach is ready" in r.stdout, r.stdout + r.stderr[-2000:]


@pytest.mark.slow
def test_the_sound_server_dying_during_the_introduction_is_not_a_native_abort(tmp_path, home):
    """The server goes away while the model loads on its thread: one line and exit 4, not exit 134."""
    import sqlite3

    from support.virtual_audio import VirtualAudio

    va = VirtualAudio(("vc_gone",)).__enter__()
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", "practice", "--questions", "1"], cwd=ROOT,
                         env=va.env(sink="vc_gone", source="vc_gone.monitor"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline, started = time.monotonic() + 120, False
        while time.monotonic() < deadline and not started and p.poll() is None:  # the session has begun
            time.sleep(0.05)
            try:
                started = sqlite3.connect(home / "voicecoach.db").execute("SELECT count(*) FROM sessions").fetchone()[0]
            except sqlite3.OperationalError:
                pass
        time.sleep(1.0)  # the introduction is playing; the model is still loading
    finally:
        va.__exit__(None, None, None)
    out, err = p.communicate(timeout=300)
    r = subprocess.CompletedProcess(p.args, p.returncode, out, err)
    _no_abort(r)
    assert p.returncode == 4, (p.returncode, err[-2000:])
    assert "0 answer(s) kept (session 1" in err
    assert json.loads(run_cli("history", "--json").stdout)[0]["status"] == "device_failed"


_UNDERRUN = r"""
import sys, time
if sys.argv[1] == "voicecoach":
    from voicecoach.audio.devices import alsa_messages, import_sounddevice
    sd = import_sounddevice()
else:
    import sounddevice as sd
    alsa_messages = [None]
calls = [0]
def slow(out, frames, t, status):  # a callback that falls behind now and then: ALSA underruns
    calls[0] += 1
    out.fill(0)
    if calls[0] % 3 == 0:
        time.sleep(0.3)
with sd.OutputStream(samplerate=16000, channels=1, callback=slow, blocksize=256, latency="low"):
    time.sleep(3)
print(alsa_messages[0])
"""


def test_alsa_underrun_lines_stay_off_the_screen(pulse):
    env = pulse.env(sink="vc_one")
    bare = subprocess.run([sys.executable, "-c", _UNDERRUN, "bare"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=60)
    assert "underrun occurred" in bare.stderr  # what the sweep saw in the interview's screen
    ours = subprocess.run([sys.executable, "-c", _UNDERRUN, "voicecoach"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert ours.returncode == 0 and "ALSA lib" not in ours.stderr and "underrun" not in ours.stderr, ours.stderr
    assert int(ours.stdout.strip()) >= 1  # counted instead


# -- history versions and concurrency -----------------------------------------------------------------------------
def _newer(home: Path, version: int = 99) -> None:
    import sqlite3

    db = sqlite3.connect(home / "voicecoach.db")
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def test_a_history_from_a_newer_voicecoach_is_read_but_never_written(home):
    texts = _history(home)
    _newer(home)
    before = _sha(home / "voicecoach.db")
    r = run_cli("history")
    assert r.returncode == 0 and "completed" in r.stdout
    one_line(r, 0, "was written by a newer voicecoach (schema version 99; this one knows up to 4)", "only reads it")
    assert json.loads(run_cli("export").stdout)[0]["status"] == "completed"
    one_line(run_cli("forget", "--all", "--yes"), 7, "written by a newer voicecoach", "upgrade voicecoach")
    one_line(run_cli("demo", "--silent", timeout=120), 7, "written by a newer voicecoach", "VOICECOACH_HOME")
    one_line(run_cli("practice", "--typed", "--questions", "1", input="", env=_env(**_NO_DEVICES)), 7,
             "written by a newer voicecoach")
    assert _sha(home / "voicecoach.db") == before  # not a byte written: no migration, no "interrupted" marks
    assert _transcripts(home) == texts


@pytest.mark.slow
def test_doctor_fails_on_a_history_from_a_newer_voicecoach(home):
    _history(home)
    _newer(home, 5)
    r = run_cli("doctor", timeout=300)
    assert r.returncode == 1 and "[FAIL] history: the history database" in r.stdout and "newer voicecoach" in r.stdout


@pytest.mark.slow
def test_forget_while_a_session_runs_is_refused_and_nothing_is_orphaned(tmp_path, home):
    import sqlite3

    _history(home)  # session 1, finished
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", "demo", "--silent", "--realtime"], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline, answered = time.monotonic() + 240, 0
    while time.monotonic() < deadline and not answered:
        time.sleep(0.3)
        try:
            answered = sqlite3.connect(home / "voicecoach.db").execute(
                "SELECT count(*) FROM answers WHERE session_id = 2 AND status = 'answered'").fetchone()[0]
        except sqlite3.OperationalError:
            pass
    try:
        for args in (["forget", "--all", "--yes"], ["forget", "2", "--yes"]):
            line = one_line(run_cli(*args), 1, "session 2 (process", "is still running, so nothing was forgotten",
                            "end the session first")
            assert f"process {p.pid}" in line
        assert run_cli("forget", "1", "--yes").returncode == 0  # a finished session can go meanwhile
    finally:
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "FOREIGN KEY" not in err and "doctor" not in err, err[-2000:]
    kept = json.loads(run_cli("history", "--json").stdout)
    assert [s["id"] for s in kept] == [2] and kept[0]["summary"]["answered"] >= 1
    db = sqlite3.connect(home / "voicecoach.db")
    paths = {r[0] for r in db.execute("SELECT audio_path FROM answers WHERE audio_path IS NOT NULL")}
    on_disk = {str(f.relative_to(home)) for f in (home / "audio").rglob("*") if f.is_file()}
    assert on_disk and on_disk <= paths | {p.replace(".ogg", ".wav") for p in paths}  # no take without its row
    assert run_cli("forget", "--all", "--yes").returncode == 0  # once it has ended
    assert list((home / "audio").iterdir()) == []


def test_a_session_deleted_under_a_running_session_goes_on_into_the_fallback(tmp_path, home, monkeypatch):
    """Another tool (an older voicecoach, sqlite3) deletes the running session: its next answer is kept in the
    fallback JSON with its take beside it, and nothing is left in the history folder without a row."""
    import sqlite3
    import tempfile

    from voicecoach.interview.recorder import Recorder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rec = Recorder("practice", {"round": "hr"}, store=Store(home))
    rec.start()
    audio = np.sin(np.arange(16000) / 9).astype(np.float32) * 0.1
    rec.save(_answer(1, "first answer about my team"), audio)
    db = sqlite3.connect(home / "voicecoach.db")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM sessions")
    db.commit()
    second = rec.save(_answer(2, "second answer about my values"), audio)
    rec.finish("completed")
    assert "no longer in the history" in rec.storage_error.message and "FOREIGN KEY" not in rec.storage_error.message
    kept = json.loads(rec.fallback.read_text())
    assert [a["transcript"] for a in kept["answers"]] == ["first answer about my team", "second answer about my values"]
    assert Path(second.audio_path).parent == rec.fallback.parent and Path(second.audio_path).is_file()
    assert not (home / "audio" / "session-1" / "q2.wav").exists()


# -- terminal conventions -----------------------------------------------------------------------------------------
def _on_a_terminal(args: list[str], env: dict, input: bytes = b"") -> str:
    """Run the CLI with its standard output on a pseudo-terminal; returns what the terminal received."""
    import pty

    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", *args], stdout=slave, stdin=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT, env=env)
    os.close(slave)
    p.stdin.write(input)
    p.stdin.close()
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        got += chunk
    p.wait(timeout=300)
    os.close(master)
    assert p.returncode == 0, p.stderr.read()[-2000:]
    return got.decode("utf-8", "replace")


def _evaluated_history(home: Path) -> None:
    from voicecoach.rules.evaluate import evaluate

    store = Store(home)
    sid = store.start_session(SessionRecord(now_iso(), "practice", settings={"round": "hr"}))
    text = "I care about honest feedback, and I mentored two colleagues and organised our team retrospectives."
    store.save_answer(sid, _answer(1, text).with_(evaluation=evaluate(text, "hr")))
    store.end_session(sid, "completed")


@pytest.mark.parametrize("setting", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_show_honours_no_color_and_a_dumb_terminal(home, setting):
    _evaluated_history(home)
    plain = _on_a_terminal(["show", "1"], _env(**{"TERM": "xterm", **setting}))
    assert "\x1b[" not in plain and "[" in plain  # evidence in [brackets] instead
    coloured = _on_a_terminal(["show", "1"], _env(TERM="xterm"))
    assert "\x1b[4m" in coloured  # the control: colour where it is welcome


def test_the_live_view_keeps_cursor_codes_off_a_dumb_terminal(home):
    env = _env(TERM="dumb", **_NO_DEVICES)
    dumb = _on_a_terminal(["practice", "--typed", "--questions", "1", "--round", "hr"], env,
                          b"I mentored two colleagues and organised our team retrospectives.\n\n")
    assert "Question 1/1" in dumb and "\x1b" not in dumb
    live = _on_a_terminal(["practice", "--typed", "--questions", "1", "--round", "hr"],
                          _env(TERM="xterm", **_NO_DEVICES),
                          b"I mentored two colleagues.\n\n")
    assert "\x1b[2K" in live  # the control: the live status line on a real terminal


# -- a read-only home: caches that cannot be written ------------------------------------------------------------------
def _read_only_home(tmp_path: Path) -> dict:
    ro = tmp_path / "rohome"
    ro.mkdir(mode=0o555)
    env = {k: v for k, v in os.environ.items() if k not in ("VOICECOACH_CACHE", "XDG_CACHE_HOME")}
    return {**env, "HOME": str(ro)}


def test_evaluate_with_a_read_only_home(tmp_path):
    r = run_cli("evaluate", "--round", "hr", "--text", "I mentored two colleagues and organised our retrospectives.",
                "--json", env=_read_only_home(tmp_path), unprivileged=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert json.loads(r.stdout)["suits"]
    one_line(r, 0, "cannot keep converted models in", "VOICECOACH_CACHE")
    assert "telemetry" not in r.stderr


@pytest.mark.slow
def test_openai_whisper_with_a_read_only_home(tmp_path, speech_dir):
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--engine", "openai-whisper",
                env=_read_only_home(tmp_path), unprivileged=True, timeout=600)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "ask not what your country can do for you" in r.stdout.lower()
    assert "converted in memory on every run; set VOICECOACH_CACHE" in r.stderr


def test_onnx_runtime_telemetry_is_off(tmp_path):
    """ONNX Runtime 1.29+ writes a device id under ~/.cache/Microsoft and uploads events unless told not to:
    nothing may leave the machine."""
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    r = run_cli("evaluate", "--round", "hr", "--text", "I organised our team retrospectives.", env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert not (tmp_path / ".cache" / "Microsoft").exists()


# -- bounded: a long history's report ----------------------------------------------------------------------------
def _long_history(home: Path, sessions: int) -> None:
    """``sessions`` sessions of the same three evaluated questions (the worst case for attempts), a day apart."""
    from voicecoach.rules.evaluate import evaluate

    texts = {
        "gen-hr-why-us": ("hr", "I have followed your company for years because of its honest products, and in my "
                          "team I organise our knowledge sharing sessions and mentored two new colleagues."),
        "swe-hm-performance": ("hiring_manager", "Our checkout service was slow, so I profiled it, added a cache in "
                               "front of the pricing service and rewrote two queries; response time dropped from nine "
                               "hundred milliseconds to one hundred and eighty."),
        "gen-hr-questions-for-us": ("hr", "What is the salary range for this role, and how soon could I be promoted?"),
    }
    evaluated = {qid: evaluate(text, rnd) for qid, (rnd, text) in texts.items()}
    store = Store(home)
    take = home / "take.ogg"
    take.write_bytes(b"OggS" + bytes(40_000))  # a recording's size, for the audio budget
    for n in range(sessions):
        sid = store.start_session(SessionRecord("2026-01-01T10:00:00+00:00", "demo", settings={"round": "mixed"}))
        for i, (qid, (rnd, text)) in enumerate(texts.items(), 1):
            store.save_answer(sid, Answer(i, qid, rnd, "generic", f"Question {qid}?", "answered", text,
                                          evaluation=evaluated[qid], audio_path=str(take),
                                          created_at=f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00"))
        store.end_session(sid, "completed")
    store.close()


def test_report_all_of_500_sessions_is_bounded(tmp_path, home):
    """The sweep: 500 sessions made a 142 MB report (every card listed every attempt) in 172 s. The size is a
    test; the time is measured by scripts/bench_report.py."""
    _long_history(home, 500)
    out = tmp_path / "all.html"
    r = run_cli("report", "--all", "--out", str(out), timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    html_text = out.read_text()
    assert out.stat().st_size < 10_000_000, out.stat().st_size
    assert html_text.count('class="card"') == 1500  # every answer still has its card
    assert html_text.count("<details id=\"q-") == 3  # the attempts at each question, listed once
    assert "Attempt 500 of 500 at this question" in html_text and "Attempt 1 of 500" in html_text
    assert html_text.count("data:audio/ogg") < 1500 and "not embedded: the report keeps the newest" in html_text


def test_report_cards_become_brief_beyond_the_budget(home, monkeypatch):
    from voicecoach.history import report

    _long_history(home, 40)
    sessions = Store(home, read_only_ok=True).sessions()
    monkeypatch.setattr(report, "CARD_BUDGET_CHARS", 20_000)
    html_text = report.render_html(sessions, sessions)
    assert "in full: <code>voicecoach report 1</code>" in html_text  # the oldest are brief
    assert "in full: <code>voicecoach report 40</code>" not in html_text  # the newest in full
    assert html_text.count('class="card"') == 120


# -- bounded: long recordings --------------------------------------------------------------------------------------
def test_a_file_read_in_blocks_equals_the_file_read_whole(tmp_path, speech_dir):
    """What a long recording goes through (a block at a time: resampling, voice activity) gives exactly what the
    whole file gives."""
    from voicecoach.audio.clip import AudioClip, load_audio, open_audio, resample, resample_stream
    from voicecoach.audio.vad import SileroVad

    x = np.random.default_rng(7).standard_normal(44100 * 70).astype(np.float32) * 0.1
    chunks = [x[i: i + 12345] for i in range(0, len(x), 12345)]
    np.testing.assert_array_equal(np.concatenate(list(resample_stream(chunks, 44100, 16000))),
                                  resample(x, 44100, 16000))
    stereo = tmp_path / "stereo.wav"
    import soundfile

    soundfile.write(stereo, np.stack([x, x * 0.5], axis=1), 44100)
    whole = load_audio(stereo)
    np.testing.assert_allclose(np.concatenate(list(open_audio(stereo).blocks())), whole.samples, atol=0)
    speech = np.tile(load_audio(speech_dir / "jfk.flac").samples, 8)  # 88 s: three of the VAD's 1024-window calls
    vad = SileroVad()
    whole_probs = vad.probabilities(speech)
    blocks_probs, n = vad.probabilities_of_blocks(AudioClip(speech, 16000).blocks(7.3))
    stream = vad.stream()
    live = np.concatenate([stream.feed(speech[i: i + 5000]) for i in range(0, len(speech), 5000)])
    assert n == len(speech)
    np.testing.assert_array_equal(whole_probs, blocks_probs)
    np.testing.assert_array_equal(whole_probs[: len(live)], live)  # the live session hears the same


def test_a_file_and_the_same_clip_are_decoded_in_the_same_windows(tmp_path, speech_dir):
    from voicecoach.audio.clip import AudioClip, load_audio, open_audio

    parts = [load_audio(speech_dir / n).samples for n in ("jfk.flac", "stereo_diarization.wav", "hotwords.mp3")]
    unit = np.concatenate([x for p in parts for x in (p, np.zeros(16000, np.float32))])
    clip = AudioClip(np.tile(unit, 6), 16000)
    path = tmp_path / "long.wav"
    path.write_bytes(clip.to_wav_bytes())
    from_clip, from_file = _Recording.make(), _Recording.make()
    a = from_clip.transcribe(load_audio(path))
    b = from_file.transcribe(open_audio(path))
    assert from_clip.lengths == from_file.lengths and len(from_file.lengths) >= 4
    assert [w.start_s for w in a.words] == [w.start_s for w in b.words] and a.duration_s == b.duration_s


_PIPELINE_PEAK = r"""
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from test_faults import _Recording
from voicecoach.audio.clip import open_audio
t = _Recording.make()
result = t.transcribe(open_audio(sys.argv[1]))
assert len(t.lengths) > 1
print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')) / 1024)
"""


@pytest.mark.slow
def test_memory_of_a_long_file_does_not_grow_with_its_length(tmp_path, speech_dir):
    """The whole pipeline but the decoder (voice activity, windows, word times) on a 2-minute and a 60-minute
    WAV: before issue 19 the file was held whole (60 minutes: 230 MB more; 3 hours peaked at 1.2 GB)."""
    import soundfile

    from voicecoach.audio.clip import load_audio

    parts = [load_audio(speech_dir / n).samples for n in ("jfk.flac", "hotwords.mp3")]
    unit = np.concatenate([x for p in parts for x in (p, np.zeros(16000, np.float32))])
    peaks = {}
    for minutes in (2, 60):
        path = tmp_path / f"{minutes}min.wav"
        with soundfile.SoundFile(path, "w", samplerate=16000, channels=1, subtype="PCM_16") as f:
            for _ in range(minutes * 60 * 16000 // len(unit) + 1):
                f.write(unit)
        r = subprocess.run([sys.executable, "-c", _PIPELINE_PEAK, str(path), str(ROOT / "tests")], capture_output=True,
                           text=True, cwd=ROOT, timeout=1200)
        assert r.returncode == 0, r.stderr[-2000:]
        peaks[minutes] = float(r.stdout.strip().splitlines()[-1])
        path.unlink()
    print(f"peak: 2 min {peaks[2]:.0f} MB, 60 min {peaks[60]:.0f} MB")
    assert peaks[60] - peaks[2] < 40


def test_a_take_compressed_while_the_verdict_plays_stays_reachable(home):
    """On a real speaker the verdict takes seconds, so the OGG is made before the answer's timings are saved:
    that last save pointed the history back at the WAV the OGG replaced (deleted), and show and the report lost
    the recording."""
    from voicecoach.interview.recorder import Recorder

    rec = Recorder("practice", {"round": "hr"}, store=Store(home))
    rec.start()
    saved = rec.save(_answer(1, "I led the team."), np.sin(np.arange(48000) / 9).astype(np.float32) * 0.1)
    rec.compress_audio()
    rec._join()  # the worker finished while the verdict was spoken
    again = rec.save(saved.with_(timings={"end_detected_to_feedback_s": 0.1}))
    rec.finish("completed")
    stored = Store(home, read_only_ok=True).session(1).answers[0]
    assert stored.audio_path.endswith("q1.ogg") and Path(stored.audio_path).is_file()
    assert again.audio_path == stored.audio_path and not Path(saved.audio_path).exists()
