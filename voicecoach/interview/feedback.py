"""After an answer: evaluate the whole thread, keep it safe, then say the verdict and the top tip.

Order matters here: the answer (transcript and evaluation) is saved and its audio written before any
feedback is spoken, and before a follow-up is asked (``keep``), so Ctrl-C, a kill or a closed terminal
during the follow-up or the verdict loses nothing; the verdict is spoken before the tip so the candidate
hears feedback as soon as possible.
"""

from __future__ import annotations

import time

import numpy as np

from ..history.records import Answer, Part, Summary, WordTiming
from ..questions.bank import Question
from ..rules.evaluate import Evaluation, evaluate
from ..rules.insights import analyse_words
from .events import AnswerEvaluated, Info, StateChanged

__all__ = ["Feedback", "thread_of"]

_GAP_S = 0.6
"""Follow-up word times continue this long after the previous part, so pace and pauses are judged
on speech, not on the time the interviewer took to probe."""


def thread_of(turns) -> tuple[str, tuple[WordTiming, ...], tuple[Part, ...]]:
    """The merged transcript, word timings and parts of the turns that have an answer."""
    texts, words, parts, offset, pos = [], [], [], 0.0, 0
    for t in turns:
        text = t.text
        if not text:
            continue
        if texts:
            pos += 1
        if t.kind == "continued" and parts:  # the rest of the part before, said after "I wasn't finished"
            before = parts.pop()
            parts.append(Part(before.kind, before.prompt, f"{before.text} {text}", before.start, pos + len(text),
                              before.probe))
        else:
            parts.append(Part("follow_up" if t.kind == "follow_up" else "answer",
                              t.probe.text if t.probe else "", text, pos, pos + len(text),
                              t.probe.gap if t.probe else None))
        pos += len(text)
        texts.append(text)
        ws = [w for p in t.pieces for w in p.words]
        if ws:
            shift = (offset + _GAP_S - ws[0].start_s) if words else 0.0
            words += [WordTiming(w.word, w.start_s + shift, w.end_s + shift) for w in ws]
            offset = words[-1].end_s
    return " ".join(texts), tuple(words), tuple(parts)


class Feedback:
    """Evaluation, saving and spoken feedback for the interview loop."""

    def __init__(self, interview) -> None:
        self.iv = interview

    def evaluate(self, q: Question, turns) -> Evaluation:
        """The evaluation of the whole thread so far (evidence says which part each quote is in)."""
        text, words, parts = thread_of(turns)
        return evaluate(text, q.round, question=q.text, words=[(w.word, w.start_s, w.end_s) for w in words],
                        parts=[(p.start, p.end) for p in parts] if len(parts) > 1 else None, question_type=q.type)

    def verdict_lines(self, rounds: set[str]) -> list[str]:
        """The first sentence of every verdict the session could say, and every borderline sentence (to
        synthesize them ahead; what follows depends on the answer)."""
        from ..rules.evaluate import verdict_openings

        return [line for r in rounds for line in verdict_openings(r)]

    def lines_ahead(self) -> list[str]:
        """What may be said later in the session: the questions, the verdicts, the probes."""
        iv, n = self.iv, len(self.iv.questions)
        lines = [iv.script.say("question", n=i + 1, total=n, text=q.text) for i, q in enumerate(iv.questions)]
        lines += self.verdict_lines({q.round for q in iv.questions})
        return lines + (iv.prober.all_texts(iv.questions) if iv.prober else [])

    def keep(self, answer: Answer, q: Question, turns, ev: Evaluation | None = None) -> Answer:
        """Save the answer given so far (transcript, evaluation, audio) without a word of feedback: called
        before a follow-up is asked, so a kill during the follow-up loses nothing. ``conclude`` updates the
        same row once the thread is over."""
        answer, _ = self._record(answer, q, turns, ev)
        return answer

    def conclude(self, answer: Answer, q: Question, turns, ev: Evaluation | None = None) -> Answer:
        """Evaluate (unless ``ev`` is the evaluation of these turns already), save and give feedback on one
        question's turns; returns the saved answer."""
        iv, main, last = self.iv, turns[0], turns[-1]
        answer, ev = self._record(answer, q, turns, ev)
        if ev is None:
            if main.status == "no_answer" and main.reason and not main.interrupted:
                iv.speak(iv.script.say("nothing_heard"))
            return answer
        timings = dict(answer.timings)
        if "language_note" in timings:
            iv.emit(Info(f"  Note: {timings['language_note']}"))
        iv.emit(AnswerEvaluated(answer))
        if any(t.interrupted for t in turns):
            return answer
        started = self._give(ev)
        timings["end_detected_to_feedback_s"] = round(started - last.end_detected, 3)
        spoke_at = last.timings.get("last_speech_at")
        if spoke_at is not None:
            timings["last_speech_to_feedback_s"] = round(started - spoke_at, 3)
            timings["after_end_silence_s"] = round(started - spoke_at - last.timings.get("end_silence_s", 0.0), 3)
        return iv.recorder.save(answer.with_(timings=timings))

    def _record(self, answer: Answer, q: Question, turns, ev: Evaluation | None = None):
        """The answer of ``turns`` so far, evaluated (``ev`` when already known) and saved with its audio;
        returns it and its evaluation (None when nothing was said)."""
        iv, main = self.iv, turns[0]
        timings = dict(answer.timings)
        for t in turns:
            timings.update({k: v for k, v in t.timings.items() if k != "last_speech_at"}
                           if t is main
                           else {f"{t.kind}_{k}": v for k, v in t.timings.items() if k != "last_speech_at"})
        timings["pieces"] = sum(len(t.pieces) for t in turns)
        speech_s = sum(p.utterance.speech_s for t in turns for p in t.pieces if p.utterance is not None)
        decode_s = sum(t.timings.get("decode_s", 0.0) for t in turns)
        if speech_s:
            timings["speech_s"], timings["decode_rtf"] = round(speech_s, 2), round(decode_s / speech_s, 3)
        common = dict(commands=tuple(c for t in turns for c in t.commands), timings=timings,
                      short_utterances=tuple(u for t in turns for u in t.short_utterances))
        text, words, parts = thread_of(turns)
        if not text.strip():
            return iv.recorder.save(answer.with_(status=main.status, **common)), None
        ev = ev or self.evaluate(q, turns)
        insights = analyse_words(text, job_terms=list(iv.options.job_terms))
        # Partial only when the answer itself was cut short: a follow-up cut short leaves the question answered.
        status = "partial" if main.interrupted else "answered"
        answer = answer.with_(status=status, transcript=text, words=words, evaluation=ev,
                              parts=parts if len(parts) > 1 else (), insights=insights, **common)
        doubts = [p.doubt for t in turns for p in t.pieces if p.doubt]
        if doubts and len(doubts) * 2 >= timings["pieces"]:
            timings["language_note"] = doubts[0]
        audio = [p.utterance.clip.samples for t in turns for p in t.pieces if p.utterance is not None]
        return iv.recorder.save(answer, np.concatenate(audio) if audio else None), ev

    def _give(self, ev: Evaluation) -> float:
        """Say the verdict, then the tip; returns when the verdict started (``time.monotonic()``)."""
        iv = self.iv
        if iv.options.feedback != "spoken":
            return time.monotonic()
        started = iv.speak(ev.verdict)
        iv.recorder.compress_audio()  # the answer's audio, now that the verdict has started
        if ev.tips and iv.options.speak_tips:
            iv.speak(iv.script.say("tip", tip=ev.tips[0]))
        return started

    def summary(self, summary: Summary) -> None:
        """Say how the session went."""
        iv = self.iv
        line = iv.script.say("summary", answered=summary.answered, questions=summary.questions,
                             suited=summary.suited_round)
        if summary.top_tip and iv.options.speak_tips:
            line += " " + iv.script.say("summary_tip", tip=summary.top_tip)
        iv.speak(line)
        iv.emit(StateChanged("done"))
