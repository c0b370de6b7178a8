"""A session's totals, computed in one place (the session, the store, the view and the report use it)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from ..rules.insights import session_insights, terms_used
from .answers import Answer

__all__ = ["Summary", "summarize"]


@dataclass(frozen=True)
class Summary:
    """Totals over a session's answers; ``verdicts`` has per question ``index``, ``round``, ``status``, ``suits``."""

    questions: int
    answered: int
    skipped: int
    suited_round: int
    average_scores: dict[str, int | None]
    """Per round, the mean score of the answers to that round's questions (None when it had none)."""
    flags: dict[str, int]
    top_tip: str | None
    """What to work on: a red flag's tip first, else the tip given most often."""
    verdicts: tuple[dict, ...]
    words_per_minute: float | None
    fillers_per_minute: float | None
    top_words: tuple[tuple[str, int], ...] = ()
    """The words said most across the session (stop words excluded)."""
    hedges: int = 0
    """Weak or hedging phrases across the session."""
    job_terms_missing: tuple[str, ...] = ()
    """The job advert's key terms never mentioned in the session."""

    def to_json(self) -> dict:
        """JSON form."""
        return json.loads(json.dumps(asdict(self)))


def _mean(values: list[float], digits: int | None = 1):
    return round(sum(values) / len(values), digits) if values else None


def summarize(answers: tuple[Answer, ...] | list[Answer], job_terms: tuple[str, ...] = ()) -> Summary:
    """The one place session totals are computed (the session, the store and the report use it)."""
    done = [a for a in answers if a.answered]
    texts = [a.transcript for a in done]
    # Red flags first: an answer a flag rules out of its round (package talk, running down an employer) has
    # that flag's tip first; then answers with another flag (claims without an example); then all.
    ruled_out = [a for a in done if (a.evaluation.decision.get(a.round) or {}).get("disqualified_by")]
    flagged = [a for a in done if any(a.round in f.rounds for f in a.evaluation.flags)]
    pool = ruled_out or flagged or done
    tips = Counter(a.evaluation.tips[0] for a in pool if a.evaluation.tips)
    deliveries = [a.evaluation.delivery for a in done if a.evaluation.delivery]
    return Summary(
        questions=len(answers), answered=len(done), skipped=sum(a.status == "skipped" for a in answers),
        suited_round=sum(a.suited for a in done),
        average_scores={r: _mean([a.evaluation.scores[r] for a in done if a.round == r], None)
                        for r in ("hr", "hiring_manager")},
        flags=dict(Counter(f.id for a in done for f in a.evaluation.flags)),
        top_tip=tips.most_common(1)[0][0] if tips else None,
        verdicts=tuple({"index": a.index, "round": a.round, "status": a.status,
                        "suits": a.evaluation.suits if a.evaluation else None} for a in answers),
        words_per_minute=_mean([d.words_per_minute for d in deliveries]),
        fillers_per_minute=_mean([d.fillers_per_minute for d in deliveries]),
        top_words=session_insights(texts).top_words if texts else (),
        hedges=sum(len(a.insights.hedges) for a in done if a.insights),
        job_terms_missing=tuple(t for t in job_terms if not terms_used(" ".join(texts), [t])))
