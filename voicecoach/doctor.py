"""Checks that every piece voicecoach needs is present, and says how to fix what is not."""

from __future__ import annotations

import ctypes.util
import importlib.util
from dataclasses import dataclass

from .errors import VoicecoachError

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True
    """A missing optional piece (e.g. a microphone on a server) does not fail the doctor."""


def _espeak() -> Check:
    lib = ctypes.util.find_library("espeak-ng")
    if not lib:
        return Check("espeak-ng", False, "libespeak-ng not found", "sudo apt-get install espeak-ng")
    try:
        from .tts import make_tts

        clip = make_tts().synthesize_clip("Ready.")
    except VoicecoachError as exc:
        return Check("espeak-ng", False, exc.message, exc.fix)
    return Check("espeak-ng", True, f"{lib}; pyttsx3 renders speech ({clip.duration_s:.2f} s test phrase)")


def _portaudio() -> list[Check]:
    from .snd import import_sounddevice

    try:
        sd = import_sounddevice()
    except VoicecoachError as exc:
        return [Check("PortAudio", False, exc.message, exc.fix)]
    checks = [Check("PortAudio", True, sd.get_portaudio_version()[1])]
    for kind, label in (("input", "microphone (input device)"), ("output", "speaker (output device)")):
        try:
            dev = sd.query_devices(kind=kind)
            checks.append(Check(label, True, f"{dev['name']} ({dev['default_samplerate']:.0f} Hz)", required=False))
        except (ValueError, sd.PortAudioError):
            fix = ("connect a microphone; without one, `voicecoach demo` runs a complete interview" if kind == "input"
                   else "connect speakers or headphones (or start PulseAudio)")
            checks.append(Check(label, False, "none found", fix, required=False))
    return checks


def _model() -> Check:
    from .asr.models import resolve_model

    try:
        ref = resolve_model(None)
    except VoicecoachError as exc:
        return Check("Whisper model", False, exc.message, exc.fix)
    return Check("Whisper model", True, f"{ref.name} at {ref.path}")


def _engines(progress) -> list[Check]:
    checks = []
    for engine, module, fix in (
        ("faster-whisper", "faster_whisper", "pip install faster-whisper"),
        ("openai-whisper", "whisper", "pip install torch==2.13.0 && pip install openai-whisper"),
    ):
        if importlib.util.find_spec(module) is None:
            checks.append(Check(f"engine {engine}", False, "not installed", fix))
            continue
        try:
            from .asr import make_transcriber

            make_transcriber(engine, progress=progress)
        except VoicecoachError as exc:
            checks.append(Check(f"engine {engine}", False, exc.message, exc.fix))
            continue
        checks.append(Check(f"engine {engine}", True, "loads the model"))
    return checks


def run_checks(progress=None) -> list[Check]:
    """Run every check; never raises for a missing piece."""
    return [_espeak(), *_portaudio(), _model(), *_engines(progress)]
