"""Evaluation: does an answer suit the HR round or the hiring-manager round? Text and timings in, a result out.

It sees text (and word timings where they exist), never audio. The rubric is data (``prompts/rubric/``).

Modules:

* ``evaluate``: ``evaluate()`` and the verdict; ``result``: the ``Evaluation`` it returns.
* ``rubric``: loading and checking the rubric files; ``meaning``: per-signal probes over sentence
  embeddings (``embed``: all-MiniLM-L6-v2 on onnxruntime).
* ``text``, ``language``, ``numbers``: units, clauses, first-person actions, results in words and numbers.
* ``package``: the package-negotiation flag; ``quoting``: which sentences are quoted as evidence.
* ``delivery``: pace, fillers and pauses; ``insights``: the answer's words (most used, repeats, hedges).

May import: ``voicecoach.errors``, ``voicecoach.prompts``, numpy, onnxruntime, tokenizers. Nothing above it.
"""

__all__ = ["delivery", "embed", "evaluate", "insights", "language", "meaning", "numbers", "package", "quoting",
           "result", "rubric", "text"]
