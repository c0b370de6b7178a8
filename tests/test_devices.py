"""Playback and capture through real PortAudio devices on a private PulseAudio server."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from support.virtual_audio import VirtualAudio
from support.wer import word_error_rate

PLAY_AND_RECORD = r"""
import json, sys, threading, time
from voicecoach.audio.clip import load_audio
from voicecoach.audio.mic import SounddeviceMicrophone
from voicecoach.audio.snd import SounddevicePlayer
from voicecoach.asr import make_transcriber
clip = load_audio(sys.argv[1], 22050)
mic, out = SounddeviceMicrophone(), {}
def record():
    out["clip"] = mic.record(clip.duration_s + 2.5)
t = threading.Thread(target=record); t.start(); time.sleep(0.5)
SounddevicePlayer().play(clip); t.join()
rec = out["clip"]
print(json.dumps({"rms": rec.rms(), "seconds": rec.duration_s,
                  "text": make_transcriber().transcribe(rec).text}))
"""


@pytest.fixture(scope="module")
def pulse():
    with VirtualAudio(("vc_speaker",)) as va:
        yield va


def test_tts_through_a_real_device_transcribes_back(pulse, tmp_path):
    text = "Tell me about a time you worked in a team to hit a tight deadline."
    wav = tmp_path / "q.wav"
    subprocess.run([sys.executable, "-m", "voicecoach", "say", text, "--out", str(wav)], check=True, cwd=ROOT)
    env = pulse.env(sink="vc_speaker", source="vc_speaker.monitor")
    r = subprocess.run([sys.executable, "-c", PLAY_AND_RECORD, str(wav)], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=180)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["rms"] > 0.01, "nothing was captured from the monitor"
    assert word_error_rate(text, got["text"]) <= 0.15, got["text"]


def test_say_plays_on_the_default_device(pulse):
    r = subprocess.run([sys.executable, "-m", "voicecoach", "say", "Welcome to your practice interview."],
                       capture_output=True, text=True, env=pulse.env(sink="vc_speaker"), cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr


def test_doctor_sees_the_devices(pulse):
    r = subprocess.run([sys.executable, "-m", "voicecoach", "doctor"], capture_output=True, text=True,
                       env=pulse.env(sink="vc_speaker", source="vc_speaker.monitor"), cwd=ROOT, timeout=120)
    assert "[ok  ] microphone" in r.stdout and "[ok  ] speaker" in r.stdout, r.stdout
