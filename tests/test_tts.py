"""pyttsx3/espeak-ng synthesis: the audio is checked, not trusted (pyttsx3 2.99 loses queued text)."""

import wave

import pytest

from voicecoach.errors import VoicecoachError
from voicecoach.tts import make_tts


def test_consecutive_utterances_each_get_their_own_audio(tts, transcribers):
    # pyttsx3 2.99 keeps only the last queued text; each call here must still render its own.
    short = tts.synthesize_clip("Yes.")
    long = tts.synthesize_clip("Please describe the most complicated project you have led from start to finish.")
    assert 0.2 < short.duration_s < 1.5
    assert long.duration_s > 3 * short.duration_s
    assert "project" in transcribers["faster-whisper"].transcribe(long).text.lower()


def test_rate_changes_duration():
    text = "Why do you want to work for this company rather than one of our competitors?"
    slow = make_tts(rate_wpm=110).synthesize_clip(text)
    fast = make_tts(rate_wpm=220).synthesize_clip(text)
    assert slow.duration_s > 1.5 * fast.duration_s


def test_voice_is_selectable_and_bad_voice_is_an_error():
    us = make_tts(voice="en-us").synthesize_clip("schedule tomato")
    gb = make_tts(voice="en").synthesize_clip("schedule tomato")
    assert us.samples.shape != gb.samples.shape or (us.samples != gb.samples).any()
    with pytest.raises(VoicecoachError, match="no voice called"):
        make_tts(voice="klingon-xx")


def test_empty_text_is_an_error(tts):
    with pytest.raises(VoicecoachError):
        tts.synthesize_clip("   ")


def test_synthesize_writes_into_a_wave_writer(tts, tmp_path):
    p = tmp_path / "q.wav"
    with wave.open(str(p), "wb") as w:
        tts.synthesize("Tell me about yourself.", w)
    with wave.open(str(p), "rb") as r:
        assert r.getnchannels() == 1 and r.getsampwidth() == 2
        assert r.getnframes() / r.getframerate() > 0.8


def test_first_long_utterance_in_a_busy_process_gets_its_own_audio():
    # In a process that has loaded CTranslate2, pyttsx3's runAndWait returned before espeak-ng finished
    # the first long utterance, and its audio then landed in the next call's file.
    import subprocess
    import sys

    from conftest import ROOT

    code = r'''
import json
from voicecoach.asr import make_transcriber
from voicecoach.tts import make_tts
from voicecoach.wer import word_error_rate
tr = make_transcriber()
a = ("In my last role I led a team of four analysts who built the weekly sales dashboard for the regional "
     "managers, and the old process took three days of manual spreadsheet work every week.")
b = "Tell me about yourself, please."
tts = make_tts()
ca, cb = tts.synthesize_clip(a), tts.synthesize_clip(b)
print(json.dumps([word_error_rate(a, tr.transcribe(ca).text), word_error_rate(b, tr.transcribe(cb).text)]))
'''
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert r.returncode == 0, r.stderr
    wer_a, wer_b = __import__("json").loads(r.stdout.strip().splitlines()[-1])
    assert wer_a <= 0.2 and wer_b <= 0.35
