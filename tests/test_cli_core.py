"""`voicecoach transcribe / say / doctor` end to end, including every expected failure."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli
from support.wer import word_error_rate


@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_transcribe_json(engine, speech_dir, references):
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--engine", engine, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)  # stdout is exactly one JSON object
    assert set(out) == {"text", "duration_s", "engine", "model", "no_speech", "words"}
    assert out["engine"] == engine and out["model"] == "tiny.en" and out["no_speech"] is False
    assert word_error_rate(references["jfk.flac"], out["text"]) <= 0.10
    assert set(out["words"][0]) == {"word", "start_s", "end_s"}


def test_say_then_transcribe(tmp_path):
    wav = tmp_path / "q.wav"
    r = run_cli("say", "What motivates you to join our team?", "--out", str(wav), "--rate", "150", "--voice", "en-us")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""  # pyttsx3's own "Audio saved" print must not leak
    r = run_cli("transcribe", str(wav))
    assert r.returncode == 0
    assert word_error_rate("What motivates you to join our team?", r.stdout) <= 0.15


def test_silent_file_says_no_speech(tmp_path):
    import numpy as np
    import soundfile

    soundfile.write(tmp_path / "quiet.wav", np.zeros(16000 * 3, np.float32), 16000)
    r = run_cli("transcribe", str(tmp_path / "quiet.wav"), "--json")
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["no_speech"] is True and out["text"] == "" and out["words"] == []


def _assert_clean_error(r, code, *phrases):
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("voicecoach: error:")]
    assert len(lines) == 1, r.stderr
    assert "Fix:" in lines[0]
    for p in phrases:
        assert p in lines[0]


def test_bad_audio_files(tmp_path, speech_dir):
    _assert_clean_error(run_cli("transcribe", str(tmp_path / "missing.wav")), 3, "not found")
    (tmp_path / "text.wav").write_text("hello")
    _assert_clean_error(run_cli("transcribe", str(tmp_path / "text.wav")), 3, "not audio")
    (tmp_path / "empty.mp3").write_bytes(b"")
    _assert_clean_error(run_cli("transcribe", str(tmp_path / "empty.mp3")), 3)
    data = (speech_dir / "stereo_diarization.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:20000])
    _assert_clean_error(run_cli("transcribe", str(tmp_path / "cut.wav")), 3, "truncated")


def test_model_not_available(tmp_path, speech_dir):
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--model", "large-v3")
    _assert_clean_error(r, 6, "not available", "never downloads")
    r = run_cli("transcribe", str(speech_dir / "jfk.flac"), "--model", str(tmp_path))
    _assert_clean_error(r, 6, "no CTranslate2 model.bin")


def _run_without_library(lib_fragment: str, *args: str, without_hibari: bool = False):
    """Run the CLI in a process where loading a system library fails as if it were not installed."""
    code = (
        "import ctypes, ctypes.util, sys\n"
        + ("sys.modules['hibari'] = None\n" if without_hibari else "")
        + 
        f"frag = {lib_fragment!r}\n"
        "real_find = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda n: None if frag in n else real_find(n)\n"
        "real_load = ctypes.cdll.LoadLibrary\n"
        "def load(p):\n"
        "    if frag in str(p): raise OSError(p + ': cannot open shared object file')\n"
        "    return real_load(p)\n"
        "ctypes.cdll.LoadLibrary = load\n"
        "from voicecoach.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_missing_espeak(tmp_path):
    # An espeak voice asked for by name needs espeak-ng; the default neural voice does not.
    r = _run_without_library("espeak", "say", "hello", "--voice", "en-us", "--out", str(tmp_path / "x.wav"))
    _assert_clean_error(r, 4, "espeak-ng", "apt-get install espeak-ng")
    r = _run_without_library("espeak", "say", "hello", "--out", str(tmp_path / "y.wav"))
    assert r.returncode == 0, r.stderr
    r = _run_without_library("espeak", "say", "hello", "--out", str(tmp_path / "z.wav"), without_hibari=True)
    _assert_clean_error(r, 4, "espeak-ng")


def test_missing_portaudio():
    r = _run_without_library("portaudio", "say", "hello")
    _assert_clean_error(r, 4, "PortAudio", "apt-get install libportaudio2")


def test_no_output_device(tmp_path):
    import os

    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/no-such-socket")
    r = run_cli("say", "hello", env=env)
    _assert_clean_error(r, 4, "output device")


def test_doctor_reports_everything():
    r = run_cli("doctor")
    # Without a sound server (as in CI) there is no microphone or speaker: exit 4, the demo still works;
    # tests/test_faults.py::test_doctor_is_ready_with_devices runs it with devices.
    no_devices = "[FAIL] microphone" in r.stdout
    assert r.returncode == (4 if no_devices else 0), r.stdout + r.stderr
    for name in ("voice hibari", "espeak-ng", "PortAudio", "Whisper model", "engine faster-whisper",
                 "engine openai-whisper", "end-of-turn model", "prompts", "history", "web page"):
        assert f"[ok  ] {name}" in r.stdout


def test_doctor_without_espeak_warns_and_without_any_voice_fails():
    r = _run_without_library("espeak", "doctor")
    no_devices = "[FAIL] microphone" in r.stdout  # exit 4 then, as without espeak-ng it would be 0
    assert r.returncode == (4 if no_devices else 0), r.stdout
    assert "[warn] espeak-ng" in r.stdout and "apt-get install espeak-ng" in r.stdout
    r = _run_without_library("espeak", "doctor", without_hibari=True)
    assert r.returncode == 1
    assert "[FAIL] espeak-ng" in r.stdout and "apt-get install espeak-ng" in r.stdout


def test_help_is_fast_and_imports_no_engine():
    code = ("import sys, voicecoach.cli; voicecoach.cli.build_parser(); print(sorted(m for m in "
            "('torch','whisper','faster_whisper','sounddevice','pyttsx3') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip() == "[]"
