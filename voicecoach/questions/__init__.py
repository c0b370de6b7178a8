"""The question bank: ``prompts/questions/*.toml``, one file per occupation plus the generic questions.

Modules:

* ``bank``: ``Question``, loading and checking the files, choosing a session's questions.

May import: ``voicecoach.rules`` (the rounds and the kinds of question), ``voicecoach.errors``,
``voicecoach.prompts``.
"""

__all__ = ["bank"]
