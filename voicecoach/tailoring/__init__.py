"""Tailoring the interview to a job and a candidate: adverts, CVs, and the questions made from them.

Modules:

* ``documents``: reading a text, Markdown or PDF file (or standard input) with clear refusals.
* ``job``: a job advert's key terms (tools, skills, duties, values) and its title.
* ``cv``: the roles and skills of a CV.
* ``questions``: the questions made for the job and the CV (``tailor``), and how the job is described.

May import: ``voicecoach.questions`` (the bank and its occupations), ``voicecoach.rules`` (the words of an
answer), ``voicecoach.errors``, ``voicecoach.prompts``. Not the interview, the history or the front ends.
"""

__all__ = ["cv", "documents", "job", "questions"]
