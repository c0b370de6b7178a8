"""The argument parser: every command, its arguments and their defaults (shown in ``--help``)."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..asr.engines import DEFAULT_ENGINE, ENGINES
from . import sessions, speech
from .text import text_argument

__all__ = ["build_parser"]

EXIT_CODES = ("exit codes: 0 ok, 1 usage error or doctor failure, 2 bad data file (prompts/), 3 bad audio, "
              "4 audio device or system library missing, 5 speech synthesis failed, 6 model or engine missing, "
              "7 history or output file cannot be written, 129 stopped by SIGHUP (the terminal was closed), "
              "130 interrupted "
              "(Ctrl-C), 143 stopped by SIGTERM; a session stopped by any of these keeps every answer given, the one "
              "in progress as partial")
ENVIRONMENT = ("environment: VOICECOACH_HOME (history and kept audio; default ~/.local/share/voicecoach), "
               "VOICECOACH_CACHE (converted models; default ~/.cache/voicecoach), VOICECOACH_PROMPTS (another "
               "prompts folder), HF_HUB_OFFLINE=1 is always set")


MAX_SESSION_ID = 2**63 - 1
"""SQLite's largest integer: no session number can be larger."""


def _session_id(value: str) -> int:
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a session number (see `voicecoach history`)")
    if int(value) > MAX_SESSION_ID:
        raise argparse.ArgumentTypeError(f"there is no session {value[:30]}{'...' if len(value) > 30 else ''} "
                                         f"(session numbers go up to {MAX_SESSION_ID}; see `voicecoach history`)")
    return int(value)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default said once: added only where the help does not already say it, and never for
    an option that is off or unset by default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 1 (usage error, as the README says) rather than 2 (bad data file)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}. Fix: see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    fmt = _HelpFormatter
    p = _Parser(prog="voicecoach", description="Offline, voice-driven mock interviewer.",
                epilog=f"{EXIT_CODES}. {ENVIRONMENT}.", formatter_class=fmt)
    p.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name: str, help_: str, func):
        sp = sub.add_parser(name, help=help_, description=help_, formatter_class=fmt, epilog=EXIT_CODES + ".")
        sp.set_defaults(func=func)
        return sp

    def engine_args(sp) -> None:
        sp.add_argument("--engine", choices=tuple(ENGINES), default=DEFAULT_ENGINE, help="transcription engine")
        sp.add_argument("--model", help="tiny.en (bundled), a CTranslate2 folder or an openai-whisper .pt")

    t = command("transcribe", "transcribe an audio file (WAV, FLAC, MP3, OGG)", speech.cmd_transcribe)
    t.add_argument("file", help="the recording (WAV, FLAC, MP3 or OGG, any rate)")
    engine_args(t)
    t.add_argument("--prompt", type=text_argument("--prompt"), help="words to prime the decoder with (names, jargon)")
    t.add_argument("--json", action="store_true", help="print one JSON object")

    s = command("say", "speak text aloud, or write it to a WAV file", speech.cmd_say)
    s.add_argument("text", nargs="?", type=text_argument("the text to say"), help="what to say")
    s.add_argument("--out", metavar="FILE.wav", help="write a WAV file instead of playing")
    s.add_argument("--voice", help="a voice from --list-voices (default: the neural voice, else espeak-ng)")
    s.add_argument("--rate", type=int, help="words per minute (default: the voice's natural pace)")
    s.add_argument("--output-device", help="output device number or name (see `voicecoach devices`)")
    s.add_argument("--list-voices", action="store_true", help="list the voices of every installed backend")

    e = command("evaluate", "judge whether an answer suits the HR or the hiring-manager round", speech.cmd_evaluate)
    e.add_argument("audio", nargs="?", metavar="AUDIO_FILE", help="a recorded answer to transcribe")
    e.add_argument("--round", required=True, help="hr or hiring-manager")
    e.add_argument("--text", type=text_argument("--text"), help="the answer as text instead of audio")
    e.add_argument("--question", type=text_argument("--question"), help="the question that was asked")
    engine_args(e)
    e.add_argument("--json", action="store_true", help="print one JSON object")

    q = command("questions", "list the question bank", speech.cmd_questions)
    q.add_argument("--round", help="hr, hiring-manager or mixed (default: all)")
    q.add_argument("--role", type=text_argument("--role"),
                   help="an occupation by any of its names: nurse, RN, lorry driver, chef de partie... "
                   "(default: every question)")
    q.add_argument("--roles", action="store_true", help="list the occupations and the names each answers to")
    q.add_argument("--json", action="store_true", help="print JSON")

    def session_args(sp) -> None:
        sp.add_argument("--feedback", choices=("spoken", "screen", "end"), default="spoken",
                        help="spoken: verdict and top tip aloud; screen: on screen only; end: summary only")
        sp.add_argument("--end-silence", type=float, metavar="SECONDS",
                        help="a fixed silence that ends every answer (default: judged at each pause: about 0.8 s after "
                             "a finished answer, up to 4.5 s after a sentence left hanging; prompts/turns.toml)")
        sp.add_argument("--max-answer", type=float, default=180.0, metavar="SECONDS", help="longest answer")
        sp.add_argument("--follow-ups", type=int, choices=(0, 1, 2), default=1,
                        help="follow-up probes per question when an answer misses what its round needs")
        sp.add_argument("--job", metavar="FILE", help="a job advert (text, Markdown or PDF; - for standard input): "
                        "its key terms shape the questions, the transcription and the feedback")
        sp.add_argument("--output-device", help="output device number or name (see `voicecoach devices`)")
        sp.add_argument("--voice", help="interviewer's voice (see `voicecoach say --list-voices`)")
        engine_args(sp)
        sp.add_argument("--json-out", metavar="FILE", help="write the whole session as JSON (docs/session.schema.json)")
        sp.add_argument("--no-keep-audio", action="store_true", help="keep no recording of the answers")

    pr = command("practice", "a hands-free mock interview through the microphone", sessions.cmd_practice)
    pr.add_argument("--round", default="mixed", help="hr, hiring-manager or mixed")
    pr.add_argument("--role", type=text_argument("--role"),
                    help="your occupation, by the name you use (nurse, RN, HGV driver, line cook...; "
                    "`voicecoach questions --roles` lists them; default: generic questions only)")
    pr.add_argument("--questions", type=int, default=5, help="how many questions (1-60)")
    pr.add_argument("--seed", type=int, help="fix the question order")
    pr.add_argument("--retry-weak", action="store_true", help="ask again the questions whose last answer scored lowest")
    pr.add_argument("--intro", choices=("auto", "full", "short", "none"), default="auto",
                    help="the spoken introduction: auto is full the first time, short after")
    pr.add_argument("--input-device", help="input device number or name (see `voicecoach devices`)")
    pr.add_argument("--rate", type=int, help="interviewer's words per minute (default: the voice's natural pace)")
    pr.add_argument("--typed", action="store_true", help="type your answers instead of speaking them (no microphone "
                    "needed; the questions are still spoken when there is a speaker)")
    pr.add_argument("--cv", metavar="FILE", help="your CV (text, Markdown or PDF): questions about your roles, and "
                    "hiring-manager questions on the skills it shares with the job")
    session_args(pr)

    dm = command("demo", "a complete three-question interview with recorded answers (no microphone needed)",
                 sessions.cmd_demo)
    dm.add_argument("--silent", action="store_true", help="do not play audio even if a speaker exists")
    dm.add_argument("--realtime", action="store_true", help="feed the candidate's answers at speaking pace")
    session_args(dm)

    w = command("web", "practise in the browser: a local page with the same interviewer (prints its link first)",
                sessions.cmd_web)
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (anything but 127.0.0.1 or localhost "
                   "lets other machines reach the page, with the token)")
    w.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free port)")
    w.add_argument("--no-open", action="store_true", help="do not open the browser (the link is printed first)")

    h = command("history", "list past sessions", sessions.cmd_history)
    h.add_argument("--json", action="store_true", help="print JSON")

    sh = command("show", "one session: transcripts with evidence, verdicts, scores, tips", sessions.cmd_show)
    sh.add_argument("session", type=_session_id, help="a session number from `voicecoach history`")

    rp = command("report", "a self-contained HTML report with charts", sessions.cmd_report)
    rp.add_argument("session", type=_session_id, nargs="?", help="a session number (default: the latest)")
    rp.add_argument("--all", action="store_true", help="every session")
    rp.add_argument("--out", metavar="FILE.html",
                    help="where to write it (default: reports/voicecoach-report-N.html in the data folder)")
    rp.add_argument("--open", action="store_true", help="open it in the browser")

    ex = command("export", "export all sessions", sessions.cmd_export)
    ex.add_argument("--format", choices=("json", "csv", "md"), default="json", help="JSON, CSV or Markdown")
    ex.add_argument("--out", metavar="FILE", help="default: standard output")

    fg = command("forget", "delete a session (or all) and its audio for good", sessions.cmd_forget)
    fg.add_argument("session", type=_session_id, nargs="?", help="a session number from `voicecoach history`")
    fg.add_argument("--all", action="store_true", help="every session")
    fg.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed when not on a terminal)")

    command("devices", "list the audio devices, with the numbers and names the device options take", speech.cmd_devices)

    d = command("doctor", "check speech output, PortAudio, devices, the model, the engines, prompts and history",
                speech.cmd_doctor)
    d.add_argument("--engine", choices=("all", *ENGINES), default=DEFAULT_ENGINE,
                   help="which engines to load and check (the others are only checked as installed)")
    return p


