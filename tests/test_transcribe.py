"""Both Whisper engines on real recordings and on espeak-ng speech; silence and noise give no text."""

import numpy as np
import pytest
from support.wer import word_error_rate

from voicecoach.audio.clip import AudioClip, load_audio

ENGINES = ("faster-whisper", "openai-whisper")

ROUND_TRIP = [
    "Tell me about a time you disagreed with a colleague and how you resolved it.",
    "I reduced the monthly reporting time from three days to four hours by automating the pipeline.",
    "Our team values honest feedback, so I ask for a review after every project.",
    "What does a typical week look like for someone in this role?",
]


@pytest.mark.parametrize("engine", ENGINES)
def test_jfk_word_error_rate(engine, transcribers, speech_dir, references):
    result = transcribers[engine].transcribe(load_audio(speech_dir / "jfk.flac"))
    wer = word_error_rate(references["jfk.flac"], result.text)
    print(f"{engine} jfk.flac WER {wer:.1%}: {result.text}")
    assert wer <= 0.10
    assert not result.no_speech
    assert result.engine == engine and result.model == "tiny.en"
    assert result.duration_s == pytest.approx(11.0, abs=0.05)
    # Word timings: ordered, inside the clip, and the first word starts near where speech starts.
    starts = [w.start_s for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start_s <= w.end_s <= 11.0 for w in result.words)
    assert result.words[0].word.lower().strip(",.") == "and"


def test_engines_agree_on_jfk(transcribers, speech_dir):
    clip = load_audio(speech_dir / "jfk.flac")
    a, b = (transcribers[e].transcribe(clip) for e in ENGINES)
    assert a.text == b.text
    # The converted checkpoint times words like the original: within 0.1 s of each other.
    assert len(a.words) == len(b.words)
    assert max(abs(x.start_s - y.start_s) for x, y in zip(a.words, b.words)) < 0.1


def test_prompt_biases_towards_a_term(transcribers, speech_dir, references):
    term = references["hotwords.mp3"]["bias_term"]
    result = transcribers["faster-whisper"].transcribe(load_audio(speech_dir / "hotwords.mp3"), prompt=term)
    assert term in result.text


@pytest.mark.parametrize("engine", ENGINES)
def test_espeak_round_trip(engine, transcribers, tts):
    errors = []
    for sentence in ROUND_TRIP:
        text = transcribers[engine].transcribe(tts.synthesize_clip(sentence)).text
        errors.append(word_error_rate(sentence, text))
        print(f"{engine} WER {errors[-1]:.1%}: {text}")
    assert np.mean(errors) <= 0.15


def test_engines_agree_on_espeak(transcribers, tts):
    for sentence in ROUND_TRIP[:2]:
        clip = tts.synthesize_clip(sentence)
        a, b = (transcribers[e].transcribe(clip).text for e in ENGINES)
        assert word_error_rate(a, b) <= 0.05, (a, b)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["silence", "white noise", "quiet hum"])
def test_no_speech(engine, kind, transcribers):
    rng = np.random.default_rng(7)
    n = 16000 * 6
    samples = {
        "silence": np.zeros(n),
        "white noise": rng.standard_normal(n) * 0.2,
        "quiet hum": 0.05 * np.sin(2 * np.pi * 50 * np.arange(n) / 16000) + rng.standard_normal(n) * 0.005,
    }[kind].astype(np.float32)
    result = transcribers[engine].transcribe(AudioClip(samples, 16000))
    assert result.no_speech is True
    assert result.text == ""
    assert result.words == ()


def test_a_sentence_cut_mid_way_is_transcribed_without_a_closing_mark_and_taken_as_going_on(speech_dir):
    """Cut after the first "country" ("... ask not what your country [can do for you]"), the live decoder closes the
    piece with no mark at all, as it does for many real sentences stopped mid-way and for no finished one; the
    end-of-turn judgement then waits the longest silence. The whole sentence ends on its full stop."""
    from voicecoach.asr import LIVE_OPTIONS, make_transcriber
    from voicecoach.audio.endpoint import EndOfTurn

    live = make_transcriber("faster-whisper", options=LIVE_OPTIONS)  # as the practice session decodes its pieces
    jfk = load_audio(speech_dir / "jfk.flac").to(16000)
    whole = live.transcribe(jfk)
    country = next(w for w in whole.words if w.word.lower().strip(" ,.").startswith("country"))
    cut = live.transcribe(AudioClip(jfk.samples[:int((country.end_s + 0.05) * 16000)], 16000))
    assert cut.text.rstrip().lower().endswith("your country"), cut.text  # no ".", "?", "!" or "..."
    judge = EndOfTurn(use_voice=False)
    before = "I have worked on busy wards for six years and I like a job where I can see the difference I make. " * 3
    assert judge.rules.silence_for(judge.likelihood(None, before + cut.text)) == judge.rules.unfinished_silence_s
    assert whole.text.endswith("country.") and judge.words(whole.text)["dangling"] == 0.0
    assert judge.rules.silence_for(judge.likelihood(None, before + whole.text)) == judge.rules.finished_silence_s


def test_whisper_is_less_sure_of_a_full_stop_where_the_sentence_goes_on(speech_dir):
    """``Transcript.ending``: how sure Whisper was of the full stop closing a transcript. Cut after "Americans", the
    recording is transcribed "And so my fellow Americans." like a finished sentence, but the voice goes on, and Whisper
    says so by its doubt; the whole sentence ends surely. The end-of-turn judgement takes a doubted full stop for a
    sentence left hanging."""
    from voicecoach.asr import LIVE_OPTIONS, make_transcriber

    live = make_transcriber("faster-whisper", options=LIVE_OPTIONS)  # as the practice session decodes its pieces
    jfk = load_audio(speech_dir / "jfk.flac").to(16000)
    whole = live.transcribe(jfk)
    americans = next(w for w in whole.words if w.word.lower().startswith("americans"))
    cut = live.transcribe(AudioClip(jfk.samples[:int((americans.end_s + 0.1) * 16000)], 16000))
    assert whole.text.endswith("country.") and cut.text.endswith("Americans.")
    assert whole.ending > 0.8 and cut.ending < whole.ending - 0.2, (whole.ending, cut.ending)
    so = live.transcribe(AudioClip(jfk.samples[:int((whole.words[1].end_s + 0.1) * 16000)], 16000))
    for t in (whole, cut, so):  # known exactly when the text ends on a full stop ("And so..." does not)
        assert (t.ending is not None) == (t.text.endswith((".", "?", "!")) and not t.text.endswith("..")), t.text
