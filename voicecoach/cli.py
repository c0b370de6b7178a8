"""The command line: the only module that knows about the terminal.

Domain errors (``voicecoach.errors``) become a one-line message on stderr and their exit code here.
Heavy libraries are imported inside the commands so ``voicecoach --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import wave
from pathlib import Path

from . import __version__
from .errors import VoicecoachError

ENGINE_CHOICES = ("faster-whisper", "openai-whisper")


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cmd_transcribe(args) -> int:
    from .asr import DecodeOptions, make_transcriber
    from .audio import load_audio

    clip = load_audio(args.file)
    transcriber = make_transcriber(args.engine, args.model, DecodeOptions(prompt=args.prompt), progress=_progress)
    result = transcriber.transcribe(clip)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(result.text if not result.no_speech else "(no speech found)")
        _progress(f"[{result.engine} {result.model}, {result.duration_s:.1f} s of audio, {len(result.words)} words]")
    return 0


def _cmd_say(args) -> int:
    from .tts import make_tts

    tts = make_tts(voice=args.voice, rate_wpm=args.rate)
    if args.list_voices:
        for v in tts.voices():
            print(f"{v.id.rsplit('/', 1)[-1]:<24} {v.name}")
        return 0
    if not args.text:
        raise VoicecoachError("nothing to say", 'give the text: voicecoach say "Tell me about yourself."')
    if args.out:
        out = Path(args.out)
        try:
            with wave.open(str(out), "wb") as w:
                tts.synthesize(args.text, w)
        except OSError as exc:
            raise VoicecoachError(f"cannot write {out}: {exc.strerror}", "choose a writable path for --out") from exc
        _progress(f"wrote {out}")
        return 0
    from .snd import SounddevicePlayer

    SounddevicePlayer(args.output_device).play(tts.synthesize_clip(args.text))
    return 0


def _cmd_doctor(args) -> int:
    from .doctor import run_checks

    checks = run_checks(progress=_progress)
    failed_required = False
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
        print(f"[{mark}] {c.name}: {c.detail}")
        if not c.ok:
            print(f"       fix: {c.fix}")
            failed_required |= c.required
    print("voicecoach is ready." if not failed_required else "Some required pieces are missing (see FAIL above).")
    return 1 if failed_required else 0


def _print_evaluation(ev) -> None:
    from .rules.evaluate import ROUND_NAMES

    if ev.question:
        print(f"Question: {ev.question}")
    print(f"Answer:   {ev.transcript or '(nothing said)'}")
    print()
    print(f"Verdict:  {ev.verdict}")
    print(f"Scores:   HR {ev.scores['hr']}/100, hiring manager {ev.scores['hiring_manager']}/100"
          f"   (suits: {ev.suits.replace('_', '-')})")
    for f in ev.flags:
        quote = f' - "{f.evidence.text}"' if f.evidence else ""
        print(f"Flag:     {f.label}{quote}")
    for rnd in ("hr", "hiring_manager"):
        print(f"\n{ROUND_NAMES[rnd][0].upper() + ROUND_NAMES[rnd][1:]} signals:")
        for sig in (s for s in ev.signals if s.round == rnd):
            mark = "+" if sig.found else "-"
            quote = f'  "{sig.evidence[0].text}"' if sig.evidence else ""
            print(f"  {mark} {sig.label}{quote}")
    if ev.delivery:
        d = ev.delivery
        print(f"\nDelivery: {d.words_per_minute:.0f} words/min, {d.filler_count} fillers, "
              f"{len(d.long_pauses)} long pauses, {d.duration_s:.0f} s, {d.word_count} words")
    if ev.tips:
        print("\nTips:")
        for i, tip in enumerate(ev.tips, 1):
            print(f"  {i}. {tip}")


def _cmd_evaluate(args) -> int:
    from .rules.evaluate import evaluate, normalize_round

    rnd = normalize_round(args.round)
    if (args.text is None) == (args.audio is None):
        raise VoicecoachError("give the answer either as --text or as an audio file, not both or neither",
                              'voicecoach evaluate --round hr --text "..."  or  voicecoach evaluate --round hr answer.wav')
    words = None
    if args.audio is not None:
        from .asr import make_transcriber
        from .audio import load_audio

        result = make_transcriber(args.engine, args.model, progress=_progress).transcribe(load_audio(args.audio))
        if result.no_speech:
            from .errors import EmptyAudio

            raise EmptyAudio(f"no speech found in {args.audio}", "check the microphone level and record the answer again")
        text = result.text
        words = [(w.word, w.start_s, w.end_s) for w in result.words]
    else:
        text = args.text
    ev = evaluate(text, rnd, question=args.question, words=words)
    if args.json:
        print(json.dumps(ev.to_dict(), ensure_ascii=False))
    else:
        _print_evaluation(ev)
    return 0


def _cmd_questions(args) -> int:
    from .rules.evaluate import normalize_round
    from .rules.questions import load_questions, select_questions

    rnd = None if args.round in (None, "mixed") else normalize_round(args.round)
    qs = select_questions(load_questions(), rnd, args.role)
    if args.json:
        print(json.dumps([q.to_dict() for q in qs], ensure_ascii=False))
        return 0
    for q in qs:
        print(f"{q.id:<34} {q.round.replace('_', '-'):<15} {q.role:<18} {q.text}")
    print(f"{len(qs)} questions", file=sys.stderr)
    return 0


def _practice_options(args):
    from .listen import ListenOptions
    from .session import PracticeOptions

    if args.end_silence <= 0.3 or args.max_answer <= 5:
        raise VoicecoachError("--end-silence must be over 0.3 s and --max-answer over 5 s", "e.g. --end-silence 2.5 --max-answer 180")
    return PracticeOptions(feedback=args.feedback,
                           listen=ListenOptions(end_silence_s=args.end_silence, max_answer_s=args.max_answer))


def _run_session(session, json_out) -> int:
    def kept() -> str:
        answered = sum(q["status"] == "answered" for q in session.record["questions"])
        places = [p for p in (f"session {session.session_id} in `voicecoach history`" if session.session_id else "",
                              str(json_out) if json_out else "") if p]
        return f"{answered} answer(s) kept" + (f" ({' and '.join(places)})" if places else "")

    try:
        record = session.run()
    except KeyboardInterrupt:
        print(f"\nvoicecoach: interrupted; {kept()}", file=sys.stderr)
        return 130
    except VoicecoachError as exc:
        print(f"\nvoicecoach: error: {exc.one_line()}; {kept()}", file=sys.stderr)
        return exc.exit_code
    if json_out:
        _progress(f"session written to {json_out}")
    return 0 if record["status"] in ("completed", "stopped") else 1


def _cmd_practice(args) -> int:
    from .asr import make_transcriber
    from .mic import SounddeviceMicrophone
    from .rules.evaluate import normalize_round
    from .rules.questions import load_questions, sample, select_questions
    from .session import PracticeSession
    from .snd import SounddevicePlayer
    from .tts import make_tts
    from .view import make_view

    options = _practice_options(args)
    rnd = None if args.round == "mixed" else normalize_round(args.round)
    bank = load_questions()
    pool = select_questions(bank, rnd, args.role)
    if args.retry_weak:
        from .store import open_store

        by_id = {q.id: q for q in bank}
        weak = [by_id[i] for i in open_store().weakest_questions(len(by_id)) if i in by_id]
        weak = [q for q in weak if q in pool]
        if not weak:
            raise VoicecoachError("there are no answered questions to retry yet", "run `voicecoach practice` first")
        questions = weak[: args.questions]
    elif args.round == "mixed":
        hr = sample([q for q in pool if q.round == "hr"], args.questions, args.seed)
        hm = sample([q for q in pool if q.round == "hiring_manager"], args.questions, args.seed)
        questions = [q for pair in zip(hr, hm) for q in pair][: args.questions]
    else:
        questions = sample(pool, args.questions, args.seed)
    mic = SounddeviceMicrophone(args.input_device)
    player = SounddevicePlayer(args.output_device)
    from .errors import NoAudioDevice

    if not mic.is_available():
        raise NoAudioDevice("no microphone (audio input device) found")
    if not player.is_available():
        raise NoAudioDevice("no speaker (audio output device) found")
    tts = make_tts(voice=args.voice, rate_wpm=args.rate)
    from .asr import LIVE_OPTIONS

    transcriber = make_transcriber(args.engine, args.model, LIVE_OPTIONS, progress=_progress)
    settings = {"mode": "practice", "round": args.round, "role": args.role, "questions": len(questions),
                "seed": args.seed, "feedback": args.feedback, "end_silence_s": args.end_silence,
                "max_answer_s": args.max_answer, "engine": args.engine}
    from .store import open_store

    session = PracticeSession(questions, tts, player, mic, transcriber, options, [make_view()],
                              json_out=args.json_out, settings=settings, store=open_store(),
                              keep_audio=not args.no_keep_audio)
    return _run_session(session, args.json_out)


def _cmd_demo(args) -> int:
    from .asr import make_transcriber
    from .demo import DEMO_SCRIPT, ScriptedCandidate, ScriptedMicrophone, render_turn
    from .rules.questions import load_questions
    from .session import PracticeSession
    from .snd import NullPlayer, SounddevicePlayer
    from .tts import make_tts
    from .view import make_view

    from dataclasses import replace

    # Kept under a minute even where a speaker plays every word: a short introduction, a brisker
    # interviewer, and tips on screen rather than spoken.
    options = replace(_practice_options(args), speak_tips=False, echo_guard_s=0.0,  # no microphone, no echo
                      intro_text="This is a demo interview with three questions. The candidate's answers are recordings.")
    bank = {q.id: q for q in load_questions()}
    missing = [qid for qid, _ in DEMO_SCRIPT if qid not in bank]
    if missing:
        raise VoicecoachError(f"the demo's questions are missing from the bank: {', '.join(missing)}",
                              "restore prompts/questions from the project")
    questions = [bank[qid] for qid, _ in DEMO_SCRIPT]
    player = SounddevicePlayer(args.output_device) if not args.silent else NullPlayer()
    if not player.is_available():
        _progress("(no audio output device: the interviewer's words are shown, not played)")
        player = NullPlayer()
    interviewer = make_tts(rate_wpm=200)
    candidate_voice = make_tts(voice="en-us", rate_wpm=165)
    _progress("preparing the candidate's answers ...")
    turns = [[render_turn(candidate_voice, t) for t in ts] for _, ts in DEMO_SCRIPT]
    mic = ScriptedMicrophone(realtime=args.realtime)
    from .asr import LIVE_OPTIONS

    transcriber = make_transcriber(args.engine, args.model, LIVE_OPTIONS, progress=_progress)
    settings = {"mode": "demo", "questions": len(questions), "feedback": args.feedback, "engine": args.engine,
                "end_silence_s": args.end_silence, "max_answer_s": args.max_answer}
    from .store import open_store

    session = PracticeSession(questions, interviewer, player, mic, transcriber, options,
                              [make_view(), ScriptedCandidate(mic, turns)], json_out=args.json_out, settings=settings,
                              store=open_store(), keep_audio=not args.no_keep_audio)
    return _run_session(session, args.json_out)


def _fmt_session_row(s: dict) -> str:
    avg = s["average_scores"]
    score = lambda v: "-" if v is None else str(v)  # noqa: E731
    flags = ", ".join(f"{k} x{v}" for k, v in s["flags"].items()) or "-"
    return (f"{s['id']:>4}  {s['started_at'][:16].replace('T', ' '):<16}  {s['mode']:<8} {str(s['round'] or '-'):<14} "
            f"{str(s['role'] or '-'):<18} {s['answered']:>3}   {score(avg['hr']):>3}  {score(avg['hiring_manager']):>3}  "
            f"{s['status']:<12} {flags}")


def _cmd_history(args) -> int:
    from .store import open_store

    sessions = open_store().sessions()
    if args.json:
        print(json.dumps(sessions, ensure_ascii=False))
        return 0
    if not sessions:
        print("No sessions yet. Run `voicecoach practice` (or `voicecoach demo`).")
        return 0
    print(f"{'id':>4}  {'date (UTC)':<16}  {'mode':<8} {'round':<14} {'role':<18} ans    HR   HM  {'status':<12} flags")
    for s in sessions:
        print(_fmt_session_row(s))
    return 0


def _cmd_show(args) -> int:
    from .report import ROUND, highlight_terminal
    from .store import open_store

    store = open_store()
    s = store.session(args.session)
    color = sys.stdout.isatty()
    print(_fmt_session_row(s))
    for a in s["answers"]:
        print(f"\nQ{a['index']} ({ROUND.get(a['round'], a['round'])} round, {a['status']}): {a['question']}")
        ev = a["evaluation"]
        if not ev:
            continue
        print("  " + highlight_terminal(a["transcript"], ev, color))
        print(f"  {ev['verdict']}  HR {ev['scores']['hr']}, hiring manager {ev['scores']['hiring_manager']}")
        for f in ev["flags"]:
            print(f"  flag: {f['label']}")
        for i, t in enumerate(ev["tips"], 1):
            print(f"  tip {i}: {t}")
        others = [t for t in store.answers(question_id=a["question_id"]) if t["evaluation"]]
        if len(others) > 1:
            print("  attempts at this question:")
            for t in others:
                here = " <- this one" if (t["session_id"], t["index"]) == (a["session_id"], a["index"]) else ""
                print(f"    session {t['session_id']:>3}  {t['created_at'][:16].replace('T', ' ')}  "
                      f"HR {t['evaluation']['scores']['hr']:>3}  HM {t['evaluation']['scores']['hiring_manager']:>3}  "
                      f"suits {t['evaluation']['suits']}{here}")
    return 0


def _cmd_report(args) -> int:
    from .report import render_html
    from .store import open_store

    store = open_store()
    all_sessions = store.sessions()
    if not all_sessions:
        raise VoicecoachError("there is nothing to report yet", "run `voicecoach practice` or `voicecoach demo` first")
    if args.session is not None and args.all:
        raise VoicecoachError("give a SESSION or --all, not both", "voicecoach report 3  or  voicecoach report --all")
    ids = [args.session] if args.session is not None else ([s["id"] for s in all_sessions] if args.all
                                                            else [all_sessions[-1]["id"]])
    chosen = [store.session(i) for i in ids]
    attempts = {a["question_id"]: store.answers(question_id=a["question_id"]) for s in chosen for a in s["answers"]}
    out = Path(args.out or f"voicecoach-report-{'all' if args.all else ids[0]}.html")
    out.write_text(render_html(chosen, all_sessions, attempts), encoding="utf-8")
    _progress(f"wrote {out}")
    if args.open:
        import webbrowser

        if not webbrowser.open(out.resolve().as_uri()):
            _progress("(no browser found to open it)")
    return 0


def _cmd_export(args) -> int:
    from .report import export
    from .store import open_store

    store = open_store()
    sessions = [store.session(s["id"]) for s in store.sessions()]
    text = export(sessions, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        _progress(f"wrote {args.out} ({len(sessions)} sessions)")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _cmd_forget(args) -> int:
    from .store import open_store

    if (args.session is None) == (not args.all):
        raise VoicecoachError("give a SESSION or --all", "voicecoach forget 3  or  voicecoach forget --all")
    store = open_store()
    if args.session is not None:
        store.session(args.session)  # a clear error if it does not exist
    n = store.forget(args.session)
    print(f"forgot {n} session(s) and their audio")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    p = argparse.ArgumentParser(prog="voicecoach", description="Offline, voice-driven mock interviewer.")
    p.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    t = sub.add_parser("transcribe", help="transcribe an audio file (WAV, FLAC, MP3, OGG)")
    t.add_argument("file")
    t.add_argument("--engine", choices=ENGINE_CHOICES, default="faster-whisper")
    t.add_argument("--model", help="tiny.en (default, bundled), a CTranslate2 folder or an openai-whisper .pt")
    t.add_argument("--prompt", help="words to prime the decoder with (names, jargon)")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.set_defaults(func=_cmd_transcribe)

    s = sub.add_parser("say", help="speak text aloud, or write it to a WAV file")
    s.add_argument("text", nargs="?")
    s.add_argument("--out", help="write a WAV file instead of playing")
    s.add_argument("--voice", help="espeak-ng voice, e.g. en-us (see --list-voices)")
    s.add_argument("--rate", type=int, default=165, help="words per minute (default 165)")
    s.add_argument("--output-device", help="output device index or name")
    s.add_argument("--list-voices", action="store_true")
    s.set_defaults(func=_cmd_say)

    e = sub.add_parser("evaluate", help="judge whether an answer suits the HR or the hiring-manager round")
    e.add_argument("audio", nargs="?", metavar="AUDIO_FILE", help="a recorded answer to transcribe")
    e.add_argument("--round", required=True, help="hr or hiring-manager")
    e.add_argument("--text", help="the answer as text instead of audio")
    e.add_argument("--question", help="the question that was asked")
    e.add_argument("--engine", choices=ENGINE_CHOICES, default="faster-whisper")
    e.add_argument("--model", help="Whisper model (see transcribe)")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=_cmd_evaluate)

    q = sub.add_parser("questions", help="list the question bank")
    q.add_argument("--round", help="hr, hiring-manager or mixed")
    q.add_argument("--role", help="software engineer, data analyst, project manager, sales")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_cmd_questions)

    def session_args(sp, demo: bool) -> None:
        sp.add_argument("--feedback", choices=("spoken", "screen", "end"), default="spoken")
        sp.add_argument("--end-silence", type=float, default=2.5, metavar="SECONDS", help="silence that ends an answer")
        sp.add_argument("--max-answer", type=float, default=180.0, metavar="SECONDS", help="longest answer")
        sp.add_argument("--output-device", help="output device index or name")
        sp.add_argument("--engine", choices=ENGINE_CHOICES, default="faster-whisper")
        sp.add_argument("--model", help="Whisper model (see transcribe)")
        sp.add_argument("--json-out", metavar="FILE", help="write the whole session as JSON")
        sp.add_argument("--no-keep-audio", action="store_true", help="keep no recording of the answers")

    pr = sub.add_parser("practice", help="a hands-free mock interview through the microphone")
    pr.add_argument("--round", default="mixed", help="hr, hiring-manager or mixed (default)")
    pr.add_argument("--role", help="software engineer, data analyst, project manager, sales")
    pr.add_argument("--questions", type=int, default=5, help="how many questions (default 5)")
    pr.add_argument("--seed", type=int, help="fix the question order")
    pr.add_argument("--retry-weak", action="store_true", help="ask again the questions whose last answer scored lowest")
    pr.add_argument("--input-device", help="input device index or name")
    pr.add_argument("--voice", help="interviewer's espeak-ng voice")
    pr.add_argument("--rate", type=int, default=165, help="interviewer's words per minute")
    session_args(pr, demo=False)
    pr.set_defaults(func=_cmd_practice)

    dm = sub.add_parser("demo", help="a complete three-question interview with recorded answers (no microphone needed)")
    dm.add_argument("--silent", action="store_true", help="do not play audio even if a speaker exists")
    dm.add_argument("--realtime", action="store_true", help="feed the candidate's answers at speaking pace")
    session_args(dm, demo=True)
    dm.set_defaults(func=_cmd_demo)

    h = sub.add_parser("history", help="list past sessions")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=_cmd_history)

    sh = sub.add_parser("show", help="one session: transcripts with evidence, verdicts, scores, tips")
    sh.add_argument("session", type=int)
    sh.set_defaults(func=_cmd_show)

    rp = sub.add_parser("report", help="a self-contained HTML report with charts")
    rp.add_argument("session", type=int, nargs="?")
    rp.add_argument("--all", action="store_true", help="every session")
    rp.add_argument("--out", metavar="FILE.html")
    rp.add_argument("--open", action="store_true", help="open it in the browser")
    rp.set_defaults(func=_cmd_report)

    ex = sub.add_parser("export", help="export all sessions")
    ex.add_argument("--format", choices=("json", "csv", "md"), default="json")
    ex.add_argument("--out", metavar="FILE")
    ex.set_defaults(func=_cmd_export)

    fg = sub.add_parser("forget", help="delete a session (or all) and its audio for good")
    fg.add_argument("session", type=int, nargs="?")
    fg.add_argument("--all", action="store_true")
    fg.set_defaults(func=_cmd_forget)

    d = sub.add_parser("doctor", help="check espeak-ng, PortAudio, devices, the model and both engines")
    d.set_defaults(func=_cmd_doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except VoicecoachError as exc:
        print(f"voicecoach: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("voicecoach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
