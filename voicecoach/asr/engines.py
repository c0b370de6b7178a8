"""The registry of transcription engines: the one place that names them.

Kept free of heavy imports so that the CLI can offer the names without loading numpy or an engine.
``voicecoach.asr.make_transcriber`` builds them, ``doctor`` checks them, the CLI lists them. Adding an
engine is one entry here plus its backend module in ``voicecoach/asr/``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EngineInfo", "ENGINES", "DEFAULT_ENGINE"]


@dataclass(frozen=True)
class EngineInfo:
    """A transcription engine: where its backend lives and how to install what it needs."""

    name: str
    module: str
    """Backend module inside ``voicecoach.asr``."""
    cls: str
    """The ``Transcriber`` subclass in it, built as ``cls(model_ref, decode_options, progress=...)``."""
    package: str
    """The Python package the backend imports (``doctor`` checks it is there without loading it)."""
    install: str
    """The fix when that package is missing."""
    memory: str = ""
    """What it costs, for ``--help`` and the README."""


ENGINES: dict[str, EngineInfo] = {e.name: e for e in (
    EngineInfo("faster-whisper", "faster_whisper_engine", "FasterWhisperTranscriber", "faster_whisper",
               "pip install faster-whisper"),
    EngineInfo("openai-whisper", "openai_whisper_engine", "OpenAIWhisperTranscriber", "whisper",
               "pip install torch==2.13.0 (the CPU build) and then pip install openai-whisper"),
)}
DEFAULT_ENGINE = "faster-whisper"
