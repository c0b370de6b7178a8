"""voicecoach: an offline, voice-driven mock interviewer.

The pipeline, one package per step, front ends on top (NOTES.md, "Packages"):

* ``cli`` (the terminal) is a front end over ``app`` (settings in, a ready interview out);
* ``interview`` holds the conversation: ``tts`` speaks a question, ``audio`` plays it, captures the answer
  and finds where speech ends, ``asr`` transcribes it, ``rules`` evaluates it, ``history`` keeps it;
* ``questions`` is the question bank, ``tailoring`` makes questions from a job advert and a CV;
* ``errors``, ``prompts`` (the editable data files) and ``memory`` sit under everything.
"""

import time as _time

__version__ = "0.1.0"


def _process_started() -> float:
    """When this process started, on the ``time.monotonic()`` clock (Linux: both count from boot), so that
    the interpreter's own start-up counts too; elsewhere, now (the import of voicecoach)."""
    now = _time.monotonic()
    try:
        import os

        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime, in clock ticks
        started = ticks / os.sysconf("SC_CLK_TCK")
        # CLOCK_MONOTONIC and the boot-time clock differ by the time the machine was suspended.
        boottime = _time.clock_gettime(_time.CLOCK_BOOTTIME)
        started -= boottime - now
        return started if 0 <= now - started < 60 else now
    except (OSError, ValueError, IndexError, AttributeError):
        return now


LAUNCHED_AT = _process_started()
"""When the process started, to time how soon the first question is heard."""

# ONNX Runtime (the VAD, the sentence embeddings, the voice) ships with telemetry on by default on Linux since
# 1.29: it writes a device id under ~/.cache/Microsoft and uploads usage events, and under a read-only home it
# prints "Failed to persist telemetry device ID" into the session. voicecoach promises that nothing leaves the
# machine, so it is switched off before any module loads onnxruntime (set ORT_DISABLE_TELEMETRY=0 to allow it).
import os as _os  # noqa: E402

_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__all__ = ["__version__", "LAUNCHED_AT"]
