"""Whisper tiny.en understands the neural interviewer and the demo candidate's voice."""

import pytest
from support.wer import word_error_rate

from voicecoach.tts import candidate_voice, make_tts

QUESTION = "Why do you want to work for this company rather than one of our competitors?"
ANSWER = ("In my last role I led a team of four analysts who built the weekly sales dashboard. "
          "I handled a conflict by meeting my colleague one to one and agreeing on clear priorities.")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def whisper():
    from voicecoach.asr import make_transcriber

    return make_transcriber("faster-whisper")


def test_whisper_transcribes_the_neural_interviewer(whisper):
    text = whisper.transcribe(make_tts().synthesize_clip(QUESTION)).text
    assert word_error_rate(QUESTION, text) <= 0.1, text


def test_whisper_transcribes_the_candidate_voice(whisper):
    voice = candidate_voice()
    assert voice.name == "hibari"
    text = whisper.transcribe(voice.synthesize_clip(ANSWER)).text
    assert word_error_rate(ANSWER, text) <= 0.1, text
