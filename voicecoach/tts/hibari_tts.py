"""hibari-tts backend: a natural neural voice that runs offline and never downloads anything.

hibari-tts 0.2.1 (Apache-2.0; see its NOTICE) is a Kokoro-82M voice distilled to a 7.9 MB int8 ONNX
model with its own grapheme-to-phoneme rules: numpy and onnxruntime only, no espeak-ng, no torch.
Only the "heart" voice ships inside the package. Its other voices are fetched from the internet the
first time ``hibari.Hibari(voice=...)`` or ``hibari.voices.voice_path()`` asks for them, so this module
never calls either with a voice name: it opens the bundled model file by its path
(``hibari/assets/hibari.onnx``) and offers only voices marked ``bundled`` in hibari's registry.

The model runs on one onnxruntime thread (hibari's G2P also uses one): it is about 100x faster than
real time on one core, and voicecoach's other engines (Whisper, the VAD) need the remaining cores.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Iterator

import numpy as np

from ..audio.clip import AudioClip
from ..errors import EngineMissing, SpeechSynthesisFailed, VoicecoachError
from . import TextToSpeech, VoiceInfo

__all__ = ["HibariTTS", "NATURAL_WPM", "bundled_voices"]

HIBARI_VERSION = "0.2.1"
INSTALL_HINT = f"pip install hibari-tts=={HIBARI_VERSION}"

NATURAL_WPM = 165
"""The ``rate_wpm`` that means hibari's natural pace (speed 1.0). Over 20 interview sentences hibari at
speed 1.0 takes as long as espeak-ng at 166 words per minute (both about 182 spoken words a minute,
pauses included), so a given ``--rate`` sounds about as fast with either backend. hibari's speed is
``rate_wpm / NATURAL_WPM``."""

MIN_SPEED, MAX_SPEED = 0.5, 2.0
"""The speed range hibari documents."""

LEAD_SILENCE_S = 0.05
"""hibari starts every sentence with about 0.3 s of silence; it is cut to this so speech starts
sooner. The ~0.45 s of silence at the end of a sentence is kept: it is the pause between sentences."""

_SILENCE = 10 ** (-50 / 20)

_models: dict[str, _Model] = {}
_models_lock = threading.Lock()


def _import_hibari():
    try:
        import hibari
        import hibari.voices
    except ImportError as exc:
        raise EngineMissing("hibari-tts is not installed", INSTALL_HINT) from exc
    return hibari


def bundled_voices() -> dict[str, dict]:
    """hibari's registry entries for the voices inside the package (never the downloadable ones)."""
    hibari = _import_hibari()
    return {name: v for name, v in hibari.voices.VOICES.items() if v.get("bundled")}


def _describe(name: str, entry: dict) -> VoiceInfo:
    accent = f"{entry.get('accent', '')} English".strip()
    return VoiceInfo(
        id=name,
        name=f"{name.capitalize()} ({accent}, {entry.get('gender', 'unknown')})",
        backend="hibari",
        description=f"neural voice, hibari-tts {HIBARI_VERSION} (distilled from Kokoro-82M {entry.get('kokoro', '')}), "
                    "in the package",
    )


class _Model:
    """One loaded hibari model, shared by every HibariTTS on that voice (rate variants included)."""

    def __init__(self, path: str, british: bool) -> None:
        from hibari import Hibari
        from hibari.g2p import G2P

        # model= makes Hibari open this file instead of resolving (and maybe downloading) a voice.
        self.hibari = Hibari(model=path, threads=1, g2p=G2P(british=british))
        self.lock = threading.Lock()
        self.warm = False

    def render(self, sentence: str, speed: float, pitch_factor: float) -> list[np.ndarray]:
        """Raw 24 kHz audio for one sentence: one array per chunk hibari's G2P makes of it."""
        from hibari import dsp

        out = []
        with self.lock:  # hibari does not promise a thread-safe G2P: one sentence at a time per model
            for phonemes in self.hibari.phonemize(sentence):
                ids = self.hibari.ids(phonemes)
                if len(ids) < 3:
                    continue
                lh, th, ln, lr, phi, f0 = (o[0] for o in self.hibari.sess.run(
                    None, {"ids": np.asarray([ids], np.int64), "speed": np.asarray([speed], np.float32)}))
                if pitch_factor != 1.0:
                    f0 = f0 * np.float32(pitch_factor)
                # A fixed seed for the noise component: the same text always gives the same audio.
                out.append(dsp.synth(lh, th, ln, lr, phi, f0, np.random.default_rng(0)))
        return out


def _load(voice: str) -> _Model:
    entry = bundled_voices()[voice]
    hibari = _import_hibari()
    path = os.path.join(os.path.dirname(os.path.abspath(hibari.__file__)), "assets", entry["file"])
    with _models_lock:
        model = _models.get(path)
        if model is None:
            if not os.path.isfile(path):
                raise SpeechSynthesisFailed(f"hibari's bundled model is missing: {path}",
                                            f"reinstall it: pip install --force-reinstall hibari-tts=={HIBARI_VERSION}")
            model = _models[path] = _Model(path, bool(entry.get("british")))
    return model


def _trim_lead(samples: np.ndarray, sample_rate_hz: int) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > _SILENCE)
    if len(loud) == 0:
        return samples
    start = max(0, int(loud[0]) - int(LEAD_SILENCE_S * sample_rate_hz))
    return samples[start:]


class HibariTTS(TextToSpeech):
    """hibari's bundled neural voice ("heart", American English, female).

    Args:
        voice: a bundled voice name; None for "heart".
        rate_wpm: words per minute wanted (None for hibari's natural pace, about ``NATURAL_WPM``).
        pitch_factor: scales the voice's predicted pitch contour before the waveform is built
            (0.7 gives a clearly lower voice; formants stay put, so it stays intelligible).
    """

    name = "hibari"

    def __init__(self, voice: str | None = None, rate_wpm: int | None = None, pitch_factor: float = 1.0) -> None:
        bundled = bundled_voices()
        voice = voice or "heart"
        if voice not in bundled:
            raise VoicecoachError(f"no voice called {voice!r} in hibari's package (voicecoach never downloads voices)",
                                  f"use one of: {', '.join(bundled)}")
        if not 0.4 <= pitch_factor <= 2.0:
            raise VoicecoachError(f"pitch factor {pitch_factor} is out of range", "use a factor between 0.4 and 2.0")
        self.voice = voice
        self.pitch_factor = pitch_factor
        self._entry = bundled[voice]
        self._base_speed = 1.0 if rate_wpm is None else rate_wpm / NATURAL_WPM
        self._rate_factor = 1.0
        self._check_speed(self._base_speed, f"speaking rate {rate_wpm} words per minute",
                          f"use a rate between {round(MIN_SPEED * NATURAL_WPM)} and {round(MAX_SPEED * NATURAL_WPM)}")

    # Kept so callers written for the espeak backend (voice_id, rate_wpm) keep working.
    @property
    def voice_id(self) -> str:
        """The voice's name (as ``voice``)."""
        return self.voice

    @property
    def rate_wpm(self) -> int:
        """The speaking rate in words per minute this voice aims at (approximate for a neural voice)."""
        return round(self.speed * NATURAL_WPM)

    @property
    def speed(self) -> float:
        """hibari's speed parameter for this voice (1.0 = its natural pace)."""
        return self._base_speed * self._rate_factor

    @staticmethod
    def _check_speed(speed: float, what: str, fix: str) -> None:
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise VoicecoachError(f"{what} is out of range for hibari", fix)

    @classmethod
    def list_voices(cls) -> list[VoiceInfo]:
        """The voices inside the hibari package."""
        return [_describe(name, entry) for name, entry in bundled_voices().items()]

    @classmethod
    def find_voice(cls, wanted: str) -> str | None:
        """The bundled voice called ``wanted`` (case-insensitive), else None."""
        want = wanted.strip().lower()
        return next((name for name in bundled_voices() if name.lower() == want), None)

    @classmethod
    def unknown_voice_note(cls, voice: str) -> str | None:
        """hibari knows more voices than it bundles; those would need a download, which voicecoach never does."""
        want = voice.strip().lower()
        if want in _import_hibari().voices.VOICES and want not in bundled_voices():
            return "hibari offers it as a download, and voicecoach never downloads"
        return None

    def voices(self) -> list[VoiceInfo]:
        """The voices inside the hibari package."""
        return self.list_voices()

    def at_rate(self, factor: float) -> HibariTTS:
        """The same voice at ``factor`` times its normal pace (through hibari's speed parameter)."""
        self._check_factor(factor)
        self._check_speed(self._base_speed * factor, f"{factor:g} times this voice's pace",
                          f"use a factor that keeps hibari's speed between {MIN_SPEED} and {MAX_SPEED}")
        other = copy.copy(self)
        other._rate_factor = factor
        return other

    def warm_up(self) -> None:
        """Load the model and the G2P and run one short synthesis (safe to call twice, from any thread)."""
        model = _load(self.voice)
        if not model.warm:
            model.render("Ready.", 1.0, 1.0)
            model.warm = True

    def _render(self, piece: str) -> Iterator[AudioClip]:
        model = _load(self.voice)
        for samples in model.render(piece, self.speed, self.pitch_factor):
            samples = _trim_lead(samples, model.hibari.sample_rate)
            if len(samples):
                yield AudioClip(samples.astype(np.float32, copy=False), int(model.hibari.sample_rate))
