"""Audio loading: any format, rate and channel count to 16 kHz mono, and clear errors for bad files."""

import wave

import numpy as np
import pytest

from voicecoach.audio.clip import AudioClip, load_audio
from voicecoach.errors import AudioFileNotFound, EmptyAudio, UnreadableAudio


@pytest.mark.parametrize("name, seconds", [("jfk.flac", 11.0), ("stereo_diarization.wav", 5.0), ("hotwords.mp3", 4.0)])
def test_loads_real_recordings_as_16k_mono(speech_dir, name, seconds):
    clip = load_audio(speech_dir / name)
    assert clip.sample_rate_hz == 16000
    assert clip.samples.ndim == 1 and clip.samples.dtype == np.float32
    assert clip.duration_s == pytest.approx(seconds, abs=0.05)
    assert clip.rms() > 0.01


def test_ogg_and_odd_rates_round_trip(tmp_path):
    import soundfile

    t = np.arange(int(0.5 * 44100)) / 44100
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 440 * t)], axis=1) * 0.5
    soundfile.write(tmp_path / "tone.ogg", stereo, 44100, format="OGG", subtype="VORBIS")
    clip = load_audio(tmp_path / "tone.ogg")
    assert clip.duration_s == pytest.approx(0.5, abs=0.02)
    assert clip.rms() == pytest.approx(0.5 / np.sqrt(2), rel=0.1)
    # 8 kHz up-sampling keeps the length
    assert AudioClip(np.zeros(8000, np.float32), 8000).to(16000).samples.shape == (16000,)


def test_missing_file():
    with pytest.raises(AudioFileNotFound):
        load_audio("/nonexistent/answer.wav")


def test_not_audio(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not audio")
    with pytest.raises(UnreadableAudio):
        load_audio(p)


def test_truncated_wav_and_flac(tmp_path, speech_dir):
    data = (speech_dir / "stereo_diarization.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 4])
    with pytest.raises(UnreadableAudio, match="truncated"):
        load_audio(tmp_path / "cut.wav")
    flac = (speech_dir / "jfk.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(flac[: len(flac) // 4])
    with pytest.raises(UnreadableAudio):
        load_audio(tmp_path / "cut.flac")


def test_empty_wav(tmp_path):
    p = tmp_path / "empty.wav"
    with wave.open(str(p), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
    with pytest.raises(EmptyAudio):
        load_audio(p)
