"""What an interview runs on and how: the engines and the options, validated where they are defined."""

from __future__ import annotations

from dataclasses import dataclass

from ..asr import Transcriber
from ..audio.endpoint import EndOfTurn
from ..audio.listen import ListenOptions
from ..audio.mic import Microphone
from ..audio.snd import Player
from ..audio.vad import SileroVad
from ..errors import UsageError
from ..tts import TextToSpeech
from .pressed import PressedCommands
from .typed import TextInput

__all__ = ["Engines", "InterviewOptions"]


@dataclass(frozen=True)
class Engines:
    """The interfaces the interview runs on: spoken answers need ``mic``, ``transcriber`` and ``vad``;
    typed answers need ``typed`` instead."""

    tts: TextToSpeech
    player: Player
    mic: Microphone | None
    transcriber: Transcriber | None
    vad: SileroVad | None
    typed: TextInput | None = None
    """Typed answers (``voicecoach practice --typed``) instead of the microphone."""
    endpoint: EndOfTurn | None = None
    """Judges at each pause whether the answer is finished (None: a fixed end silence)."""
    on_close: tuple = ()
    """Called (no arguments) once the session has ended, e.g. to join a thread still loading a model: a
    thread inside native code (CTranslate2, ONNX Runtime) when Python exits aborts the process."""
    pressed: PressedCommands | None = None
    """Commands pressed rather than spoken (a front end's buttons), obeyed beside the spoken ones."""


@dataclass(frozen=True)
class InterviewOptions:
    """How the interview runs."""

    feedback: str = "spoken"
    """``spoken`` (verdict and top tip aloud, detail on screen), ``screen`` or ``end`` (summary only)."""
    listen: ListenOptions = ListenOptions()
    echo_guard_s: float = 0.3
    """Extra microphone audio dropped after voicecoach speaks (room echo)."""
    max_prompts: int = 3
    """Long-silence prompts before a question is recorded as not answered."""
    intro: str = "short"
    """``full`` (with how to use the voice commands), ``short`` or ``none``."""
    intro_text: str | None = None
    """Replaces the standard introduction (the demo's)."""
    speak_tips: bool = True
    """Speak the top tip after each verdict (the demo keeps tips on screen)."""
    follow_ups: int = 1
    """Follow-up probes per question at most (0-2)."""
    vocabulary: tuple[str, ...] = ()
    """Terms the transcription is biased towards (the job advert's key terms)."""
    job_terms: tuple[str, ...] = ()
    """The job advert's key terms, for each answer's insights (which were used, which never were)."""

    def __post_init__(self) -> None:
        if self.feedback not in ("spoken", "screen", "end"):
            raise UsageError(f"unknown feedback mode {self.feedback!r}", "use spoken, screen or end")
        if self.intro not in ("full", "short", "none"):
            raise UsageError(f"unknown intro {self.intro!r}", "use full, short or none")
        if not 0 <= self.follow_ups <= 2:
            raise UsageError(f"--follow-ups must be 0, 1 or 2, not {self.follow_ups}", "e.g. --follow-ups 1")
