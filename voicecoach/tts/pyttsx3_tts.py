"""espeak-ng through pyttsx3 2.99, rendered reliably: pyttsx3 is never given a reason to cancel.

Why renders came back empty and rate changes were lost (read in pyttsx3 2.99's ``drivers/espeak.py``
and ``driver.py`` and espeak-ng's ``speech.c``, and measured against libespeak-ng 1.51 here):

* pyttsx3 starts libespeak-ng in asynchronous mode (``AUDIO_OUTPUT_RETRIEVAL``): every synthesis and
  every parameter change (``setProperty("rate")`` is ``espeak_SetParameter``) is a command in
  espeak-ng's own queue, run on espeak-ng's thread, and ``espeak_IsPlaying()`` is 1 while that queue
  has work. Right after ``setProperty("rate")`` it was 1 in 28 of 50 tries; voice changes are applied
  at once and do not make it busy.
* ``runAndWait()`` queues ``endLoop``, and the driver's ``startLoop`` runs that queue before it starts
  the new utterance. ``endLoop`` calls the driver's ``stop()``, which calls ``espeak_Cancel()`` whenever
  ``IsPlaying()`` is 1 and sets ``_stopping``. The loop's first ``iterate()`` then finds that flag and
  cancels the utterance it has just started: the loop ends at once, with no file or an empty WAV.
* ``espeak_Cancel()`` empties espeak-ng's queue, so the rate change still waiting in it is dropped and
  the next utterance is spoken at the old rate: "slower" could do nothing.
* The engine's constructor queues rate and volume changes the same way, which is why the first
  utterance of a process failed most often. The old code retried only when no file existed, so an
  empty WAV got through.

Measured with the old code (200 renders in one process alternating 200 and 120 words per minute):
212 cancels and 80 renders at the wrong rate; 302 cancels and 95 wrong with a busy CPU beside it; in
50 fresh processes 48 of 100 renders at the wrong rate (and one failure with a busy CPU).

The cause is removed rather than retried around. Each render, under one lock:

1. wait until espeak-ng's queue is empty (``IsPlaying() == 0``);
2. set voice and rate while pyttsx3's own command queue is idle, so ``setProperty`` applies them at
   once, then wait for espeak-ng's queue again and check that espeak-ng now reports that rate;
3. only then ``save_to_file`` + ``runAndWait``: its ``stop()`` finds nothing playing and cancels
   nothing, and the loop runs until espeak-ng's end-of-message callback has written the file.

A new engine is primed the same way (espeak-ng finishes the constructor's changes, then one empty
``runAndWait`` leaves pyttsx3 idle). There are no retries: the audio is still checked for length and
level, and a watchdog ends a loop that never finishes, so a failure is an error, never silence or a
hang. Rendering stays with pyttsx3 (rather than driving libespeak-ng directly) because with these steps
it is reliable: 0 failures, 0 wrong rates and 0 cancels in the loops of tests/test_tts_espeak.py and
scripts/bench_tts.py (200 renders in one process, 50 fresh processes, idle and with a busy CPU).

Other pyttsx3 2.99 quirks still handled:

* The driver prints "Audio saved to ..." on stdout from espeak-ng's thread, which would corrupt
  ``--json`` output; that one message is dropped by a ``print`` bound in the driver's module only
  (``contextlib.redirect_stdout`` would swallow what other threads print meanwhile).
* ``save_to_file`` leaves the file name set, so a later ``say()`` would overwrite our file, and
  ``say()`` shells out to ``aplay``: we never call ``say()``, and the name is cleared after each render.
* Its ``getProperty("rate")`` binding omits espeak_GetParameter's second argument; we read the rate
  through our own prototype.
* espeak-ng can be initialised once per process, so one engine is shared behind a lock.
"""

from __future__ import annotations

import atexit
import builtins
import copy
import ctypes
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..audio.clip import AudioClip, from_wav_bytes
from ..errors import EspeakMissing, SpeechSynthesisFailed, VoicecoachError
from . import DEFAULT_RATE_WPM, TextToSpeech, VoiceInfo

__all__ = ["Pyttsx3TTS"]

MIN_RATE_WPM, MAX_RATE_WPM = 80, 450
"""espeak-ng's speaking-rate limits; it silently clamps anything outside them."""

DEFAULT_VOICE = "en"
"""espeak-ng's own default voice (English, British pronunciation), set explicitly so that one voice's
settings never carry over to another through the shared engine."""

_IDLE_TIMEOUT_S = 10.0
_lock = threading.RLock()
_engine = None
_espeak = None
_get_parameter = None
_voice_set: str | None = None
_voices: list | None = None

_WORD = re.compile(r"[A-Za-z0-9']+")


def _driver_print(*args, **kwargs) -> None:
    # pyttsx3 2.99's espeak driver announces every saved file on stdout; everything else it prints
    # still goes out.
    if args and str(args[0]).startswith("Audio saved to "):
        return
    builtins.print(*args, **kwargs)


def _wait_idle() -> None:
    """Block until espeak-ng's command queue is empty (its thread has finished everything queued)."""
    deadline = time.monotonic() + _IDLE_TIMEOUT_S
    while _espeak.IsPlaying():
        if time.monotonic() > deadline:
            raise SpeechSynthesisFailed(f"espeak-ng stayed busy for {_IDLE_TIMEOUT_S:.0f} s")
        time.sleep(0.001)


def _current_rate() -> int:
    # pyttsx3's own GetParameter binding omits the second argument ("current"), so espeak-ng reads an
    # undefined value there; this prototype passes current=1.
    return int(_get_parameter(_espeak.RATE, 1))


def _shared_engine():
    """The process's one pyttsx3 engine, created and primed on first use (call with ``_lock`` held)."""
    global _engine, _espeak, _get_parameter
    if _engine is not None:
        return _engine
    try:
        import pyttsx3
    except ImportError as exc:
        raise EspeakMissing("pyttsx3 is not installed", "pip install pyttsx3") from exc
    try:
        engine = pyttsx3.init("espeak")
        from pyttsx3.drivers import _espeak
        from pyttsx3.drivers import espeak as espeak_driver
    except (OSError, RuntimeError) as exc:
        # pyttsx3's _espeak module raises OSError at import when libespeak-ng.so.1 is absent.
        raise EspeakMissing(f"espeak-ng is not available ({exc})") from exc
    espeak_driver.print = _driver_print
    _get_parameter = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(("espeak_GetParameter", _espeak.dll))
    # The driver's constructor queued voice, rate and volume changes in espeak-ng and left pyttsx3's
    # queue "busy" (its properties are only applied inside runAndWait). Let espeak-ng finish them, then
    # run one empty loop: its stop() finds nothing playing, and pyttsx3 is idle afterwards, so later
    # setProperty calls are applied immediately.
    _wait_idle()
    engine.runAndWait()
    _wait_idle()
    _engine = engine
    # pyttsx3's DriverProxy.__del__ fails noisily if it runs during interpreter teardown.
    atexit.register(_release_engine)
    return _engine


def _release_engine() -> None:
    global _engine
    _engine = None


def _espeak_voices() -> list:
    global _voices
    with _lock:
        if _voices is None:
            _voices = list(_shared_engine().getProperty("voices"))
        return _voices


def _short(voice_id: str) -> str:
    return voice_id.rsplit("/", 1)[-1]


def _end_loop(engine) -> None:
    """Watchdog: end a runAndWait whose utterance never finished (the render is then an error)."""
    try:
        engine.endLoop()
    except RuntimeError:  # the loop had just ended by itself
        pass


class Pyttsx3TTS(TextToSpeech):
    """espeak-ng voices rendered through pyttsx3 to memory, and verified.

    Args:
        voice: an espeak-ng voice ("en-us", "en-gb", "gmw/en-us", "English (America)"); None for
            ``DEFAULT_VOICE``.
        rate_wpm: words per minute, 80 to 450; None for ``DEFAULT_RATE_WPM``.
    """

    name = "espeak"

    def __init__(self, voice: str | None = None, rate_wpm: int | None = DEFAULT_RATE_WPM) -> None:
        rate_wpm = DEFAULT_RATE_WPM if rate_wpm is None else int(rate_wpm)
        if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
            raise VoicecoachError(f"speaking rate {rate_wpm} words per minute is out of range",
                                  f"use --rate between {MIN_RATE_WPM} and {MAX_RATE_WPM}")
        self._normal_rate_wpm = rate_wpm
        self._rate_factor = 1.0
        self.voice_id = self._pick_voice(voice or DEFAULT_VOICE)
        self.voice = _short(self.voice_id)

    @property
    def rate_wpm(self) -> int:
        """The speaking rate in words per minute (the normal rate times ``rate_factor``)."""
        return round(self._normal_rate_wpm * self._rate_factor)

    @classmethod
    def list_voices(cls) -> list[VoiceInfo]:
        """The espeak-ng voices installed."""
        return [VoiceInfo(_short(v.id), v.name, "espeak",
                          f"espeak-ng formant voice ({', '.join(v.languages or [])}) via pyttsx3")
                for v in _espeak_voices()]

    @classmethod
    def find_voice(cls, wanted: str) -> str | None:
        """The espeak-ng voice id for ``wanted`` (id, short id, name or language), else None."""
        want = wanted.strip().lower()
        voices = _espeak_voices()
        for v in voices:
            if want in (v.id.lower(), _short(v.id).lower(), v.name.lower()):
                return v.id
        for v in voices:  # a language tag: "en-gb" is the voice "en", "English (Great Britain)"
            if want in (lang.lower() for lang in (v.languages or [])):
                return v.id
        return None

    def voices(self) -> list[VoiceInfo]:
        """The espeak-ng voices installed."""
        return self.list_voices()

    def _pick_voice(self, wanted: str) -> str:
        found = self.find_voice(wanted)
        if found is None:
            english = ", ".join(_short(v.id) for v in _espeak_voices() if _short(v.id).startswith("en"))
            raise VoicecoachError(f"no voice called {wanted!r}",
                                  f"pick one of: {english} (or any of `voicecoach say --list-voices`)")
        return found

    def at_rate(self, factor: float) -> Pyttsx3TTS:
        """The same voice at ``factor`` times its normal rate."""
        self._check_factor(factor)
        wpm = round(self._normal_rate_wpm * factor)
        if not MIN_RATE_WPM <= wpm <= MAX_RATE_WPM:
            raise VoicecoachError(f"{factor:g} times {self._normal_rate_wpm} words per minute is outside espeak-ng's "
                                  f"{MIN_RATE_WPM} to {MAX_RATE_WPM}", "use a smaller change of rate")
        other = copy.copy(self)
        other._rate_factor = factor
        return other

    def warm_up(self) -> None:
        """Start and prime espeak-ng (safe to call twice, from any thread)."""
        with _lock:
            _shared_engine()

    def _render(self, piece: str) -> Iterator[AudioClip]:
        yield self._render_one(piece)

    def _render_one(self, text: str) -> AudioClip:
        """Render ``text`` (16-bit mono, espeak-ng's 22,050 Hz) and check the audio is plausible."""
        global _voice_set
        fd, name = tempfile.mkstemp(suffix=".wav", prefix="voicecoach-tts-")
        os.close(fd)
        path = Path(name)
        rate = self.rate_wpm
        try:
            path.unlink()
            with _lock:
                engine = _shared_engine()
                driver = getattr(getattr(engine, "proxy", None), "_driver", None)
                _wait_idle()
                if engine.isBusy():  # pyttsx3 would only queue the properties: make it idle again
                    engine.runAndWait()
                    _wait_idle()
                if _voice_set != self.voice_id:
                    engine.setProperty("voice", self.voice_id)
                    _voice_set = self.voice_id
                engine.setProperty("rate", rate)
                _wait_idle()
                if _current_rate() != rate:
                    raise SpeechSynthesisFailed(f"espeak-ng did not take the speaking rate {rate} "
                                                f"(it reports {_current_rate()})")
                engine.save_to_file(text, str(path))
                watchdog = threading.Timer(15.0 + len(text) / 20.0, _end_loop, (engine,))
                watchdog.daemon = True
                watchdog.start()
                try:
                    engine.runAndWait()
                finally:
                    watchdog.cancel()
                    # The driver never clears its target file; a later say() would overwrite ours.
                    if driver is not None and hasattr(driver, "_save_file"):
                        driver._save_file = None
            if not path.is_file():
                raise SpeechSynthesisFailed("pyttsx3 wrote no audio for the text")
            clip = from_wav_bytes(path.read_bytes())
        finally:
            path.unlink(missing_ok=True)
        words = len(_WORD.findall(text))
        expected_s = words * 60.0 / rate
        if clip.duration_s < 0.05 or (words >= 3 and clip.duration_s < 0.3 * expected_s):
            raise SpeechSynthesisFailed(
                f"pyttsx3 returned {clip.duration_s:.2f} s of audio for {words} words "
                f"(expected about {expected_s:.1f} s)"
            )
        if clip.rms() < 1e-4:
            raise SpeechSynthesisFailed("pyttsx3 returned silent audio")
        return clip
