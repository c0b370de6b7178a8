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

__all__ = [
    "AudioClip",
    "MAX_GAIN_DB",
    "WHISPER_RATE_HZ",
    "concatenate",
    "from_wav_bytes",
    "limit_peaks",
    "load_audio",
    "normalize_loudness",
    "peak_level_dbfs",
    "resample",
    "speech_level_dbfs",
    "write_wav",
]

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


# --- Loudness -------------------------------------------------------------------------------------

MAX_GAIN_DB = 30.0
"""The most ``normalize_loudness`` amplifies, in dB."""

_LEVEL_BLOCK_S = 0.05
_ABSOLUTE_GATE_DBFS = -60.0
_RELATIVE_GATE_DB = 20.0


def speech_level_dbfs(clip: AudioClip) -> float:
    """RMS level of the clip's speech in dBFS (a full-scale sine is -3 dBFS), pauses left out.

    A plain RMS over a whole utterance depends on how much silence it holds (espeak-ng ends every
    sentence with a pause; a one-word reply is mostly edges), so the level is measured the way
    broadcast loudness meters gate programme material: the RMS of 50 ms blocks above -60 dBFS, then
    only of those no more than 20 dB below their mean. Returns ``-inf`` for silence.
    """
    x = np.asarray(clip.samples, dtype=np.float64)
    block = max(1, round(_LEVEL_BLOCK_S * clip.sample_rate_hz))
    n = len(x) // block
    if n == 0:
        power = np.array([np.mean(np.square(x))]) if len(x) else np.zeros(0)
    else:
        power = np.mean(np.square(x[: n * block].reshape(n, block)), axis=1)
    power = power[power > 10 ** (_ABSOLUTE_GATE_DBFS / 10)]
    if len(power) == 0:
        return float("-inf")
    power = power[power >= np.mean(power) * 10 ** (-_RELATIVE_GATE_DB / 10)]
    return float(10 * np.log10(np.mean(power)))


def peak_level_dbfs(clip: AudioClip) -> float:
    """The largest absolute sample in dBFS (``-inf`` for silence)."""
    peak = float(np.max(np.abs(clip.samples))) if len(clip.samples) else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit_peaks(samples: np.ndarray, ceiling: float, sample_rate_hz: int, window_s: float = 0.005) -> np.ndarray:
    """Scale down only the neighbourhood of peaks above ``ceiling`` (linear), smoothly; float32 out.

    The gain curve is the per-sample gain each peak needs, spread by a running minimum of +-``window_s``
    and then averaged over the same span. Every averaged value comes from minima that include the
    sample itself, so the gain never exceeds what that sample needs: no output sample is above the
    ceiling, and the gain moves over ~10 ms instead of clipping the waveform.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    x = np.asarray(samples, dtype=np.float32)
    mag = np.abs(x)
    if len(x) == 0 or float(mag.max()) <= ceiling:
        return x
    need = np.minimum(1.0, ceiling / np.maximum(mag, 1e-12)).astype(np.float64)
    radius = max(1, int(window_s * sample_rate_hz))
    gain = minimum_filter1d(need, size=2 * radius + 1, mode="nearest")
    gain = uniform_filter1d(gain, size=2 * radius + 1, mode="nearest")
    gain = np.minimum(gain, need)  # rounding in the running mean must not let a peak through
    return (x * gain).astype(np.float32)


def normalize_loudness(clip: AudioClip, target_rms_dbfs: float = -20.0, peak_dbfs: float = -1.0) -> AudioClip:
    """The clip with its speech at ``target_rms_dbfs`` (see ``speech_level_dbfs``) and no sample above ``peak_dbfs``.

    Different speech engines come out at different levels (hibari's neural voice is about 6 dB quieter
    than espeak-ng); everything voicecoach says goes through here so every voice plays at one level.
    Peaks that the gain would push over the ceiling are limited (``limit_peaks``), and the small level
    that costs is made up again. Silence is returned unchanged, and the gain never exceeds
    ``MAX_GAIN_DB`` (a clip of near-silence is not blown up into loud noise).

    Args:
        clip: speech audio.
        target_rms_dbfs: the speech level wanted, in dBFS.
        peak_dbfs: the ceiling no sample may exceed, in dBFS.

    Returns:
        A new clip at the same sample rate.
    """
    level = speech_level_dbfs(clip)
    if not np.isfinite(level):
        return clip
    ceiling = 10 ** (peak_dbfs / 20)
    x = np.asarray(clip.samples, dtype=np.float32)
    out = x
    gain_db = min(target_rms_dbfs - level, MAX_GAIN_DB)
    for _ in range(4):
        out = limit_peaks(x * np.float32(10 ** (gain_db / 20)), ceiling, clip.sample_rate_hz)
        error_db = target_rms_dbfs - speech_level_dbfs(AudioClip(out, clip.sample_rate_hz))
        if abs(error_db) < 0.05 or gain_db + error_db > MAX_GAIN_DB:
            break
        gain_db += error_db
    return AudioClip(np.clip(out, -ceiling, ceiling).astype(np.float32), clip.sample_rate_hz)


def concatenate(clips: list[AudioClip]) -> AudioClip:
    """One clip holding ``clips`` back to back (resampled to the first clip's rate where they differ)."""
    if not clips:
        raise ValueError("no clips to concatenate")
    rate = clips[0].sample_rate_hz
    return AudioClip(np.concatenate([c.to(rate).samples.astype(np.float32, copy=False) for c in clips]), rate)
