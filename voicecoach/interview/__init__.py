"""The interview: a small loop (``loop.py``) over turns (``turn.py``) decided by a pure policy
(``policy.py``), with feedback (``feedback.py``), saving (``recorder.py``), the interviewer's lines
(``script.py``) and typed events for observers (``events.py``)."""
