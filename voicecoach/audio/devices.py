"""Audio devices: importing PortAudio with a clear error, naming devices, listing them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NoAudioDevice, PortAudioMissing

__all__ = ["import_sounddevice", "parse_device", "DeviceInfo", "list_devices"]


def import_sounddevice():
    """Import sounddevice, turning a missing PortAudio library into an actionable error."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found")
        raise PortAudioMissing(f"PortAudio is not available ({exc})") from exc
    return sounddevice


def parse_device(device: str | int | None):
    """``--input-device``/``--output-device`` value: an index, a name fragment, or None for the default."""
    if device is None or isinstance(device, int):
        return device
    return int(device) if str(device).isdigit() else device


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
