"""Shared fixtures: real recordings, real engines (loaded once per run), a real PulseAudio server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEECH = Path(os.environ.get("VOICECOACH_SPEECH_DIR") or ROOT.parent / "shared" / "data" / "speech").expanduser()
"""The shared real recordings: ``$VOICECOACH_SPEECH_DIR``, else ``../shared/data/speech`` beside the clone."""

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The fitting and benchmark scripts are tested too (scripts/fit_rubric.py refits the verdict's model).
sys.path.insert(0, str(ROOT / "scripts"))


SLOW_FIXTURES = {"transcribers", "tts", "voice", "speech", "pulse", "empty_pulse", "chromium", "whisper", "backend_tts",
                 "busy_cpu"}
"""Fixtures that load Whisper or a voice, or start a sound server or a browser: their tests are ``slow``."""


def pytest_collection_modifyitems(config, items):
    """The fast tier (``-m "not slow"``) leaves out every test that loads an engine or a device."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    if not (SPEECH / "transcripts.json").is_file():
        where = ("VOICECOACH_SPEECH_DIR points to" if os.environ.get("VOICECOACH_SPEECH_DIR")
                 else "looked beside the clone in")
        pytest.fail(f"the shared recordings (jfk.flac, ..., transcripts.json) are missing: {where} {SPEECH}. "
                    "Put them at ../shared/data/speech beside the clone, or set VOICECOACH_SPEECH_DIR to a copy")
    return SPEECH


@pytest.fixture(scope="session")
def references(speech_dir) -> dict:
    return json.loads((speech_dir / "transcripts.json").read_text())


@pytest.fixture(scope="session")
def transcribers() -> dict:
    from voicecoach.asr import make_transcriber

    return {e: make_transcriber(e) for e in ("faster-whisper", "openai-whisper")}


@pytest.fixture(scope="session")
def tts():
    from voicecoach.tts import make_tts

    return make_tts()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """Every test gets a private VOICECOACH_HOME, so no test touches the user's own history."""
    monkeypatch.setenv("VOICECOACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, input: str | None = None,
            unprivileged: bool = False):
    """Run ``python -m voicecoach ARGS`` as a user would; returns the CompletedProcess.

    ``unprivileged``: file permissions apply even when the tests run as root (CI does): the process
    keeps uid 0 but loses the capabilities that let root read and write every file.
    """
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        import shutil

        if not shutil.which("setpriv"):
            pytest.skip("running as root and setpriv (util-linux) is missing, so permissions cannot be tested")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]
    return subprocess.run([*prefix, sys.executable, "-m", "voicecoach", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT, input=input)
