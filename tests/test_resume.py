"""Once the answer is taken as over: speech that came while the last piece was decoding is the same answer, and
when nothing can have come the verdict does not wait for another microphone chunk."""

import time
from types import SimpleNamespace

import numpy as np
import pytest

from voicecoach.audio.clip import load_audio
from voicecoach.audio.listen import AnswerEnded, Listener, ListenOptions, UtteranceEnded
from voicecoach.audio.vad import SileroVad
from voicecoach.interview.turn import Turn, TurnRunner

CHUNK = 512


@pytest.fixture(scope="module")
def voice(speech_dir):
    return load_audio(speech_dir / "jfk.flac").samples[:3 * 16000]


def _silence(s: float) -> np.ndarray:
    return np.zeros(int(s * 16000), np.float32)


def _answer_ended(voice) -> Listener:
    """A listener that has just ended an answer (its speech, then a 1-s end silence)."""
    listener = Listener(SileroVad(), ListenOptions(end_silence_s=1.0))
    audio = np.concatenate([voice, _silence(1.2)])
    for i in range(0, len(audio), CHUNK):
        for e in listener.feed(audio[i:i + CHUNK]):
            if isinstance(e, UtteranceEnded) and not listener.answer_started:
                listener.start_answer(e.utterance)
            if isinstance(e, AnswerEnded):
                return listener
    raise AssertionError("the answer did not end")


def _runner(listener, chunks: list, last_heard_ago_s: float) -> TurnRunner:
    """A turn runner on a real-time microphone: the last chunk heard was captured ``last_heard_ago_s`` ago, and
    ``chunks`` were captured since, one every 32 ms up to now."""
    mic = SimpleNamespace(realtime=True, captured_at=None)

    def read():
        for k, c in enumerate(chunks):
            mic.captured_at = time.monotonic() - (len(chunks) - 1 - k) * CHUNK / 16000
            yield c
    runner = TurnRunner(SimpleNamespace(e=SimpleNamespace(mic=mic), listener=listener), read())
    runner._chunk_at = time.monotonic() - last_heard_ago_s
    return runner


def _chunks(audio: np.ndarray) -> list:
    return [audio[i:i + CHUNK] for i in range(0, len(audio), CHUNK)]


def test_speech_heard_while_the_last_piece_decoded_continues_the_answer(voice):
    listener = _answer_ended(voice)
    went_on = np.concatenate([_silence(0.1), voice[:16000]])  # said while the transcript was being finished
    runner = _runner(listener, _chunks(went_on), last_heard_ago_s=len(went_on) / 16000)
    assert runner._resumed(Turn(reason="silence")) is True
    assert not listener._ended  # the same answer goes on


def test_silence_heard_while_the_last_piece_decoded_ends_the_answer(voice):
    listener = _answer_ended(voice)
    quiet = _chunks(_silence(0.6))
    runner = _runner(listener, quiet, last_heard_ago_s=0.6)
    assert runner._resumed(Turn(reason="silence")) is False
    assert listener._ended
    assert len(list(runner._chunks)) <= 1  # listened up to the live audio (the last 50 ms count as live)


def test_when_the_audio_heard_is_live_the_answer_ends_without_waiting_for_a_chunk(voice):
    listener = _answer_ended(voice)
    not_yet_captured = [_silence(0.032)]  # the microphone's next chunk, up to 32 ms away
    runner = _runner(listener, not_yet_captured, last_heard_ago_s=0.0)
    assert runner._resumed(Turn(reason="silence")) is False
    assert listener._ended
    assert next(runner._chunks, None) is not None  # not waited for


def test_a_pause_judged_finished_after_its_silence_has_passed_ends_the_answer_at_once(voice):
    """The last piece's transcript can come after the short silence a finished answer needs (a busy machine): once
    judged, the answer is over then, not at the next microphone chunk."""
    listener = Listener(SileroVad(), ListenOptions())  # judged: the longest wait until a pause is judged
    audio = np.concatenate([voice, _silence(1.0)])
    events = []
    for i in range(0, len(audio), CHUNK):
        for e in listener.feed(audio[i:i + CHUNK]):
            events.append(e)
            if isinstance(e, UtteranceEnded) and not listener.answer_started:
                listener.start_answer(e.utterance)
    assert not [e for e in events if isinstance(e, AnswerEnded)]
    assert listener.silence_reached() is None  # 4.5 s needed so far
    listener.require_silence(0.8)  # the late transcript is judged finished
    end = listener.silence_reached()
    assert end is not None and end.reason == "silence"
    assert end.at_s == pytest.approx(len(audio) / 16000, abs=CHUNK / 16000)
    assert listener.silence_reached() is None and listener.feed(_silence(0.1)) == []  # ended once
