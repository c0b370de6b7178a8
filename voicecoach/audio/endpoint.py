"""Is the answer finished? Judged at each pause from the voice and the words, not from a fixed silence.

A fixed silence is slow when the answer is finished and cuts people off when they stop to think in the
middle of a sentence. At each pause this module gives the likelihood that the candidate has finished:

* the voice: Smart Turn v3.2 (Daily's end-of-turn model, BSD-2-Clause; an 8.7 MB ONNX file inside the
  PyPI package ``pipecat-ai``, which voicecoach's set-up installs without its dependencies and only reads
  the file from) scores the last eight seconds of the answer's audio, followed by the silence it would hear if
  the pause lasts (``voice_silence_s``), as Whisper-style log-mel features;
* the words: the live transcript's last words (a dangling "so I", "and then" or "um", or a voice trailing off
  "So I took..." means still going, but not "for a while"; a full stop or a closing phrase means done), with the lists
  in ``prompts/turns.toml``;
* Whisper's doubt: how sure it was of the full stop closing the last piece (``Transcript.ending``); it writes one where
  a sentence breaks off too, but less surely when the last word sounds as if more follows.

The two are combined by a small logistic model (``[combine]`` in turns.toml, fitted by
scripts/bench_turns.py on pause points labelled finished / not finished), and the likelihood sets how much
silence ends the answer: little after a finished answer, a lot after a sentence left hanging. Without the
model file the words alone decide.
"""

from __future__ import annotations

import importlib.util
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..prompts import TableReader, compile_any, prompts_dir, read_toml

__all__ = ["TurnRules", "load_turn_rules", "turn_rules", "EndOfTurn", "smart_turn_path", "FEATURES"]

RATE_HZ = 16000
WINDOW_S = 8.0
"""Smart Turn looks at the last eight seconds of the answer."""
FEATURES = ("voice", "dangling", "sentence_end", "closing", "short", "length")
LONG_ANSWER_WORDS = 60
"""The length feature reaches 1 at this many words: one sentence is rarely a whole answer to an open question."""
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
"""A word of the transcript, numbers included: "we were out by 11." stops on "11", not on a dangling "by"."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLOSERS = re.compile(r"[\s\"'”’»)\]]+$")
"""Quotes and brackets after the last mark: 'He said "no."' ends on its full stop."""
_LEAD_IN = re.compile(r"^(?:(?:and|but|um|uh|er|erm|well|yeah)\b[,.]?\s*)+")
_QUESTION_LEAD_IN = re.compile(r"^(?:(?:and|but|so|okay|ok|right|well)\b[,.]?\s*)+")


@dataclass(frozen=True)
class TurnRules:
    """``prompts/turns.toml``."""

    finished_at: float
    finished_silence_s: float
    unsure_at: float
    unsure_silence_s: float
    unfinished_silence_s: float
    dangling: frozenset[str]
    dangling_phrases: re.Pattern | None
    not_dangling: re.Pattern | None
    closing: re.Pattern | None
    bias: float
    weights: dict[str, float]
    voice_incomplete_below: float = 0.3
    voice_silence_s: float = 0.6
    trailing_off: tuple[str, ...] = ()
    summing_up: re.Pattern | None = None
    afterthoughts: re.Pattern | None = None
    full_stop_doubted_below: float = 0.0
    unmarked_goes_on: bool = False
    brief_questions: re.Pattern | None = None
    open_questions: re.Pattern | None = None
    brief_answer_words: int = LONG_ANSWER_WORDS
    brief_waits_unsure: bool = False

    def is_brief(self, question: str | None) -> bool:
        """Does ``question`` invite a short answer ("Do you drive?", "When could you start?", "And did it work?")? Its
        last sentence opens with one of ``brief_questions`` and none of its sentences names one of ``open_questions``
        ("Have you ever had to...? Talk me through it.", "Which tools do you use, and how...?") once its lead-in
        ("and", "so") is set aside."""
        if not question or self.brief_questions is None:
            return False
        low = question.lower().replace("’", "'")
        sentences = [_QUESTION_LEAD_IN.sub("", s.strip()) for s in _SENTENCE_END.split(low) if s.strip()]
        return (bool(sentences) and self.brief_questions.search(sentences[-1]) is not None
                and not _matches(self.open_questions, " ".join(sentences)))

    def silence_for(self, likelihood: float) -> float:
        """Seconds of silence that end the answer, given how likely it is finished."""
        if likelihood >= self.finished_at:
            return self.finished_silence_s
        if likelihood >= self.unsure_at:
            return self.unsure_silence_s
        return self.unfinished_silence_s


def load_turn_rules(path: str | Path | None = None) -> TurnRules:
    """Read and check ``turns.toml``.

    Raises:
        BadDataFile: naming the file, the key and the problem.
    """
    path = Path(path) if path else prompts_dir() / "turns.toml"
    data = read_toml(path)
    top = TableReader(path, "top level", data)
    top.unknown({"finished_at", "finished_silence_s", "unsure_at", "unsure_silence_s", "unfinished_silence_s",
                 "dangling", "dangling_phrases", "not_dangling", "closing", "combine", "voice_incomplete_below",
                 "voice_silence_s", "trailing_off", "summing_up", "afterthoughts",
                 "full_stop_doubted_below", "unmarked_goes_on", "brief_questions", "open_questions",
                 "brief_answer_words", "brief_waits_unsure"})
    silences = [top.get(k, float) for k in ("finished_silence_s", "unsure_silence_s", "unfinished_silence_s")]
    if not 0.3 < silences[0] <= silences[1] <= silences[2] <= 10:
        top.fail("the silences must grow from finished to unsure to unfinished, between 0.3 and 10 seconds")
    finished_at, unsure_at = top.get("finished_at", float), top.get("unsure_at", float)
    if not 0 < unsure_at <= finished_at < 1:
        top.fail("'unsure_at' must be at most 'finished_at', both between 0 and 1")
    voice_silence_s = top.get("voice_silence_s", float, 0.6)
    if not 0 < voice_silence_s <= silences[0]:
        top.fail("'voice_silence_s' must be over 0 and at most 'finished_silence_s' (no answer ends sooner)")
    trailing_off = tuple(top.strings("trailing_off", []))  # each a non-empty string ("" would end every transcript)
    doubted = top.get("full_stop_doubted_below", float, 0.0)
    if not 0 <= doubted < 1:
        top.fail("'full_stop_doubted_below' must be from 0 (off) to under 1")
    brief_words = top.get("brief_answer_words", int, LONG_ANSWER_WORDS)
    if not 1 <= brief_words <= LONG_ANSWER_WORDS:
        top.fail(f"'brief_answer_words' must be a whole number from 1 to {LONG_ANSWER_WORDS}")
    c = TableReader(path, "[combine]", top.get("combine", dict))
    c.unknown({"bias", *FEATURES})
    weights = {f: c.get(f, float) for f in FEATURES}
    return TurnRules(finished_at, silences[0], unsure_at, silences[1], silences[2],
                     frozenset(w.lower() for w in top.strings("dangling")),
                     _at_end(compile_any(top.strings("dangling_phrases", []))),
                     _at_end(compile_any(top.strings("not_dangling", []))),
                     _at_end(compile_any(top.strings("closing", []))),
                     c.get("bias", float), weights, top.get("voice_incomplete_below", float, 0.3),
                     voice_silence_s, trailing_off, _at_start(compile_any(top.strings("summing_up", []))),
                     _after_comma(compile_any(top.strings("afterthoughts", []))), doubted,
                     top.get("unmarked_goes_on", bool, False),
                     _at_start(compile_any(top.strings("brief_questions", []))),
                     compile_any(top.strings("open_questions", [])), brief_words,
                     top.get("brief_waits_unsure", bool, False))


def _at_end(pattern: re.Pattern | None) -> re.Pattern | None:
    """``pattern`` matching only where the text ends (punctuation aside). Searching for any match and checking where
    it ends misses a phrase that overlaps an earlier one: in "So that's why." the search finds "so that's"."""
    return None if pattern is None else re.compile(rf"(?:{pattern.pattern})[\W_]*$", pattern.flags)


def _at_start(pattern: re.Pattern | None) -> re.Pattern | None:
    """``pattern`` matching only a whole phrase where the text starts."""
    return None if pattern is None else re.compile(rf"^(?:{pattern.pattern})\b", pattern.flags)


def _after_comma(pattern: re.Pattern | None) -> re.Pattern | None:
    """``pattern`` matching only a phrase after a comma at the very end, closed by a full stop, "!" or "?" (not by
    Whisper's "..." of a voice trailing off): "..., honestly." """
    return None if pattern is None else re.compile(rf",\s*(?:{pattern.pattern})\s*[.!?]$", pattern.flags)


def _last_sentence(text: str) -> str:
    """The last sentence of ``text`` (lower case) without a leading filler or "and"/"but": "...two weeks. and so
    that's why i left." -> "so that's why i left." """
    return _LEAD_IN.sub("", _SENTENCE_END.split(text)[-1])


def _matches(pattern: re.Pattern | None, text: str) -> bool:
    """Does ``text`` end (``_at_end``) or start (``_at_start``) on one of the phrases of ``pattern`` (None: an empty
    list)?"""
    return pattern is not None and pattern.search(text) is not None


@lru_cache(maxsize=2)
def turn_rules() -> TurnRules:
    """The rules from the prompts folder, read once."""
    return load_turn_rules()


def smart_turn_path() -> Path | None:
    """Where the Smart Turn v3.2 ONNX file is installed (inside ``pipecat-ai``), or None. The package is found
    without being imported (voicecoach installs it without its dependencies and reads only the file)."""
    spec = importlib.util.find_spec("pipecat")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "audio" / "turn" / "smart_turn" / "data" / "smart-turn-v3.2-cpu.onnx"
        if path.is_file():
            return path
    return None


class EndOfTurn:
    """The likelihood that a paused answer is finished (safe to call from the interview thread)."""

    def __init__(self, rules: TurnRules | None = None, use_voice: bool = True) -> None:
        self.rules = rules or turn_rules()
        self.use_voice = use_voice
        self._session = None
        self._features = None
        self._lock = threading.Lock()

    @property
    def has_voice_model(self) -> bool:
        """True when the Smart Turn model is installed (and wanted)."""
        return self.use_voice and smart_turn_path() is not None

    def load(self) -> "EndOfTurn":
        """Load the voice model now (about 0.3 s), not at the first pause; a no-op without it."""
        with self._lock:
            if self._session is None and self.has_voice_model:
                import onnxruntime as ort
                from faster_whisper.feature_extractor import FeatureExtractor

                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                self._session = ort.InferenceSession(str(smart_turn_path()), opts, providers=["CPUExecutionProvider"])
                self._features = FeatureExtractor(feature_size=80, chunk_length=int(WINDOW_S))
        return self

    def voice(self, samples: np.ndarray) -> float | None:
        """Smart Turn's probability that the speech ending ``samples`` (16 kHz) is a complete turn."""
        if not self.has_voice_model:
            return None
        self.load()
        n = int(WINDOW_S * RATE_HZ)
        a = np.asarray(samples, np.float32)[-n:]
        a = np.pad(a, (n - len(a), 0)) if len(a) < n else a
        a = (a - a.mean()) / math.sqrt(float(a.var()) + 1e-7)  # the model was trained on normalised audio
        mel = self._features(a, padding=0)[:, : int(WINDOW_S * 100)]
        out = self._session.run(None, {"input_features": mel[None].astype(np.float32)})[0]
        return float(np.asarray(out).ravel()[0])

    def words(self, text: str, mark_doubted: bool = False, brief: bool = False) -> dict[str, float]:
        """The transcript's cues: does it stop on a dangling word, a full stop, a closing phrase; is it short; how
        long is it so far (0 to 1 at sixty words: one sentence is rarely a whole answer to an open question; at
        ``brief_answer_words`` when the question was ``brief``, ``TurnRules.is_brief``). ``mark_doubted``: Whisper
        doubts the mark closing the text (``likelihood``), so a "?" there is no question back."""
        r = self.rules
        t = text.strip()
        low = t.lower().replace("’", "'")
        words = _WORD.findall(low)
        tail = " ".join(words[-4:])
        # Whisper puts a full stop at the end of a piece cut in the middle of a sentence ("What I did was."), so
        # a dangling last word counts whatever punctuation follows it.
        # A sentence closed by an afterthought after a comma ("..., though.", "..., honestly.") is over, though
        # "though" alone would dangle.
        afterthought = _matches(r.afterthoughts, t[-60:])
        dangling = (bool(words) and (words[-1] in r.dangling or _matches(r.dangling_phrases, tail))
                    and not _matches(r.not_dangling, tail) and not afterthought)
        # A closing phrase, a last sentence that sums up ("So I think it's working."), or a question back to the
        # interviewer ("...how do new starters settle in?"). Only the end is searched: an end-anchored search tries
        # every start, and an answer runs to thousands of characters.
        closing = ((t.endswith("?") and not mark_doubted) or afterthought or _matches(r.closing, t[-120:])
                   or _matches(r.summing_up, _last_sentence(low[-400:])))
        # Whisper marks a voice trailing off ("So I took...") or a word cut short ("because you-"): still going,
        # unless the words close the answer ("So yeah..."). So is a piece it closes with no mark at all ("They are
        # usually located in"): it hears no sentence end there.
        marked = _CLOSERS.sub("", t[-40:]).endswith((".", "!", "?"))
        unmarked = r.unmarked_goes_on and bool(words) and not marked
        trailing = (t.endswith(r.trailing_off) or unmarked) and not closing  # endswith(()) is False
        return {"dangling": float(dangling or trailing),
                "sentence_end": float(marked and not trailing),
                "closing": float(closing),
                "short": float(len(words) < 8),
                "length": min(1.0, len(words) / (r.brief_answer_words if brief else LONG_ANSWER_WORDS))}

    def likelihood(self, samples: np.ndarray | None, text: str, voice: float | None = None,
                   ending: float | None = None, question: str | None = None) -> float:
        """How likely (0-1) the answer is finished, from its audio so far (16 kHz) and its transcript so far (or
        ``voice``, the audio's score from ``voice()`` when it was heard ahead), ``ending``, how sure Whisper was
        of the full stop it closed the last piece with (``Transcript.ending``; None: not known), and the ``question``
        it answers (a brief one, "Do you drive?", may be answered in a sentence; None: taken as open).

        A sentence left hanging is unfinished whatever else: the words say so (a dangling last word), the voice
        does (Smart Turn below ``voice_incomplete_below``: the pitch has not come down), or Whisper doubts its own
        full stop (below ``full_stop_doubted_below``: the last word sounds as if more follows), unless the words
        close the answer ("so that's what I did"). Between
        a finished answer and a pause between two sentences the voice alone cannot tell (both sound complete),
        so the combination leans on the words and on how much has been said."""
        r = self.rules
        doubted = ending is not None and ending < r.full_stop_doubted_below
        brief = r.is_brief(question)
        f = self.words(text, mark_doubted=doubted, brief=brief)
        v = voice if voice is not None else (self.voice(samples) if samples is not None and len(samples) else None)
        hanging = (v is not None and v < r.voice_incomplete_below) or doubted
        if f["dangling"] or (hanging and not f["closing"]):
            return 0.0  # a closing phrase ("so that's what I did") ends an answer even said flat
        f["voice"] = (v - 0.5) if v is not None else 0.0
        z = r.bias + sum(r.weights[k] * f[k] for k in FEATURES)
        likelihood = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        # "Yes, Sundays are fine.": too short to be sure of, but nothing says it goes on.
        return max(likelihood, r.unsure_at) if brief and r.brief_waits_unsure else likelihood
