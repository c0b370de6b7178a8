"""Backend choice, the espeak-ng fallback, voices, rate, streaming and loudness, with both real engines."""

import sys
import threading
import time

import numpy as np
import pytest

from voicecoach.audio.clip import AudioClip
from voicecoach.audio.loudness import normalize_loudness, peak_level_dbfs, speech_level_dbfs
from voicecoach.errors import EngineMissing, SpeechSynthesisFailed, VoicecoachError
from voicecoach.tts import LEVEL_DBFS, PEAK_DBFS, candidate_voice, default_backend_note, list_voices, make_tts
from voicecoach.tts.hibari_tts import HibariTTS
from voicecoach.tts.pyttsx3_tts import Pyttsx3TTS

QUESTION = "Why do you want to work for this company rather than one of our competitors?"
THREE = ("Yes. Please describe the most complicated project you have led from start to finish, "
         "including what went wrong. Take your time.")


@pytest.fixture(scope="module", params=["hibari", "espeak"])
def backend_tts(request):
    return make_tts(backend=request.param)


def test_default_is_the_neural_voice_when_hibari_is_installed():
    tts = make_tts()
    assert isinstance(tts, HibariTTS) and (tts.name, tts.voice) == ("hibari", "heart")
    assert default_backend_note() is None
    assert make_tts(voice="heart").name == "hibari"


def test_without_hibari_the_default_falls_back_to_espeak_with_a_note(monkeypatch):
    monkeypatch.setitem(sys.modules, "hibari", None)  # `import hibari` now fails as if not installed
    tts = make_tts()
    assert isinstance(tts, Pyttsx3TTS) and tts.name == "espeak"
    note = default_backend_note()
    assert note and "espeak-ng" in note and "pip install hibari-tts==0.2.1" in note
    assert {v.backend for v in list_voices()} == {"espeak"}
    assert candidate_voice().name == "espeak"
    assert tts.synthesize_clip("Tell me about yourself.").duration_s > 0.8
    with pytest.raises(VoicecoachError, match="no voice called 'heart'") as err:
        make_tts(voice="heart")
    assert "pip install hibari-tts" in err.value.fix
    with pytest.raises(EngineMissing) as err:
        make_tts(backend="hibari")
    assert err.value.fix == "pip install hibari-tts==0.2.1"


@pytest.mark.parametrize("name, voice_id", [("en-us", "gmw/en-us"), ("en-gb", "gmw/en"), ("en", "gmw/en"),
                                            ("gmw/en-us", "gmw/en-us"), ("English (America)", "gmw/en-us")])
def test_an_espeak_voice_name_picks_the_espeak_backend(name, voice_id):
    tts = make_tts(voice=name)
    assert isinstance(tts, Pyttsx3TTS) and tts.voice_id == voice_id


def test_espeak_voices_sound_different_and_do_not_leak_into_each_other():
    us, gb, default = make_tts(voice="en-us"), make_tts(voice="en-gb"), make_tts(backend="espeak")
    a = us.synthesize_clip("schedule tomato")
    b = gb.synthesize_clip("schedule tomato")
    c = default.synthesize_clip("schedule tomato")  # rendered after en-gb; must not stay en-us
    assert a.samples.shape != b.samples.shape or not np.array_equal(a.samples, b.samples)
    assert default.voice == "en" and c.duration_s == pytest.approx(b.duration_s, abs=0.02)


def test_unknown_and_downloadable_voices_are_errors_that_list_the_voices():
    with pytest.raises(VoicecoachError, match="no voice called 'klingon-xx'") as err:
        make_tts(voice="klingon-xx")
    assert "heart" in err.value.fix and "en-us" in err.value.fix
    # hibari's other voices are downloads: never requested, only named as such.
    with pytest.raises(VoicecoachError, match="never downloads"):
        make_tts(voice="emma")
    with pytest.raises(VoicecoachError, match="no text-to-speech backend called"):
        make_tts(backend="festival")
    with pytest.raises(VoicecoachError, match="no voice called"):
        make_tts(voice="en-us", backend="hibari")


def test_list_voices_covers_both_backends_and_only_bundled_hibari_voices():
    voices = list_voices()
    hibari = [v for v in voices if v.backend == "hibari"]
    assert [v.id for v in hibari] == ["heart"]
    espeak = {v.id for v in voices if v.backend == "espeak"}
    assert {"en", "en-us", "en-gb-x-rp"} <= espeak
    assert all(v.name and v.description for v in voices)
    assert make_tts().voices() == hibari


def test_at_rate_slows_each_backend_down(backend_tts):
    normal = backend_tts.synthesize_clip(QUESTION)
    slower_tts = backend_tts.at_rate(0.75)
    slower = slower_tts.synthesize_clip(QUESTION)
    assert slower_tts.rate_factor == 0.75 and backend_tts.rate_factor == 1.0
    assert (slower_tts.name, slower_tts.voice) == (backend_tts.name, backend_tts.voice)
    assert 1.2 < slower.duration_s / normal.duration_s < 1.5
    # Relative to the normal rate, not compounded; 1.0 is the normal voice again.
    assert slower_tts.at_rate(0.75).synthesize_clip(QUESTION).duration_s == pytest.approx(slower.duration_s, rel=0.03)
    assert slower_tts.at_rate(1.0).synthesize_clip(QUESTION).duration_s == pytest.approx(normal.duration_s, rel=0.03)
    with pytest.raises(VoicecoachError):
        backend_tts.at_rate(0.1)


def test_stream_yields_sentences_in_order_and_the_first_before_the_rest_is_made(backend_tts):
    rendered = []
    original = backend_tts._render

    def spy(piece):
        rendered.append(piece)
        return original(piece)

    backend_tts._render = spy  # records the order of work; the real engine still renders
    try:
        stream = backend_tts.stream(THREE)
        first = next(stream)
        assert rendered == ["Yes."], "the second sentence was synthesized before the first was handed out"
        clips = [first, *stream]
    finally:
        del backend_tts._render
    assert rendered == ["Yes.", rendered[1], "Take your time."] and rendered[1].startswith("Please describe")
    # Each clip is its own sentence: short, long, medium, matching the sentences rendered alone.
    alone = [backend_tts.synthesize_clip(s).duration_s for s in rendered]
    assert [c.duration_s for c in clips] == pytest.approx(alone, rel=0.03)
    assert clips[0].duration_s < clips[2].duration_s < clips[1].duration_s
    whole = backend_tts.synthesize_clip(THREE)
    assert whole.duration_s == pytest.approx(sum(alone), rel=0.03)


def test_stream_hands_out_the_first_sentence_early(backend_tts):
    backend_tts.warm_up()
    text = " ".join([QUESTION] * 6)
    start = time.perf_counter()
    stream = backend_tts.stream(text)
    next(stream)
    first_s = time.perf_counter() - start
    list(stream)
    total_s = time.perf_counter() - start
    assert first_s < 0.5 * total_s


def test_loudness_of_both_backends_is_at_the_target_without_clipping(backend_tts):
    clips = list(backend_tts.stream("Tell me about yourself. " + QUESTION + " Yes."))
    clips.append(backend_tts.synthesize_clip(THREE))
    for clip in clips:
        assert speech_level_dbfs(clip) == pytest.approx(LEVEL_DBFS, abs=1.0)
        assert np.max(np.abs(clip.samples)) <= 10 ** (PEAK_DBFS / 20) + 1e-6


def test_the_engines_differ_in_level_until_normalised():
    h = make_tts(backend="hibari")
    e = make_tts(backend="espeak")
    raw_h, raw_e = next(iter(h._render(QUESTION))), next(iter(e._render(QUESTION)))
    assert speech_level_dbfs(raw_e) - speech_level_dbfs(raw_h) > 3.0  # hibari is ~6 dB quieter
    out_h, out_e = h.synthesize_clip(QUESTION), e.synthesize_clip(QUESTION)
    assert abs(speech_level_dbfs(out_e) - speech_level_dbfs(out_h)) < 0.5


def test_normalize_loudness_limits_peaks_instead_of_clipping():
    rate = 24000
    t = np.arange(rate) / rate
    speech_like = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    speech_like[12000:12010] = 0.9  # a click far above the speech
    out = normalize_loudness(AudioClip(speech_like, rate), -20.0, -1.0)
    assert speech_level_dbfs(out) == pytest.approx(-20.0, abs=0.2)
    assert peak_level_dbfs(out) <= -1.0 + 1e-4
    silence = AudioClip(np.zeros(1000, np.float32), rate)
    assert normalize_loudness(silence) is silence


def test_warm_up_is_safe_twice_and_from_threads(backend_tts):
    threads = [threading.Thread(target=backend_tts.warm_up) for _ in range(3)]
    for t in threads:
        t.start()
    backend_tts.warm_up()
    for t in threads:
        t.join(30)
    assert backend_tts.synthesize_clip("Ready.").duration_s > 0.2


def test_empty_text_is_an_error_for_both(backend_tts):
    with pytest.raises(SpeechSynthesisFailed):
        backend_tts.synthesize_clip(" \n ")


def test_the_candidate_voice_is_a_lower_voice_than_the_interviewer():
    interviewer, candidate = make_tts(), candidate_voice()
    assert candidate.name == "hibari" and candidate.pitch_factor == pytest.approx(0.7)

    def pitch_hz(clip):  # autocorrelation pitch of the voiced middle of the clip
        x = clip.samples[int(0.2 * clip.sample_rate_hz): int(0.2 * clip.sample_rate_hz) + 4096].astype(np.float64)
        ac = np.correlate(x, x, "full")[len(x) - 1:]
        lo, hi = clip.sample_rate_hz // 400, clip.sample_rate_hz // 60
        return clip.sample_rate_hz / (lo + int(np.argmax(ac[lo:hi])))

    a = interviewer.synthesize_clip("Aaaah, well, I really do believe so.")
    b = candidate.synthesize_clip("Aaaah, well, I really do believe so.")
    assert pitch_hz(b) < 0.85 * pitch_hz(a)
