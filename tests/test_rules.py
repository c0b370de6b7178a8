"""The rules module: signals, flags, verdicts, evidence, the labelled set, and bad data files."""

import json
import re
import shutil

import pytest
import tomllib
from conftest import ROOT, run_cli
from support import corpus

from voicecoach.errors import BadDataFile
from voicecoach.questions.bank import load_questions, select_questions
from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.rubric import load_rubric

LABELLED = tomllib.loads((ROOT / "tests" / "data" / "labelled_answers.toml").read_text())["answer"]
ANSWERS = corpus.load("train", "dev")


def found(ev, sid):
    return next(s for s in ev.signals if s.id == sid).found


def flagged(ev, fid="negotiates_package"):
    return any(f.id == fid for f in ev.flags)


FILLER = " I enjoy my work and I try to do it well every single day, whatever the task happens to be."


@pytest.mark.parametrize("sid, text", [
    ("values_culture", "I always own up when I get something wrong on the ward, because trust matters more to me "
                       "than looking perfect."),
    ("team_chemistry", "When two of the lads fell out over the weekend rota I sat them down together and we worked "
                       "out a swap that suited both of them."),
    ("transferable_skills", "A dad came in shouting about his son's detention, so I took him somewhere quiet, let "
                            "him talk, and explained what had happened until he calmed down."),
    ("motivation_commitment", "I've shopped in your stores since I was a kid and I'd like to build my career here "
                              "for the long haul."),
    ("asks_about_culture", "How do people here usually settle it when they disagree about a plan?"),
    ("methods", "I audited the falls risk assessments against the notes, checking the lying and standing blood "
                "pressures for every patient over sixty-five."),
    ("own_actions", "So I pulled the incident reports for six months and mapped them by time of night."),
    ("results", "Falls went from twelve a month to two."),
    ("results", "um so we basically halved the waiting time"),
    ("results", "eleven of the fourteen apprentices passed first time"),
    ("results", "complaints dropped by eighteen percent over the summer"),
    ("results", "we had a third fewer returns after that"),
    ("context_story", "The night shift kept missing the six o'clock trunk to Leeds, and my job was to find out why."),
    ("reasoning", "I went with a re-audit rather than more training, because the errors were in the paperwork, "
                  "not in what people knew."),
])
def test_each_signal_is_found_in_plain_words(sid, text):
    ev = evaluate(text.rstrip(".?") + ("?" if text.endswith("?") else ".") + FILLER, "hr")
    assert found(ev, sid), {s.id: round(s.strength, 2) for s in ev.signals}
    quotes = next(s for s in ev.signals if s.id == sid).evidence
    if sid in ("own_actions", "results", "asks_about_culture", "methods", "motivation_commitment"):
        assert quotes, "a clear sentence of this kind is quoted"
    for quote in quotes:
        assert quote.text in text and 0 < quote.strength <= 1


@pytest.mark.parametrize("sid, text", [
    ("transferable_skills",
     "I'm a great communicator, a real team player and I always give a hundred and ten percent."),
    ("team_chemistry", "I'm a team player and I get on with everyone."),
    ("values_culture", "honestly I just need something closer to home"),
    ("own_actions", "Everyone I met on the open day was lovely."),
    ("results", "I need the audit finished by Friday."),
    ("results", "I always give a hundred and ten percent."),
    ("results", "I have worked in kitchens for twelve years."),
    ("asks_about_culture", "What's the salary range for this role?"),
])
def test_claims_fillers_and_look_alikes_are_not_evidence(sid, text):
    assert not found(evaluate(text + FILLER, "hr"), sid)


@pytest.mark.parametrize("text", [
    "what is the salary for this role",
    "Is the base negotiable at all? I'm on forty two at the moment.",
    "What grade would I come in at, and could it be the senior level?",
    "How does the commission work here, is it capped?",
    "When's the annual review, and is there usually a raise?",
    "I'd need a sign-on payment to make up the bonus I'd lose by leaving.",
    "Is there a route up within the year? I wouldn't want to stay a junior.",
    "I won't ask about salary, but I couldn't move for less than what I'm on now.",
    "The offer would need to reflect the fact that I'm already running a team.",
    "um so like how soon could i move up to shift manager here",
    "I'd want the title to be head of operations, not manager.",
])
def test_package_negotiation_fires(text):
    assert flagged(evaluate(text + FILLER, "hr"))


@pytest.mark.parametrize("text", [
    "I'm not here to negotiate salary today.",
    "Money isn't what drives me, I just love the job.",
    "I'll leave the package side with Sarah at Hays.",
    "I was promoted to band six in 2020.",
    "My title at the moment is team lead.",
    "I redesigned the sales bonus scheme so reps were paid on margin, not revenue.",
    "I fixed a payroll bug that had calculated forty-three people's overtime wrong.",
    "I kept the project within its budget of two million pounds.",
    "How do you support people's learning and development here?",
    "the hourly rate in his care budget was below the minimum wage once you added holiday pay",
])
def test_package_words_that_are_not_negotiation(text):
    assert not flagged(evaluate(text + FILLER, "hr"))


STRONG_HR = ("When I started on the ward, an older nurse took me under her wing and I've tried to do the same for the "
             "new starters since. Last winter two of them were struggling on nights, so I swapped onto their shifts "
             "for a month and we went through the handovers together. I want to stay somewhere that looks after "
             "people like that, and from what I've heard from friends who work here, that's how you do things.")


def test_refusing_to_negotiate_keeps_a_strong_hr_answer():
    ev = evaluate("I'm not here to negotiate salary today. " + STRONG_HR, "hr",
                  question="Why do you want to work here?")
    assert not flagged(ev) and ev.suits == "hr"


def test_negotiating_in_hr_round_does_not_suit_hr():
    ev = evaluate(STRONG_HR + " So what band would I start on, and how soon could I move up a grade?", "hr")
    assert ev.scores["hr"] < 50 and ev.suits in ("neither", "hiring_manager")
    assert "recruiter" in ev.tips[0]
    flag = next(f for f in ev.flags if f.id == "negotiates_package")
    assert flag.evidence.text in ev.transcript and "band" in flag.evidence.text


def test_a_disagreement_story_suits_hr_without_naming_values():
    text = ("Last summer two of my supervisors fell out over who covered Saturdays. "
            "It was spilling onto the shop floor. "
            "I got them both into the office, asked each to say what felt unfair, and then asked what a fair fix would "
            "look like. They came up with a swap system themselves, and three months later they were covering for each "
            "other without asking me.")
    ev = evaluate(text, "hr", question="How do you deal with disagreements in your team?")
    assert ev.suits in ("hr", "both")
    assert found(ev, "team_chemistry")


def test_cliches_and_running_down_an_employer_suit_neither():
    cliches = ("I'm a hard worker, a great communicator and a real team player. I always give a hundred and ten "
               "percent and I think outside the box. I'm passionate about excellence and I hit the ground running.")
    assert evaluate(cliches, "hr").suits == "neither"
    bad = ("Honestly my last manager was useless and the directors were clowns who had no idea what they were doing. "
           "I want somewhere that actually respects people, because I get on with everyone.")
    ev = evaluate(bad, "hr")
    assert ev.suits == "neither" and any(f.id == "badmouths_employer" for f in ev.flags)


def test_an_answer_strong_for_both_rounds():
    text = ("On my last site we kept failing the fire door inspections, so I pulled every snag report from the last "
            "year and found most failures were the same three hinge faults. I sat down with the joinery subcontractor, "
            "walked the doors with him, and we changed the fitting sequence. We went from fourteen failed doors to one "
            "at the next inspection. What I liked most was how the lads took it on themselves, and that's the kind of "
            "team I want to be part of here, where people sort problems out together.")
    assert evaluate(text, "hr", question="Tell me about a problem you solved.").suits == "both"


def test_the_result_at_the_end_of_a_story_is_the_evidence():
    text = ("Our month-end took nine days. I mapped every step with the two accounts assistants. I moved the accruals "
            "onto goods received and set up a standard payroll journal template. Month-end now closes in five days.")
    ev = evaluate(text, "hiring_manager")
    results = next(s for s in ev.signals if s.id == "results")
    assert (results.evidence[0].text == "Month-end now closes in five days"
            or "nine days" not in results.evidence[0].text)
    assert results.evidence == tuple(sorted(results.evidence, key=lambda q: -q.strength))


STORY = ("When I took over the goods-in team we had about forty pallets a day waiting more than a shift. "
         "I split the dock into two lanes and put our fastest checker on the awkward deliveries. "
         "By the end of the quarter we were down to five pallets a day. "
         "I'd like to do the same kind of thing here.")


def test_quotes_are_what_a_coach_would_underline():
    """The action quoted is what the candidate did, not the scene or a wish; the result is the outcome at the
    end, not the starting figure."""
    ev = evaluate(STORY, "hiring_manager", question="Tell me about something you improved.")
    by = {s.id: [q.text for q in s.evidence] for s in ev.signals}
    assert any(q.startswith("I split the dock") for q in by["own_actions"]), by
    assert not any("forty pallets" in q or "I'd like" in q for q in by["own_actions"]), by
    assert any("down to five pallets" in q for q in by["results"]), by
    assert not any("forty pallets" in q for q in by["results"]), by


def test_a_question_is_quoted_only_as_asking():
    ev = evaluate("How do the two shifts sort it out between them when something goes wrong overnight? "
                  "And who checks the handover sheet?", "hr", question="Any questions for me?")
    quoted = {s.id for s in ev.signals if s.evidence}
    assert quoted <= {"asks_about_culture"}, quoted


def test_every_raised_flag_quotes_its_sentence():
    """A flag (other than too short) always says which sentence raised it."""
    for a in _answers("dev"):
        ev = evaluate(a["text"], a["round"], question=a["question"])
        for f in ev.flags:
            if f.id != "too_short":
                assert f.evidence is not None and f.evidence.text.strip(), (a["id"], f.id)


def test_a_bad_quoting_setting_is_named(tmp_path):
    p = _copy_prompts(tmp_path)
    hm = p / "rubric" / "hiring_manager.toml"
    text = re.sub(r"(?m)^quote_unless = .*\n", "", hm.read_text())
    hm.write_text(text.replace('id = "results"\n', 'id = "results"\nquote_unless = ["sometimes"]\n', 1))
    with pytest.raises(BadDataFile, match=r"hiring_manager.toml: signal #3 \(results\): 'quote_unless'"):
        load_rubric(p / "rubric")


def _answers(split):
    return [a for a in ANSWERS if a["split"] == split]


def test_labelled_corpus_is_independent_and_split():
    assert len(ANSWERS) >= 1500
    assert len({a["profession"] for a in ANSWERS}) >= 60
    assert {a["register"] for a in ANSWERS} >= {"polished", "plain", "whisper", "short", "published"}
    assert {a["split"] for a in ANSWERS} == {"train", "dev"}
    assert len({a["id"] for a in ANSWERS}) == len(ANSWERS)
    for a in ANSWERS:  # every id names its writer, and the writer is in one split only
        assert a["id"].split("-")[0] == a["writer"]
        assert a["suits"] in ("hr", "hiring_manager", "both", "neither") and isinstance(a["negotiates"], bool)
        assert not (a["negotiates"] and a["suits"] in ("hr", "both")), a["id"]
    train = set(corpus.SPLITS["train"])
    assert not train & set(corpus.SPLITS["dev"]) and not train & set(corpus.SPLITS["test"])


def test_dev_accuracy_and_package_flag():
    """A floor, not the headline figure (scripts/bench_evaluate.py prints that, with leave-one-writer-out):
    a change that breaks the evaluator's judgement on writers it was not fitted on fails here. The
    shipped model is fitted on train and dev, so this runs the dev writers through a model refitted on the
    train writers alone, as the benchmark does."""
    import fit_rubric as F

    rubric = load_rubric()
    train, dev = _answers("train"), _answers("dev")
    feats, meaning, _ = F.measure(train, rubric)
    model = F.fit(feats, meaning, [a["suits"] for a in train])
    d_feats, d_meaning, d_disq = F.measure(dev, rubric)
    got = F.verdicts(model, d_feats, d_meaning, d_disq)
    right = sum(g.verdict == a["suits"] for g, a in zip(got, dev))
    flag_errors = sum(("negotiates_package" in d.get("hr", [])) != a["negotiates"] for d, a in zip(d_disq, dev))
    assert right / len(dev) >= 0.86, right
    assert flag_errors <= 15, flag_errors


def test_regression_set_accuracy():
    """The 44 answers written with the first rubric stay a regression set: the textbook register (values and
    culture named outright, no question given), which the answer's overall meaning over-reads as empty when
    it is not shrunk (31 of 44 right; 37 with the shipped shrinkage: scripts/fit_rubric.py, MEANING_SHARE).
    Their labels are a little more lenient than the writers' on values talk, hence a floor of 0.8."""
    suits_ok = sum(evaluate(a["text"], a["round"]).suits == a["suits"] for a in LABELLED)
    flag_ok = sum(flagged(evaluate(a["text"], a["round"])) == a["negotiates"] for a in LABELLED)
    assert len(LABELLED) >= 40
    assert suits_ok / len(LABELLED) >= 0.8, suits_ok
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
    assert not found(ev, "results")
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
    hr.write_text(hr.read_text().replace('detector = "question"', 'detector = "question"\npatterns = ["(unclosed"]', 1))
    with pytest.raises(BadDataFile, match=r"hr.toml: signal #5 \(asks_about_culture\): pattern"):
        load_rubric(p / "rubric")


def test_cli_reports_a_bad_rubric_without_traceback(tmp_path):
    import os

    p = _copy_prompts(tmp_path)
    hm = p / "rubric" / "hiring_manager.toml"
    hm.write_text(hm.read_text().replace('detector = "actions"', 'detector = "verbs"', 1))
    r = run_cli("evaluate", "--round", "hr", "--text", "hello", env=dict(os.environ, VOICECOACH_PROMPTS=str(p)))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "hiring_manager.toml: signal #2 (own_actions): 'detector' must be one of" in r.stderr


def test_cli_evaluate_json():
    text = ("I did my placement on your stroke unit and what stayed with me was how the nurses covered for each "
            "other: when one of them had a dying patient, the others quietly took her bays so she could sit with the "
            "family. I want to settle somewhere like that and still be here in five years helping the new students.")
    r = run_cli("evaluate", "--round", "hr", "--question", "Why do you want to work on this ward?", "--text", text,
                "--json")
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
    assert r.returncode == 1 and "no occupation called 'astronaut'" in r.stderr and "--roles" in r.stderr


def test_an_answer_embedded_while_it_is_given_is_judged_the_same():
    """While the candidate speaks, the sentences so far are embedded ahead (``prepare``); the verdict on the whole
    answer is the one it gets without that head start."""
    from voicecoach.rules.evaluate import prepare
    from voicecoach.rules.meaning import meaning_for
    from voicecoach.rules.rubric import default_rubric

    question = "Why do you want to work for us?"
    so_far = ("I've followed your work on community health for a while. What I like is how your teams share what "
              "they learn with each other.")
    answer = so_far + " On my current ward I started a weekly huddle where we swap one thing that went well."
    cold = evaluate(answer, "hr", question=question).to_dict()
    encoder = meaning_for(default_rubric()).encoder
    with encoder._lock:
        encoder._cache.clear()
    prepare(so_far, question)
    assert question in encoder._cache and len(encoder._cache) == 3  # two sentences and the question
    assert evaluate(answer, "hr", question=question).to_dict() == cold
    assert len(encoder._cache) == 4  # only the sentence said since was embedded
