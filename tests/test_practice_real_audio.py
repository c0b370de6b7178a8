"""`voicecoach practice` through a real sound server: PulseAudio null sinks, PortAudio on both sides.

The candidate (scripts/practice_harness.py) hears the interviewer through the speaker sink's monitor
and answers into the microphone sink: "repeat the question", then an answer with a thinking pause;
"skip"; then a plain answer.
"""

import sys

from conftest import ROOT
from support.wer import word_error_rate

from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.numbers import result_phrases

sys.path.insert(0, str(ROOT / "scripts"))
from practice_harness import run_once  # noqa: E402


def test_practice_through_pulseaudio(tmp_path):
    r = run_once(15, tmp_path, log=print)
    s = r["session"]
    assert s is not None, r["stdout"]
    assert r["returncode"] == 0, r["stdout"]
    assert s["status"] == "completed"
    q1, q2, q3 = s["answers"]
    # Commands obeyed: the question was repeated, then answered; "skip" skipped without ending.
    assert [c["command"] for c in q1["commands"]] == ["repeat"]
    assert q1["status"] == "answered"
    assert [c["command"] for c in q2["commands"]] == ["skip"] and q2["status"] == "skipped"
    assert q3["status"] == "answered"
    assert s["summary"]["answered"] == 2 and s["summary"]["skipped"] == 1
    # Whisper tiny.en on espeak-ng through a sound server: 9-27% per answer across the runs measured
    # here, so each answer gets 35% and the two together 25%.
    wers = []
    for q, played in ((q1, r["answer_texts"][0]), (q3, r["answer_texts"][2])):
        wers.append(word_error_rate(played, q["transcript"]))
        print(f"Q{q['index']} WER {wers[-1]:.1%}: {q['transcript']}")
        assert wers[-1] <= 0.35
        assert q["evaluation"]["suits"] == evaluate(played, q["round"]).suits
        assert q["delivery"]["word_count"] > 20
    assert sum(wers) / len(wers) <= 0.25
    # The thinking pause inside the first answer did not end it: both halves are in one transcript.
    assert "long term" in q1["transcript"].lower() or "long-term" in q1["transcript"].lower()
    assert q1["timings"]["pieces"] >= 2


def test_a_missing_result_is_probed_through_pulseaudio(tmp_path):
    r = run_once(15, tmp_path, log=print, scenario="followup")
    s = r["session"]
    assert s is not None and r["returncode"] == 0, r["stdout"]
    a = s["answers"][0]
    assert r["probes_heard"], r["heard"]  # the candidate heard "And what was the result, in numbers?"
    assert [p["kind"] for p in a["parts"]] == ["answer", "follow_up"] and a["parts"][1]["probe"] == "results"
    assert word_error_rate(r["follow_up_text"], a["parts"][1]["text"]) <= 0.35
    # The probe asked for the result in numbers: the first answer alone has none, the thread has one, and the
    # result counts as found. (Scores are not compared: a strong answer already scores 99 without it.)
    assert not any(p.measured for p in result_phrases(a["parts"][0]["text"]))
    assert any(p.measured for p in result_phrases(a["transcript"]))
    assert next(x for x in a["evaluation"]["signals"] if x["id"] == "results")["found"]
    # The probe is spoken from audio prepared while the session started: no slower than feedback.
    assert a["timings"]["follow_up_end_detected_to_probe_s"] < 1.0
