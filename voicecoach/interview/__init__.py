"""The interview: ask each question, listen, probe a gap, evaluate, give feedback, summarise.

Modules: ``loop`` (the interview over its questions), ``turn`` (one turn: audio to decoded pieces to the
policy's decisions), ``policy`` (the pure turn policy), ``commands`` (voice commands from
``prompts/commands.toml``), ``probes`` (follow-up probes), ``feedback`` (evaluate, save, then speak),
``recorder`` (the record, ``--json-out`` and the history), ``script`` (the interviewer's lines), ``speech``
(speech synthesized ahead), ``events`` (typed events for observers: the terminal view, the demo's scripted
candidate), ``options`` (``Engines``: the interfaces a session runs on, and ``InterviewOptions``), ``pressed``
(commands given by a button or a key instead of the voice).

It talks to interfaces only (``TextToSpeech``, ``Player``, ``Microphone``, ``Transcriber``) and never knows
which front end it serves. May import: ``history``, ``tailoring``, ``questions``, ``rules``, ``asr``,
``tts``, ``audio`` and the foundation modules.
"""

__all__ = ["commands", "events", "feedback", "loop", "options", "policy", "pressed", "probes", "recorder", "script",
           "speech", "turn"]
