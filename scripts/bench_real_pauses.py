#!/usr/bin/env python
"""Pauses inside a sentence in real voices: how the end-of-turn judgement hears real speech cut mid-sentence.

Every other turn-taking figure comes from synthetic voices (scripts/bench_turns.py), and the voice model, Whisper's
doubt and the words may hear a real voice otherwise. No recording of a person pausing in the middle of a sentence is
at hand, but ../shared/data/real_speech holds 45 real utterances with their transcripts, mostly one read sentence each.
Each is cut after every word from the second to the last but one, at the quietest moment before the next word and
checked by decoding (tests/support/pauses.cut_times, as the synthetic answers are cut): the speech up to the cut is
what a session would have heard had the speaker stopped there, their voice still carrying the sentence on. The whole
utterance is the finished answer.

Each point is judged as a session judges a pause: the piece decoded by the live decoder (its text and how sure Whisper
was of its full stop), Smart Turn on the piece followed by ``voice_silence_s`` of silence, and the words. Two views:
  * the rule that catches a sentence left hanging (a dangling word or a voice trailing off, the voice under its bar,
    a doubted full stop): which of them catches each cut, and how many cuts none catches;
  * the silence the shipped judgement chooses as if the pause came after a minute of answer (60 words said before:
    these utterances are single sentences, and an answer that short waits longer whatever it ends on).
A cut none of the rule catches is cut off at a 2-4 s pause in a long answer unless the combination is unsure. A cut
the recogniser did not hear as written (the last word heard is not the reference's) is counted apart: it tells more
about the cutting than about the judgement.

Usage: .venv/bin/python scripts/bench_real_pauses.py
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

from bench_turns import DOUBT_BARS, _as_piece, _followed  # noqa: E402
from support.pauses import bare, cut_times, sounding  # noqa: E402

from voicecoach.audio.endpoint import EndOfTurn, turn_rules  # noqa: E402
from voicecoach.rules.embed import cache_dir  # noqa: E402

RATE = 16000
FOLDER = ROOT.parent / "shared" / "data" / "real_speech"
VERSION = "cut at the quiet, checked; one piece"
"""How the points are made; a new value makes them again (cached under ~/.cache/voicecoach/real_pauses)."""
SKIP = {
    "picovoice-leopard_diarization_test.wav": "three speakers, several sentences, no punctuation",
    "lhotse_librispeech_2412-153948-0000.flac": "several sentences with no punctuation",
    "lhotse_ami_ES2011a.Headset-0-40s-46s.wav": "two sentences with no punctuation",
    "pocketsphinx_goforward.wav": "a command, not a sentence",
    "pocketsphinx_cards_001.wav": "card names", "pocketsphinx_cards_002.wav": "card names",
    "pocketsphinx_cards_003.wav": "card names", "pocketsphinx_cards_004.wav": "card names",
    "pocketsphinx_cards_005.wav": "card names",
}
NOT_ENDED = {"coqui-tts_LJ001-0004.flac", "coqui-tts_LJ001-0006.flac", "coqui-tts_LJ001-0007.flac"}
"""Clips that stop at a comma: their cuts are inside a sentence, but their end is no finished answer."""
ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "st."}
CONTEXT = ("I've been doing this work for about six years now, mostly in busy teams where things change from one "
           "week to the next. I like a job where I can see the difference I make, and I get on well with people. ") * 2
"""Sixty words said before the pause, for the view "after a minute of answer"."""


def _kind(word: str) -> str:
    """What follows the reference's word: ``between`` (a sentence ends), ``comma`` or ``mid``."""
    if word.endswith((".", "!", "?")) and word.lower() not in ABBREVIATIONS:
        return "between"
    return "comma" if word.endswith((",", ";", ":")) else "mid"


def points_of(entry: dict, aligner, live, eot: EndOfTurn) -> list[dict]:
    """The cuts of one recording and its end, judged as a session would hear them (cached)."""
    from voicecoach.audio.clip import AudioClip, load_audio

    folder = cache_dir() / "real_pauses"
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha1(f"{VERSION}\n{entry['file']}\n{entry['text']}".encode()).hexdigest()[:16]
    path = folder / f"{key}.json"
    if path.is_file():
        return json.loads(path.read_text())
    clip = load_audio(FOLDER / entry["file"])
    written = entry["text"].split()
    words = list(aligner.transcribe(clip).words)
    out = []

    def judged(samples: np.ndarray, kind: str, n: int) -> dict:
        piece = _as_piece(samples, sounding(samples), 0, len(samples))  # its speech with the VAD's padding
        t = live.transcribe(AudioClip(piece, RATE))
        heard = [w for w in map(bare, t.text.split()) if w]
        return {"file": entry["file"], "kind": kind, "n": n, "text": t.text, "ending": t.ending,
                "voice": eot.voice(_followed(piece, eot.rules.voice_silence_s)),
                "as_written": bool(heard) and heard[-1] == bare(written[n - 1])}

    for n in range(2, len(written)):
        cut = cut_times(clip, written, [n], aligner, live, np.zeros(0, np.float32), words=words)[0]
        out.append(judged(clip.samples[:int(cut * RATE)], _kind(written[n - 1]), n))
    if entry["file"] not in NOT_ENDED:
        out.append(judged(clip.samples, "end", len(written)))
    path.write_text(json.dumps(out))
    return out


def real_points() -> list[dict]:
    """Every cut and end of the usable recordings."""
    from voicecoach.asr import LIVE_OPTIONS, DecodeOptions, make_transcriber

    entries = [json.loads(line) for line in (FOLDER / "transcripts.jsonl").read_text().splitlines() if line]
    live = make_transcriber("faster-whisper", options=LIVE_OPTIONS)
    aligner = make_transcriber("faster-whisper", options=DecodeOptions())
    eot = EndOfTurn()
    return [p for e in entries if e["file"] not in SKIP for p in points_of(e, aligner, live, eot)]


def hanging_by(p: dict, rules) -> str:
    """Which part of the rule for a sentence left hanging catches the point ("" when none does, or the words close
    the answer)."""
    eot = EndOfTurn(rules, use_voice=False)
    doubted = p["ending"] is not None and p["ending"] < rules.full_stop_doubted_below
    w = eot.words(p["text"], mark_doubted=doubted)
    if w["dangling"]:
        return "words"
    if w["closing"]:
        return ""
    if p["voice"] is not None and p["voice"] < rules.voice_incomplete_below:
        return "voice"
    return "doubt" if doubted else ""


def silence_after_a_minute(p: dict, rules) -> float:
    """The silence the shipped judgement chooses at this point, as if sixty words had been said before it."""
    eot = EndOfTurn(rules)
    return rules.silence_for(eot.likelihood(None, CONTEXT + p["text"], voice=p["voice"], ending=p["ending"]))


def doubt_sweep(points: list[dict], rules) -> dict[float, tuple[int, int]]:
    """For each bar of Whisper's doubt (the shipped rules otherwise): how many finished recordings the doubt alone keeps
    waiting, and how many cuts inside a sentence (heard as written) would end a long answer at 0.8 s."""
    ends = [p for p in points if p["kind"] == "end"]
    inside = [p for p in points if p["kind"] in ("mid", "comma") and p["as_written"]]
    out = {}
    for bar in DOUBT_BARS:
        r = replace(rules, full_stop_doubted_below=bar)
        out[bar] = (sum(hanging_by(p, r) == "doubt" for p in ends),
                    sum(silence_after_a_minute(p, r) == r.finished_silence_s for p in inside))
    return out


def main() -> None:
    t0 = time.time()
    points = real_points()
    rules = turn_rules()
    files = {p["file"] for p in points}
    print(f"{len(points)} points from {len(files)} real recordings ({time.time() - t0:.0f} s); skipped: "
          + "; ".join(f"{f} ({why})" for f, why in SKIP.items()))
    for kind in ("mid", "comma", "between", "end"):
        ps = [p for p in points if p["kind"] == kind]
        ok = [p for p in ps if p["as_written"]]
        if not ps:
            continue
        q = np.quantile([p["voice"] for p in ok], [0.1, 0.5, 0.9]) if ok else [float("nan")] * 3
        e = [p["ending"] for p in ok if p["ending"] is not None]
        print(f"  {kind:<8}: {len(ps)} points, {len(ok)} heard as written; Smart Turn 10%/50%/90% at "
              f"{q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}; {len(e)} end on a full stop (Whisper's certainty median "
              f"{statistics.median(e) if e else float('nan'):.2f})")
    inside = [p for p in points if p["kind"] in ("mid", "comma") and p["as_written"]]
    ends = [p for p in points if p["kind"] == "end"]
    print("\nThe rule for a sentence left hanging, as shipped (what catches each point: the words, the voice, "
          "Whisper's doubt; none):")
    for name, ps in (("inside a sentence", inside), ("finished (the end)", ends)):
        by = [hanging_by(p, rules) for p in ps]
        print(f"  {name:<19}: " + ", ".join(f"{k or 'none'} {by.count(k)}" for k in ("words", "voice", "doubt", ""))
              + f" of {len(ps)}")
    print("\nThe silence chosen as if after a minute of answer (0.8 s: a 2-4 s pause is cut; 3 s: a 3-4 s one is):")
    for name, ps in (("inside a sentence", inside), ("finished (the end)", ends)):
        s = [silence_after_a_minute(p, rules) for p in ps]
        print(f"  {name:<19}: " + " / ".join(f"{s.count(x)} at {x} s" for x in sorted(set(s))))
    print("\nWhisper's doubt about its full stop, by bar (the shipped rule otherwise): pauses inside a sentence ended "
          "at 0.8 s after a minute; finished utterances waiting 4.5 s for the doubt alone:")
    for bar, (held, cut) in doubt_sweep(points, rules).items():
        print(f"  below {bar:<4}: {cut} of {len(inside)} inside a sentence; {held} of {len(ends)} finished"
              f"{'  (turns.toml)' if bar == rules.full_stop_doubted_below else ''}")
    print("\nthe cuts inside a sentence that would end a long answer at 0.8 s:")
    for p in inside:
        if silence_after_a_minute(p, rules) == rules.finished_silence_s:
            print(f"  {p['file'][:34]:<34} voice {p['voice']:.2f} full stop "
                  f"{'-' if p['ending'] is None else format(p['ending'], '.2f')}: {p['text']!r}")


if __name__ == "__main__":
    main()
