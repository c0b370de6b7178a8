"""Audio values and file I/O: any WAV, FLAC, MP3 or OGG file to 16 kHz mono float32.

Decoding uses libsndfile (through soundfile, whose wheel bundles a build with MP3 and Vorbis), so no
``ffmpeg`` program is needed. openai-whisper's own ``load_audio`` shells out to ffmpeg, which is why
both transcription engines are handed arrays from here instead of paths.
"""

from __future__ import annotations

import io
import wave
from contextlib import nullcontext
from dataclasses import dataclass
from math import gcd
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..errors import AudioFileNotFound, EmptyAudio, UnreadableAudio

__all__ = [
    "AudioClip",
    "WHISPER_RATE_HZ",
    "concatenate",
    "from_wav_bytes",
    "load_audio",
    "open_audio",
    "AudioFile",
    "resample_stream",
    "resample",
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

    def blocks(self, block_s: float = 30.0) -> Iterator[np.ndarray]:
        """The samples in consecutive slices of ``block_s`` seconds (views, not copies), as ``AudioFile.blocks``
        yields a file's."""
        step = max(1, int(block_s * self.sample_rate_hz))
        for start in range(0, len(self.samples), step):
            yield self.samples[start: start + step]

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
    """Polyphase resampling (anti-aliased), float32 out.

    Long signals are resampled 30 s at a time with some context either side, so memory stays bounded
    (the filter works in float64); the result equals resampling the whole signal at once.
    """
    if from_hz == to_hz:
        return samples.astype(np.float32, copy=False)
    from .dsp import resample_poly

    g = gcd(int(from_hz), int(to_hz))
    x = np.asarray(samples)
    if len(x) <= _resample_block(from_hz, to_hz)[0] + 2 * _resample_block(from_hz, to_hz)[1]:
        return resample_poly(x, to_hz // g, from_hz // g).astype(np.float32)
    return np.concatenate(list(resample_stream([x], from_hz, to_hz)))


def _resample_block(from_hz: int, to_hz: int) -> tuple[int, int]:
    """(block, context) in input samples: whole multiples of ``down``, so every block's output starts on an
    output sample; the context (about 2048 input samples) is far longer than the filter's reach."""
    down = int(from_hz) // gcd(int(from_hz), int(to_hz))
    return down * max(1, (from_hz * _BLOCK_S) // down), down * -(-2048 // down)


def resample_stream(chunks: Iterable[np.ndarray], from_hz: int, to_hz: int) -> Iterator[np.ndarray]:
    """``resample`` for audio that arrives in chunks of any length: yields float32 blocks at ``to_hz`` that
    join into what resampling the whole signal gives, holding at most a block and its context at once."""
    if from_hz == to_hz:
        for chunk in chunks:
            yield np.asarray(chunk, np.float32)
        return
    from .dsp import resample_poly

    g = gcd(int(from_hz), int(to_hz))
    up, down = to_hz // g, from_hz // g
    block, context = _resample_block(from_hz, to_hz)
    buf, buf_start, start = np.zeros(0, np.float64), 0, 0

    def piece(total: int) -> np.ndarray:
        lo, hi = max(0, start - context), min(total, start + block + context)
        y = resample_poly(buf[lo - buf_start: hi - buf_start], up, down)
        skip = (start - lo) * up // down
        n = -(-(min(block, total - start) * up) // down)
        return y[skip: skip + n].astype(np.float32)

    for chunk in chunks:
        buf = np.concatenate([buf, np.asarray(chunk, np.float64)])
        while buf_start + len(buf) > start + block + context:  # the block and its context on both sides are here
            yield piece(buf_start + len(buf))
            start += block
            drop = start - context - buf_start
            if drop > 0:
                buf, buf_start = buf[drop:], buf_start + drop
    total = buf_start + len(buf)
    while start < total:
        yield piece(total)
        start += block


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


_AUDIO_SIGNATURES = (b"RIFF", b"RF64", b"fLaC", b"OggS", b"ID3", b"FORM", b"caff")
_OTHER_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an Office document)", b"\x7fELF": "a program", b"SQLite format": "a database",
}


def _sniff(head: bytes) -> tuple[bool, str | None]:
    """(looks like audio, what it is when it is clearly something else) from a file's first bytes."""
    if head.startswith(_AUDIO_SIGNATURES) or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return True, None  # the MPEG frame sync: 11 bits set
    if len(head) > 8 and head[4:8] == b"ftyp":
        return True, None  # MP4/M4A: libsndfile cannot read it, which its error says
    for magic, what in _OTHER_SIGNATURES.items():
        if head.startswith(magic):
            return False, what
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False, None
    return False, "text" if text.strip() and text.isprintable() or "\n" in text else None


class _QuietStderr:
    """Send file descriptor 2 to /dev/null for a moment: libmpg123 (inside libsndfile) prints "Note: Illegal
    Audio-MPEG-Header ..." straight to it while it probes a file that is not MP3."""

    def __enter__(self):
        import os
        import sys

        try:
            sys.stderr.flush()
            self._saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except OSError:
            self._saved = None
        return self

    def __exit__(self, *exc) -> None:
        import os

        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)


def load_audio(path: str | Path, sample_rate_hz: int = WHISPER_RATE_HZ) -> AudioClip:
    """Read an audio file of any rate and channel count as mono at ``sample_rate_hz``.

    Args:
        path: a WAV, FLAC, MP3 or OGG file.
        sample_rate_hz: the rate to return, 16 kHz for Whisper by default.

    Returns:
        The clip, channels averaged.

    Raises:
        AudioFileNotFound: the path does not exist.
        StorageError: the file cannot be read (permission denied).
        UnreadableAudio: the file is not audio, or cannot be decoded (corrupt, truncated).
        EmptyAudio: the file is empty or decodes to no samples.
    """
    return open_audio(path, sample_rate_hz).read()


def open_audio(path: str | Path, sample_rate_hz: int = WHISPER_RATE_HZ) -> "AudioFile":
    """Check an audio file and open it for reading a block at a time (``AudioFile``), so that a recording of
    hours is never held in memory whole. Raises what ``load_audio`` raises, except that a file truncated or
    holding invalid samples is found while it is read."""
    import soundfile

    from ..errors import StorageError

    path = Path(path)
    if not path.exists():
        raise AudioFileNotFound(f"audio file not found: {path}")
    if path.is_dir():
        raise UnreadableAudio(f"{path} is a folder, not an audio file")
    kind = _not_a_file(path)
    if kind:
        # Opening a named pipe waits for a writer, forever when there is none; a device never ends.
        raise UnreadableAudio(f"{path} is {kind}, not an audio file",
                              "save the recording to a file (WAV, FLAC, MP3 or OGG) and give its path")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except PermissionError:
        raise StorageError(f"cannot read {path}: permission denied",
                           f"make it readable (chmod a+r {path}), or copy it somewhere you can read") from None
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}", "check the disk and the file") from None
    if not head:
        raise EmptyAudio(f"{path.name} is empty (0 bytes)", "the recording holds nothing; record the answer again")
    audio_like, other = _sniff(head)
    if other:
        raise UnreadableAudio(f"{path.name} is not audio (it looks like {other})",
                              "give a recording: WAV, FLAC, MP3 or OGG")
    quiet = not audio_like or head.startswith((b"ID3", b"\xff"))
    try:
        with (_QuietStderr() if quiet else nullcontext()), soundfile.SoundFile(str(path)) as f:
            rate, fmt = f.samplerate, f.format
            declared = _declared_wav_frames(path) if f.format == "WAV" else f.frames
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise _undecodable(path, exc, audio_like) from None
    return AudioFile(path, sample_rate_hz, rate, declared, fmt, quiet, audio_like)


def _undecodable(path: Path, exc: Exception, audio_like: bool) -> UnreadableAudio:
    detail = str(exc).split("\n")[0].rstrip(". ")
    if not audio_like or "possibly a pipe" in detail or "Format not recognised" in detail:
        # libsndfile's words for "no decoder recognised this" name pipes and missing files.
        return UnreadableAudio(f"{path.name} is not audio voicecoach can read (no WAV, FLAC, MP3 or OGG "
                               "data in it)", "give a recording: WAV, FLAC, MP3 or OGG")
    return UnreadableAudio(f"cannot decode {path.name}: {detail.replace(str(path), path.name)}")


class AudioFile:
    """An audio file read a block at a time (``blocks``), as mono at ``sample_rate_hz``: memory stays that of
    a block (30 s) however long the recording. ``open_audio`` makes one."""

    def __init__(self, path: Path, sample_rate_hz: int, source_rate_hz: int, declared_frames: int, fmt: str,
                 quiet: bool, audio_like: bool) -> None:
        self.path = path
        self.sample_rate_hz = sample_rate_hz
        """Hertz, of what ``blocks`` yields."""
        self.source_rate_hz = source_rate_hz
        """Hertz, of the file."""
        self._declared, self._format, self._quiet, self._audio_like = declared_frames, fmt, quiet, audio_like

    @property
    def duration_s(self) -> float:
        """Length in seconds, as the file's header says (``blocks`` checks it)."""
        return max(self._declared, 0) / float(self.source_rate_hz)

    def blocks(self) -> Iterator[np.ndarray]:
        """The audio as float32 blocks of about 30 s at ``sample_rate_hz``, channels averaged; each call reads
        the file again from the start.

        Raises:
            UnreadableAudio: the file cannot be decoded, is truncated, or holds NaN or infinite samples.
            EmptyAudio: it decodes to no samples.
        """
        yield from resample_stream(self._mono_blocks(), self.source_rate_hz, self.sample_rate_hz)

    def _mono_blocks(self) -> Iterator[np.ndarray]:
        import soundfile

        name, read = self.path.name, 0
        try:
            with (_QuietStderr() if self._quiet else nullcontext()), soundfile.SoundFile(str(self.path)) as f:
                for chunk in f.blocks(blocksize=f.samplerate * _BLOCK_S, dtype="float32", always_2d=True):
                    mono = chunk.mean(axis=1, dtype=np.float32) if chunk.shape[1] > 1 else chunk[:, 0]
                    if not np.all(np.isfinite(mono)):
                        raise UnreadableAudio(f"{name} contains invalid (NaN or infinite) samples")
                    read += len(mono)
                    yield mono
        except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise _undecodable(self.path, exc, self._audio_like) from None
        if read == 0:
            raise EmptyAudio(f"{name} holds no audio samples")
        # libsndfile reads a truncated WAV/FLAC up to where the data stops; a file that promised
        # far more frames than it delivered is damaged, and transcribing half of it would mislead.
        if self._declared > 0 and read < 0.9 * self._declared:
            raise UnreadableAudio(f"{name} is truncated: it declares {self._declared / self.source_rate_hz:.1f} s "
                                  f"of audio but holds {read / self.source_rate_hz:.1f} s")

    def read(self) -> AudioClip:
        """The whole file as one clip (for recordings short enough to hold)."""
        blocks = list(self.blocks())
        return AudioClip(np.concatenate(blocks) if blocks else np.zeros(0, np.float32), self.sample_rate_hz)


_BLOCK_S = 30


def _not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file ("a named pipe (FIFO)", "a device"), else None."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # opening it says why
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


# --- Loudness -------------------------------------------------------------------------------------

def concatenate(clips: list[AudioClip]) -> AudioClip:
    """One clip holding ``clips`` back to back (resampled to the first clip's rate where they differ)."""
    if not clips:
        raise ValueError("no clips to concatenate")
    rate = clips[0].sample_rate_hz
    return AudioClip(np.concatenate([c.to(rate).samples.astype(np.float32, copy=False) for c in clips]), rate)

