"""Decoding ahead at a pause: the piece is the one the closed utterance would have given, decoded once, in order."""

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from support.load import feed
from support.pauses import trimmed

from voicecoach.asr import Word
from voicecoach.asr.background import BackgroundTranscriber, Piece
from voicecoach.audio.clip import AudioClip, load_audio
from voicecoach.audio.endpoint import EndOfTurn
from voicecoach.audio.listen import Listener, ListenOptions, SpeechHeard, Utterance, UtteranceEnded, UtterancePaused
from voicecoach.audio.vad import SileroVad
from voicecoach.interview.turn import Turn, TurnRunner


class _Slow:
    """A transcriber that says which utterance it was given (by its start time) and takes ``delay_s`` about it;
    ``gate`` holds the first decode until the test releases it."""

    def __init__(self, delay_s: float = 0.05) -> None:
        self.delay_s = delay_s
        self.decoded: list[tuple[float, str | None]] = []
        self.gate = threading.Event()
        self.gate.set()

    def transcribe(self, clip, prompt=None):
        self.gate.wait(5)
        start = clip.samples[0]  # the tests write the utterance's start time into its first sample
        self.decoded.append((float(start), prompt))
        time.sleep(self.delay_s)
        return SimpleNamespace(text=f"piece at {start:g}.", words=(Word(" piece", 0.0, 0.2),), no_speech=False,
                               speech_s=1.0, avg_logprob=-0.2, ending=None)


def _utt(start_s: float, end_s: float) -> Utterance:
    samples = np.zeros(int((end_s - start_s) * 16000), np.float32)
    samples[0] = start_s
    return Utterance(AudioClip(samples, 16000), start_s, end_s, end_s - start_s)


def test_a_speculation_submitted_as_it_is_is_decoded_once_and_delivered_in_order():
    tr = _Slow()
    bg = BackgroundTranscriber(tr)
    first, last = _utt(1.0, 3.0), _utt(4.0, 6.0)
    bg.submit(first)
    bg.speculate(last)
    time.sleep(0.3)                       # the pause goes on: both decoded by now
    assert len(tr.decoded) == 2
    bg.submit(_utt(4.0, 6.0))             # the utterance closes on the same audio
    pieces = bg.wait(2)
    assert [p.text for p in pieces] == ["piece at 1.", "piece at 4."]
    assert [p.index for p in pieces] == [0, 1]
    assert len(tr.decoded) == 2           # not decoded again
    assert tr.decoded[1][1] == "piece at 1."  # primed with the piece before it, as a submitted piece is
    assert (bg.speculated, bg.speculation_used) == (1, 1) and pieces[1].ahead and not pieces[0].ahead
    bg.close()


def test_a_speculation_submitted_while_it_decodes_is_waited_for():
    tr = _Slow(delay_s=0.3)
    bg = BackgroundTranscriber(tr)
    bg.speculate(_utt(2.0, 4.0))
    time.sleep(0.05)                      # decoding now
    bg.submit(_utt(2.0, 4.0))
    assert [p.text for p in bg.wait(2)] == ["piece at 2."]
    assert len(tr.decoded) == 1 and bg.pending == 0
    bg.close()


def test_a_pause_the_candidate_talks_over_is_never_used():
    tr = _Slow()
    tr.gate.clear()
    bg = BackgroundTranscriber(tr)
    bg.submit(_utt(0.5, 1.5))             # keeps the worker busy
    bg.speculate(_utt(2.0, 3.0))          # a pause...
    bg.speculate(_utt(2.0, 5.0))          # ... talked over, and another one
    bg.submit(_utt(2.0, 7.0))             # the utterance closes later than either
    tr.gate.set()
    pieces = bg.wait(2)
    assert [p.text for p in pieces] == ["piece at 0.5.", "piece at 2."]
    assert [p.utterance.end_s for p in pieces] == [1.5, 7.0]
    # The speculations had not started when they were overtaken: neither was decoded.
    assert [s for s, _ in tr.decoded] == [0.5, 2.0] and bg.speculation_used == 0
    bg.close()


def test_a_speculation_submitted_before_it_starts_is_decoded_though_a_newer_pause_came():
    """The worker is busy; a piece is offered ahead and closes (submitted), then the candidate speaks again and pauses
    (a newer speculation) before the worker reaches the piece: the piece is still decoded and delivered (it was
    dropped as stale, and the turn waited for it for ever: the page's demo hung after a "repeat")."""
    tr = _Slow()
    tr.gate.clear()
    bg = BackgroundTranscriber(tr)
    bg.submit(_utt(0.5, 1.5))             # keeps the worker busy
    bg.speculate(_utt(2.0, 3.0))
    bg.submit(_utt(2.0, 3.0))             # closed on the same audio: its speculation is its piece
    bg.speculate(_utt(4.0, 5.0))          # the candidate went on and paused again
    tr.gate.set()
    assert [p.text for p in bg.wait(2)] == ["piece at 0.5.", "piece at 2."]
    assert bg.pending == 0
    bg.submit(_utt(4.0, 5.0))             # the newer speculation still stands
    assert [p.text for p in bg.wait(2)] == ["piece at 4."]
    assert [s for s, _ in tr.decoded] == [0.5, 2.0, 4.0] and bg.speculation_used == 2
    bg.close()


def test_a_new_turn_drops_a_speculation():
    tr = _Slow()
    tr.gate.clear()
    bg = BackgroundTranscriber(tr)
    bg.submit(_utt(0.5, 1.5))
    bg.speculate(_utt(2.0, 3.0))
    bg.new_turn()                         # the interviewer spoke
    bg.submit(_utt(2.0, 3.0))             # same times, new turn: decoded afresh
    tr.gate.set()
    assert [p.text for p in bg.wait(2)] == ["piece at 2."]
    assert bg.speculation_used == 0
    bg.close()


def test_the_audio_offered_at_a_pause_is_the_audio_the_utterance_closes_on(tts):
    a, b = (trimmed(tts.synthesize_clip(t).to(16000).samples)
            for t in ("I rebuilt the rota with the team.", "Nobody missed a weekend after that."))
    gap = np.zeros(int(0.4 * 16000), np.float32)  # talked over: offered, never closed
    end = np.zeros(int(1.5 * 16000), np.float32)
    events = feed(Listener(SileroVad(), ListenOptions(end_silence_s=5.0)), np.concatenate([a, gap, b, end]))
    offered = [e.utterance for e in events if isinstance(e, UtterancePaused)]
    closed = [e.utterance for e in events if isinstance(e, UtteranceEnded)]
    assert len(closed) == 1 and len(offered) >= 2          # one per pause, not one per window
    last = offered[-1]
    assert (last.start_s, last.end_s, last.speech_s) == (closed[0].start_s, closed[0].end_s, closed[0].speech_s)
    assert np.array_equal(last.clip.samples, closed[0].clip.samples)
    assert offered[0].end_s < closed[0].end_s - 1.0         # the pause inside was offered, then talked over
    # Offered before the utterance closes at 0.6 s.
    at = [i for i, e in enumerate(events) if isinstance(e, UtterancePaused) and e.utterance is last][0]
    assert all(not isinstance(e, UtteranceEnded) for e in events[:at])


def test_a_piece_is_offered_for_decoding_a_tenth_of_a_second_into_a_pause(tts):
    """The piece keeps 0.1 s of silence after its speech, and is offered for decoding as soon as that has been heard
    (its decoding is on the path from the last word to the interviewer's reply)."""
    speech = trimmed(tts.synthesize_clip("Nobody missed a weekend after that.").to(16000).samples)
    audio = np.concatenate([np.zeros(8000, np.float32), speech, np.zeros(16000, np.float32)])
    listener = Listener(SileroVad(), ListenOptions(end_silence_s=5.0))
    offered_at = None
    for i in range(0, len(audio), 512):
        for e in listener.feed(audio[i:i + 512]):
            if isinstance(e, UtterancePaused):
                offered_at, piece = listener.elapsed_s, e.utterance
    spoke_until = piece.end_s - 0.1
    assert abs(spoke_until - (8000 + len(speech)) / 16000) < 0.1  # where the voice detector heard the speech end
    assert 0.1 <= offered_at - spoke_until <= 0.1 + 2 * 512 / 16000  # 0.1 s in, give or take the 32-ms windows
    assert piece.clip.duration_s == pytest.approx(piece.end_s - piece.start_s, abs=1e-3)


def test_faster_whisper_does_not_decode_a_pieces_padding_again():
    """faster-whisper decodes windows lazily: once a segment reaches the piece's last half second, the window after
    it (the padding, where a primed Whisper invents words) is never asked for."""
    from voicecoach.asr import DecodeOptions
    from voicecoach.asr.faster_whisper_engine import FasterWhisperTranscriber

    asked = []

    def windows():
        for start, end, text in ((0.0, 2.0, " I rebuilt the rota."), (2.0, 3.8, " Nobody missed a weekend."),
                                 (3.8, 4.0, " Thank you for watching.")):
            asked.append(text)
            yield SimpleNamespace(text=text, start=start, end=end, no_speech_prob=0.1, avg_logprob=-0.2,
                                  words=[SimpleNamespace(word=text.split()[-1], start=start, end=end)])

    model = SimpleNamespace(transcribe=lambda samples, **kw: (windows(), None))
    tr = FasterWhisperTranscriber.__new__(FasterWhisperTranscriber)
    tr._model = model
    segments = tr._decode(np.zeros(4 * 16000, np.float32), DecodeOptions())
    assert [s.text for s in segments] == [" I rebuilt the rota.", " Nobody missed a weekend."]
    assert len(asked) == 2
    # A long rest after a segment is still decoded: it may hold words.
    asked.clear()
    assert len(tr._decode(np.zeros(int(6 * 16000), np.float32), DecodeOptions())) == 3


def test_the_voice_heard_at_a_pause_is_the_piece_the_judgement_scores(speech_dir):
    """At 0.05 s into a pause the speech so far is handed on to be heard (``SpeechHeard``): the same times as the piece
    that closes at 0.6 s, and the same audio except the padding not yet heard, which is silence."""
    voice = load_audio(speech_dir / "jfk.flac").samples[:int(3.5 * 16000)]
    noise = np.random.default_rng(0).normal(0, 0.002, int(1.0 * 16000)).astype(np.float32)  # a room's hiss
    events = feed(Listener(SileroVad(), ListenOptions()), np.concatenate([voice, noise]))
    heard = [e.utterance for e in events if isinstance(e, SpeechHeard)]
    closed = [e.utterance for e in events if isinstance(e, UtteranceEnded)]
    last = closed[-1]
    same = [h for h in heard if (h.start_s, h.end_s) == (last.start_s, last.end_s)]
    assert len(same) == 1
    h = same[0]
    heard_at = events.index(next(e for e in events if isinstance(e, SpeechHeard) and e.utterance is h))
    assert heard_at < events.index(next(e for e in events if isinstance(e, UtterancePaused)
                                         and e.utterance.end_s == last.end_s))  # before it is offered for decoding
    pad = int(0.1 * 16000)
    assert len(h.clip.samples) == len(last.clip.samples)
    assert np.array_equal(h.clip.samples[:-pad], last.clip.samples[:-pad])
    differ = np.flatnonzero(h.clip.samples[-pad:] != last.clip.samples[-pad:])
    assert len(differ) and not h.clip.samples[-pad:][differ[0]:].any()  # the padding not yet heard is silence


def test_the_voice_hears_each_piece_padded_and_the_last_followed_by_the_silence_that_can_end_an_answer(speech_dir):
    """The voice model is given the pieces with the VAD's 0.2 s of silence after each, and after the last the silence
    turns.toml says (0.6 s): the answer cannot end before it, and a finished sentence sounds finished after it."""
    voice = load_audio(speech_dir / "jfk.flac").samples[:int(3.5 * 16000)]
    events = feed(Listener(SileroVad(), ListenOptions()), np.concatenate([voice, np.zeros(16000, np.float32)]))
    piece = [e.utterance for e in events if isinstance(e, UtteranceEnded)][-1]
    eot = EndOfTurn()
    iv = SimpleNamespace(e=SimpleNamespace(endpoint=eot), options=SimpleNamespace(listen=ListenOptions()))
    audio = TurnRunner(iv, iter(()))._voice_audio([piece, piece])
    n, rate = len(piece.clip.samples), 16000
    assert len(audio) == 2 * n + round(0.1 * rate) + round((eot.rules.voice_silence_s - 0.1) * rate)
    assert eot.rules.voice_silence_s == 0.6  # as fitted (scripts/bench_turns.py)
    assert np.array_equal(audio[:n], piece.clip.samples) and not audio[n:n + round(0.1 * rate)].any()
    assert np.array_equal(audio[n + 1600:2 * n + 1600], piece.clip.samples) and not audio[2 * n + 1600:].any()


class _CountingEndOfTurn(EndOfTurn):
    calls = 0

    def voice(self, samples):
        type(self).calls += 1
        return super().voice(samples)


def test_the_judgement_uses_the_voice_heard_ahead_and_gives_the_same_likelihood(speech_dir):
    eot = _CountingEndOfTurn()
    if not eot.has_voice_model:
        pytest.skip("Smart Turn is not installed (voicecoach's set-up installs it)")
    voice = load_audio(speech_dir / "jfk.flac").samples[:int(3.5 * 16000)]
    listener = Listener(SileroVad(), ListenOptions())
    events = feed(listener, np.concatenate([voice, np.zeros(16000, np.float32)]))
    heard = [e.utterance for e in events if isinstance(e, SpeechHeard)][-1]
    closed = [e.utterance for e in events if isinstance(e, UtteranceEnded)][-1]
    iv = SimpleNamespace(e=SimpleNamespace(endpoint=eot, mic=SimpleNamespace(realtime=True)),
                         options=SimpleNamespace(listen=ListenOptions()), listener=listener)
    runner = TurnRunner(iv, iter(()))
    turn = Turn()
    runner._hear_voice(turn, heard)
    turn.pieces.append(Piece(0, "And so my fellow Americans, ask not.", (), 0.1, closed, False))
    runner._judge_pause(turn)
    assert _CountingEndOfTurn.calls == 1  # scored once, ahead
    # As scored from the closed piece's own audio and the silence the voice hears after it (part of the piece's
    # padding was silence in the score ahead).
    after = np.zeros(round((eot.rules.voice_silence_s - ListenOptions().end_pad_s) * 16000), np.float32)
    assert turn.judged[0]["likelihood"] == pytest.approx(
        eot.likelihood(np.concatenate([closed.clip.samples, after]), turn.text), abs=0.01)
    turn.pieces.append(Piece(1, "Ask what you can do.", (), 0.1, closed, False))  # not the audio heard ahead
    runner._judge_pause(turn)
    assert _CountingEndOfTurn.calls == 3  # scored afresh (and once more for the comparison above)
    runner.close()  # as the interview does when the session ends
    assert not [t for t in threading.enumerate() if t.name.startswith("voicecoach-voice")]
