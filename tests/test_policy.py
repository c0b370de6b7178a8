"""The turn policy and the voice commands as data: decisions without audio."""

import pytest

from voicecoach.errors import BadDataFile
from voicecoach.interview.commands import Effect, Phase, default_commands, load_commands
from voicecoach.interview.policy import TurnPolicy


@pytest.fixture()
def policy():
    return TurnPolicy(default_commands(), max_prompts=2)


def test_commands_before_the_answer(policy):
    d = policy.heard("Repeat the question.", short=True)
    assert d.kind == "command" and d.command.effect is Effect.REPEAT and d.command.rate == 1.0
    d = policy.heard("Slower, please.", short=True)
    assert d.kind == "command" and d.command.name == "slower" and d.command.rate < 1
    assert policy.phase is Phase.WAITING


def test_a_long_utterance_is_never_a_command(policy):
    assert policy.heard("Skip.", short=False).kind == "answer"
    assert policy.phase is Phase.ANSWERING


def test_mid_answer_only_done_and_a_two_word_stop(policy):
    assert policy.heard("In my last job I ran the night shift.", short=False).kind == "answer"
    assert policy.heard("Repeat the question.", short=True).kind == "answer"  # part of the answer now
    assert policy.heard("Stop.", short=True).kind == "answer"
    d = policy.heard("End the interview.", short=True)
    assert d.kind == "command" and d.command.effect is Effect.STOP
    assert policy.heard("That's my answer.", short=True).command.effect is Effect.DONE


def test_done_is_not_a_command_before_an_answer(policy):
    assert policy.heard("I'm done.", short=True).kind == "answer"


def test_pause_ignores_everything_but_resume_and_stop(policy):
    assert policy.heard("Pause.", short=True).command.effect is Effect.PAUSE
    assert policy.phase is Phase.PAUSED
    assert not policy.wants(speech_s=8.0) and policy.wants(speech_s=1.0)
    assert policy.heard("Hello? Is this on?", short=True).kind == "ignore"
    assert policy.heard("Skip.", short=True).kind == "ignore"
    assert policy.silence().kind == "ignore"  # no prompts while paused
    assert policy.heard("Resume.", short=True).command.effect is Effect.RESUME
    assert policy.phase is Phase.WAITING


def test_silence_prompts_then_gives_up(policy):
    assert [policy.silence().kind for _ in range(3)] == ["prompt", "prompt", "give_up"]


def test_no_prompt_once_the_answer_started(policy):
    policy.heard("I think teamwork matters most to me because...", short=False)
    assert policy.silence().kind == "ignore"


def test_a_new_command_is_one_entry_in_the_data_file(tmp_path):
    text = (default_commands_path().read_text() + '\n[[command]]\nname = "once more"\neffect = "repeat"\n'
            'rate = 0.9\nwhen = ["waiting"]\nphrases = ["once more", "one more time"]\n')
    (tmp_path / "commands.toml").write_text(text)
    cs = load_commands(tmp_path / "commands.toml")
    d = TurnPolicy(cs).heard("One more time, please.", short=True)
    assert d.kind == "command" and d.command.name == "once more" and d.command.effect is Effect.REPEAT


def default_commands_path():
    from voicecoach.prompts import prompts_dir

    return prompts_dir() / "commands.toml"


@pytest.mark.parametrize("patch, problem", [
    (('effect = "skip"', 'effect = "jump"'), "'effect' must be one of"),
    (('when = ["paused"]', 'when = ["asleep"]'), "'when' must list"),
    (('rate = 0.75', 'rate = 9'), "'rate' must be a speed factor"),
    (('"move on"]', '"move on", "repeat"]'), "already a phrase of 'repeat'"),
])
def test_bad_command_files_name_the_entry(tmp_path, patch, problem):
    text = default_commands_path().read_text()
    assert patch[0] in text
    (tmp_path / "commands.toml").write_text(text.replace(patch[0], patch[1], 1))
    with pytest.raises(BadDataFile, match=problem) as e:
        load_commands(tmp_path / "commands.toml")
    assert "commands.toml: command #" in str(e.value)


def test_pressed_commands_count_where_the_spoken_ones_do(policy):
    cs = default_commands()
    assert policy.pressed(cs.named("done"), speech_heard=False).kind == "ignore"  # nothing said yet
    assert policy.pressed(cs.named("skip"), speech_heard=False).command.effect is Effect.SKIP
    assert policy.pressed(cs.named("pause"), speech_heard=False).kind == "command" and policy.phase is Phase.PAUSED
    assert policy.pressed(cs.named("skip"), speech_heard=False).kind == "ignore"  # paused: only resume or stop
    assert policy.pressed(cs.named("resume"), speech_heard=False).kind == "command" and policy.phase is Phase.WAITING
    # Speech heard but still decoding: the "done" button is quicker than the decoder and still counts.
    assert policy.pressed(cs.named("done"), speech_heard=True).command.effect is Effect.DONE
    policy.heard("In my last job I ran the night shift.", short=False)
    assert policy.pressed(cs.named("repeat"), speech_heard=True).kind == "ignore"
    assert policy.pressed(cs.named("stop"), speech_heard=True).command.effect is Effect.STOP  # no word count to meet
