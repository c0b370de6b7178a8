"""Building an interview from ``PracticeSettings``: the engines (the Whisper model loads on a background
thread while the introduction is spoken), the history, the recorder, and the interview itself, for
practice through the microphone and for the scripted demo. Nothing here prints."""

from __future__ import annotations

import threading
from dataclasses import replace

from ..errors import NoAudioDevice, VoicecoachError
from ..questions.bank import load_questions
from ..tailoring.questions import Tailoring, describe_job, tailor
from .settings import PracticeSettings, choose_questions

__all__ = ["build_practice", "build_demo", "LazyTranscriber", "VOCABULARY_TERMS"]

VOCABULARY_TERMS = 10
"""How many of the job's key terms bias the transcription (Whisper's prompt has room for a few)."""


class LazyTranscriber:
    """A transcriber whose model loads in the background; ``transcribe`` waits for it.

    The model file is resolved at once (a missing model is reported before anything is spoken); the slow
    part, ``load()``, is run by the warm-up thread (``_warm_up``) while the introduction is spoken.
    """

    def __init__(self, engine: str, model: str | None, options, progress=None) -> None:
        from ..asr.models import resolve_model

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
            from ..asr import make_transcriber

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


def _warm_up(tts, transcriber: LazyTranscriber | None = None, endpoint=None) -> threading.Thread:
    """Load the voice, then the Whisper model, then the evaluator's embedding model, on one background thread.

    One after the other, not side by side: the voice is needed first (the introduction), the model next
    (the first answer), the evaluator last (the first verdict); and each load briefly needs about 100 MB
    more than it keeps, so loading them in turn keeps a session's peak memory about 100 MB lower, and
    leaves a core free for the introduction on a busy machine (scripts/bench_load.py).
    """
    def load_all() -> None:
        for step in (tts.warm_up, transcriber.load if transcriber else None, endpoint.load if endpoint else None,
                     _warm_evaluator):
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
    from ..rules.evaluate import evaluate

    evaluate("I am warming up the evaluator.", "hr")


def _first_run(store) -> bool:
    try:
        return store is None or not store.sessions()
    except VoicecoachError:
        return True


def _interview(s: PracticeSettings, questions, tts, player, mic, observers, store, progress, intro_text=None,
               speak_tips=True, echo_guard_s=0.3, tailoring: Tailoring = Tailoring(), typed=None, pressed=None):
    from ..asr import LIVE_OPTIONS
    from ..audio.vad import SileroVad
    from ..interview.loop import Engines, Interview, InterviewOptions
    from ..interview.recorder import Recorder

    transcriber = LazyTranscriber(s.engine, s.model, LIVE_OPTIONS, progress) if typed is None else None
    endpoint = None
    if typed is None and s.end_silence_s is None:
        from ..audio.endpoint import EndOfTurn

        endpoint = EndOfTurn()
    loading = _warm_up(tts, transcriber, endpoint)
    intro = ("full" if _first_run(store) else "short") if s.intro == "auto" else s.intro
    from ..interview.probes import Prober

    options = InterviewOptions(feedback=s.feedback, listen=s.listen_options(), intro=intro, intro_text=intro_text,
                               speak_tips=speak_tips, echo_guard_s=echo_guard_s, follow_ups=s.follow_ups,
                               vocabulary=tailoring.terms[:VOCABULARY_TERMS], job_terms=tailoring.terms)
    settings = s.to_json()
    if tailoring.job is not None:
        settings["job_profile"] = tailoring.job.to_json()
    if tailoring.cv is not None:
        settings["cv_profile"] = tailoring.cv.to_json()
    recorder = Recorder(s.mode, settings, store=store, json_out=s.json_out, keep_audio=s.keep_audio)
    # The session joins the loading thread when it ends, however it ends (a device that fails at the first
    # word would otherwise leave it inside CTranslate2 as the process exits: a native abort, exit 134).
    engines = Engines(tts, player, mic, transcriber, SileroVad() if typed is None else None, typed, endpoint,
                      on_close=(loading.join,), pressed=pressed)
    return Interview(questions, engines, recorder, options, observers, prober=Prober() if s.follow_ups else None)


def build_practice(s: PracticeSettings, observers: list, progress=None, mic=None, player=None, typed=None,
                   pressed=None):
    """A practice interview, ready to ``run()``.

    Args:
        mic, player: the front end's own microphone and speaker (the browser's); by default the sound devices.
        typed: answers typed rather than spoken (``interview.typed.TextInput``); the questions are still
            spoken when there is a speaker.
        pressed: commands given by the front end's buttons (``interview.pressed.PressedCommands``).

    Raises:
        NoAudioDevice: no microphone or no speaker (for spoken answers).
    """
    from ..audio.mic import SounddeviceMicrophone
    from ..audio.snd import NullPlayer, SounddevicePlayer
    from ..history.store import open_store
    from ..tts import default_backend_note, make_tts

    tailoring = tailor(s)  # a bad --job or --cv is reported before anything else happens
    store = open_store()
    questions = choose_questions(s, store=store, tailored=tailoring.questions, occupation=tailoring.occupation)
    if progress and tailoring.job is not None:
        progress(describe_job(tailoring))
    for note in tailoring.notes if progress else ():
        progress(f"(note: {note})")
    if typed is None:
        mic = mic or SounddeviceMicrophone(s.input_device)
        mic.check()  # a device that does not match is named with the list of those there are
    player = player or SounddevicePlayer(s.output_device)
    try:
        player.check()
    except NoAudioDevice:
        if typed is None or s.output_device is not None:
            raise
        player = NullPlayer()  # typed practice without a speaker: the questions are shown, not spoken
    tts = make_tts(voice=s.voice, rate_wpm=s.rate_wpm)
    note = default_backend_note()
    if note and progress:
        progress(f"(note: {note})")
    return _interview(s, questions, tts, player, mic, observers, store, progress, tailoring=tailoring, typed=typed,
                      pressed=pressed)


def build_demo(s: PracticeSettings, observers: list, silent: bool = False, realtime: bool = False, progress=None,
               player=None, pressed=None):
    """The demo: the same interview with a scripted candidate whose answers are synthesized.

    Args:
        player: the front end's own speaker (the browser's); by default the sound device (none when ``silent``).
        pressed: commands given by the front end's buttons (``interview.pressed.PressedCommands``).
    """
    from ..audio.snd import NullPlayer, SounddevicePlayer
    from ..history.store import open_store
    from ..interview.script import default_script
    from ..prompts import prompts_dir
    from ..tts import candidate_voice, make_tts
    from .demo import (
        DEMO_JOB_ADVERT,
        DEMO_SCRIPT,
        ScriptedCandidate,
        ScriptedMicrophone,
        render_turn,
    )

    s = replace(s, mode="demo", questions=len(DEMO_SCRIPT), intro="none")
    bank = {q.id: q for q in load_questions()}
    missing = [qid for qid, *_ in DEMO_SCRIPT if qid not in bank]
    if missing:
        raise VoicecoachError(f"the demo's questions are missing from the bank: {', '.join(missing)}",
                              "restore prompts/questions from the project")
    player = NullPlayer() if silent else (player or SounddevicePlayer(s.output_device))
    try:
        player.check()
    except NoAudioDevice:
        if s.output_device is not None:
            raise  # a device asked for by name or number and not found is an error, not a silent demo
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
                      echo_guard_s=0.0, tailoring=tailoring, pressed=pressed)
