"""The question bank: ``prompts/questions/*.toml``, one file per occupation plus the generic questions.

Modules:

* ``bank``: ``Question``, ``Occupation``, loading and checking the files, choosing a session's questions.
* ``roles``: finding an occupation by the name people use ("staff nurse", "RN", "lorry driver").

May import: ``voicecoach.rules`` (the rounds and the kinds of question), ``voicecoach.errors``,
``voicecoach.prompts``.
"""

__all__ = ["bank", "roles"]
