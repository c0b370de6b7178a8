"""Shared fixtures: real recordings, real engines (loaded once per run), a real PulseAudio server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "data" / "speech"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    if not (SPEECH / "transcripts.json").is_file():
        pytest.fail(f"the shared recordings are missing: {SPEECH}")
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


def run_cli(*args: str, env: dict | None = None, timeout: float = 300, input: str | None = None):
    """Run ``python -m voicecoach ARGS`` as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "voicecoach", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT, input=input)
