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
