"""Commands about sessions: practice, demo, web, history, show, report, export, forget."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError, VoicecoachError
from ..interrupts import exit_code
from .output import last_words, print_json, stopped_line, unicode_stdout, use_color
from .output import progress as _progress
from .output import write_text as _write_text


# -- sessions -------------------------------------------------------------------------------------
def _settings(args, mode: str):
    from ..app.settings import PracticeSettings

    if args.json_out:  # a folder, a device or a FIFO is refused before the session, not after its first answer
        from ..history.writing import resolve_target

        resolve_target(Path(args.json_out), what="the --json-out file",
                       elsewhere="give --json-out a file name, e.g. --json-out ~/session.json")
    return PracticeSettings(
        round=getattr(args, "round", "mixed"), role=getattr(args, "role", None),
        questions=getattr(args, "questions", 5), seed=getattr(args, "seed", None),
        retry_weak=getattr(args, "retry_weak", False), feedback=args.feedback, end_silence_s=args.end_silence,
        max_answer_s=args.max_answer, follow_ups=args.follow_ups, intro=getattr(args, "intro", "auto"),
        engine=args.engine, model=args.model, voice=args.voice, rate_wpm=getattr(args, "rate", None),
        input_device=getattr(args, "input_device", None), output_device=args.output_device,
        json_out=args.json_out, keep_audio=not args.no_keep_audio, mode=mode, job=args.job,
        cv=getattr(args, "cv", None))


def _run_interview(interview, json_out) -> int:
    recorder = interview.recorder

    def kept() -> str:
        record = recorder.record
        answered = sum(a.answered for a in record.answers)
        if recorder.storage_error is not None:  # the history or --json-out failed: say where it all went
            places = [p for p in (f"session {record.id} in `voicecoach history`" if recorder.in_history else "",
                                  f"in {recorder.fallback}" if recorder.fallback else "") if p]
            return f"{answered} answer(s) kept ({' and '.join(places) or 'nowhere: no writable place was found'})"
        places = [p for p in (f"session {record.id} in `voicecoach history`" if record.id else "",
                              str(json_out) if json_out else "") if p]
        return f"{answered} answer(s) kept" + (f" ({' and '.join(places)})" if places else "")

    try:
        record = interview.run()
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP (voicecoach.interrupts)
        during = (" during the summary; the interview was over" if recorder.record.status in ("completed", "stopped")
                  else "")
        last_words(f"\nvoicecoach: {stopped_line(exc)}{during}; {kept()}")
        return exit_code(exc)
    except VoicecoachError as exc:
        last_words(f"\nvoicecoach: error: {exc.one_line()}; {kept()}")
        return exc.exit_code
    if recorder.storage_error is not None:
        err = recorder.storage_error
        print(f"voicecoach: error: {err.message}; {kept()}. Fix: {err.fix}", file=sys.stderr)
        return err.exit_code
    if json_out:
        _progress(f"session written to {json_out}")
    return 0 if record.status in ("completed", "stopped") else 1


def cmd_practice(args) -> int:
    from ..app.session import build_practice
    from ..errors import UnknownRole
    from .view import make_view

    typed = None
    if args.typed:
        from .typing import TerminalInput

        typed = TerminalInput()
    try:
        settings = _settings(args, "typed" if typed else "practice")
    except UnknownRole as exc:
        if not _confirm_generic(exc):
            raise
        args.role = None
        settings = _settings(args, "typed" if typed else "practice")
    interview = build_practice(settings, [make_view()], progress=_progress, typed=typed)
    return _run_interview(interview, args.json_out)


def _confirm_generic(exc) -> bool:
    """An unknown role: name the closest occupations and, on a terminal, offer the generic questions."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    close = ", ".join(o.title for o in exc.closest)
    print(f"voicecoach: {exc.message}." + (f" The closest: {close}." if close else ""), file=sys.stderr)
    reply = input("Practise with the generic questions instead? [y/N] ").strip().lower()
    return reply in ("y", "yes")


def cmd_demo(args) -> int:
    from ..app.session import build_demo
    from .view import make_view

    interview = build_demo(_settings(args, "demo"), [make_view()], silent=args.silent, realtime=args.realtime,
                           progress=_progress)
    return _run_interview(interview, args.json_out)


def cmd_web(args) -> int:
    from ..web.serve import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}", "e.g. --port 8765")
    return serve(args.host, args.port, open_browser=not args.no_open)


def cmd_history(args) -> int:
    from ..history.render import SESSION_HEADER, session_row
    from ..history.store import open_store

    sessions = open_store(read_only_ok=True).sessions()
    if args.json:
        print_json([s.to_json(answers=False) for s in sessions])
        return 0
    if not sessions:
        print("No sessions yet. Run `voicecoach practice` (or `voicecoach demo`).")
        return 0
    print(SESSION_HEADER)
    for s in sessions:
        print(session_row(s))
    return 0


def cmd_show(args) -> int:
    from ..history.render import (
        ROUND,
        answer_heading,
        evaluation_lines,
        highlight_terminal,
        insights_lines,
        session_row,
        summary_lines,
    )
    from ..history.store import open_store

    store = open_store(read_only_ok=True)
    s = store.session(args.session)
    color = use_color(sys.stdout)  # NO_COLOR and TERM=dumb honoured
    print(session_row(s))
    for a in s.answers:
        print(f"\n{answer_heading(a)}")
        if not a.evaluation:
            continue
        for line in (evaluation_lines(a.evaluation, highlight_terminal(a.transcript, a.evaluation, color))
                     + insights_lines(a)):
            print(("  " + line).rstrip())
        others = [t for t in store.answers(question_id=a.question_id) if t.evaluation]
        if len(others) > 1:
            print("  attempts at this question:")
            for t in others:
                here = " <- this one" if (t.session_id, t.index) == (a.session_id, a.index) else ""
                print(f"    session {t.session_id:>3}  {(t.created_at or '')[:16].replace('T', ' ')}  "
                      f"HR {t.evaluation.scores['hr']:>3}  HM {t.evaluation.scores['hiring_manager']:>3}  "
                      f"suits {ROUND[t.evaluation.suits]}{here}")
    print()
    for line in summary_lines(s.summary):
        print(line)
    return 0


def cmd_report(args) -> int:
    from ..history.report import render_html
    from ..history.store import open_store

    store = open_store(read_only_ok=True)
    all_sessions = store.sessions()
    if not all_sessions:
        raise VoicecoachError("there is nothing to report yet", "run `voicecoach practice` or `voicecoach demo` first")
    if args.session is not None and args.all:
        raise UsageError("give a SESSION or --all, not both", "voicecoach report 3  or  voicecoach report --all")
    chosen = ([store.session(args.session)] if args.session is not None
              else all_sessions if args.all else [all_sessions[-1]])
    default = store.root / "reports" / f"voicecoach-report-{'all' if args.all else chosen[0].id}.html"
    if args.out is None:
        try:
            default.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from ..history.storage import cannot_write

            raise cannot_write(default.parent, exc, what="the reports folder",
                               elsewhere="write it elsewhere: voicecoach report --out ~/report.html") from None
    out = _write_text(args.out or default, render_html(chosen, all_sessions)).resolve()
    print(f"wrote {out}" + ("" if args.open else " (open it in a browser, or add --open)"))
    if args.open:
        import webbrowser

        if not webbrowser.open(out.resolve().as_uri()):
            _progress("(no browser found to open it)")
    return 0


def cmd_export(args) -> int:
    from ..history.export import export
    from ..history.store import open_store

    sessions = open_store(read_only_ok=True).sessions()
    if args.out:
        from .files import check_writable

        check_writable(Path(args.out), f".{args.format}", elsewhere="leave out --out to print the export, or give "
                       f"--out a file in a folder you can write to, e.g. --out ~/history.{args.format}")
    text = export(sessions, args.format)
    if args.out:
        _write_text(args.out, text)
        _progress(f"wrote {args.out} ({len(sessions)} sessions)")
    elif args.format == "json" and not unicode_stdout():  # an ASCII locale: escaped, so nothing is lost
        print_json([s.to_json() for s in sessions])
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_forget(args) -> int:
    from ..history.store import open_store

    if (args.session is None) == (not args.all):
        raise UsageError("give a SESSION or --all", "voicecoach forget 3  or  voicecoach forget --all")
    store = open_store()
    if args.session is not None:
        s = store.session(args.session)  # a clear error if it does not exist
        what = (f"session {s.id} ({s.started_at[:16].replace('T', ' ')}, {s.summary.answered} answer(s)) "
                "and its recordings")
    else:
        n = len(store.sessions())
        what = f"all {n} session(s) and every recording"
    if not args.yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(f"forget deletes {what} for good, so it asks first, and there is no terminal to ask on",
                             "add --yes to confirm: voicecoach forget " + ("--all" if args.all else str(args.session))
                             + " --yes")
        reply = input(f"Delete {what} for good? This cannot be undone. [y/N] ").strip().lower()
        if reply not in ("y", "yes"):
            print("kept everything")
            return 0
    n = store.forget(args.session)
    print(f"forgot {n} session(s) and their audio")
    return 0
