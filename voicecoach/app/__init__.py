"""The application layer: settings in, a ready interview out, whichever front end asked.

The terminal (``voicecoach.cli``) and any other front end turn what the user chose into
``PracticeSettings``; this package validates them, chooses the questions, builds the engines and wires
the interview together. Nothing here prints or knows which front end it serves.

Modules:

* ``settings``: ``PracticeSettings`` and choosing a session's questions.
* ``session``: building a practice or demo interview (engines loaded in the background).
* ``demo``: the scripted candidate of ``voicecoach demo``.

May import every package below the front ends: ``interview``, ``history``, ``tailoring``, ``questions``,
``rules``, ``asr``, ``tts``, ``audio``.
"""

__all__ = ["demo", "session", "settings"]
