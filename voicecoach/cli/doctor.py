"""Checks that every piece voicecoach needs is present, and says how to fix what is not.

It never says "ready" while ``practice`` or ``history`` would fail: besides the speech engines,
devices (opened for a moment, not only listed), model and transcription engines it loads the prompts files and
opens the history. Exit codes: 1 when a required piece is missing, 4 when only a microphone or a speaker is.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
from dataclasses import dataclass

from ..asr.engines import DEFAULT_ENGINE, ENGINES
from ..errors import VoicecoachError

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True
    """A missing optional piece does not fail the doctor."""
    device: bool = False
    """An audio device: without one, ``practice`` cannot run (the doctor exits 4) but ``demo`` can."""


def _voices() -> list[Check]:
    """Each speech backend: does it render a test phrase? espeak-ng is required only without the neural voice."""
    from ..tts import BACKENDS, make_tts

    checks: list[Check] = []
    for b in BACKENDS:
        label = "espeak-ng" if b.name == "espeak" else f"voice {b.name}"
        required = b.name == "espeak" and not any(c.ok for c in checks)
        if b.name == "espeak" and not ctypes.util.find_library("espeak-ng"):
            checks.append(Check(label, False, "libespeak-ng not found", "sudo apt-get install espeak-ng", required))
            continue
        try:
            tts = make_tts(backend=b.name)
            clip = tts.synthesize_clip("Ready.")
        except VoicecoachError as exc:
            checks.append(Check(label, False, exc.message, exc.fix or b.install, required))
            continue
        checks.append(Check(label, True, f"{tts.name} voice {tts.voice!r} renders speech ({clip.duration_s:.2f} s test "
                                         "phrase)", required=False))
    return checks


def _portaudio() -> list[Check]:
    """PortAudio, then a microphone and a speaker that really open (a sound server can list devices and have
    none behind them)."""
    from ..audio.devices import check_device, import_sounddevice

    try:
        sd = import_sounddevice()
    except VoicecoachError as exc:
        return [Check("PortAudio", False, exc.message, exc.fix)]
    checks = [Check("PortAudio", True, sd.get_portaudio_version()[1])]
    for kind, label in (("input", "microphone (input device)"), ("output", "speaker (output device)")):
        try:
            index = check_device(None, kind)
            dev = sd.query_devices(index, kind=kind)
        except (VoicecoachError, ValueError, sd.PortAudioError) as exc:
            message, fix = (exc.message, exc.fix) if isinstance(exc, VoicecoachError) else (str(exc), "")
            checks.append(Check(label, False, message, fix, required=False, device=True))
            continue
        checks.append(Check(label, True, f"{dev['name']} ({dev['default_samplerate']:.0f} Hz), opens", required=False,
                            device=True))
    return checks


def _model() -> Check:
    from ..asr.models import resolve_model

    try:
        ref = resolve_model(None)
    except VoicecoachError as exc:
        return Check("Whisper model", False, exc.message, exc.fix)
    return Check("Whisper model", True, f"{ref.name} at {ref.path}")


def _engines(progress, which: str) -> list[Check]:
    checks = []
    for engine, info in ENGINES.items():
        if importlib.util.find_spec(info.package) is None:
            checks.append(Check(f"engine {engine}", False, "not installed", info.install, engine == DEFAULT_ENGINE))
            continue
        if which not in ("all", engine):
            checks.append(Check(f"engine {engine}", True,
                                f"installed (not loaded: `voicecoach doctor --engine {engine}`)"))
            continue
        try:
            from ..asr import make_transcriber

            make_transcriber(engine, progress=progress)
        except VoicecoachError as exc:
            checks.append(Check(f"engine {engine}", False, exc.message, exc.fix))
            continue
        checks.append(Check(f"engine {engine}", True, "loads the model"))
    return checks


def _end_of_turn() -> Check:
    from ..audio.endpoint import smart_turn_path

    path = smart_turn_path()
    if path is None:
        return Check("end-of-turn model", False, "Smart Turn not installed: pauses are judged by the words alone",
                     "run scripts/setup.sh, or: pip install --no-deps pipecat-ai==1.14.0", required=False)
    return Check("end-of-turn model", True, f"Smart Turn v3.2 at {path}")


def _prompts() -> Check:
    from ..audio.endpoint import load_turn_rules
    from ..interview.commands import load_commands
    from ..interview.script import load_script
    from ..prompts import prompts_dir
    from ..questions.bank import load_questions
    from ..rules.rubric import load_rubric

    try:
        load_rubric()
        n = len(load_questions())
        load_script()
        load_commands()
        load_turn_rules()
    except VoicecoachError as exc:
        return Check("prompts", False, exc.message, exc.fix)
    return Check("prompts", True, f"rubric, {n} questions, interviewer lines and commands in {prompts_dir()}")


def _history() -> Check:
    from ..history.store import open_store

    try:
        store = open_store()
        n = len(store.sessions())
    except VoicecoachError as exc:
        return Check("history", False, exc.message, exc.fix)
    return Check("history", True, f"{n} session(s) in {store.path}")


def _web() -> list[Check]:
    """What ``voicecoach web`` needs: its server packages, its page files, a local port; a browser to open."""
    missing = [p for p in ("starlette", "uvicorn", "websockets") if importlib.util.find_spec(p) is None]
    if missing:
        return [Check("web page", False, f"{', '.join(missing)} not installed",
                      "pip install starlette uvicorn websockets (or rerun bash scripts/setup.sh)", required=False)]
    from ..web.server import ASSETS, TEMPLATES
    from ..web.serve import bind, can_open_browser

    files = [ASSETS / "app.js", ASSETS / "mic-worklet.js", ASSETS / "style.css", TEMPLATES / "practice.html.j2"]
    absent = [f.name for f in files if not f.is_file()]
    if absent:
        return [Check("web page", False, f"page files missing: {', '.join(absent)}",
                      "reinstall voicecoach (pip install .)", required=False)]
    try:
        bind("127.0.0.1", 0).close()
    except VoicecoachError as exc:
        return [Check("web page", False, exc.message, exc.fix, required=False)]
    checks = [Check("web page", True, "server, page files and a port on 127.0.0.1 (`voicecoach web`)", required=False)]
    if not can_open_browser():
        checks.append(Check("browser", False, "no graphical session to open a browser in",
                            "open the link `voicecoach web` prints in a browser on this machine", required=False))
    return checks


def run_checks(progress=None, engines: str = DEFAULT_ENGINE) -> list[Check]:
    """Run every check; never raises for a missing piece. ``engines``: which to load (``all`` or a name)."""
    return [*_voices(), *_portaudio(), _model(), *_engines(progress, engines), _end_of_turn(), _prompts(), _history(),
            *_web()]
