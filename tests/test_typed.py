"""Typed practice (``voicecoach practice --typed``): answers typed, commands typed alone, judged and kept."""

import io
import json

from conftest import run_cli

from voicecoach.cli.typing import TerminalInput


def _reader(text: str) -> TerminalInput:
    return TerminalInput(io.StringIO(text), io.StringIO())


def test_an_answer_runs_to_the_empty_line_and_a_command_acts_alone():
    is_command = {"skip", "end", "repeat"}.__contains__
    r = _reader("Sure.\nI ran the night shift for two years.\n\nskip\nend\n")
    assert r.read_answer(is_command) == "Sure. I ran the night shift for two years."
    assert r.read_answer(is_command) == "skip"  # no empty line needed after a command
    assert r.read_answer(is_command) == "end"
    assert r.read_answer(is_command) is None  # the input has ended


def test_a_command_word_inside_an_answer_is_part_of_it():
    is_command = {"skip"}.__contains__
    r = _reader("I would never skip a check.\nskip\n\n")
    assert r.read_answer(is_command) == "I would never skip a check. skip"


def test_piped_commands_each_act():
    r = run_cli("practice", "--typed", "--questions", "3", "--round", "hr", "--seed", "3", "--follow-ups", "0",
                input="skip\nskip\nend\n", timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("[command: skip]") == 2 and "Question 3/3" in r.stdout
    assert "skip skip" not in r.stdout


def test_typed_practice_is_judged_and_kept(tmp_path, home):
    answer = ("When two of the lads on my crew fell out over the weekend rota I sat them down together, let each say "
              "their piece and we worked out a swap that suited both. They have covered for each other since, and "
              "I would like to bring that to a firm like yours for the long term.")
    r = run_cli("practice", "--typed", "--questions", "2", "--round", "hr", "--seed", "3", "--follow-ups", "0",
                "--json-out", str(tmp_path / "s.json"), input=f"{answer}\n\nskip\n\n", timeout=600)
    assert r.returncode == 0, r.stderr
    assert "Verdict:" in r.stdout and "[command: skip]" in r.stdout
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["mode"] == "typed" and [a["status"] for a in s["answers"]] == ["answered", "skipped"]
    assert s["answers"][0]["transcript"] == answer and s["answers"][0]["evaluation"]["tips"] is not None
    history = run_cli("history", "--json")
    assert json.loads(history.stdout)[0]["mode"] == "typed"


def test_i_wasnt_finished_goes_back_to_the_answer_before_then_asks_again(tmp_path, home):
    # The interviewer took a pause for the end of the first answer: the candidate says so at the next question,
    # says the rest, and the first answer is judged again whole, kept once; then the second question is asked again.
    first = "When two of the lads on my crew fell out over the weekend rota I sat them down together."
    rest = "Each said their piece and we worked out a swap that suited both, and they have covered for each other."
    second = "I would like to stay with a firm like yours for the long term, because the crews here stick together."
    r = run_cli("practice", "--typed", "--questions", "2", "--round", "hr", "--seed", "3", "--follow-ups", "0",
                "--json-out", str(tmp_path / "s.json"), input=f"{first}\n\nI wasn't finished\n{rest}\n\n{second}\n\n",
                timeout=600)
    assert r.returncode == 0, r.stderr
    assert "[command: not_finished]" in r.stdout and "Go on with your answer to question 1" in r.stdout
    assert r.stdout.count("Question 2/2") == 2 and r.stdout.count("Verdict:") == 3
    s = json.loads((tmp_path / "s.json").read_text())
    assert [(a["index"], a["status"]) for a in s["answers"]] == [(1, "answered"), (2, "answered")]
    assert s["answers"][0]["transcript"] == f"{first} {rest}" and s["answers"][1]["transcript"] == second
    assert s["answers"][0]["parts"] == []  # the rest joins the answer: not a follow-up of its own
    assert [c["command"] for c in s["answers"][0]["commands"]] == ["not_finished"]
    kept = json.loads(run_cli("history", "--json").stdout)[0]  # the history has the one answer, judged whole
    assert (kept["summary"]["questions"], kept["summary"]["answered"]) == (2, 2), kept["summary"]
    assert "worked out a swap" in run_cli("show", str(kept["id"])).stdout


def test_i_wasnt_finished_before_any_answer_says_there_is_none_and_asks_the_question_again():
    r = run_cli("practice", "--typed", "--questions", "1", "--round", "hr", "--seed", "3", "--follow-ups", "0",
                input="I wasn't finished\nskip\n", timeout=600)
    assert r.returncode == 0, r.stderr
    assert "no answer before this one" in r.stdout and r.stdout.count("Question 1/1") == 2
