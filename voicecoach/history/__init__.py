"""The practice history: what a session produces, where it is kept, and what is made from it.

Modules:

* ``records``: ``Answer``, ``SessionRecord`` and their parts, one shape for every output;
  ``summary``: a session's totals (``Summary``, ``summarize``).
* ``store``: the SQLite history and the answers' audio; ``migrations``: its append-only schema changes;
  ``storage``: why a file cannot be written, and a damaged history moved aside and salvaged.
* ``render``: text rendering of records (the terminal, ``show``, the exports);
  ``export``: JSON, CSV and Markdown; ``report`` and ``templates/``: the self-contained HTML report.

May import: ``voicecoach.rules`` (an answer's evaluation and insights), ``voicecoach.audio`` (writing
takes), ``voicecoach.errors``, ``voicecoach.prompts``. Not the interview, the front ends or tailoring.
"""

__all__ = ["export", "migrations", "records", "render", "report", "storage", "store", "summary"]
