"""The rules module: signals, flags, verdicts, evidence, the labelled set, and bad data files."""

import json
import shutil
import tomllib

import pytest

from conftest import ROOT, run_cli
from voicecoach.errors import BadDataFile
from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.questions import load_questions, select_questions
from voicecoach.rules.rubric import load_rubric

LABELLED = tomllib.loads((ROOT / "tests" / "data" / "labelled_answers.toml").read_text())["answer"]


def found(ev, sid):
    return next(s for s in ev.signals if s.id == sid).found


def flagged(ev, fid="negotiates_package"):
    return any(f.id == fid for f in ev.flags)


FILLER = " I enjoy my work and I try to do it well every single day, whatever the task happens to be."


@pytest.mark.parametrize("sid, text", [
    ("values_culture", "Your values of transparency match what I believe in."),
    ("team_chemistry", "i always help my teammates and we collaborate closely"),
    ("transferable_skills", "My communication skills came from five years in customer service."),
    ("motivation_commitment", "I want to grow with this company for the long term."),
    ("asks_about_culture", "how would you describe the culture in the team"),
    ("tools_methods", "We used Python and SQL with a CI pipeline."),
    ("candidate_actions", "I rewrote the importer and I profiled the slow queries."),
    ("measured_results", "error rates fell by forty percent"),
    ("measured_results", "we cut it from 3 days to 4 hours"),
    ("measured_results", "it took twelve minutes instead of two hours"),
    ("star_structure", "in my last role the goal was to speed up billing so i rewrote it and as a result it ran faster"),
    ("tradeoffs", "we chose a queue rather than kafka because it was cheaper"),
])
def test_each_signal_is_found(sid, text):
    assert found(evaluate(text + FILLER, "hr"), sid)


@pytest.mark.parametrize("sid, text", [
    ("values_culture", "I wrote the importer."),
    ("measured_results", "I worked on the importer for a while and it went well."),
    ("asks_about_culture", "The culture at my last company was good."),
    ("candidate_actions", "The team shipped the feature."),
    ("star_structure", "I like solving problems."),
])
def test_signal_absent(sid, text):
    assert not found(evaluate(text + FILLER, "hr"), sid)


@pytest.mark.parametrize("text", [
    "what is the salary for this role",
    "i'd like to discuss the bonus",
    "how soon could i get promoted",
    "I would expect the title of senior engineer",
    "can you tell me about the compensation package",
    "I need at least 90,000 to move",
    "when can I expect a pay rise",
])
def test_package_negotiation_fires(text):
    assert flagged(evaluate(text + FILLER, "hr"))


@pytest.mark.parametrize("text", [
    "I was promoted to senior analyst last year.",
    "my title is analytics lead",
    "I built the bonus calculation in our payroll engine.",
    "I ran the spring promotion campaign for our store.",
    "I always pay attention to new colleagues.",
    "I need to explain the benefits of each option to the client.",
    "On salary I'm happy to leave that with my recruiter.",
    "I wanted a promotion at my last job, which is why I left.",
])
def test_package_words_that_are_not_negotiation(text):
    assert not flagged(evaluate(text + FILLER, "hr"))


def test_negotiating_in_hr_round_does_not_suit_hr():
    text = ("I love your culture and your values, and I work well in a team where we help each other and "
            "communicate openly. I want to grow with this company. What is the salary, and is there a bonus?")
    ev = evaluate(text, "hr")
    assert ev.scores["hr"] < 50 and ev.suits in ("neither", "hiring_manager")
    assert "recruiter" in ev.tips[0]
    flag = next(f for f in ev.flags if f.id == "negotiates_package")
    assert flag.evidence.text in text and "salary" in flag.evidence.text


def test_labelled_set_accuracy():
    suits_ok = sum(evaluate(a["text"], a["round"]).suits == a["suits"] for a in LABELLED)
    flag_ok = sum(flagged(evaluate(a["text"], a["round"])) == a["negotiates"] for a in LABELLED)
    assert len(LABELLED) >= 40
    assert suits_ok / len(LABELLED) >= 0.9, suits_ok
    assert flag_ok / len(LABELLED) >= 0.95, flag_ok


@pytest.mark.parametrize("answer", LABELLED, ids=[a["id"] for a in LABELLED])
def test_evidence_is_an_exact_quote(answer):
    ev = evaluate(answer["text"], answer["round"])
    text = ev.transcript
    spans = [e for s in ev.signals for e in s.evidence] + [f.evidence for f in ev.flags if f.evidence]
    for span in spans:
        assert text[span.start:span.end] == span.text
        assert span.text.strip()
    assert len(ev.tips) <= 3
    assert 0 <= ev.scores["hr"] <= 100 and 0 <= ev.scores["hiring_manager"] <= 100


def test_tips_point_at_what_is_missing():
    ev = evaluate("I rewrote our deploy scripts in Python and moved them to a CI pipeline so releases were "
                  "automatic and nobody had to run them by hand on Fridays any more, which the team liked.",
                  "hiring_manager")
    assert not found(ev, "measured_results")
    assert any("number" in t for t in ev.tips)


def test_delivery_from_word_timings():
    words, t = [], 0.0
    text_words = ("um so in my last role i led the team and we um shipped the new billing system on time " * 4).split()
    for i, w in enumerate(text_words):
        if i == 20:
            t += 3.0  # a long thinking pause
        words.append((w, t, t + 0.3))
        t += 0.4
    ev = evaluate(" ".join(text_words), "hiring_manager", words=words)
    d = ev.delivery
    assert d.word_count == len(text_words)
    assert d.words_per_minute == pytest.approx(len(text_words) / ((words[-1][2] - words[0][1]) / 60), rel=1e-6)
    assert d.filler_count == 8
    assert len(d.long_pauses) == 1 and d.long_pauses[0][1] == pytest.approx(3.1, abs=0.01)
    assert evaluate("hello there", "hr").delivery is None


def test_question_bank():
    qs = load_questions()
    assert sum(q.round == "hr" for q in qs) >= 30 and sum(q.round == "hiring_manager" for q in qs) >= 30
    roles = {q.role for q in qs} - {"generic"}
    assert len(roles) >= 3
    assert len({q.id for q in qs}) == len(qs)
    sales_hr = select_questions(qs, "hr", "sales")
    assert all(q.round == "hr" and q.role in ("sales", "generic") for q in sales_hr)


def _copy_prompts(tmp_path):
    dst = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", dst)
    return dst


def test_malformed_question_file_is_named(tmp_path):
    p = _copy_prompts(tmp_path)
    f = p / "questions" / "sales.toml"
    f.write_text(f.read_text().replace('round = "hiring_manager"', 'round = "ceo"', 1))
    with pytest.raises(BadDataFile) as exc:
        load_questions(p / "questions")
    msg = str(exc.value)
    assert "sales.toml" in msg and "sales-hm-pipeline" in msg and "'ceo'" in msg


def test_broken_toml_and_bad_regex_are_named(tmp_path):
    p = _copy_prompts(tmp_path)
    (p / "questions" / "generic.toml").write_text("role = 'generic'\n[[question]\nid = 'x'")
    with pytest.raises(BadDataFile, match="generic.toml: not valid TOML"):
        load_questions(p / "questions")
    hr = p / "rubric" / "hr.toml"
    hr.write_text(hr.read_text().replace('patterns = [\n', 'patterns = [\n  "(unclosed",\n', 1))
    with pytest.raises(BadDataFile, match=r"hr.toml: signal #5 \(asks_about_culture\): pattern"):
        load_rubric(p / "rubric")


def test_cli_reports_a_bad_rubric_without_traceback(tmp_path):
    import os

    p = _copy_prompts(tmp_path)
    hm = p / "rubric" / "hiring_manager.toml"
    hm.write_text(hm.read_text().replace("weight = 25", "weight = -3", 1))
    r = run_cli("evaluate", "--round", "hr", "--text", "hello", env=dict(os.environ, VOICECOACH_PROMPTS=str(p)))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "hiring_manager.toml: signal #1 (tools_methods): 'weight' must be positive" in r.stderr


def test_cli_evaluate_json():
    text = LABELLED[0]["text"]
    r = run_cli("evaluate", "--round", "hr", "--question", "Why us?", "--text", text, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["round"] == "hr" and out["suits"] == "hr"
    assert set(out["scores"]) == {"hr", "hiring_manager"} and all(isinstance(v, int) for v in out["scores"].values())
    assert out["transcript"] == text and out["delivery"] is None
    assert isinstance(out["flags"], list) and isinstance(out["tips"], list) and out["signals"]


def test_cli_evaluate_readable_and_hiring_manager_spelling():
    r = run_cli("evaluate", "--round", "hiring-manager", "--text", LABELLED[8]["text"])
    assert r.returncode == 0
    assert "Verdict:  Suits the hiring-manager round." in r.stdout


def test_cli_evaluate_needs_text_or_audio():
    r = run_cli("evaluate", "--round", "hr")
    assert r.returncode == 1 and "either as --text or as an audio file" in r.stderr


def test_cli_questions_lists_the_bank():
    r = run_cli("questions", "--round", "hr", "--role", "data analyst", "--json")
    qs = json.loads(r.stdout)
    assert qs and all(q["round"] == "hr" and q["role"] in ("data analyst", "generic") for q in qs)
    r = run_cli("questions", "--role", "astronaut")
    assert r.returncode == 1 and "no questions for role" in r.stderr
