"""The labelled answers spoken by espeak-ng and transcribed by Whisper keep their verdict."""

import tomllib
from conftest import ROOT

from voicecoach.rules.evaluate import evaluate

LABELLED = tomllib.loads((ROOT / "tests" / "data" / "labelled_answers.toml").read_text())["answer"]


def test_spoken_answers_keep_their_verdict(tts, transcribers):
    same, misses = 0, []
    for a in LABELLED:
        result = transcribers["faster-whisper"].transcribe(tts.synthesize_clip(a["text"]))
        words = [(w.word, w.start_s, w.end_s) for w in result.words]
        spoken = evaluate(result.text, a["round"], words=words)
        written = evaluate(a["text"], a["round"])
        if spoken.suits == written.suits:
            same += 1
        else:
            misses.append((a["id"], written.suits, spoken.suits, result.text))
        assert spoken.delivery is not None and spoken.delivery.words_per_minute > 60
    print(f"spoken verdict == written verdict: {same}/{len(LABELLED)}")
    for m in misses:
        print("  differs:", m)
    assert same / len(LABELLED) >= 0.8
