"""pyttsx3 backend (espeak-ng through libespeak-ng on Linux), with its 2.99 bugs worked around.

Bugs seen in pyttsx3 2.99's espeak driver, and what this module does about each:

* Queued commands lose text: the driver keeps one pending text, so a second ``save_to_file`` before
  ``runAndWait`` replaces the first and its file is never written. We render one utterance per
  ``runAndWait`` and check that the file we asked for was written, freshly, with plausible length.
* ``save_to_file`` leaves the file name set, so a later ``say()`` writes to that old file instead of
  speaking; ``say()`` itself shells out to ``aplay``. We never call ``say()``: audio is rendered to
  a temporary file, read into memory and played through sounddevice (``voicecoach.snd``).
* ``runAndWait`` can return before espeak-ng has finished the first, longer utterance of a process
  (its loop ends when the command queue is empty), leaving no file; we retry once (see below).
* The driver prints "Audio saved to ..." on stdout, which would corrupt ``--json`` output; that print
  is redirected away.
* espeak-ng can be initialised once per process, so one engine is shared behind a lock.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import atexit
import tempfile
import threading
from pathlib import Path

from ..audio import AudioClip, from_wav_bytes
from ..errors import EspeakMissing, SpeechSynthesisFailed, VoicecoachError
from . import DEFAULT_RATE_WPM, TextToSpeech, VoiceInfo

__all__ = ["Pyttsx3TTS"]

_lock = threading.Lock()
_engine = None

_WORD = re.compile(r"[A-Za-z0-9']+")


def _shared_engine():
    global _engine
    if _engine is None:
        try:
            import pyttsx3

            _engine = pyttsx3.init("espeak")
            # pyttsx3's DriverProxy.__del__ fails noisily if it runs during interpreter teardown.
            atexit.register(_release_engine)
        except ImportError as exc:
            raise EspeakMissing("pyttsx3 is not installed", "pip install pyttsx3") from exc
        except (OSError, RuntimeError) as exc:
            # pyttsx3's _espeak module raises OSError at import when libespeak-ng.so.1 is absent.
            raise EspeakMissing(f"espeak-ng is not available ({exc})") from exc
    return _engine


def _release_engine() -> None:
    global _engine
    _engine = None


class Pyttsx3TTS(TextToSpeech):
    """pyttsx3 speech rendered to memory and verified."""

    def __init__(self, voice: str | None = None, rate_wpm: int = DEFAULT_RATE_WPM) -> None:
        if not 60 <= rate_wpm <= 450:
            raise VoicecoachError(f"speaking rate {rate_wpm} words per minute is out of range", "use --rate between 60 and 450")
        self.rate_wpm = rate_wpm
        with _lock:
            _shared_engine()
        self.voice_id = self._pick_voice(voice) if voice else None

    def voices(self) -> list[VoiceInfo]:
        """The espeak-ng voices installed."""
        with _lock:
            return [VoiceInfo(v.id, v.name) for v in _shared_engine().getProperty("voices")]

    def _pick_voice(self, wanted: str) -> str:
        want = wanted.lower()
        voices = self.voices()
        for v in voices:
            if want in (v.id.lower(), v.name.lower(), v.id.lower().rsplit("/", 1)[-1]):
                return v.id
        english = ", ".join(v.id.rsplit("/", 1)[-1] for v in voices if v.id.rsplit("/", 1)[-1].startswith("en"))
        raise VoicecoachError(f"no voice called {wanted!r}", f"pick one of: {english} (or any of `voicecoach say --list-voices`)")

    def synthesize_clip(self, text: str) -> AudioClip:
        """Render ``text`` (16-bit mono, espeak-ng's 22,050 Hz) and check the audio is plausible."""
        text = " ".join(text.split())
        if not text:
            raise SpeechSynthesisFailed("there is no text to speak", "give some words to say")
        fd, name = tempfile.mkstemp(suffix=".wav", prefix="voicecoach-tts-")
        os.close(fd)
        path = Path(name)
        try:
            path.unlink()
            with _lock:
                engine = _shared_engine()
                engine.setProperty("rate", self.rate_wpm)
                if self.voice_id:
                    engine.setProperty("voice", self.voice_id)
                driver = getattr(getattr(engine, "proxy", None), "_driver", None)
                # runAndWait can return before espeak-ng has finished the first, longer utterance of a
                # process (seen here): no file is written. The same request made again completes, so
                # it is retried (same text, voice and rate, so even a late buffer is the right audio).
                # espeak_Synchronize() also completes it, but after it espeak-ng ignored later rate
                # changes (seen in CI), so it is only the last resort.
                for _attempt in range(3):
                    with contextlib.redirect_stdout(io.StringIO()):
                        engine.save_to_file(text, str(path))
                        engine.runAndWait()
                    if path.is_file():
                        break
                if not path.is_file() and getattr(driver, "_speaking", False):
                    from pyttsx3.drivers import _espeak

                    with contextlib.redirect_stdout(io.StringIO()):
                        _espeak.Synchronize()
                # The driver never clears its target file; a later say() would overwrite ours.
                if driver is not None and hasattr(driver, "_save_file"):
                    driver._save_file = None
            if not path.is_file():
                raise SpeechSynthesisFailed("pyttsx3 wrote no audio for the text")
            clip = from_wav_bytes(path.read_bytes())
        finally:
            path.unlink(missing_ok=True)
        words = len(_WORD.findall(text))
        expected_s = words * 60.0 / self.rate_wpm
        if clip.duration_s < 0.05 or (words >= 3 and clip.duration_s < 0.3 * expected_s):
            raise SpeechSynthesisFailed(
                f"pyttsx3 returned {clip.duration_s:.2f} s of audio for {words} words (expected about {expected_s:.1f} s)"
            )
        if clip.rms() < 1e-4:
            raise SpeechSynthesisFailed("pyttsx3 returned silent audio")
        return clip
