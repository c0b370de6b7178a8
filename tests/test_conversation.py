"""An interviewer that listens back: follow-up probes, the job advert, the CV, insight into words."""

import json
import os

import pytest
from conftest import ROOT, run_cli
from support.documents import pdf

from voicecoach.app.demo import ScriptedCandidate, ScriptedMicrophone, render_turn
from voicecoach.audio.snd import NullPlayer
from voicecoach.audio.vad import SileroVad
from voicecoach.interview.loop import Engines, Interview, InterviewOptions
from voicecoach.interview.probes import Prober
from voicecoach.interview.recorder import Recorder
from voicecoach.questions.bank import Question, load_questions
from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.insights import analyse_words
from voicecoach.tailoring.cv import cv_profile
from voicecoach.tailoring.documents import read_document
from voicecoach.tailoring.job import job_profile
from voicecoach.tailoring.questions import tailored_questions

JOBS = ROOT / "tests" / "data" / "jobs"
NO_RESULT = ("Our checkout service was slow, so I profiled it and found the same database query ran eleven times "
             "per request. I added a cache in front of the pricing service, rewrote two queries to use an index, "
             "and added a test to our build so the slow query could not creep back.")
RESULT = "Response time dropped from nine hundred milliseconds to one hundred and eighty, and errors fell by a third."
PERF = Question("swe-hm-performance", "hiring_manager", "Tell me about a time you made a service faster.",
                "software engineer", ("technical_depth",))


# -- probes ---------------------------------------------------------------------------------------
def test_a_hiring_manager_answer_without_a_measured_result_gets_the_results_probe():
    probe = Prober().choose(evaluate(NO_RESULT, "hiring_manager", question=PERF.text), PERF, set())
    assert probe.gap == "results" and "result" in probe.text.lower()


def test_an_answer_with_results_is_probed_for_what_else_it_misses_or_not_at_all():
    ev = evaluate(NO_RESULT + " " + RESULT, "hiring_manager", question=PERF.text)
    probe = Prober().choose(ev, PERF, set())
    assert probe is None or probe.gap in ("own_actions", "methods")
    assert Prober().choose(ev, PERF, {"results", "own_actions", "methods", "example"}) is None


def test_an_hr_answer_without_a_link_to_the_employer_is_asked_why_us():
    q = next(q for q in load_questions() if q.id == "gen-hr-ideal-team")
    text = ("The best team I was in was on a busy medical ward. We covered for each other on nights, the senior nurse "
            "always asked how we were doing after a bad shift, and I started a quick huddle at handover.")
    probe = Prober().choose(evaluate(text, "hr", question=q.text), q, set())
    assert probe.gap == "motivation_commitment" and "us" in probe.text


def test_a_short_answer_is_asked_for_an_example_from_the_question_bank():
    q = next(q for q in load_questions() if q.follow_ups)
    probe = Prober().choose(evaluate("I'm a hard worker and I get on with people.", q.round, question=q.text), q, set())
    assert probe.gap == "example" and probe.text == q.follow_ups[0]


def test_no_probe_for_the_candidate_s_own_questions():
    q = next(q for q in load_questions() if q.id == "gen-hr-questions-for-us")
    ev = evaluate("Yes. How do people here usually settle it when they disagree about a plan?", "hr", question=q.text)
    assert Prober().choose(ev, q, set()) is None


# -- follow-ups in a session ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def candidate():
    from voicecoach.tts import candidate_voice

    return candidate_voice()


def _session(tmp_path, transcribers, tts, candidate, turns, follow_turns, follow_ups=1):
    mic = ScriptedMicrophone(max_silence_s=40)
    rendered = [[render_turn(candidate, t) for t in turns]]
    follow = [[render_turn(candidate, t) for t in follow_turns]]
    engines = Engines(tts, NullPlayer(), mic, transcribers["faster-whisper"], SileroVad())
    recorder = Recorder("practice", {}, json_out=tmp_path / "s.json")
    from voicecoach.audio.listen import ListenOptions

    options = InterviewOptions(intro="none", follow_ups=follow_ups, listen=ListenOptions(prompt_after_s=3.0))
    return Interview([PERF], engines, recorder, options, [ScriptedCandidate(mic, rendered, follow)], prober=Prober())


@pytest.mark.slow
def test_the_follow_up_answer_is_merged_and_the_verdict_improves(tmp_path, transcribers, tts, candidate):
    rec = _session(tmp_path, transcribers, tts, candidate, [NO_RESULT], [RESULT]).run().to_json()
    a = rec["answers"][0]
    assert [p["kind"] for p in a["parts"]] == ["answer", "follow_up"]
    assert a["parts"][1]["probe"] == "results" and "result" in a["parts"][1]["prompt"].lower()
    assert a["transcript"][a["parts"][1]["start"]:a["parts"][1]["end"]] == a["parts"][1]["text"]
    alone = evaluate(a["parts"][0]["text"], "hiring_manager", question=PERF.text)
    assert a["evaluation"]["scores"]["hiring_manager"] > alone.scores["hiring_manager"]
    results = next(s for s in a["evaluation"]["signals"] if s["id"] == "results")
    assert results["found"] and results["evidence"][0]["part"] == 1
    assert a["timings"]["follow_up_end_detected_to_probe_s"] < 1.0
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["answers"][0]["parts"] == a["parts"]


@pytest.mark.slow
def test_skip_inside_a_follow_up_skips_only_the_follow_up(tmp_path, transcribers, tts, candidate):
    rec = _session(tmp_path, transcribers, tts, candidate, [NO_RESULT], ["Skip."]).run().to_json()
    a = rec["answers"][0]
    assert a["status"] == "answered" and [c["command"] for c in a["commands"]] == ["skip"]
    assert len(a["parts"]) == 0 and ("eleven" in a["transcript"].lower() or "11" in a["transcript"])
    assert rec["status"] == "completed"


@pytest.mark.slow
def test_no_follow_ups_with_zero(tmp_path, transcribers, tts, candidate):
    rec = _session(tmp_path, transcribers, tts, candidate, [NO_RESULT], [RESULT], follow_ups=0).run().to_json()
    assert rec["answers"][0]["parts"] == [] and "dropped" not in rec["answers"][0]["transcript"]


# -- the job and the candidate --------------------------------------------------------------------
def test_two_adverts_in_different_trades_give_their_own_terms_and_questions():
    nurse = job_profile(read_document(str(JOBS / "staff_nurse.md")))
    depot = job_profile(read_document(str(JOBS / "warehouse_team_leader.txt")))
    nurse_terms = {t.text.lower() for t in nurse.terms}
    depot_terms = {t.text.lower() for t in depot.terms}
    assert {"sepsis screening", "iv cannulation"} <= nurse_terms and "compassion" in nurse_terms
    assert {"wms", "stock discrepancies"} <= depot_terms and "safety" in depot_terms
    assert not nurse_terms & depot_terms - {"teamwork"}
    assert nurse.title.startswith("Staff Nurse") and depot.title.startswith("Warehouse Team Leader")
    questions = tailored_questions(depot, None)
    texts = " ".join(q.text for q in questions)
    assert "WMS" in texts and any(q.round == "hr" and "value" in q.text for q in questions)
    assert {q.round for q in questions} == {"hr", "hiring_manager"}


def test_a_cv_gives_questions_about_its_roles_and_the_skills_it_shares_with_the_job():
    cv = cv_profile(read_document(str(JOBS / "cv_nurse.md")))
    assert ("Staff Nurse", "2021 - present") in [(r.title, r.dates) for r in cv.roles]
    assert "Sepsis screening" in cv.skills
    job = job_profile(read_document(str(JOBS / "staff_nurse.md")))
    texts = [q.text for q in tailored_questions(job, cv)]
    assert any("You were a Staff Nurse at" in t and "proudest" in t for t in texts)
    shared = [t for t in texts if t.startswith("Your CV mentions")]
    assert shared, "a question about a skill the CV and the job share"
    cv_text = " ".join(cv.skills).lower()
    assert all(any(w in cv_text for w in t.split("mentions ", 1)[1].split(",")[0].lower().split()) for t in shared)


def test_job_advert_as_pdf_and_from_standard_input(tmp_path):
    lines = (JOBS / "warehouse_team_leader.txt").read_text().splitlines()
    (tmp_path / "advert.pdf").write_bytes(pdf(lines))
    assert "WMS" in {t.text for t in job_profile(read_document(str(tmp_path / "advert.pdf"))).terms}


def _one_line_error(r, code, *needles):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert "Fix:" in lines[0]
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("option", ["--job", "--cv"])
def test_bad_documents_get_one_clear_line(tmp_path, option):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/nothing")
    cases = {
        "empty.txt": (b"", "is empty"),
        "garbage.bin": (os.urandom(4000), "not a text, Markdown or PDF"),
        "scan.pdf": (pdf(None), "no text layer"),
        "huge.txt": (b"a line of a very long advert\n" * 180_000, "too large"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        _one_line_error(run_cli("practice", option, str(tmp_path / name), env=env), 2, message)
    _one_line_error(run_cli("practice", option, str(tmp_path / "missing.md"), env=env), 2, "does not exist")


def test_a_job_advert_is_read_before_the_devices_are_checked(tmp_path):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/nothing")
    r = run_cli("practice", "--job", str(JOBS / "staff_nurse.md"), "--cv", str(JOBS / "cv_nurse.md"), env=env)
    assert r.returncode == 4 and "Key terms in the job advert for Staff Nurse" in r.stderr
    r = run_cli("practice", "--job", "-", env=env, input=(JOBS / "warehouse_team_leader.txt").read_text())
    assert r.returncode == 4 and "WMS" in r.stderr


# -- insight into words ---------------------------------------------------------------------------
def test_insights_quote_the_answer():
    text = ("um so in my last job i kind of ran the night shift and the night shift was short so i guess i rang the "
            "agency. it taught me to plan rotas a month ahead. my goal is to stay somewhere for the long term.")
    i = analyse_words(text, job_terms=["night shift", "rota", "Datix"])
    assert ("night", 2) in i.top_words
    assert {h.text for h in i.hedges} >= {"kind of", "i guess"}
    assert set(i.talking_points) >= {"experience", "lesson", "goal"}
    for spans in [i.hedges, i.repeats, *i.talking_points.values()]:
        for s in spans:
            assert text[s.start:s.end] == s.text
    assert i.job_terms_used == ("night shift", "rota")


@pytest.mark.slow
def test_demo_has_a_follow_up_and_the_job_terms(tmp_path):
    out = tmp_path / "demo.json"
    r = run_cli("demo", "--silent", "--json-out", str(out))
    assert r.returncode == 0, r.stderr
    rec = json.loads(out.read_text())
    assert "Key terms in the job advert" in r.stderr and "PostgreSQL" in r.stderr
    follow = [a for a in rec["answers"] if a["parts"]]
    assert len(follow) == 1 and follow[0]["parts"][1]["probe"] == "results"
    assert "Follow-up: And what was the result" in r.stdout
    assert rec["settings"]["job_profile"]["terms"] and "job_terms_missing" in rec["summary"]
    md = run_cli("export", "--format", "md").stdout
    assert "Follow-up asked: And what was the result, in numbers?" in md


# -- "I wasn't finished" --------------------------------------------------------------------------
class _SaysInOrder:
    """A candidate who says the next scripted turns whenever the interviewer asks anything (a question again too)."""

    def __init__(self, mic, turns) -> None:
        self.mic, self.turns = mic, list(turns)

    def notify(self, event) -> None:
        from voicecoach.interview.events import PromptSpoken

        if isinstance(event, PromptSpoken) and self.turns:
            self.mic.queue_turns(self.turns.pop(0))


@pytest.mark.slow
def test_i_wasnt_finished_hears_the_rest_and_judges_the_answer_whole(tmp_path, transcribers, tts, candidate):
    # The first answer ends at its pause; at the next question the candidate says the interviewer cut them off,
    # gives the rest (the measured result), and the first answer is kept once, judged with it.
    mic = ScriptedMicrophone(max_silence_s=40)
    said = [[render_turn(candidate, NO_RESULT)], [render_turn(candidate, "I wasn't finished.")],
            [render_turn(candidate, RESULT)], [render_turn(candidate, "Skip.")]]
    from voicecoach.audio.endpoint import EndOfTurn

    engines = Engines(tts, NullPlayer(), mic, transcribers["faster-whisper"], SileroVad(), endpoint=EndOfTurn())
    recorder = Recorder("practice", {}, json_out=tmp_path / "s.json")
    from voicecoach.audio.listen import ListenOptions

    options = InterviewOptions(intro="none", follow_ups=0, listen=ListenOptions(prompt_after_s=3.0))
    second = next(q for q in load_questions() if q.round == "hiring_manager" and q.id != PERF.id)
    rec = Interview([PERF, second], engines, recorder, options, [_SaysInOrder(mic, said)]).run().to_json()
    first, then = rec["answers"]
    assert [c["command"] for c in rec["answers"][1]["commands"]] == ["skip"]
    assert [c["command"] for c in first["commands"]] == ["not_finished"]  # kept with the answer it concerns
    assert ("eleven" in first["transcript"].lower() or "11" in first["transcript"]) and "180" in first["transcript"]
    assert first["parts"] == [] and first["status"] == "answered"
    assert next(s for s in first["evaluation"]["signals"] if s["id"] == "results")["found"]
    assert then["index"] == 2 and then["status"] == "skipped"
    assert json.loads((tmp_path / "s.json").read_text())["answers"][0]["transcript"] == first["transcript"]
    # The rest's end is judged with the words said before it: a whole answer, not an eighteen-word one.
    last = first["timings"]["continued_pauses_judged"][-1]
    # The likelihood is 0 only where the voice, Whisper's doubt or the words (a dangling word, no closing mark) hear
    # the sentence hanging.
    judge = EndOfTurn(use_voice=False)
    rules = judge.rules
    hanging = (last["voice"] < rules.voice_incomplete_below or (last["ending"] or 1) < rules.full_stop_doubted_below
               or judge.words(first["transcript"])["dangling"] == 1.0)
    assert hanging or last["likelihood"] >= 0.5, last


@pytest.mark.slow
@pytest.mark.parametrize("asked, brief", [("Do you have a full driving licence?", True),
                                          ("Tell me about yourself.", False)])
def test_an_answer_to_a_brief_question_ends_after_the_short_silence(tmp_path, transcribers, tts, candidate, asked,
                                                                    brief):
    """The question reaches the end-of-turn judge: a sentence that answers "Do you have a full driving licence?" is a
    whole answer and the interviewer takes its turn after the short silence; the same sentence after "Tell me about
    yourself." is the start of an answer, and it waits the longest silence for more."""
    from voicecoach.audio.endpoint import EndOfTurn
    from voicecoach.audio.listen import ListenOptions

    mic = ScriptedMicrophone(max_silence_s=40)
    said = [[render_turn(candidate, "Yes, I have had a clean licence for eleven years, and I drive a van for work.")]]
    judge = EndOfTurn(use_voice=False)  # the words and Whisper's doubt alone: no voice model's noise in the test
    engines = Engines(tts, NullPlayer(), mic, transcribers["faster-whisper"], SileroVad(), endpoint=judge)
    recorder = Recorder("practice", {}, json_out=tmp_path / "s.json")
    options = InterviewOptions(intro="none", follow_ups=0, listen=ListenOptions(prompt_after_s=9.0))
    question = Question("gen-hr-asked", "hr", asked, "generic", ("motivation",))
    rec = Interview([question], engines, recorder, options, [_SaysInOrder(mic, said)]).run().to_json()
    answer = rec["answers"][0]
    assert answer["status"] == "answered" and "van for work" in answer["transcript"].lower()
    last = answer["timings"]["pauses_judged"][-1]
    assert last["brief_question"] is brief  # as saved in the session, for the record
    assert (last["ending"] or 1) >= judge.rules.full_stop_doubted_below, last  # Whisper is sure of its full stop
    rules = judge.rules
    assert answer["timings"]["end_silence_s"] == (rules.finished_silence_s if brief else rules.unfinished_silence_s)
