"""A private PulseAudio server (a test rig) with null sinks: real PortAudio devices on a machine with no sound card.

Used by the real-audio tests and scripts. Each null sink is a virtual speaker; its ``.monitor``
source records whatever is played into it. Debian's ``libasound2-plugins`` routes PortAudio's default
ALSA device to PulseAudio, and ``PULSE_SERVER``/``PULSE_SINK``/``PULSE_SOURCE`` pick the server and
devices per process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["VirtualAudio"]


class VirtualAudio:
    """Starts ``pulseaudio`` with the named null sinks; use as a context manager."""

    def __init__(self, sinks: tuple[str, ...] = ("vc_speaker",)) -> None:
        self.sinks = sinks
        self._dir = Path(tempfile.mkdtemp(prefix="voicecoach-pulse-"))
        self.socket = self._dir / "native"
        self._proc: subprocess.Popen | None = None

    def env(self, sink: str | None = None, source: str | None = None) -> dict[str, str]:
        """Environment for a process that should play into ``sink`` and record from ``source``."""
        env = dict(os.environ, PULSE_SERVER=f"unix:{self.socket}")
        if sink:
            env["PULSE_SINK"] = sink
        if source:
            env["PULSE_SOURCE"] = source
        return env

    def __enter__(self) -> "VirtualAudio":
        exe = shutil.which("pulseaudio")
        if not exe:
            raise RuntimeError("pulseaudio is not installed: sudo apt-get install pulseaudio libasound2-plugins")
        cmd = [exe, "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
               f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1"]
        cmd += [f"--load=module-null-sink sink_name={s} rate=48000" for s in self.sinks]
        env = dict(os.environ, HOME=str(self._dir), XDG_RUNTIME_DIR=str(self._dir), XDG_CONFIG_HOME=str(self._dir))
        self._log = open(self._dir / "pulse.log", "wb")
        self._proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 15
        while not self.socket.exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                log = (self._dir / "pulse.log").read_text(errors="replace")[-500:]
                raise RuntimeError(f"pulseaudio did not start: {log.strip()}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._log.close()
        shutil.rmtree(self._dir, ignore_errors=True)
