#!/usr/bin/env python
"""Benchmark: does biasing Whisper towards a job advert's key terms help it hear them?

Answer sentences that use terms from the test adverts (tests/data/jobs/) and the demo's advert are spoken
by the neural voice and by espeak-ng, then transcribed by each engine twice: as a live answer piece is
(no prompt), and with the job's terms first in the prompt, as voicecoach does with --job. Printed: how
many of the terms come back spelled right (term accuracy) and the word error rate, with and without the
bias; plus the real recording shared/data/speech/hotwords.mp3, whose product name "ComfyUI" is only
heard with the bias.

Usage: .venv/bin/python scripts/bench_bias.py [--engines faster-whisper,openai-whisper]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.wer import word_error_rate  # noqa: E402

from voicecoach.asr import make_transcriber  # noqa: E402
from voicecoach.audio.clip import load_audio  # noqa: E402
from voicecoach.prompts import prompts_dir  # noqa: E402
from voicecoach.tailoring.documents import read_document  # noqa: E402
from voicecoach.tailoring.job import job_profile  # noqa: E402
from voicecoach.tts import make_tts  # noqa: E402

SPEECH = Path(__import__("os").environ.get("VOICECOACH_SPEECH_DIR") or ROOT.parent / "shared" / "data" / "speech")
# (advert, sentence, the terms it uses)
CASES = [
    ("tests/data/jobs/staff_nurse.md",
     "I recorded NEWS2 observations every hour and escalated when the score rose.", ["NEWS2"]),
    ("tests/data/jobs/staff_nurse.md",
     "I reported the fall on Datix the same day and added it to the audit.", ["Datix"]),
    ("tests/data/jobs/staff_nurse.md",
     "I renewed my NMC registration and kept my IV cannulation competency current.", ["NMC", "IV cannulation"]),
    ("tests/data/jobs/staff_nurse.md",
     "Sepsis screening was done within the hour for every patient I admitted.", ["sepsis screening"]),
    ("tests/data/jobs/warehouse_team_leader.txt",
     "We planned the night's labour in the WMS before the first wave dropped.", ["WMS"]),
    ("tests/data/jobs/warehouse_team_leader.txt",
     "I pulled the stock report from SAP EWM and found the missing pallets.", ["SAP EWM"]),
    ("tests/data/jobs/warehouse_team_leader.txt",
     "I ran toolbox talks on manual handling at the start of every shift.", ["toolbox talks"]),
    ("tests/data/jobs/warehouse_team_leader.txt",
     "Both of my reach truck operators renewed their counterbalance licences.", ["counterbalance"]),
    ("demo/job_advert.md",
     "I cached the prices in Redis and moved the reports onto PostgreSQL.", ["Redis", "PostgreSQL"]),
    ("demo/job_advert.md",
     "I profiled the slow endpoints and fixed the query plans behind the payments APIs.", ["APIs"]),
]


def term_hits(text: str, terms: list[str]) -> int:
    """How many of ``terms`` appear in ``text`` spelled as in the advert (case and spacing aside)."""
    norm = re.sub(r"[^a-z0-9]+", "", text.lower())
    return sum(re.sub(r"[^a-z0-9]+", "", t.lower()) in norm for t in terms)


def glossary(path: str) -> str:
    """The prompt prefix voicecoach uses for a job advert: its top terms."""
    file = ROOT / path if path.startswith("tests/") else prompts_dir() / path
    terms = [t.text for t in job_profile(read_document(str(file))).terms[:10]]
    return ", ".join(terms) + "."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="faster-whisper,openai-whisper")
    args = ap.parse_args()
    voices = {"neural": make_tts(), "espeak": make_tts(voice="en-us")}
    clips = {(v, i): tts.synthesize_clip(s) for v, tts in voices.items() for i, (_a, s, _t) in enumerate(CASES)}
    prompts = {a: glossary(a) for a, _s, _t in CASES}
    for engine in args.engines.split(","):
        tr = make_transcriber(engine)
        for voice in voices:
            totals = {"off": [0, 0.0], "on": [0, 0.0]}
            n_terms = sum(len(t) for _a, _s, t in CASES)
            for i, (advert, sentence, terms) in enumerate(CASES):
                for mode, prompt in (("off", None), ("on", prompts[advert])):
                    text = tr.transcribe(clips[(voice, i)], prompt=prompt).text
                    totals[mode][0] += term_hits(text, terms)
                    totals[mode][1] += word_error_rate(sentence, text) / len(CASES)
            print(f"{engine:<15} {voice:<7} terms right: without bias {totals['off'][0]}/{n_terms}, with bias "
                  f"{totals['on'][0]}/{n_terms}; WER {totals['off'][1]:.1%} -> {totals['on'][1]:.1%}")
        refs = json.loads((SPEECH / "transcripts.json").read_text())["hotwords.mp3"]
        clip = load_audio(SPEECH / "hotwords.mp3")
        off = tr.transcribe(clip).text
        on = tr.transcribe(clip, prompt=refs["bias_term"] + ".").text
        print(f"{engine:<15} real recording hotwords.mp3: '{refs['bias_term']}' heard without bias: "
              f"{refs['bias_term'] in off}, with bias: {refs['bias_term'] in on}")


if __name__ == "__main__":
    main()
