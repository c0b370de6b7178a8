"""pyttsx3/espeak-ng is reliable: no empty renders, no lost rate changes, idle or beside a busy CPU.

pyttsx3 2.99 used to cancel its own utterances, and drop rate changes, whenever espeak-ng still had a
command queued (typically the rate change it had just been given); see voicecoach/tts/pyttsx3_tts.py.
These loops are shorter versions of the ones in scripts/bench_tts.py.
"""

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from voicecoach.tts import make_tts

SENTENCE = "Why do you want to work for this company rather than one of our competitors?"

FRESH = r"""
import json, sys
from voicecoach.tts import make_tts
first, second = int(sys.argv[1]), int(sys.argv[2])
tts = make_tts(backend="espeak", rate_wpm=first)
a = tts.synthesize_clip(sys.argv[3])          # the first utterance of the process
b = tts.at_rate(second / first).synthesize_clip(sys.argv[3])
print(json.dumps([a.duration_s, b.duration_s]))
"""


@pytest.fixture
def busy_cpu():
    """One process spinning on a core beside the test (stopped by its own handle afterwards)."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _cancel_counter(monkeypatch):
    from pyttsx3.drivers import _espeak

    calls = []
    original = _espeak.Cancel

    def counting_cancel():
        calls.append(1)
        return original()

    monkeypatch.setattr(_espeak, "Cancel", counting_cancel)  # pyttsx3's driver looks it up per call
    return calls


def _back_to_back(n: int) -> dict[int, list[float]]:
    tts = make_tts(backend="espeak", rate_wpm=200)
    by_rate: dict[int, list[float]] = {120: [], 200: []}
    for i in range(n):
        rate = 120 if i % 2 else 200
        by_rate[rate].append(tts.at_rate(rate / 200).synthesize_clip(SENTENCE).duration_s)
    return by_rate


def _check_rates(by_rate: dict[int, list[float]]) -> None:
    slow, fast = by_rate[120], by_rate[200]
    # Every render at 120 wpm is slower than every render at 200: no rate change was lost.
    assert min(slow) > 1.5 * max(fast), (min(slow), max(fast))
    assert max(slow) - min(slow) < 0.1 and max(fast) - min(fast) < 0.1


def test_back_to_back_renders_with_alternating_rates(monkeypatch):
    cancels = _cancel_counter(monkeypatch)
    by_rate = _back_to_back(100)  # any failure raises SpeechSynthesisFailed
    _check_rates(by_rate)
    assert cancels == [], "pyttsx3 cancelled espeak-ng"
    ratio = (sum(by_rate[120]) / 50) / (sum(by_rate[200]) / 50)
    assert 1.55 < ratio < 1.8  # 200 / 120 = 1.67


def test_back_to_back_renders_beside_a_busy_cpu(monkeypatch, busy_cpu):
    cancels = _cancel_counter(monkeypatch)
    _check_rates(_back_to_back(60))
    assert cancels == []


def test_first_utterance_of_fresh_processes_beside_a_busy_cpu(busy_cpu):
    for i in range(6):
        first, second = (120, 200) if i % 2 else (200, 120)
        r = subprocess.run([sys.executable, "-c", FRESH, str(first), str(second), SENTENCE], capture_output=True,
                           text=True, cwd=ROOT, timeout=60)
        assert r.returncode == 0, r.stderr
        a, b = json.loads(r.stdout.strip().splitlines()[-1])
        slow, fast = (a, b) if first == 120 else (b, a)
        assert slow > 1.5 * fast, (i, a, b)


def test_stdout_stays_clean_for_json_output():
    code = ("from voicecoach.tts import make_tts; t = make_tts(backend='espeak'); "
            "t.synthesize_clip('Tell me about yourself.'); print('{}')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "{}\n"  # pyttsx3's "Audio saved to ..." is dropped
