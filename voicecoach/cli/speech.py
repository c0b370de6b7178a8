"""Commands about speech and answers: transcribe, say, devices, doctor, evaluate, questions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError
from .output import print_json
from .output import progress as _progress
from .output import write_text as _write_text  # noqa: F401


# -- speech in, speech out ------------------------------------------------------------------------
def cmd_transcribe(args) -> int:
    from ..asr import DecodeOptions, english_doubt, make_transcriber
    from ..audio.clip import open_audio

    clip = open_audio(args.file)  # read a block at a time: a recording of hours never sits in memory whole
    transcriber = make_transcriber(args.engine, args.model, DecodeOptions(prompt=args.prompt), progress=_progress)
    transcriber.progress = _progress  # a line per 30 s window of a long file
    result = transcriber.transcribe(clip)
    doubt = english_doubt(result)
    if doubt:
        _progress(f"voicecoach: note: {doubt}")
    if args.json:
        print_json(result.to_dict())
    else:
        from ..history.render import inert

        print(inert(result.text) if not result.no_speech else "(no speech found)")
        _progress(f"[{result.engine} {result.model}, {result.duration_s:.1f} s of audio, {len(result.words)} words]")
    return 0


def cmd_say(args) -> int:
    from ..tts import list_voices, make_tts

    if args.list_voices:
        for v in list_voices():
            print(f"{v.name:<24} {v.backend:<8} {v.description}")
        return 0
    if not (args.text or "").strip():
        raise UsageError("nothing to say", 'give the text: voicecoach say "Tell me about yourself."')
    if args.out:
        from .files import check_writable, write_wav

        check_writable(Path(args.out), ".wav")  # a missing folder is said before seconds of synthesis, not after
        tts = make_tts(voice=args.voice, rate_wpm=args.rate)
        out = write_wav(Path(args.out), tts.synthesize_clip(args.text))
        _progress(f"wrote {out}")
        return 0
    from ..audio.snd import SounddevicePlayer
    from ..errors import NoAudioDevice

    player = SounddevicePlayer(args.output_device)
    try:
        player.check()  # before the voice loads: a device that does not match is named with those there are
    except NoAudioDevice as exc:
        if args.output_device is not None:
            raise
        raise NoAudioDevice(f"no audio output device can be used ({exc.message})",
                            "connect a speaker (see `voicecoach devices`), or write the speech to a file instead: "
                            f"voicecoach say {json.dumps(args.text, ensure_ascii=False)} --out FILE.wav") from None
    tts = make_tts(voice=args.voice, rate_wpm=args.rate)
    player.play_stream(tts.stream(args.text))
    return 0


def cmd_devices(args) -> int:
    from ..audio.devices import list_devices

    devices = list_devices()
    if not devices:
        print("No audio devices found. Connect a microphone or speaker, or start PulseAudio (pulseaudio --start); "
              "`voicecoach demo` needs neither.")
        return 0
    for d in devices:
        print(f"{d.index:>3}  {d.kind:<7} {'*' if d.default else ' '} {d.name}")
    print("(* marks the default; give --input-device/--output-device the number or a part of the name)",
          file=sys.stderr)
    return 0


def cmd_doctor(args) -> int:
    from .doctor import run_checks

    checks = run_checks(progress=_progress, engines=args.engine)
    failed_required = False
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.required or c.device else "warn")
        print(f"[{mark}] {c.name}: {c.detail}")
        if not c.ok:
            print(f"       fix: {c.fix}")
            failed_required |= c.required
    if failed_required:
        print("Some required pieces are missing (see FAIL above).")
        return 1
    missing = [c.name.split(" (")[0] for c in checks if c.device and not c.ok]
    if missing:
        print(f"voicecoach cannot hold a spoken interview here: no {' and no '.join(missing)} can be used (see "
              "above). `voicecoach demo` and `voicecoach practice --typed` work without them.")
        return 4
    print("voicecoach is ready.")
    return 0


# -- judging answers ------------------------------------------------------------------------------
def cmd_evaluate(args) -> int:
    from ..history.render import evaluation_lines, inert
    from ..rules.evaluate import evaluate, normalize_round

    rnd = normalize_round(args.round)
    if (args.text is None) == (args.audio is None):
        raise UsageError("give the answer either as --text or as an audio file, not both or neither",
                         'voicecoach evaluate --round hr --text "..."  or  voicecoach evaluate --round hr answer.wav')
    if args.text is not None and not any(ch.isalnum() for ch in args.text):
        raise UsageError("--text holds no words" + (" (it is blank)" if not args.text.strip() else ""),
                         'give the answer to judge: voicecoach evaluate --round hr --text "I led a team of ..."')
    if args.question is not None and not any(ch.isalnum() for ch in args.question):
        raise UsageError("--question holds no words", "give the question that was asked, or leave out --question")
    words = None
    if args.audio is not None:
        from ..asr import english_doubt, make_transcriber
        from ..audio.clip import open_audio
        from ..errors import EmptyAudio, UnreadableAudio

        clip = open_audio(args.audio)
        transcriber = make_transcriber(args.engine, args.model, progress=_progress)
        transcriber.progress = _progress
        result = transcriber.transcribe(clip)
        doubt = english_doubt(result)
        if result.no_speech:
            if doubt:
                raise UnreadableAudio(f"{doubt}, so {args.audio} cannot be judged",
                                      "answer in English, or check the recording") from None
            raise EmptyAudio(f"no speech found in {args.audio}",
                             "check the microphone level and record the answer again")
        if doubt:
            _progress(f"voicecoach: note: {doubt}")
        text, words = result.text, [(w.word, w.start_s, w.end_s) for w in result.words]
    else:
        text = args.text
    ev = evaluate(text, rnd, question=args.question, words=words)
    if args.json:
        print_json(ev.to_dict())
        return 0
    if ev.question:
        print(f"Question: {inert(ev.question)}")
    for line in evaluation_lines(ev, inert(ev.transcript) or "(nothing said)", both_rounds=True):
        print(line)
    return 0


def cmd_questions(args) -> int:
    from ..questions.bank import SECTORS, default_bank, select_questions
    from ..rules.evaluate import normalize_round

    bank = default_bank()
    if args.roles:
        occupations = sorted(bank.occupations.values(), key=lambda o: (SECTORS.index(o.sector), o.title))
        if args.json:
            print_json([o.to_dict() for o in occupations])
            return 0
        sector = None
        for o in occupations:
            if o.sector != sector:
                sector = o.sector
                print(f"\n{sector}")
            n = sum(q.role == o.id for q in bank.questions)
            print(f"  {o.title} ({n} questions; --role {o.id!r}): {', '.join(o.aliases)}")
        print(f"{len(occupations)} occupations; --role takes any of these names", file=sys.stderr)
        return 0
    rnd = None if args.round in (None, "mixed") else normalize_round(args.round)
    qs = select_questions(bank, rnd, args.role)
    if args.json:
        print_json([q.to_dict() for q in qs])
        return 0
    for q in qs:
        print(f"{q.id:<34} {q.round.replace('_', '-'):<15} {q.role:<18} {q.text}")
    print(f"{len(qs)} questions", file=sys.stderr)
    return 0
