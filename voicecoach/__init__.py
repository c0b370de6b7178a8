"""voicecoach: an offline, voice-driven mock interviewer.

The pipeline, one module or package per step: ``tts`` speaks a question, ``snd`` plays it, ``mic``
captures the answer, ``vad`` finds where speech starts and ends, ``asr`` transcribes it, and
``cli`` ties them together for the terminal.
"""

import time as _time

__version__ = "0.1.0"

LAUNCHED_AT = _time.monotonic()
"""When the process imported voicecoach (its start, near enough), to time how soon the first question is heard."""

__all__ = ["__version__", "LAUNCHED_AT"]
