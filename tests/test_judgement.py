"""The kinds of answer the evaluator used to misjudge (issue 17), on answers written for these tests, and
the coaching around the verdict agreeing with the answer and the question (issue 18)."""

import json
import re

import pytest
from conftest import run_cli

from voicecoach.rules.evaluate import evaluate

PACKAGE = "negotiates_package"


def flagged(ev) -> bool:
    return any(f.id == PACKAGE for f in ev.flags)


# -- the verdict -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("question, text, rnd, want", [
    # People the job serves are the job: handling them with the trade's methods is the hiring manager's.
    ("Tell me about a time you managed difficult behaviour in class.",
     "I had a Year 9 boy who kept walking out of my science lessons. I looked at when it happened and it was always "
     "at the start of practical work, so I gave him a job as my equipment monitor, sat him near the door with a "
     "quiet exit card, and rang home on Fridays with something positive. Within half a term he was staying for the "
     "whole lesson and his test scores went from a four to a six.", "hiring_manager", "hiring_manager"),
    ("How do you handle an anxious or angry relative on the ward?",
     "A patient's son was shouting at the nurses' station because his mum had waited six hours for pain relief. I "
     "took him into the relatives' room, checked her chart while he talked, and found the prescription had not been "
     "signed. I bleeped the doctor, had the analgesia given within twenty minutes, and went back to tell him what "
     "had happened and what I'd changed. He thanked me and there was no formal complaint.",
     "hiring_manager", "hiring_manager"),
    # Both: a trade story that also brings the colleagues along.
    ("Tell me about a change you led at work.",
     "Our deliveries kept missing the early trunk, so I pulled a month of scanner data and found packing was the "
     "bottleneck. I moved two pickers onto packing at four and changed the wave plan. I sat down with the team "
     "leaders first to explain why, because people hate being moved about, and we agreed to trial it together. "
     "After a month we had not missed a trunk and overtime was down by a third, and the pickers asked to stay on "
     "packing.", "hiring_manager", "both"),
    # A motivation statement, specific and sincere, is what the HR round wants.
    ("What motivates you?",
     "Seeing someone go home able to do what they could not do when they came in. I became a physiotherapist after "
     "my grandad's stroke, and the team that got him walking again are the reason. Your rehab unit is the one he "
     "went to, and I would like to spend the next few years here learning from the people who did that.",
     "hr", "hr"),
    # Short but apt: one good question when invited to ask one.
    ("Do you have any questions for me?",
     "Yes: how do new starters get settled in on this team, and who do they go to in their first few weeks?",
     "hr", "hr"),
    # Culture shown without the words.
    ("What do you like about the team you work in now?",
     "On nights we all sit down together at three for toast, the healthcare assistants too, and after a bad shift "
     "someone always stays behind to talk it through. When my daughter was ill last winter two of them swapped "
     "shifts so I could be at home, and I have done the same for them since.", "hr", "hr"),
    # Credit without substance.
    ("Tell me about a project you are proud of.",
     "We did a big project last year on the new system and it went really well. We all worked hard, we pulled "
     "together as a team and we got it over the line. Everyone was really pleased with how we did.",
     "hiring_manager", "neither"),
    ("Tell me about a time you showed resilience.",
     "When I was seventeen I went travelling round Thailand with two friends and we lost our passports in Bangkok. "
     "We had to sort it out with the embassy and it took four days but we had a laugh about it in the end.",
     "hr", "neither"),
    # The trade's own words are method.
    ("Walk me through a recent job.",
     "It was a full rewire of a three-bed semi. I did an EICR first and found no RCD protection and a rewireable "
     "fuse board, so I quoted for a new split-load consumer unit with RCBOs, first fix on day one and two, "
     "upgraded the main bonding to ten mil, then second fix and a full set of tests: insulation resistance, Zs on "
     "every circuit, RCD trip times. Signed off the EIC and notified it through the scheme the same week.",
     "hiring_manager", "hiring_manager"),
])
def test_the_verdict_on_kinds_it_used_to_miss(question, text, rnd, want):
    ev = evaluate(text, rnd, question=question)
    assert ev.suits == want, (ev.suits, ev.decision["probabilities"])


@pytest.mark.parametrize("text", [
    "I can start next month. Is there any flexibility on the night rate? Where I am now it's time and a half.",
    "What would the title be? I'm a senior account manager now and I wouldn't want to step back a level.",
    "I'd want some assurance that I'd be made up to sergeant within two years of transferring.",
    "My day rate is two-twenty, and I'd want that to stand if I come on with you.",
    "I was hoping the compensation would reflect the extra responsibility, so could we look at the figure?",
])
def test_indirect_package_asks_are_flagged(text):
    assert flagged(evaluate(text + " I have worked in the trade for nine years and I know the job well.", "hr"))


@pytest.mark.parametrize("text", [
    "I'm applying for this Band 6 post because I want to lead shifts on a ward like yours.",
    "I'm applying for this Band 6 post because I've been acting up as a Band 6 on nights for a year, I've led the "
    "ward through two inspections, and I want to keep developing the nurses I mentor here.",
    "I need the money, honestly, but I could earn it anywhere; it's the residents that keep me in care.",
    "I want to keep learning and take on more responsibility, and to progress clinically here.",
    "How does the team share what people learn on courses, so the whole ward benefits?",
    "I'd like to do my Level 3 next year, because I want to understand the electrics properly.",
    "Salary is something I'll leave with the agency; what I want to know is how the night team works together.",
])
def test_near_misses_are_not_flagged(text):
    assert not flagged(evaluate(text + " I have worked in the trade for nine years and I know the job well.", "hr"))


def test_confidence_and_borderline_are_in_the_json_and_sum_up():
    ev = evaluate("I checked the stock, sorted the rota and the team was happier.", "hiring_manager",
                  question="Tell me about a time you improved something.")
    d = ev.decision
    assert abs(sum(d["probabilities"].values()) - 1) < 1e-3
    assert 0 < d["confidence"] <= 1 and d["confidence"] == d["probabilities"][ev.suits]
    if d["borderline_with"]:
        assert ev.verdict.startswith("Borderline between")


# -- the coaching around it -------------------------------------------------------------------------------------
DEMO_ANSWER = ("I profiled it and found the slow part was the report query. I added a cache for the lookups and "
               "rewrote two queries to use an index, then I wrote a test so it would not come back. Page loads went "
               "from eight seconds to under one.")


def test_missing_means_missing():
    ev = evaluate(DEMO_ANSWER, "hiring_manager", question="Tell me about a time you made something faster.")
    status = {s.id: s.status for s in ev.signals if s.round == "hiring_manager"}
    assert status["methods"] != "missing" and status["results"] == "found", status
    assert not any("Name the methods" in t or "Give the result" in t for t in ev.tips), ev.tips


@pytest.mark.parametrize("text", [
    "Last winter the ward kept running out of syringe drivers at night, so I went round the other wards and sorted "
    "out a borrowing arrangement with the night coordinator. We did not have to chase pumps as often after that.",
    "We had a lot of returns on the kettles, so I looked into it with the supplier and we changed the packaging, "
    "which helped.",
    DEMO_ANSWER,
])
def test_a_tip_never_asks_for_what_the_feedback_says_is_there(text):
    """Found: no tip for it; partly there: only its own partly tip (never the plain "add it" tip), and no
    claim that it is missing; missing: its tip, when the question invites it."""
    from voicecoach.rules.rubric import default_rubric

    rubric = default_rubric()
    ev = evaluate(text, "hiring_manager", question="Tell me about a problem you solved.")
    rules = {s.id: s for s in rubric.rounds["hiring_manager"].signals}
    statuses = set()
    for s in ev.signals:
        if s.round != "hiring_manager":
            continue
        statuses.add(s.status)
        r = rules[s.id]
        if s.status == "found":
            assert r.tip not in ev.tips and (not r.partly_tip or r.partly_tip not in ev.tips)
        if s.status == "partly":
            assert r.tip not in ev.tips, "partly there is not asked for as if missing"
        if s.status == "missing" and ev.scores["hiring_manager"] < 85:
            assert r.tip in ev.tips or len(ev.tips) == 3, (s.id, ev.tips)
    assert statuses <= {"found", "partly", "missing", "not_asked"}, statuses


def test_each_signal_has_its_own_thresholds_from_the_judged_data():
    """coaching.toml's [signal.*] thresholds: methods is shown well below the rubric's single threshold (the
    judges saw methods clearly from about 0.45), values is never claimed shown by strength alone."""
    from voicecoach.rules.coaching import coaching_for
    from voicecoach.rules.rubric import default_rubric

    rubric = default_rubric()
    c = coaching_for(rubric)
    assert c.thresholds["methods"][0] < rubric.evidence_threshold
    assert c.thresholds["values_culture"][0] > 1.0
    for found_at, missing_below in c.thresholds.values():
        assert missing_below <= found_at


@pytest.mark.parametrize("question, banned", [
    ("Tell me about yourself.", "Close with a question"),
    ("Where do you see yourself in five years?", "Close with a question"),
    ("Tell me about a time you disagreed with a colleague.", "Say why this employer"),
    ("Do you have any questions for me?", "Say why this employer"),
])
def test_tips_fit_the_question(question, banned):
    ev = evaluate("I've been a support worker for six years. I like helping people and I work well in a team.",
                  "hr", question=question)
    assert not any(t.startswith(banned) for t in ev.tips), ev.tips


def test_a_short_question_for_the_interviewer_is_not_told_to_say_more():
    ev = evaluate("What's the team like to work with day to day?", "hr", question="Do you have any questions for me?")
    assert not any("Say more" in t for t in ev.tips), ev.tips


def test_numbers_agree():
    short = evaluate("I redid the rota so weekends are shared fairly and nobody has complained since.", "hr",
                     question="Tell me about a time you helped your team.")
    assert short.scores["hr"] < 85, "a two-line answer cannot reach the top"
    for ev in (short, evaluate(DEMO_ANSWER, "hiring_manager",
                               question="Tell me about a time you made something faster.")):
        for rnd, score in ev.scores.items():
            assert (score >= 50) == (ev.suits in (rnd, "both")), (rnd, score, ev.suits)
        if ev.scores[ev.round] >= 85:
            assert len(ev.tips) <= 1 and not any(s.status == "missing" for s in ev.signals
                                                 if s.round == ev.round), ev.tips
        # A signal found pushes towards its round, one not found away from it.
        for s in ev.signals:
            c = ev.decision[s.round]["contributions"].get(s.id)
            if c is not None and s.weight > 0:
                assert (c >= 0) == s.found, (s.id, c, s.found)
        assert not re.search(r"-0\.0(?![0-9])", json.dumps(ev.to_dict())), "no negative zero in the JSON"


def test_one_spelling_of_each_round():
    r = run_cli("evaluate", "--round", "hiring-manager", "--text", DEMO_ANSWER)
    assert r.returncode == 0 and "hiring manager " not in r.stdout and "hiring_manager" not in r.stdout
    assert "hiring-manager round" in r.stdout


def test_a_ruled_out_answer_is_told_why_and_a_quote_is_never_beside_missing():
    ev = evaluate("I'd like to know how the nights are shared out and how the transport office works with the "
                  "drivers. And what's the pay for nights?", "hr",
                  question="What would you like to know about our trucks, our routes or our shift patterns?")
    assert flagged(ev)
    assert ev.verdict.startswith("Does not suit the HR round yet.") and "recruiter" in ev.verdict, ev.verdict
    assert "It needs" not in ev.verdict
    for text, rnd in ((DEMO_ANSWER, "hiring_manager"),
                      ("I qualified through an apprenticeship, and since then I've done my 18th Edition. I'd like "
                       "to bring that here and keep learning, especially the EV charger work your firm is moving "
                       "into.", "hr")):
        for s in evaluate(text, rnd).signals:
            if s.round == rnd and s.evidence:
                assert s.status == "found", (s.id, s.status, s.evidence[0].text)
