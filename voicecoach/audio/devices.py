"""Audio devices: importing PortAudio with a clear error, naming devices, listing them, and finding out
whether one can really be opened.

A device the user names (``--input-device``/``--output-device``, a number or part of a name) that does not
match is reported with the list of what exists. PortAudio lists ALSA's ``pulse`` and ``default`` devices
even when the PulseAudio server behind them has no speaker or microphone at all, so "is there a device" is
answered by opening a stream for a moment (``check``), not by the list.

ALSA prints its own complaints straight to the terminal ("ALSA lib pcm.c:8570:(snd_pcm_recover) underrun
occurred" whenever playback through PulseAudio falls behind for a moment, into the middle of the interview's
screen); ``import_sounddevice`` gives ALSA an error handler that counts them instead (``alsa_messages``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ..errors import NoAudioDevice, PortAudioMissing

__all__ = ["import_sounddevice", "parse_device", "DeviceInfo", "list_devices", "resolve_device", "check_device",
           "alsa_messages", "quiet_native_stderr"]

_KIND = {"input": ("input device", "microphone", "record from"), "output": ("output device", "speaker", "play to")}

alsa_messages = [0]
"""How many messages ALSA wanted to print (underruns and the like) since the import; not shown."""
_alsa_handler = None  # the ctypes callback must outlive the call that installed it


def import_sounddevice():
    """Import sounddevice, turning a missing PortAudio library into an actionable error."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found")
        raise PortAudioMissing(f"PortAudio is not available ({exc})") from exc
    _quiet_alsa()
    return sounddevice


def _quiet_alsa() -> None:
    """Route ALSA's messages to a counter (see the module docstring); a no-op without ALSA."""
    global _alsa_handler
    if _alsa_handler is not None:
        return
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("asound")
    if not name:
        _alsa_handler = False
        return
    try:
        asound = ctypes.CDLL(name)
    except OSError:
        _alsa_handler = False
        return
    # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...): the
    # variable arguments are never read, so the fixed ones are all the callback declares.
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)

    def count(file, line, function, err, fmt) -> None:
        alsa_messages[0] += 1

    _alsa_handler = handler_type(count)
    asound.snd_lib_error_set_handler(_alsa_handler)


@contextlib.contextmanager
def quiet_native_stderr():
    """Send file descriptor 2 to /dev/null for a moment: PortAudio's ALSA layer prints "Expression ... failed in
    'src/hostapi/alsa/pa_linux_alsa.c'" lines straight to it when a stream cannot be opened (the error it
    raises says the same in one line)."""
    import os
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except (OSError, ValueError, AttributeError):
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def parse_device(device: str | int | None):
    """``--input-device``/``--output-device`` value: an index, a name fragment, or None for the default."""
    if device is None or isinstance(device, int):
        return device
    text = str(device).strip()
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and text.count("-") <= 1 else text


@dataclass(frozen=True)
class DeviceInfo:
    """An audio device as ``--input-device``/``--output-device`` accept it (its number or part of its name)."""

    index: int
    name: str
    kind: str
    """``input``, ``output`` or ``both``."""
    default: bool


def list_devices() -> list[DeviceInfo]:
    """Every PortAudio device with its number, name, direction and whether it is the default."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise NoAudioDevice(f"cannot list audio devices: {exc}") from exc
    out = []
    for d in devices:
        ins, outs = d["max_input_channels"] > 0, d["max_output_channels"] > 0
        kind = "both" if ins and outs else "input" if ins else "output"
        out.append(DeviceInfo(d["index"], d["name"], kind, d["index"] in (default_in, default_out)))
    return out


def _listing(devices: list[DeviceInfo]) -> str:
    return ", ".join(f"{d.index} {d.name!r}" + (" (default)" if d.default else "") for d in devices)


def resolve_device(device: str | int | None, kind: str) -> int | None:
    """The PortAudio number of the device ``device`` names for ``kind`` (``input`` or ``output``); None for the
    default device.

    Raises:
        NoAudioDevice: nothing matches (the message lists the devices of that kind), more than one name
            matches, or there is no device of that kind at all.
    """
    noun, thing, _ = _KIND[kind]
    option = f"--{kind}-device"
    device = parse_device(device)
    fitting = [d for d in list_devices() if d.kind in (kind, "both")]
    if not fitting:
        raise NoAudioDevice(f"no {thing} ({noun}) found" + (f", so {device!r} cannot be used" if device is not None
                                                             else ""))
    if device is None:
        return None
    which = f"the {noun}s are: {_listing(fitting)}"
    fix = f"give {option} one of those numbers or part of a name (`voicecoach devices` lists them)"
    if isinstance(device, int):
        found = [d for d in fitting if d.index == device]
        if not found:
            other = next((d for d in list_devices() if d.index == device), None)
            why = (f"device {device} ({other.name!r}) is not an {noun}" if other
                   else f"there is no {noun} number {device}")
            raise NoAudioDevice(f"{why}; {which}", fix)
        return device
    low = device.lower()
    found = [d for d in fitting if d.name.lower() == low] or [d for d in fitting if low in d.name.lower()]
    if not found:
        raise NoAudioDevice(f"no {noun} matches {device!r}; {which}", fix)
    if len(found) > 1:
        raise NoAudioDevice(f"{device!r} matches more than one {noun}: {_listing(found)}",
                            f"give {option} the number of the one you mean")
    return found[0].index


def check_device(device: str | int | None, kind: str, rate_hz: int = 16000) -> int | None:
    """``resolve_device``, then open and start a stream on it for a moment: a PulseAudio server with no
    speaker (or no microphone) lists devices but cannot open one. Returns the device's number (None: default).

    Raises:
        NoAudioDevice: as ``resolve_device``, or the device cannot be opened (saying why and what to do).
    """
    index = resolve_device(device, kind)
    sd = import_sounddevice()
    noun, thing, verb = _KIND[kind]
    stream_type = sd.InputStream if kind == "input" else sd.OutputStream
    try:
        with quiet_native_stderr():
            stream = stream_type(samplerate=rate_hz, channels=1, dtype="float32", device=index)
            try:
                stream.start()
                stream.stop()
            finally:
                stream.close()
    except (sd.PortAudioError, ValueError) as exc:
        name = "the default " + noun if index is None else f"{noun} {index}"
        where = "sources" if kind == "input" else "sinks"
        fix = (f"connect a {thing}; the sound server may have none (`pactl list short {where}`); "
               + ("`voicecoach demo` needs no microphone" if kind == "input"
                  else "`voicecoach say --out FILE.wav` and `voicecoach demo --silent` need no speaker"))
        raise NoAudioDevice(f"cannot {verb} {name}: {_why(exc)}", fix) from None
    return index


def _why(exc: Exception) -> str:
    """PortAudio's reason in words: "Unanticipated host error [PaErrorCode -9999]: 'Input/output error' [ALSA
    error -5]" is what a sound server with no such device says."""
    text = str(exc)
    if "-9999" in text or "Input/output error" in text:
        return "the sound system has no such device to open (PulseAudio has no " + \
               ("microphone" if "InputStream" in text else "speaker") + ", or the device is gone)"
    if "Error querying device -1" in text:
        return "there is no default device (is a sound server running?)"
    return text.split("\n")[0][:120]
