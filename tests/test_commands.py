"""Voice commands: whole short utterances only, and every command recognised as a real recording."""

import numpy as np
import pytest

from voicecoach.audio import AudioClip
from voicecoach.commands import COMMAND_PROMPT, Command, parse_command


@pytest.mark.parametrize("heard, command", [
    ("Repeat the question.", Command.REPEAT), ("Say that again.", Command.REPEAT),
    ("Slower.", Command.SLOWER), ("Skip.", Command.SKIP), ("Next question, please.", Command.SKIP),
    ("Pause.", Command.PAUSE), ("Resume.", Command.RESUME), ("Stop.", Command.STOP),
    ("End the interview.", Command.STOP), ("I'm done.", Command.DONE), ("That's my answer.", Command.DONE),
    ("Skip. Thank you.", Command.SKIP),       # Whisper's hallucinated tail
    ("Refume.", Command.RESUME),              # a close mishearing
])
def test_parse(heard, command):
    assert parse_command(heard) is command


@pytest.mark.parametrize("heard", [
    "I had to repeat the test three times before it passed.",
    "We decided to skip the manual review and automate it.",
    "I'm done with spreadsheets, which is why I learned SQL.",
    "So.", "Yes.", "Thank you.", "step", "the team",
])
def test_words_inside_answers_are_not_commands(heard):
    assert parse_command(heard) is None


SPOKEN = [
    ("Repeat the question.", Command.REPEAT), ("Say that again.", Command.REPEAT), ("Slower.", Command.SLOWER),
    ("Skip.", Command.SKIP), ("Next question.", Command.SKIP), ("Pause.", Command.PAUSE),
    ("Resume.", Command.RESUME), ("Stop.", Command.STOP), ("End the interview.", Command.STOP),
    ("I'm done.", Command.DONE), ("That's my answer.", Command.DONE),
]


@pytest.mark.parametrize("voice", ["en-us", "en"])
def test_every_command_as_a_recording(voice, transcribers):
    from voicecoach.tts import make_tts

    tts = make_tts(voice=voice, rate_wpm=165)
    pad = np.zeros(3200, np.float32)
    misses = []
    for text, command in SPOKEN:
        clip = tts.synthesize_clip(text).to(16000)
        heard = transcribers["faster-whisper"].transcribe(
            AudioClip(np.concatenate([pad, clip.samples, pad]), 16000), prompt=COMMAND_PROMPT).text
        if parse_command(heard) is not command:
            misses.append((text, heard))
    assert not misses
