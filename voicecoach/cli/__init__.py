"""The command line: parses arguments, prints, and turns errors into exit codes. Nothing else.

The only package that knows about the terminal. ``parser.py`` defines the arguments, ``speech.py`` and
``sessions.py`` the commands, ``view.py`` the live interview screen, ``doctor.py`` the checks, ``files.py``
writing the files a user names, ``output.py`` progress lines and a standard output that fails cleanly,
``text.py`` text arguments in any locale; this module runs them and maps errors to exit codes. A front end
over ``voicecoach.app``: it may import every package below it.

Domain errors (``voicecoach.errors``) become a one-line message on stderr and their exit code here.
SIGTERM and SIGHUP stop voicecoach as Ctrl-C does (``voicecoach.interrupts``), with exit codes 143 and 129.
Heavy libraries are imported inside the commands so ``voicecoach --help`` stays fast; the work
itself is done by ``voicecoach.app`` and the pipeline modules.
"""

from __future__ import annotations

import sys
import warnings

from ..errors import VoicecoachError, VoicecoachWarning
from ..interrupts import exit_code, stop_on_signals
from .output import OutputFailed, guard_stdout, last_words, silence_stdout, stopped_line
from . import text
from .parser import ENVIRONMENT, EXIT_CODES, build_parser

__all__ = ["main", "build_parser", "EXIT_CODES", "ENVIRONMENT"]


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=warnings.showwarning):
    """voicecoach's own warnings (a way forward was taken) as one line; others as Python shows them."""
    if issubclass(category, VoicecoachWarning):
        print(f"voicecoach: warning: {message}", file=sys.stderr, flush=True)
    else:
        _default(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    stdout = sys.stdout
    try:
        try:
            guard_stdout()
        except OutputFailed as exc:
            last_words(f"voicecoach: error: {exc.one_line()}")
            return exc.exit_code
        stop_on_signals()
        args = build_parser().parse_args(argv)
        warnings.showwarning = _show_warning
        for note in text.notes:
            last_words(f"voicecoach: note: {note}")
        text.notes.clear()
        code = args.func(args)
        sys.stdout.flush()  # a full or closed output is found here, not by the interpreter at exit
        return code
    except OutputFailed as exc:
        silence_stdout()
        last_words(f"voicecoach: error: {exc.one_line()}")
        return exc.exit_code
    except VoicecoachError as exc:
        last_words(f"voicecoach: error: {exc.one_line()}")
        return exc.exit_code
    except KeyboardInterrupt as exc:
        last_words(f"voicecoach: {stopped_line(exc)}")
        return exit_code(exc)
    except BrokenPipeError:
        silence_stdout()
        return 141
    finally:
        if stdout is not None:
            sys.stdout = stdout
