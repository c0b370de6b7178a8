"""A test rig for `voicecoach web`: the server in its own process, headless Chromium (Debian's, through
Playwright) with a fake microphone that plays a WAV file, and that file built from the demo candidate's
voice with each utterance at a set time.

Chromium's fake microphone starts playing the file when the page opens the microphone (the Start click)
and runs on its own clock, so each utterance is placed where the interview will be listening: the times
below were measured on this machine (the first question ends about 6 s after the click; see
tests/test_web.py) with a few seconds of margin either way. The file loops, so it ends with a long silence.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
FILE_RATE_HZ = 48000
"""The fake microphone file's rate (Chromium's capture rate, so it is not resampled on the way in)."""

__all__ = ["chromium_path", "candidate_wav", "WebServer", "CHROMIUM_ARGS", "launch"]


def chromium_path() -> str | None:
    """Debian's chromium, or None."""
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


def candidate_wav(path: Path, script: list[tuple[float, str]], total_s: float) -> Path:
    """Write a 16-bit mono WAV with each (start in seconds, text) of ``script`` spoken by the demo's
    candidate voice at its time, silence elsewhere."""
    import soundfile as sf

    from voicecoach.app.demo import render_turn
    from voicecoach.audio.clip import WHISPER_RATE_HZ, resample
    from voicecoach.tts import candidate_voice

    voice = candidate_voice()
    out = np.zeros(int(total_s * WHISPER_RATE_HZ), np.float32)
    end = 0
    for start_s, text in script:
        samples = render_turn(voice, text)
        at = int(start_s * WHISPER_RATE_HZ)
        if at < end:
            raise ValueError(f"the utterance at {start_s} s overlaps the one before it")
        out[at: at + len(samples)] = samples[: max(0, len(out) - at)]
        end = at + len(samples)
    sf.write(str(path), resample(out, WHISPER_RATE_HZ, FILE_RATE_HZ), FILE_RATE_HZ, subtype="PCM_16")
    return path


class WebServer:
    """``voicecoach web --no-open --port 0`` in its own process; ``url`` is the first line it printed."""

    def __init__(self, home: Path, extra_env: dict | None = None) -> None:
        env = dict(os.environ, VOICECOACH_HOME=str(home), HF_HUB_OFFLINE="1",
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(extra_env or {}))
        self.stderr_path = home.parent / f"web-{os.getpid()}-{id(self)}.err"
        home.mkdir(parents=True, exist_ok=True)
        self._err = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "web", "--no-open", "--port", "0"],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._err, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("voicecoach web: http://"):
            self.stop()
            raise RuntimeError(f"voicecoach web printed {line!r} first; stderr: {self.stderr()}")
        self.url = line.split(": ", 1)[1].strip()
        self.base = self.url.split("/?")[0]
        self.port = int(self.base.rsplit(":", 1)[1])
        self.token = self.url.split("token=", 1)[1]

    def stderr(self) -> str:
        """What the server wrote on stderr so far."""
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def stop(self, timeout: float = 30) -> int:
        """Stop it as Ctrl-C would; returns its exit code."""
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.close()
        return self.proc.returncode

    def __enter__(self) -> "WebServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def launch(pw, chromium: str, microphone_file: Path | None = None):
    """Headless Chromium with the fake microphone playing ``microphone_file`` (or a beep without one)."""
    args = list(CHROMIUM_ARGS)
    if microphone_file is not None:
        args.append(f"--use-file-for-fake-audio-capture={microphone_file}")
    return pw.chromium.launch(executable_path=chromium, args=args)
