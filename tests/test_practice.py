"""The practice session end to end with scripted candidates, and `voicecoach demo` from the CLI."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli
from support.wer import word_error_rate

from voicecoach.app.demo import DEMO_SCRIPT, ScriptedCandidate, ScriptedMicrophone, render_turn
from voicecoach.audio.snd import NullPlayer
from voicecoach.audio.vad import SileroVad
from voicecoach.errors import AudioDeviceFailed
from voicecoach.interview.loop import Engines, Interview, InterviewOptions
from voicecoach.interview.recorder import Recorder
from voicecoach.questions.bank import load_questions
from voicecoach.rules.evaluate import evaluate

HR_ANSWER = ("I care about honest feedback and respect in a team, and your values of transparency are why I "
             "applied. In my last job I mentored two colleagues and organised our team retrospectives.")


@pytest.fixture(scope="module")
def bank():
    return {q.id: q for q in load_questions()}


@pytest.fixture(scope="module")
def voice():
    from voicecoach.tts import make_tts

    return make_tts(voice="en-us", rate_wpm=165)


class Session:
    """A scripted interview whose run() returns the session's JSON, as --json-out writes it."""

    def __init__(self, interview):
        self.interview = interview

    def run(self):
        return self.interview.run().to_json()


def scripted_session(tmp_path, bank, transcribers, tts, voice, ids, turns, mic=None, **opts):
    mic = mic or ScriptedMicrophone(max_silence_s=60)
    rendered = [[render_turn(voice, t) for t in ts] for ts in turns]
    engines = Engines(tts, NullPlayer(), mic, transcribers["faster-whisper"], SileroVad())
    recorder = Recorder("practice", {}, json_out=tmp_path / "s.json")
    opts.setdefault("follow_ups", 0)
    return Session(Interview([bank[i] for i in ids], engines, recorder, InterviewOptions(intro="none", **opts),
                             [ScriptedCandidate(mic, rendered)]))


def test_done_command_ends_the_answer_and_command_words_inside_answers_do_not_fire(
        tmp_path, bank, transcribers, tts, voice):
    answer = "I had to repeat the test three times before I found the bug, and then I fixed it in the parser."
    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["swe-hm-debugging"],
                         [[answer + " <pause 1> That's my answer. <pause 0.5> This part comes after the answer."]])
    rec = s.run()
    q = rec["answers"][0]
    assert q["status"] == "answered"
    assert [c["command"] for c in q["commands"]] == ["done"]
    assert q["timings"]["answer_end_reason"] == "done"
    assert word_error_rate(answer, q["transcript"]) <= 0.2
    assert "comes after" not in q["transcript"]


def test_pressed_commands_work_like_spoken_ones(tmp_path, bank, transcribers, tts, voice):
    # A front end's buttons (the page's): "skip" on the first question, "done" once the answer has begun.
    from voicecoach.interview.events import Partial, PromptSpoken
    from voicecoach.interview.pressed import PressedCommands

    pressed = PressedCommands()

    class Presser:
        def notify(self, event):
            if isinstance(event, PromptSpoken) and event.index == 0:
                pressed.press("done")  # no answer yet: not obeyed, and said so
                pressed.press("skip")
            elif isinstance(event, Partial) and len(event.text.split()) >= 24:
                pressed.press("done")  # once most of the answer's 30 words are in (pieces may close mid-answer)

    mic = ScriptedMicrophone(max_silence_s=60)
    rendered = [[], [render_turn(voice, HR_ANSWER + " <pause 1.2> This part comes after the button.")]]
    engines = Engines(tts, NullPlayer(), mic, transcribers["faster-whisper"], SileroVad(), pressed=pressed)
    interview = Interview([bank["gen-hr-values"], bank["gen-hr-why-us"]], engines,
                          Recorder("practice", {}, json_out=tmp_path / "s.json"),
                          InterviewOptions(intro="none", follow_ups=0),
                          [ScriptedCandidate(mic, rendered), Presser()])
    rec = interview.run().to_json()
    first, second = rec["answers"]
    assert first["status"] == "skipped" and [(c["command"], c["heard"]) for c in first["commands"]] == [
        ("skip", "(pressed)")]
    assert second["status"] == "answered" and [c["command"] for c in second["commands"]] == ["done"]
    assert second["timings"]["answer_end_reason"] == "done"
    assert word_error_rate(HR_ANSWER, second["transcript"]) <= 0.2 and "button" not in second["transcript"]


def test_skip_never_ends_the_interview_and_stop_keeps_answers(tmp_path, bank, transcribers, tts, voice):
    s = scripted_session(tmp_path, bank, transcribers, tts, voice,
                         ["gen-hr-values", "gen-hr-why-us", "gen-hr-ideal-team", "gen-hr-feedback"],
                         [["Skip."], [HR_ANSWER], ["End the interview."], ["never reached"]])
    rec = s.run()
    assert rec["status"] == "stopped"
    assert [q["status"] for q in rec["answers"]] == ["skipped", "answered", "stopped"]
    assert [c["command"] for c in rec["commands"]] == ["skip", "stop"]
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["answers"][1]["transcript"] and saved["summary"]["answered"] == 1


def test_pause_and_resume(tmp_path, bank, transcribers, tts, voice):
    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["gen-hr-why-us"],
                         [["Pause.", "Resume.", HR_ANSWER]])
    rec = s.run()
    q = rec["answers"][0]
    assert [c["command"] for c in q["commands"]] == ["pause", "resume"]
    assert q["status"] == "answered" and q["evaluation"]["suits"] in ("hr", "both")


def test_help_says_how_to_talk_then_the_question_again(tmp_path, bank, transcribers, tts, voice):
    said = []
    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["gen-hr-why-us"], [["Help.", HR_ANSWER]])
    speak = s.interview.speech.say
    s.interview.speech.say = lambda text, rate=1.0: said.append(text) or speak(text, rate)
    rec = s.run()
    q = rec["answers"][0]
    assert [c["command"] for c in q["commands"]] == ["help"]
    assert q["status"] == "answered"
    guide = next(t for t in said if "You can say" in t)
    assert bank["gen-hr-why-us"].text in guide  # the question comes again after the guide


def test_silence_gets_prompts_then_moves_on(tmp_path, bank, transcribers, tts, voice):
    from voicecoach.audio.listen import ListenOptions

    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["gen-hr-why-us"], [[]],
                         listen=ListenOptions(prompt_after_s=2.0), max_prompts=2)
    rec = s.run()
    assert rec["answers"][0]["status"] == "no_answer" and rec["status"] == "completed"


class FailingMic(ScriptedMicrophone):
    """A device that dies after a number of chunks (what a pulled USB microphone does)."""

    def __init__(self, fail_after_chunks, exc):
        super().__init__()
        self.fail_after, self.exc = fail_after_chunks, exc

    def chunks(self):
        for i, c in enumerate(super().chunks()):
            if i >= self.fail_after:
                raise self.exc
            yield c


@pytest.mark.parametrize("exc, status", [(AudioDeviceFailed("the microphone stopped"), "device_failed"),
                                         (KeyboardInterrupt(), "interrupted")])
def test_failure_mid_answer_keeps_earlier_answers(tmp_path, bank, transcribers, tts, voice, exc, status):
    first = render_turn(voice, HR_ANSWER)
    chunks_first = len(first) // 512 + int(4 * 16000 / 512)  # the answer and its end silence
    mic = FailingMic(chunks_first + 60, exc)
    s = scripted_session(tmp_path, bank, transcribers, tts, voice, ["gen-hr-why-us", "gen-hr-values"],
                         [[HR_ANSWER], [HR_ANSWER]], mic=mic)
    with pytest.raises(type(exc)):
        s.run()
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["status"] == status
    assert saved["answers"][0]["status"] == "answered" and saved["answers"][0]["transcript"]


@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    out = tmp_path / "demo.json"
    t = time.monotonic()
    r = run_cli("demo", "--silent", "--json-out", str(out))
    took = time.monotonic() - t
    assert r.returncode == 0, r.stderr
    rec = json.loads(out.read_text())
    import jsonschema

    jsonschema.validate(rec, json.loads((ROOT / "docs" / "session.schema.json").read_text()))
    assert rec["status"] == "completed" and rec["summary"]["answered"] == 3
    assert [c["command"] for c in rec["commands"]] == ["repeat"]
    for q, (qid, turns, follow_ups) in zip(rec["answers"], DEMO_SCRIPT):
        said = " ".join([turns[-1], *follow_ups]).replace("<pause 1.8>", " ")
        assert q["question_id"] == qid
        assert word_error_rate(said, q["transcript"]) <= 0.2, q["transcript"]
        assert q["evaluation"]["suits"] == evaluate(said, q["round"], question=q["question"]).suits
        assert q["delivery"]["words_per_minute"] > 100
    flags = [f["id"] for f in rec["answers"][2]["evaluation"]["flags"]]
    assert "negotiates_package" in flags
    assert "Summary" in r.stdout and "Question 3/3" in r.stdout
    print(f"demo took {took:.1f} s")


@pytest.mark.slow
def test_ctrl_c_keeps_answers(tmp_path):
    out = tmp_path / "demo.json"
    p = subprocess.Popen([sys.executable, "-m", "voicecoach", "demo", "--silent", "--realtime", "--json-out", str(out)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and any(q["status"] == "answered" for q in json.loads(out.read_text())["answers"]):
            break
        time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "interrupted; 1 answer(s) kept (session 1 in `voicecoach history` and " in err
    assert str(out) in err and "Traceback" not in err
    rec = json.loads(out.read_text())
    assert rec["status"] == "interrupted" and rec["answers"][0]["transcript"]


def test_practice_without_a_microphone_points_to_the_demo(tmp_path):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/nothing")
    r = run_cli("practice", "--questions", "1", env=env)
    assert r.returncode == 4 and "Traceback" not in r.stderr
    assert "voicecoach demo" in r.stderr
