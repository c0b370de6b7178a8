"""The question bank: 30+ occupations found by the names people use, checked as data, asked in sessions."""

import json

import pytest
from conftest import ROOT, run_cli

from voicecoach.app.settings import PracticeSettings, choose_questions
from voicecoach.errors import BadDataFile, UnknownRole
from voicecoach.questions.bank import GENERIC, SECTORS, default_bank, load_bank
from voicecoach.questions.roles import find_occupation, normalize
from voicecoach.rules.evaluate import evaluate
from voicecoach.rules.rubric import default_rubric

BANK = default_bank()


def test_the_bank_follows_the_labour_market():
    occupations = BANK.occupations
    assert len(occupations) >= 30
    assert {o.sector for o in occupations.values()} == set(SECTORS), "every sector has an occupation"
    for o in occupations.values():
        mine = [q for q in BANK.questions if q.role == o.id]
        assert sum(q.round == "hiring_manager" for q in mine) >= 6, o.id
        assert sum(q.round == "hr" for q in mine) >= 4, o.id
        assert len(o.aliases) >= 3, o.id


def test_every_question_is_checked_data():
    types = {t.id for t in default_rubric().question_types}
    ids, texts = set(), set()
    for q in BANK.questions:
        assert q.id not in ids, q.id
        ids.add(q.id)
        key = " ".join(q.text.lower().split())
        assert key not in texts, f"asked twice: {q.text}"
        texts.add(key)
        assert q.round in ("hr", "hiring_manager") and q.type in types, q.id
        assert 3 <= len(q.text.split()) <= 40 and q.text.rstrip().endswith(("?", ".")), q.id
    names: dict[str, str] = {}
    for o in BANK.occupations.values():
        for n in o.names:
            assert names.setdefault(normalize(n), o.id) == o.id, f"{n!r} names two occupations"


def test_the_evaluator_judges_each_bank_question_as_the_kind_the_bank_says():
    """Sessions pass each question's type to the evaluator, so its question-aware judgement and its tips use
    what the bank says the question invites."""
    for q in BANK.questions:
        ev = evaluate("I checked the rota and sorted it out with the team.", q.round, question=q.text,
                      question_type=q.type)
        assert ev.decision["question_type"] == q.type, q.id


@pytest.mark.parametrize("name, occupation", [
    ("nurse", "nurse"), ("staff nurse", "nurse"), ("RN", "nurse"), ("registered nurse", "nurse"),
    ("Registered Nurses", "nurse"), ("senior staff nurse on a surgical ward", "nurse"),
    ("HGV driver", "hgv_driver"), ("lorry driver", "hgv_driver"), ("Truck Driver", "hgv_driver"),
    ("chef de partie", "chef"), ("line cook", "chef"), ("electritian", "electrician"),
    ("care worker", "care_worker"), ("warehouse operative", "warehouse_operative"), ("teacher", "teacher"),
    ("software-engineer", "software engineer"),
])
def test_occupations_are_found_by_the_names_people_use(name, occupation):
    assert find_occupation(name, BANK.occupations).id == occupation


def test_an_unknown_role_names_the_closest():
    with pytest.raises(UnknownRole) as err:
        find_occupation("bus driver", BANK.occupations)
    assert {"hgv_driver", "delivery_driver"} & {o.id for o in err.value.closest}, "something close is offered"
    with pytest.raises(UnknownRole):
        find_occupation("astronaut", BANK.occupations)


@pytest.mark.parametrize("occupation", sorted(BANK.occupations))
def test_a_session_for_any_occupation_asks_its_questions(occupation):
    s = PracticeSettings(round="hiring_manager", role=occupation, questions=5, seed=1)
    qs = choose_questions(s)
    assert len(qs) == 5 and all(q.role in (occupation, GENERIC) for q in qs)
    assert sum(q.role == occupation for q in qs) >= 4, "the trade's own questions come first"


def test_the_advert_picks_the_occupation():
    from voicecoach.tailoring.job import job_profile
    from voicecoach.tailoring.questions import advert_occupation

    text = (ROOT / "tests" / "data" / "jobs" / "staff_nurse.md").read_text()
    assert advert_occupation(job_profile(text), text) == "nurse"
    s = PracticeSettings(round="hiring_manager", questions=4, seed=2)
    assert any(q.role == "nurse" for q in choose_questions(s, occupation="nurse"))


def test_cli_lists_the_roles_with_their_aliases():
    r = run_cli("questions", "--roles")
    assert r.returncode == 0, r.stderr
    assert "lorry driver" in r.stdout and "chef de partie" in r.stdout and "RN" in r.stdout
    roles = json.loads(run_cli("questions", "--roles", "--json").stdout)
    assert len(roles) >= 30 and all(r["aliases"] for r in roles)
    qs = json.loads(run_cli("questions", "--role", "lorry driver", "--round", "hiring-manager", "--json").stdout)
    assert any(q["role"] == "hgv_driver" for q in qs) and all(q["round"] == "hiring_manager" for q in qs)


def test_practice_with_an_unknown_role_off_a_terminal_names_the_closest():
    r = run_cli("practice", "--role", "staff nurce", "--typed")
    assert r.returncode != 1 or "no occupation" not in r.stderr, "a near spelling is found"
    r = run_cli("practice", "--role", "astronaut", "--typed")
    assert r.returncode == 1 and "no occupation called 'astronaut'" in r.stderr and "Traceback" not in r.stderr


def test_a_malformed_bank_file_is_named(tmp_path):
    d = tmp_path / "questions"
    d.mkdir()
    (d / "generic.toml").write_text((ROOT / "prompts" / "questions" / "generic.toml").read_text())
    (d / "x.toml").write_text('role = "x"\ntitle = "X"\nsector = "space"\naliases = ["ex"]\n'
                              '[[question]]\nid = "x-hm-1"\nround = "hiring_manager"\ntype = "process"\n'
                              'text = "How do you check your work?"\ncompetencies = ["planning"]\n')
    with pytest.raises(BadDataFile, match=r"x.toml: top level: sector 'space'"):
        load_bank(d)
    (d / "x.toml").write_text((d / "x.toml").read_text().replace('"space"', '"skilled trades"')
                              .replace('"process"', '"nonsense"'))
    with pytest.raises(BadDataFile, match=r"x.toml: question #1 \(x-hm-1\): 'type' is 'nonsense'"):
        load_bank(d)
    (d / "x.toml").write_text((d / "x.toml").read_text().replace('"nonsense"', '"process"')
                              .replace('aliases = ["ex"]', 'aliases = ["nurse"]'))
    (d / "nurse.toml").write_text((ROOT / "prompts" / "questions" / "nurse.toml").read_text())
    with pytest.raises(BadDataFile, match="also belongs to"):
        load_bank(d)
