"""Turn-taking on real (espeak-ng) speech: pauses, end of answer, long silence, maximum length."""

import numpy as np
import pytest

from support.pauses import trimmed

from voicecoach.audio.listen import AnswerEnded, Listener, ListenOptions, LongSilence, UtteranceEnded
from voicecoach.audio.vad import SileroVad


@pytest.fixture(scope="module")
def speech(tts):
    a = tts.synthesize_clip("In my last role I led the migration of our billing system.").to(16000).samples
    b = tts.synthesize_clip("It took three months and we cut costs by a third.").to(16000).samples
    return trimmed(a), trimmed(b)


def sil(s):
    return np.zeros(int(s * 16000), np.float32)


def run(listener, audio):
    events = []
    for i in range(0, len(audio), 512):
        for e in listener.feed(audio[i:i + 512]):
            events.append(e)
            if isinstance(e, UtteranceEnded) and not listener.answer_started:
                listener.start_answer(e.utterance)
    return events


def test_thinking_pause_is_tolerated_and_silence_ends_the_answer(speech):
    a, b = speech
    events = run(Listener(SileroVad(), ListenOptions(end_silence_s=2.5)),
                 np.concatenate([sil(0.5), a, sil(1.8), b, sil(4.0)]))
    utts = [e.utterance for e in events if isinstance(e, UtteranceEnded)]
    ends = [e for e in events if isinstance(e, AnswerEnded)]
    assert len(utts) == 2 and len(ends) == 1     # two pieces, one answer
    end = ends[0]
    assert end.reason == "silence"
    speech_end = (len(a) + len(b)) / 16000 + 0.5 + 1.8
    assert end.at_s == pytest.approx(speech_end + 2.5, abs=0.35)
    assert utts[1].end_s <= end.at_s - 1.5       # the last piece was ready well before the answer ended


def test_end_silence_is_settable(speech):
    a, _ = speech
    events = run(Listener(SileroVad(), ListenOptions(end_silence_s=1.0)), np.concatenate([a, sil(1.5), a, sil(2)]))
    assert sum(isinstance(e, AnswerEnded) for e in events) == 1
    assert sum(isinstance(e, UtteranceEnded) for e in events) == 1  # ended after the first sentence


def test_long_silence_before_speech_prompts():
    events = run(Listener(SileroVad(), ListenOptions(prompt_after_s=3.0)), sil(7.0))
    assert [type(e) for e in events] == [LongSilence, LongSilence]


def test_answer_stops_at_max_length(speech):
    a, b = speech
    audio = np.concatenate([a, sil(0.8), b, sil(0.8), a, sil(0.8), b, sil(3)])
    events = run(Listener(SileroVad(), ListenOptions(max_answer_s=8.0)), audio)
    end = next(e for e in events if isinstance(e, AnswerEnded))
    assert end.reason == "max_length" and end.at_s == pytest.approx(8.0, abs=0.6)


def test_the_silence_that_ends_an_answer_is_set_at_each_pause(speech):
    """Judged at each pause (interview/turn.py): a finished answer ends after a short silence; until a pause is
    judged, and after new speech, the longest wait applies."""
    a, b = speech
    listener = Listener(SileroVad(), ListenOptions(longest_silence_s=4.5))
    judged = []

    def feed(audio):
        events = []
        for i in range(0, len(audio), 512):
            for e in listener.feed(audio[i:i + 512]):
                events.append(e)
                if isinstance(e, UtteranceEnded):
                    if not listener.answer_started:
                        listener.start_answer(e.utterance)
                    judged.append(listener.required_silence_s)
                    listener.require_silence(0.8 if len(judged) > 1 else 4.5)  # the first pause: "so I..."
        return events

    events = feed(np.concatenate([sil(0.3), a, sil(3.0), b, sil(2.0)]))
    ends = [e for e in events if isinstance(e, AnswerEnded)]
    assert len(ends) == 1, "the 3-s pause after the first piece did not end the answer"
    speech_end = (len(a) + len(b)) / 16000 + 0.3 + 3.0
    assert ends[0].at_s == pytest.approx(speech_end + 0.8, abs=0.35)
    assert judged == [4.5, 4.5], "each new piece starts from the longest wait"


def test_a_fixed_end_silence_is_not_changed_by_judgement(speech):
    a, _ = speech
    listener = Listener(SileroVad(), ListenOptions(end_silence_s=2.0))
    listener.require_silence(0.8)
    assert listener.required_silence_s == 2.0
