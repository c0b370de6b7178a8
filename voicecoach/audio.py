"""Audio values and file I/O: any WAV, FLAC, MP3 or OGG file to 16 kHz mono float32.

Decoding uses libsndfile (through soundfile, whose wheel bundles a build with MP3 and Vorbis), so no
``ffmpeg`` program is needed. openai-whisper's own ``load_audio`` shells out to ffmpeg, which is why
both transcription engines are handed arrays from here instead of paths.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np

from .errors import AudioFileNotFound, EmptyAudio, UnreadableAudio

__all__ = ["AudioClip", "WHISPER_RATE_HZ", "load_audio", "from_wav_bytes", "resample", "write_wav"]

WHISPER_RATE_HZ = 16000


@dataclass(frozen=True)
class AudioClip:
    """Mono audio held in memory."""

    samples: np.ndarray
    """float32 samples in [-1, 1], one channel."""
    sample_rate_hz: int
    """Hertz."""

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / float(self.sample_rate_hz)

    def to(self, sample_rate_hz: int) -> "AudioClip":
        """The same audio at another sample rate."""
        if sample_rate_hz == self.sample_rate_hz:
            return self
        return AudioClip(resample(self.samples, self.sample_rate_hz, sample_rate_hz), sample_rate_hz)

    def rms(self) -> float:
        """Root-mean-square level (0 for silence, about 0.7 for a full-scale sine)."""
        if len(self.samples) == 0:
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))

    def to_wav_bytes(self) -> bytes:
        """16-bit PCM WAV file contents."""
        buf = io.BytesIO()
        with wave.open(buf, "wb") as out:
            write_wav(self, out)
        return buf.getvalue()


def resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """Polyphase resampling (anti-aliased), float32 out."""
    if from_hz == to_hz:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(int(from_hz), int(to_hz))
    return resample_poly(samples, to_hz // g, from_hz // g).astype(np.float32)


def write_wav(clip: AudioClip, out: wave.Wave_write) -> None:
    """Write ``clip`` as 16-bit mono PCM into a caller-supplied ``wave.Wave_write``."""
    pcm = np.clip(clip.samples, -1.0, 1.0)
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(int(clip.sample_rate_hz))
    out.writeframes((pcm * 32767.0).astype("<i2").tobytes())


def from_wav_bytes(data: bytes) -> AudioClip:
    """Decode 16-bit PCM WAV bytes (as written by ``write_wav`` or espeak-ng) to a mono clip."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if width != 2:
        raise UnreadableAudio(f"WAV data is {8 * width}-bit; expected 16-bit PCM")
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    return AudioClip(pcm, rate)


def _declared_wav_frames(path: Path) -> int:
    """Frames a PCM WAV header promises (libsndfile quietly trims this to what is present)."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes()
    except (wave.Error, EOFError, OSError):
        return 0


def load_audio(path: str | Path, sample_rate_hz: int = WHISPER_RATE_HZ) -> AudioClip:
    """Read an audio file of any rate and channel count as mono at ``sample_rate_hz``.

    Args:
        path: a WAV, FLAC, MP3 or OGG file.
        sample_rate_hz: the rate to return, 16 kHz for Whisper by default.

    Returns:
        The clip, channels averaged.

    Raises:
        AudioFileNotFound: the path does not exist.
        UnreadableAudio: the file cannot be decoded (not audio, corrupt or truncated).
        EmptyAudio: the file decodes to no samples.
    """
    import soundfile

    path = Path(path)
    if not path.exists():
        raise AudioFileNotFound(f"audio file not found: {path}")
    if path.is_dir():
        raise UnreadableAudio(f"{path} is a folder, not an audio file")
    try:
        with soundfile.SoundFile(str(path)) as f:
            rate = f.samplerate
            data = f.read(dtype="float32", always_2d=True)
            declared = _declared_wav_frames(path) if f.format == "WAV" else f.frames
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        detail = str(exc).split("\n")[0].rstrip(". ")
        raise UnreadableAudio(f"cannot decode {path.name}: {detail}") from exc
    if data.shape[0] == 0:
        raise EmptyAudio(f"{path.name} holds no audio samples")
    # libsndfile reads a truncated WAV/FLAC up to where the data stops; a file that promised
    # far more frames than it delivered is damaged, and transcribing half of it would mislead.
    if declared > 0 and data.shape[0] < 0.9 * declared:
        raise UnreadableAudio(
            f"{path.name} is truncated: it declares {declared / rate:.1f} s of audio "
            f"but holds {data.shape[0] / rate:.1f} s"
        )
    if not np.all(np.isfinite(data)):
        raise UnreadableAudio(f"{path.name} contains invalid (NaN or infinite) samples")
    mono = data.mean(axis=1)
    return AudioClip(resample(mono, rate, sample_rate_hz), sample_rate_hz)
