"""voicecoach: an offline, voice-driven mock interviewer.

The pipeline, one module or package per step: ``tts`` speaks a question, ``snd`` plays it, ``mic``
captures the answer, ``vad`` finds where speech starts and ends, ``asr`` transcribes it, and
``cli`` ties them together for the terminal.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
