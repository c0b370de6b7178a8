"""Streaming playback: sentences play as they are synthesized, through one real PortAudio stream."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT
from support.virtual_audio import VirtualAudio

from voicecoach.audio.clip import AudioClip
from voicecoach.audio.snd import NullPlayer, PlaybackStats, Player
from voicecoach.tts import make_tts

TEXT = "Tell me about your last job. What did you do there? What happened next?"

# Plays TEXT with play_stream into a null sink while recording the sink's monitor, and compares the
# recording with the same text rendered in one piece: same span, no gap longer than the pauses in it.
PLAY_STREAM = r"""
import json, sys, threading, time
import numpy as np
from voicecoach.audio.mic import SounddeviceMicrophone
from voicecoach.audio.snd import SounddevicePlayer
from voicecoach.tts import make_tts
tts = make_tts(backend=sys.argv[1])
tts.warm_up()
text = sys.argv[2]
expected = tts.synthesize_clip(text)
mic, out = SounddeviceMicrophone(), {}
recorder = threading.Thread(target=lambda: out.setdefault("clip", mic.record(expected.duration_s + 1.0)))
recorder.start()
time.sleep(0.5)
start = time.monotonic()
stats = SounddevicePlayer().play_stream(tts.stream(text))
returned = time.monotonic()
recorder.join()

def sound(clip, frame_s=0.01, threshold_dbfs=-45):
    x = clip.to(16000).samples
    n = int(frame_s * 16000)
    k = len(x) // n
    level = 10 * np.log10(np.mean(np.square(x[: k * n].reshape(k, n)), axis=1) + 1e-12)
    on = np.flatnonzero(level > threshold_dbfs)
    return (on[-1] - on[0]) * frame_s, float(np.diff(on).max() * frame_s)

span, gap = sound(expected)
rec_span, rec_gap = sound(out["clip"])
print(json.dumps({"first_audio_s": stats.first_audio_at - start, "returned_s": returned - start,
                  "played_s": stats.duration_s, "expected_s": expected.duration_s, "span": span,
                  "rec_span": rec_span, "gap": gap, "rec_gap": rec_gap}))
"""


@pytest.fixture(scope="module")
def pulse():
    with VirtualAudio(("vc_speaker",)) as va:
        yield va


@pytest.mark.parametrize("backend", ["hibari", "espeak"])
def test_play_stream_plays_every_sentence_without_extra_gaps(pulse, backend):
    r = subprocess.run([sys.executable, "-c", PLAY_STREAM, backend, TEXT], capture_output=True, text=True,
                       env=pulse.env(sink="vc_speaker", source="vc_speaker.monitor"), cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["played_s"] == pytest.approx(got["expected_s"], abs=0.01)
    assert got["first_audio_s"] < 0.5, got
    assert got["returned_s"] >= got["played_s"], "play_stream returned before the audio was heard"
    assert got["rec_span"] == pytest.approx(got["span"], abs=0.1), got
    assert got["rec_gap"] <= got["gap"] + 0.05, got


def test_null_player_consumes_the_stream_without_waiting():
    tts = make_tts()
    start = time.monotonic()
    stats = NullPlayer().play_stream(tts.stream(TEXT))
    took = time.monotonic() - start
    assert isinstance(stats, PlaybackStats)
    assert stats.duration_s == pytest.approx(tts.synthesize_clip(TEXT).duration_s, abs=0.01)
    assert start <= stats.first_audio_at <= start + took
    assert took < 0.5 * stats.duration_s


class _TimingPlayer(Player):
    """Stands in for a device that takes real time to play: records when each clip started."""

    def __init__(self):
        self.started = []

    def is_available(self):
        return True

    def play(self, clip):
        self.started.append((time.monotonic(), clip.duration_s))
        time.sleep(min(clip.duration_s, 0.2))


def test_generic_play_stream_synthesizes_the_next_clip_while_one_plays():
    made = []

    def slow_source():
        for i in range(3):
            time.sleep(0.1)  # synthesis time
            made.append(time.monotonic())
            yield AudioClip(np.zeros(4800, np.float32), 24000)

    player = _TimingPlayer()
    stats = player.play_stream(slow_source())
    assert stats.duration_s == pytest.approx(0.6)
    # Clip 2 was made while clip 1 played, so it could start right after it.
    assert made[1] < player.started[0][0] + 0.2
    assert player.started[1][0] - player.started[0][0] < 0.25


def test_a_synthesis_error_reaches_the_caller():
    def failing():
        yield AudioClip(np.zeros(2400, np.float32), 24000)
        raise RuntimeError("engine died")

    with pytest.raises(RuntimeError, match="engine died"):
        _TimingPlayer().play_stream(failing())


STOP = r"""
import sys, threading, time
from voicecoach.audio.snd import SounddevicePlayer
from voicecoach.tts import make_tts
tts = make_tts()
tts.warm_up()
player = SounddevicePlayer()
threading.Timer(0.5, player.stop).start()
start = time.monotonic()
stats = player.play_stream(tts.stream(" ".join(["This sentence is here to take a while to say."] * 8)))
print(time.monotonic() - start, stats.duration_s)
"""


def test_stop_ends_a_stream_early(pulse):
    r = subprocess.run([sys.executable, "-c", STOP], capture_output=True, text=True,
                       env=pulse.env(sink="vc_speaker"), cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    took, _ = map(float, r.stdout.split())
    assert took < 0.7  # stopped at 0.5 s of a 20 s stream


FAILING = r"""
import time
import numpy as np
from voicecoach.audio.clip import AudioClip
from voicecoach.audio.snd import SounddevicePlayer
def clips():
    yield AudioClip(np.full(24000 * 5, 0.1, np.float32), 24000)
    time.sleep(0.3)
    raise RuntimeError("engine died")
start = time.monotonic()
try:
    SounddevicePlayer().play_stream(clips())
except RuntimeError as exc:
    print(exc, time.monotonic() - start)
"""


def test_a_synthesis_error_stops_a_real_stream_at_once(pulse):
    r = subprocess.run([sys.executable, "-c", FAILING], capture_output=True, text=True,
                       env=pulse.env(sink="vc_speaker"), cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    message, took = r.stdout.rsplit(" ", 1)
    assert message == "engine died" and float(took) < 1.5  # not after the 5 s clip
