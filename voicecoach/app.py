"""The application layer: settings in, a ready interview out.

The CLI parses arguments into ``PracticeSettings``; this module validates them, chooses the questions,
builds the engines (loading the Whisper model in the background while the introduction is spoken),
opens the history and wires the interview together. Nothing here prints.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, replace

from .engines import DEFAULT_ENGINE, ENGINES
from .errors import NoAudioDevice, UsageError, VoicecoachError
from .listen import ListenOptions
from .rules.questions import Question, load_questions, sample, select_questions
from .tailoring import Tailoring, describe_job, tailor

__all__ = ["PracticeSettings", "choose_questions", "build_practice", "build_demo", "LazyTranscriber"]

MAX_QUESTIONS = 60
VOCABULARY_TERMS = 10
"""How many of the job's key terms bias the transcription (Whisper's prompt has room for a few)."""


@dataclass(frozen=True)
class PracticeSettings:
    """Everything a practice (or demo) session is run with; saved with the session."""

    round: str = "mixed"
    """``hr``, ``hiring_manager`` or ``mixed``."""
    role: str | None = None
    """A role in the question bank; None keeps to the generic questions."""
    questions: int = 5
    seed: int | None = None
    retry_weak: bool = False
    feedback: str = "spoken"
    end_silence_s: float = ListenOptions.end_silence_s
    max_answer_s: float = ListenOptions.max_answer_s
    follow_ups: int = 1
    intro: str = "auto"
    """``full``, ``short``, ``none`` or ``auto`` (full the first time, short after)."""
    engine: str = DEFAULT_ENGINE
    model: str | None = None
    voice: str | None = None
    rate_wpm: int | None = None
    input_device: str | None = None
    output_device: str | None = None
    json_out: str | None = None
    keep_audio: bool = True
    mode: str = "practice"
    job: str | None = None
    """A job advert (text, Markdown or PDF; ``-`` for standard input) to tailor the interview to."""
    cv: str | None = None
    """The candidate's CV (text, Markdown or PDF)."""

    def __post_init__(self) -> None:
        from .rules.evaluate import normalize_round

        if self.round != "mixed":
            object.__setattr__(self, "round", normalize_round(self.round))
        if not 1 <= self.questions <= MAX_QUESTIONS:
            raise UsageError(f"--questions must be between 1 and {MAX_QUESTIONS}, not {self.questions}",
                             "e.g. --questions 5")
        if self.engine not in ENGINES:
            raise UsageError(f"unknown engine {self.engine!r}", f"use one of: {', '.join(ENGINES)}")
        if self.intro not in ("auto", "full", "short", "none"):
            raise UsageError(f"unknown intro {self.intro!r}", "use auto, full, short or none")
        self.listen_options()  # validates the thresholds where they are defined

    def listen_options(self) -> ListenOptions:
        """Turn-taking thresholds from these settings."""
        return ListenOptions(end_silence_s=self.end_silence_s, max_answer_s=self.max_answer_s)

    def to_json(self) -> dict:
        """The settings as saved with the session."""
        d = asdict(self)
        d.pop("json_out")
        return d


def choose_questions(s: PracticeSettings, bank: list[Question] | None = None, store=None,
                     tailored: tuple[Question, ...] = ()) -> list[Question]:
    """The session's questions: a seeded sample for the round and role, mixed rounds interleaved, or
    the weakest questions again with ``retry_weak``. Questions made for the job and the CV come first
    in each round (up to about two thirds of it)."""
    bank = bank if bank is not None else load_questions()
    rnd = None if s.round == "mixed" else s.round
    if s.role:
        pool = select_questions(bank, rnd, s.role)
    else:
        pool = [q for q in select_questions(bank, rnd) if q.role == "generic"]
    if s.retry_weak:
        from .store import open_store

        by_id = {q.id: q for q in bank}
        ids = (store or open_store()).weakest_questions(len(by_id))
        weak = [by_id[i] for i in ids if i in by_id and by_id[i] in pool]
        if not weak:
            raise VoicecoachError("there are no answered questions to retry yet", "run `voicecoach practice` first")
        return weak[: s.questions]
    def round_list(rnd: str, n: int) -> list[Question]:
        own = [q for q in tailored if q.round == rnd][: max(1, (2 * n + 2) // 3)]
        return own + sample([q for q in pool if q.round == rnd], n - len(own), s.seed)

    if s.round == "mixed":
        hr, hm = round_list("hr", (s.questions + 1) // 2 + 1), round_list("hiring_manager", s.questions // 2 + 1)
        mixed = [q for pair in zip(hr, hm) for q in pair]
        return (mixed + [q for q in hr + hm if q not in mixed])[: s.questions]
    if tailored:
        return round_list(s.round, s.questions)[: s.questions]
    return sample(pool, s.questions, s.seed)


class LazyTranscriber:
    """A transcriber whose model loads in the background; ``transcribe`` waits for it.

    The model file is resolved at once (a missing model is reported before anything is spoken); the slow
    part, ``load()``, is run by the warm-up thread (``_warm_up``) while the introduction is spoken.
    """

    def __init__(self, engine: str, model: str | None, options, progress=None) -> None:
        from .asr.models import resolve_model

        resolve_model(model)
        self._args = (engine, model, options, progress)
        self._result: dict = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now, once (a failure is kept and re-raised on first use); waits for a load
        already under way on another thread."""
        with self._lock:
            if not self._result:
                self._load()

    def _load(self) -> None:
        try:
            from .asr import make_transcriber

            engine, model, options, progress = self._args
            self._result["t"] = make_transcriber(engine, model, options, progress=progress)
        except BaseException as exc:  # re-raised on first use
            self._result["error"] = exc

    def get(self):
        """The loaded transcriber (loads it or waits for it; re-raises a loading failure)."""
        self.load()
        if "error" in self._result:
            raise self._result["error"]
        return self._result["t"]

    def transcribe(self, clip, prompt: str | None = None):
        """``Transcriber.transcribe`` once the model is loaded."""
        return self.get().transcribe(clip, prompt=prompt)


def _warm_up(tts, transcriber: LazyTranscriber | None = None) -> threading.Thread:
    """Load the voice, then the Whisper model, then the evaluator's embedding model, on one background thread.

    One after the other, not side by side: the voice is needed first (the introduction), the model next
    (the first answer), the evaluator last (the first verdict); and each load briefly needs about 100 MB
    more than it keeps, so loading them in turn keeps a session's peak memory about 100 MB lower, and
    leaves a core free for the introduction on a busy machine (scripts/bench_load.py).
    """
    def load_all() -> None:
        for step in (tts.warm_up, transcriber.load if transcriber else None, _warm_evaluator):
            if step is None:
                continue
            try:
                step()
            except Exception:  # noqa: BLE001 - the first real use reports the problem
                pass

    thread = threading.Thread(target=load_all, name="voicecoach-warm-up", daemon=True)
    thread.start()
    return thread


def _warm_evaluator() -> None:
    from .rules.evaluate import evaluate

    evaluate("I am warming up the evaluator.", "hr")


def _first_run(store) -> bool:
    try:
        return store is None or not store.sessions()
    except VoicecoachError:
        return True


def _interview(s: PracticeSettings, questions, tts, player, mic, observers, store, progress, intro_text=None,
               speak_tips=True, echo_guard_s=0.3, tailoring: Tailoring = Tailoring()):
    from .asr import LIVE_OPTIONS
    from .interview.loop import Engines, Interview, InterviewOptions
    from .interview.recorder import Recorder
    from .vad import SileroVad

    transcriber = LazyTranscriber(s.engine, s.model, LIVE_OPTIONS, progress)
    _warm_up(tts, transcriber)
    intro = ("full" if _first_run(store) else "short") if s.intro == "auto" else s.intro
    from .interview.probes import Prober

    options = InterviewOptions(feedback=s.feedback, listen=s.listen_options(), intro=intro, intro_text=intro_text,
                               speak_tips=speak_tips, echo_guard_s=echo_guard_s, follow_ups=s.follow_ups,
                               vocabulary=tailoring.terms[:VOCABULARY_TERMS], job_terms=tailoring.terms)
    settings = s.to_json()
    if tailoring.job is not None:
        settings["job_profile"] = tailoring.job.to_json()
    if tailoring.cv is not None:
        settings["cv_profile"] = tailoring.cv.to_json()
    recorder = Recorder(s.mode, settings, store=store, json_out=s.json_out, keep_audio=s.keep_audio)
    engines = Engines(tts, player, mic, transcriber, SileroVad())
    return Interview(questions, engines, recorder, options, observers, prober=Prober() if s.follow_ups else None)


def build_practice(s: PracticeSettings, observers: list, progress=None):
    """A practice interview through the microphone and speaker, ready to ``run()``.

    Raises:
        NoAudioDevice: no microphone or no speaker.
    """
    from .mic import SounddeviceMicrophone
    from .snd import SounddevicePlayer
    from .store import open_store
    from .tts import default_backend_note, make_tts

    tailoring = tailor(s)  # a bad --job or --cv is reported before anything else happens
    store = open_store()
    questions = choose_questions(s, store=store, tailored=tailoring.questions)
    if progress and tailoring.job is not None:
        progress(describe_job(tailoring))
    mic, player = SounddeviceMicrophone(s.input_device), SounddevicePlayer(s.output_device)
    if not mic.is_available():
        raise NoAudioDevice("no microphone (audio input device) found")
    if not player.is_available():
        raise NoAudioDevice("no speaker (audio output device) found")
    tts = make_tts(voice=s.voice, rate_wpm=s.rate_wpm)
    note = default_backend_note()
    if note and progress:
        progress(f"(note: {note})")
    return _interview(s, questions, tts, player, mic, observers, store, progress, tailoring=tailoring)


def build_demo(s: PracticeSettings, observers: list, silent: bool = False, realtime: bool = False, progress=None):
    """The demo: the same interview with a scripted candidate whose answers are synthesized."""
    from .demo import (
        DEMO_JOB_ADVERT,
        DEMO_SCRIPT,
        ScriptedCandidate,
        ScriptedMicrophone,
        render_turn,
    )
    from .interview.script import default_script
    from .prompts import prompts_dir
    from .snd import NullPlayer, SounddevicePlayer
    from .store import open_store
    from .tts import candidate_voice, make_tts

    s = replace(s, mode="demo", questions=len(DEMO_SCRIPT), intro="none")
    bank = {q.id: q for q in load_questions()}
    missing = [qid for qid, *_ in DEMO_SCRIPT if qid not in bank]
    if missing:
        raise VoicecoachError(f"the demo's questions are missing from the bank: {', '.join(missing)}",
                              "restore prompts/questions from the project")
    player = NullPlayer() if silent else SounddevicePlayer(s.output_device)
    if not player.is_available():
        if progress:
            progress("(no audio output device: the interviewer's words are shown, not played)")
        player = NullPlayer()
    # Kept under a minute even where a speaker plays every word: a short introduction, a brisker
    # interviewer, and tips on screen rather than spoken.
    interviewer = make_tts(voice=s.voice, rate_wpm=200)
    if progress:
        progress("preparing the candidate's answers ...")
    candidate = candidate_voice()
    turns = [[render_turn(candidate, t) for t in ts] for _, ts, _ in DEMO_SCRIPT]
    follow_ups = [[render_turn(candidate, t) for t in fs] for _, _, fs in DEMO_SCRIPT]
    mic = ScriptedMicrophone(realtime=realtime)
    observers = [*observers, ScriptedCandidate(mic, turns, follow_ups)]
    s = replace(s, job=s.job or str(prompts_dir() / DEMO_JOB_ADVERT))
    tailoring = tailor(s)
    tailoring = Tailoring(tailoring.job, tailoring.cv)  # the scripted answers are for the demo's own questions
    if progress:
        progress(describe_job(tailoring))
    return _interview(s, [bank[qid] for qid, *_ in DEMO_SCRIPT], interviewer, player, mic, observers, open_store(),
                      progress, intro_text=default_script().say("demo_intro", n=len(DEMO_SCRIPT)), speak_tips=False,
                      echo_guard_s=0.0, tailoring=tailoring)
