#!/usr/bin/env python
"""Drive `voicecoach practice` through a real sound server, the way a person would.

PulseAudio is started with two null sinks: `vc_speaker` is the interviewer's speaker and the
monitor of `vc_mic` is the interviewer's microphone. `voicecoach practice` runs against them in its
own process. This process is the candidate: it listens to the speaker's monitor, transcribes what
the interviewer says, waits for each question to end, and answers by playing TTS-rendered speech
into `vc_mic`. The scenario: "repeat the question" before the first answer (which has a thinking
pause inside), "skip" on the second question, a plain answer to the third.

Usage: .venv/bin/python scripts/practice_harness.py [--answer-seconds 15|60] [--runs N] [--keep DIR]
Prints the session's verdicts, transcripts' word error rates, the commands obeyed and the measured
latency (end of candidate speech to start of spoken feedback, minus the end-of-answer silence).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.virtual_audio import VirtualAudio  # noqa: E402

END_SILENCE_S = 2.5

SHORT = [
    "In my last team I organised our knowledge sharing sessions and I mentored two new colleagues. "
    "<pause 1.6> I care about honest feedback and respect, and your values of transparency are why I applied. "
    "I want to grow with this company for the long term.",
    None,  # skipped
    "Our checkout service was slow, so I profiled it and found one database query ran eleven times per request. "
    "I added a cache and rewrote two queries to use an index. Response time dropped by eighty percent.",
]
LONG_EXTRA = [
    " Before that I worked in customer service for four years, and the skills I built there travel with me: "
    "staying calm under pressure, explaining things clearly, and being patient with people who are upset. "
    "I think those skills fit a culture that puts customers first. When I joined my current team we had a "
    "lot of friction between developers and support, so I set up a weekly meeting where both sides shared "
    "what was hurting them, and within two months the number of escalations went down by half.",
    None,
    " I chose caching instead of a full rewrite because it was lower risk for the release, and I added "
    "monitoring so we could see the hit rate. I also wrote a load test that runs in our continuous "
    "integration pipeline, so a slow query now fails the build before it reaches production. Over the next "
    "quarter the error rate fell by thirty percent and the support team stopped getting complaints about "
    "slow checkout pages during the evening peak.",
]


def _strip_pauses(text: str) -> str:
    return re.sub(r"<pause [\d.]+>", " ", text)


FOLLOW_UP_ANSWER = ("Our checkout service was slow, so I profiled it and found the same database query ran eleven "
                    "times per request. I added a cache in front of the pricing service and rewrote two queries to "
                    "use an index, and I added a load test to our build.")
FOLLOW_UP_RESULT = "Response time dropped by eighty percent, and errors fell by a third."


class Candidate:
    """Listens to the interviewer, answers into the microphone sink."""

    def __init__(self, answers: list[str | None], log, follow_up: str | None = None) -> None:
        from voicecoach.app.demo import render_turn
        from voicecoach.asr import make_transcriber
        from voicecoach.audio.listen import Listener, ListenOptions
        from voicecoach.audio.mic import SounddeviceMicrophone
        from voicecoach.audio.snd import SounddevicePlayer
        from voicecoach.audio.vad import SileroVad
        from voicecoach.tts import candidate_voice

        self.log = log
        voice = candidate_voice()  # the demo candidate's voice: clearly not the interviewer's
        self.clips = {"repeat": render_turn(voice, "Repeat the question."), "skip": render_turn(voice, "Skip.")}
        self.answers = [render_turn(voice, a) if a else None for a in answers]
        self.answer_texts = [_strip_pauses(a) if a else None for a in answers]
        self.follow_up = render_turn(voice, follow_up) if follow_up else None
        self.follow_up_text = follow_up
        self.probes_heard: list[str] = []
        self.asr = make_transcriber("faster-whisper")
        # 1.5 s of silence before the candidate treats the interviewer as finished: in a CPU-loaded CI
        # run a playback gap split a question, the candidate spoke while voicecoach was still
        # talking, and voicecoach (rightly) ignored it.
        self.listener = Listener(SileroVad(), ListenOptions(segment_silence_s=1.5, long_segment_s=1e9,
                                                            prompt_after_s=1e9))
        self.mic = SounddeviceMicrophone()
        self.player = SounddevicePlayer()
        self.heard: list[tuple[float, str]] = []
        self.latencies: list[float] = []
        self._answer_end: float | None = None
        self._speech_start: float | None = None
        self._lock = threading.Lock()

    def _say(self, samples: np.ndarray) -> float:
        """Play ``samples``; returns when the speech in them ended (monotonic clock)."""
        from voicecoach.audio.clip import AudioClip

        time.sleep(0.4)
        loud = np.flatnonzero(np.abs(samples) > 0.02 * np.abs(samples).max())
        trailing_s = (len(samples) - loud[-1]) / 16000 if len(loud) else 0.0
        self.player.play(AudioClip(samples, 16000))
        return time.monotonic() - trailing_s

    def run(self, proc: subprocess.Popen, timeout_s: float) -> None:
        """Follow the scenario until the interviewer's summary or the process ends."""
        from voicecoach.audio.listen import SpeechStarted, UtteranceEnded

        deadline = time.monotonic() + timeout_s
        plan: list[tuple[str, np.ndarray]] = []   # actions to take after the next interviewer utterance
        for chunk in self.mic.chunks():
            now = time.monotonic()
            if proc.poll() is not None or now > deadline:
                return
            for ev in self.listener.feed(chunk):
                if isinstance(ev, SpeechStarted) and self._answer_end is not None:
                    # The first interviewer speech after an answer is the feedback.
                    self.latencies.append(now - self._answer_end - END_SILENCE_S)
                    self.log(f"candidate: feedback began {self.latencies[-1]:+.2f} s after end of speech + silence")
                    self._answer_end = None
                if not isinstance(ev, UtteranceEnded):
                    continue
                text = self.asr.transcribe(ev.utterance.clip).text
                self.heard.append((now, text))
                self.log(f"candidate heard: {text}")
                m = re.search(r"question (\w+),? (?:of|on|off|over|for)\b", text.lower())
                if m:
                    # Whisper tiny hears espeak-ng's "three" as "free" and "two" as "to".
                    n = {"one": 1, "won": 1, "two": 2, "to": 2, "too": 2, "three": 3, "free": 3, "tree": 3,
                         "1": 1, "2": 2, "3": 3}.get(m.group(1))
                    plan = self._plan_for(n)
                if plan:
                    action, samples = plan.pop(0)
                    self.log(f"candidate says: {action}")
                    ended = self._say(samples)
                    if action == "answer":
                        self._answer_end = ended
                    self.mic.discard_pending()
                    self.listener.reset()
                    break
                if self.follow_up is not None and "result" in text.lower() and not self.probes_heard:
                    # The interviewer probed instead of giving feedback: answer the follow-up.
                    self.probes_heard.append(text)
                    self.log("candidate says: follow-up answer")
                    self._answer_end = self._say(self.follow_up)
                    self.mic.discard_pending()
                    self.listener.reset()
                    continue
                if "end of the interview" in text.lower():
                    return

    def _plan_for(self, n: int | None) -> list:
        if self.follow_up is not None:
            return [("answer", self.answers[0])] if n == 1 else []
        if n == 1:
            return [("repeat", self.clips["repeat"]), ("answer", self.answers[0])]
        if n == 2:
            return [("skip", self.clips["skip"])]
        if n == 3:
            return [("answer", self.answers[2])]
        return []


def run_once(answer_seconds: int, workdir: Path, log=print, scenario: str = "commands",
             engine: str = "faster-whisper", intro: str = "full") -> dict:
    """One full scenario; returns the session JSON plus what the candidate measured.

    ``commands``: three HR questions: "repeat" then an answer with a thinking pause, "skip", a plain answer
    (no follow-ups). ``followup``: one hiring-manager question answered without a measured result; the
    interviewer should probe for it and the candidate answers the probe with numbers.
    """
    if scenario == "followup":
        answers, follow_up = [FOLLOW_UP_ANSWER], FOLLOW_UP_RESULT
    else:
        answers = SHORT if answer_seconds <= 20 else [a + b if a else None for a, b in zip(SHORT, LONG_EXTRA)]
        follow_up = None
    json_out = workdir / "session.json"
    with VirtualAudio(("vc_speaker", "vc_mic")) as va:
        vc_env = va.env(sink="vc_speaker", source="vc_mic.monitor")
        vc_env["HF_HUB_OFFLINE"] = "1"
        vc_env.setdefault("VOICECOACH_HOME", str(workdir / "home"))  # keep the user's own history clean
        cmd = [sys.executable, "-m", "voicecoach", "practice", "--json-out", str(json_out), "--end-silence",
               str(END_SILENCE_S), "--intro", intro, "--engine", engine]
        cmd += (["--round", "hiring-manager", "--role", "software engineer", "--questions", "1", "--seed", "3",
                 "--follow-ups", "1"] if scenario == "followup" else
                ["--round", "hr", "--questions", "3", "--seed", "1", "--follow-ups", "0"])
        # The candidate's own devices: it hears the speaker's monitor and talks into the mic sink.
        pulse_vars = ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE")
        saved = {k: os.environ.get(k) for k in pulse_vars}
        os.environ.update(va.env(sink="vc_mic", source="vc_speaker.monitor"))
        proc = None
        try:
            candidate = Candidate(answers, log, follow_up)
            proc = subprocess.Popen(cmd, cwd=ROOT, env=vc_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            out_lines: list[str] = []
            reader = threading.Thread(target=lambda: out_lines.extend(proc.stdout), daemon=True)
            reader.start()
            candidate.run(proc, timeout_s=240 if answer_seconds <= 20 else 420)
            proc.wait(timeout=60)
            reader.join(timeout=5)
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    session = json.loads(json_out.read_text()) if json_out.exists() else None
    return {"session": session, "returncode": proc.returncode, "stdout": "".join(out_lines),
            "answer_texts": candidate.answer_texts, "latencies": candidate.latencies, "heard": candidate.heard,
            "probes_heard": candidate.probes_heard, "follow_up_text": candidate.follow_up_text}


def main() -> None:
    from support.wer import word_error_rate

    ap = argparse.ArgumentParser()
    ap.add_argument("--answer-seconds", type=int, default=15)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--keep", help="folder for the session JSON files")
    ap.add_argument("--scenario", choices=("commands", "followup"), default="commands")
    args = ap.parse_args()
    internal, external = [], []
    for run in range(args.runs):
        workdir = Path(args.keep or tempfile.mkdtemp(prefix="vc-harness-")) / f"run{run + 1}"
        workdir.mkdir(parents=True, exist_ok=True)
        r = run_once(args.answer_seconds, workdir, log=lambda s: print("  " + s, flush=True), scenario=args.scenario)
        s = r["session"]
        print(f"run {run + 1}: exit {r['returncode']}, status {s and s['status']}")
        if not s or s["status"] != "completed":
            print(r["stdout"])
            continue
        for q, played in zip(s["answers"], r["answer_texts"]):
            wer = word_error_rate(played, q["transcript"]) if played and q["transcript"] else None
            t = q["timings"].get("end_detected_to_feedback_s")
            if t is not None:
                internal.append(t)
            print(f"  Q{q['index']} {q['status']:<9} suits {q['evaluation'] and q['evaluation']['suits']}  "
                  f"WER {wer if wer is None else f'{wer:.1%}'}  end-detected->feedback {t}  "
                  f"commands {[c['command'] for c in q['commands']]}")
        external += r["latencies"]
    if internal:
        print(f"median end-detected -> feedback start (inside voicecoach): "
              f"{statistics.median(internal):.3f} s over {len(internal)}")
    if external:
        print(f"median end of speech -> feedback heard, minus {END_SILENCE_S} s silence (as the candidate hears it): "
              f"{statistics.median(external):.3f} s over {len(external)}")


if __name__ == "__main__":
    main()
