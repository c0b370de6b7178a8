"""The answers' audio on disk: written at once as WAV (a few milliseconds, before any feedback is spoken),
re-encoded as OGG Vorbis afterwards (about a tenth of the size)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .storage import cannot_write
from .writing import discard

__all__ = ["write_wav_file", "encode_ogg"]


def write_wav_file(path: Path, samples: np.ndarray, rate_hz: int) -> None:
    """Write 16-bit mono WAV atomically (under a temporary name, then renamed), creating the folder.

    Raises:
        StorageError: the folder cannot be made or the file written (read-only, full disk); nothing
            half-written is left behind.
    """
    from ..audio.clip import AudioClip

    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(AudioClip(np.asarray(samples, np.float32), rate_hz).to_wav_bytes())
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise cannot_write(path, exc, what="the answer's audio") from None


def encode_ogg(wav: Path) -> Path:
    """Re-encode a WAV as OGG Vorbis beside it (atomically) and return the new path; the WAV stays.

    Raises:
        StorageError: the OGG cannot be written (read-only, full disk); nothing half-written is left.
    """
    import soundfile

    data, rate = soundfile.read(wav, dtype="float32")
    ogg = wav.with_suffix(".ogg")
    tmp = wav.with_suffix(".ogg.tmp")
    try:
        soundfile.write(tmp, data, rate, format="OGG", subtype="VORBIS")
        os.replace(tmp, ogg)
    except (OSError, RuntimeError) as exc:  # libsndfile says only "System error" on a full disk
        discard(tmp)
        raise cannot_write(ogg, exc if isinstance(exc, OSError) else None, what="the answer's audio") from None
    return ogg
