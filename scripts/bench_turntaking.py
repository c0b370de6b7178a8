#!/usr/bin/env python
"""Turn-taking through a real sound server: does the interviewer wait out a thinking pause, and how soon
does it answer a finished answer?

A `voicecoach practice` session runs against two PulseAudio null sinks (as scripts/practice_harness.py);
this process is the candidate. It answers every question with a spoken answer from the dev half of
tests/data/turns/pauses.toml (pauses inside sentences of 2-4 s, between sentences, and the true end), or with
`--from heldout-m` from one held-out writer's (tests/data/turns/heldout.toml), in two voices, and listens to
the interviewer all the while. The interviewer asks the question bank's questions, or with `--own-questions` each
answer's own question (a bank of those questions alone, through $VOICECOACH_PROMPTS; the candidate answers the
question it hears): the judgement lets an answer to a brief question ("Do you drive?") end on its first sentence.
Per answer it records:

* a false cut-off: the interviewer began to speak before the candidate's answer was over;
* the response time: from the last word of the answer to the first sound of the interviewer's feedback, as
  the candidate hears it.

Policies compared: the fixed 2.5-s end silence of before (`--end-silence 2.5`), the judged one (the default), and
`judged-open`, judged as before the eleventh session, every question taken as open (brief_answer_words 60 and
brief_waits_unsure off in the prompts' turns.toml), each idle and with one busy process beside it.

Usage: .venv/bin/python scripts/bench_turntaking.py [--answers 6]
       [--from dev|heldout-h|heldout-g|heldout-k|heldout-m|heldout-s|heldout-c] [--first 0] [--own-questions]
       [--policies fixed judged judged-open] [--busy 0 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "tests")]

from support.load import busy_processes  # noqa: E402
from support.pauses import (HELDOUT, PAUSES, Pause, SpokenAnswer, load_answers, sounding,  # noqa: E402
                            split_marks)
from support.virtual_audio import VirtualAudio  # noqa: E402
from support.wer import normalize  # noqa: E402

RATE = 16000
VOICES = ("hibari:0.7", "hibari:1.2")


SETS = {"dev": (PAUSES, "p-", 36), **{f"heldout-{w}": (HELDOUT, f"{w}-", 1) for w in "hgkmsc"}}
"""Where the answers come from: the pause set's dev half (p-036 on), or one writer of heldout.toml, whose answers were
written by a helper who never saw the rules (h, g, k and c have been looked at; m and s are unseen)."""


def _answers(n: int, source: str = "dev", first: int = 0) -> tuple[list[SpokenAnswer], dict[str, str]]:
    """``n`` answers of ``source`` from its ``first``, in the two voices by turns; rendered as scripts/bench_turns.py
    renders them (the same cache), with each cut checked by the live decoder as a session hears it; and the question
    each answers, by answer id."""
    from bench_turns import _voice, rendered

    from voicecoach.asr import LIVE_OPTIONS, DecodeOptions, make_transcriber

    path, prefix, lowest = SETS[source]
    chosen = [a for a in load_answers(path)
              if a["id"].startswith(prefix) and int(a["id"].split("-")[1]) >= lowest][first:first + n]
    aligner = make_transcriber("faster-whisper", options=DecodeOptions())
    live = make_transcriber("faster-whisper", options=LIVE_OPTIONS)  # hears the cuts as a session does
    out = []
    for i, a in enumerate(chosen):
        voice = VOICES[i % len(VOICES)]
        samples, meta = rendered(a, voice, _voice(voice), aligner, live)
        out.append(SpokenAnswer(a["id"], samples, tuple(Pause(*p) for p in meta["pauses"]),
                               tuple(w for w, _, _ in split_marks(a["text"]))))
    return out, {a["id"]: a["question"] for a in chosen}


def session_prompts(folder: Path, questions: dict[str, str] | None, every_question_open: bool) -> Path:
    """A copy of prompts/ in ``folder``: its generic questions the answers' own (``questions``, by answer id), as HR
    questions (a session without a role asks only those), and with ``every_question_open``, a judgement that takes
    every question as open."""
    import re
    import shutil

    prompts = folder / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    if every_question_open:
        turns = prompts / "turns.toml"
        text = re.sub(r"(?m)^brief_answer_words = \d+", "brief_answer_words = 60", turns.read_text())
        turns.write_text(re.sub(r"(?m)^brief_waits_unsure = \w+", "brief_waits_unsure = false", text))
    if not questions:
        return prompts
    bank = ['role = "generic"'] + [f'[[question]]\nid = "gen-hr-own-{i}"\nround = "hr"\ntype = "motivation"\n'
                                   f'text = {json.dumps(q)}\ncompetencies = ["motivation"]'
                                   for i, q in questions.items()]
    (prompts / "questions" / "generic.toml").write_text("\n\n".join(bank) + "\n")
    return prompts


def _overlap(heard: str, question: str) -> float:
    """How much of ``question``'s words are in ``heard`` (the interviewer's words as the candidate transcribed them)."""
    words = set(normalize(question))
    return len(words & set(normalize(heard))) / max(1, len(words))


def last_sound_s(samples: np.ndarray) -> float:
    """Where the answer's last word ends: its last sample above 1% of its peak. (The end of the recording is later:
    the voice leaves 0.5-0.6 s of silence after its last sentence, which the response time must not absorb.)"""
    loud = sounding(samples)
    return (loud[-1] + 1) / RATE if len(loud) else len(samples) / RATE


class Candidate:
    """Answers each question with the next spoken answer and listens to the interviewer throughout."""

    def __init__(self, answers: list, log, recover: bool = False, questions: dict[str, str] | None = None) -> None:
        from voicecoach.asr import make_transcriber
        from voicecoach.audio.listen import Listener, ListenOptions
        from voicecoach.audio.mic import SounddeviceMicrophone
        from voicecoach.audio.snd import SounddevicePlayer
        from voicecoach.audio.vad import SileroVad

        self.answers, self.log = list(answers), log
        self.questions = questions  # by answer id: answer the question heard, not the next answer in the list
        self.asr = make_transcriber("faster-whisper")
        # One utterance per stretch of the interviewer's speech, however long: a verdict, a tip and the next
        # question run past the default 20-s segment, and a segment cut there ends on "question two of six"
        # before the question is read, so the candidate would start over it (counted as a cut-off).
        self.listener = Listener(SileroVad(), ListenOptions(end_silence_s=2.5, segment_silence_s=1.2,
                                                            long_segment_s=1e9, max_segment_s=1e9,
                                                            prompt_after_s=1e9))
        self.mic, self.player = SounddeviceMicrophone(), SounddevicePlayer()
        self.results: list[dict] = []
        self._playing: tuple[float, float] | None = None  # (start, last word) of the answer being played
        self._waiting_feedback: dict | None = None
        self._current: SpokenAnswer | None = None
        # With ``recover``, a candidate cut off says "I wasn't finished" at the next question and, asked to go on,
        # says the rest of the answer from the end of the pause that was taken for its end.
        self.recover, self._rest = recover, None
        self._from_s = 0.0  # where in the current answer the audio playing starts (a rest starts after a pause)
        self._not_finished = None
        if recover:
            from bench_turns import _voice

            self._not_finished = _voice(VOICES[0]).synthesize_clip("I wasn't finished.").to(RATE).samples

    def _play(self, samples: np.ndarray) -> None:
        from voicecoach.audio.clip import AudioClip

        self.player.play_stream(iter([AudioClip(samples, RATE)]))  # stop() aborts it at once

    def run(self, proc: subprocess.Popen, timeout_s: float) -> None:
        from voicecoach.audio.listen import SpeechStarted, UtteranceEnded

        deadline = time.monotonic() + timeout_s
        player: threading.Thread | None = None
        for chunk in self.mic.chunks():
            heard_at = self.mic.captured_at or time.monotonic()
            if proc.poll() is not None or time.monotonic() > deadline:
                return
            for ev in self.listener.feed(chunk):
                if isinstance(ev, SpeechStarted):
                    started = heard_at - (self.listener.elapsed_s - ev.at_s)
                    if self._playing and started < self._playing[1] - 0.3:
                        r = self._waiting_feedback
                        if r is not None and not r["cut_off"]:
                            r["cut_off"] = True
                            self.log(f"candidate: CUT OFF {self._playing[1] - started:.1f} s before the answer ended")
                            # and stops, as a person talked over would: the rest of the answer would otherwise be
                            # heard as the answer to the next question, and every later answer would be one behind.
                            self.player.stop()
                            self._waiting_feedback = None  # no response time for an answer cut off
                            if self.recover and self._current is not None:
                                self._keep_rest(r, self._from_s + started - self._playing[0])
                    elif self._waiting_feedback is not None and self._playing and started >= self._playing[1] - 0.3:
                        r = self._waiting_feedback
                        r["response_s"] = started - self._playing[1]
                        self.log(f"candidate: interviewer answered {r['response_s']:.2f} s after the last word")
                        self._waiting_feedback = None
                if not isinstance(ev, UtteranceEnded):
                    continue
                if player is not None and player.is_alive():
                    continue  # what it says while the candidate is still talking is only checked for cut-offs
                text = self.asr.transcribe(ev.utterance.clip).text.lower()
                self.log(f"candidate heard: {text}")
                if "go on with your answer" in text and self._rest is not None:
                    r, self._from_s = self._rest
                    self._rest = None
                    player = self._say(self._current.samples[int(self._from_s * RATE):],
                                       {"id": f"{r['id']} (the rest)", "rest": True, "of": r, "cut_off": False,
                                        "response_s": None})
                elif "question" in text and " of " in text and self._rest is not None:
                    player = self._say(self._not_finished)  # not an answer: no result, no response time
                elif "question" in text and " of " in text and self.answers:
                    self._current = sa = self.answers.pop(self._answer_to(text))
                    self._from_s = 0.0
                    player = self._say(sa.samples, {"id": sa.id, "cut_off": False, "response_s": None})
                if "end of the interview" in text or "that's the end" in text:
                    return


    def _answer_to(self, heard: str) -> int:
        """Which of the answers left answers the question just heard: the next one, or with ``questions``, the one
        whose question has the most of its words in what was heard."""
        if not self.questions:
            return 0
        return max(range(len(self.answers)), key=lambda i: _overlap(heard, self.questions[self.answers[i].id]))

    def _say(self, samples: np.ndarray, r: dict | None = None) -> threading.Thread:
        """Start playing an answer, its rest (``r``, its result) or a command (no ``r``: nothing is measured) 0.45 s
        from now, as a person would after the question."""
        start = time.monotonic() + 0.45
        self._playing = (start, start + last_sound_s(samples)) if r is not None else None
        if r is not None:
            self.results.append(r)
        self._waiting_feedback = r
        time.sleep(0.45)
        player = threading.Thread(target=self._play, args=(samples,), daemon=True)
        player.start()
        return player

    def _keep_rest(self, r: dict, cut_at_s: float) -> None:
        """The rest of the answer cut off ``cut_at_s`` into it (a rest cut off again too): from the end of the last
        pause before then (the one taken for the end of the answer; what was said over the interviewer is said
        again)."""
        resume = [p.at_s + p.length_s for p in self._current.pauses if p.kind != "end" and p.at_s <= cut_at_s]
        if resume:
            r = r.get("of", r)
            self._rest = (r, resume[-1])
            r["told_not_finished"] = r.get("told_not_finished", 0) + 1


def harness_loop_s(tries: int = 5) -> float:
    """What the harness itself adds to every response it measures: the candidate's playback starting after the moment
    it stamps, its capture reaching it later than the sound reached the sink, and its voice detector taking a window or
    two to call the onset. Measured in place: the interviewer's voice is played exactly as an answer is (stamped,
    then played on a thread) and heard back from the same sink's monitor through the same listener; the median lag
    from where its first sound should be to where the onset is detected. Call with PULSE_SINK set to the sink the
    candidate speaks into; the caller's PULSE_SOURCE is put back."""
    from voicecoach.audio.listen import Listener, ListenOptions, SpeechStarted
    from voicecoach.audio.mic import SounddeviceMicrophone
    from voicecoach.audio.snd import SounddevicePlayer
    from voicecoach.audio.vad import SileroVad
    from voicecoach.tts.hibari_tts import HibariTTS

    clip = HibariTTS().synthesize_clip("Suits the HR round.").to(RATE)
    first = sounding(clip.samples)[0] / RATE
    saved = os.environ.get("PULSE_SOURCE")
    os.environ["PULSE_SOURCE"] = os.environ["PULSE_SINK"] + ".monitor"
    lags: list[float] = []
    try:
        player, mic = SounddevicePlayer(), SounddeviceMicrophone()
        for _ in range(tries):
            listener = Listener(SileroVad(), ListenOptions(end_silence_s=2.5, prompt_after_s=1e9))
            chunks, thread, start = mic.chunks(), None, None
            try:
                for chunk in chunks:
                    heard_at = mic.captured_at or time.monotonic()
                    if thread is None and listener.elapsed_s > 1.0:  # as Candidate.run plays an answer
                        start = time.monotonic() + 0.45
                        time.sleep(0.45)
                        thread = threading.Thread(target=player.play, args=(clip,), daemon=True)
                        thread.start()
                    onset = [e for e in listener.feed(chunk) if isinstance(e, SpeechStarted)]
                    if onset and start is not None:
                        lags.append(heard_at - (listener.elapsed_s - onset[0].at_s) - (start + first))
                        break
                    if listener.elapsed_s > 6:
                        break
            finally:
                chunks.close()
                if thread is not None:
                    thread.join(10)
    finally:
        if saved is None:
            os.environ.pop("PULSE_SOURCE", None)
        else:
            os.environ["PULSE_SOURCE"] = saved
    return statistics.median(lags) if lags else 0.0


def run_session(answers: list, policy: str, busy: int, workdir: Path, log, recover: bool = False,
                questions: dict[str, str] | None = None) -> list[dict]:
    """One practice session answered by ``answers``; with ``questions`` (by answer id) it asks those."""
    json_out = workdir / "session.json"
    loop_s = 0.0
    with busy_processes(busy), VirtualAudio(("vc_speaker", "vc_mic")) as va:
        env = va.env(sink="vc_speaker", source="vc_mic.monitor")
        env.update(HF_HUB_OFFLINE="1", VOICECOACH_HOME=str(workdir / "home"))
        if questions or policy == "judged-open":
            env["VOICECOACH_PROMPTS"] = str(session_prompts(workdir, questions, policy == "judged-open"))
        cmd = [sys.executable, "-m", "voicecoach", "practice", "--json-out", str(json_out), "--intro", "none",
               "--round", "hr", "--questions", str(len(answers)), "--seed", "5", "--follow-ups", "0",
               "--feedback", "spoken"]
        if policy == "fixed":
            cmd += ["--end-silence", "2.5"]
        saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE")}
        os.environ.update(va.env(sink="vc_mic", source="vc_speaker.monitor"))
        proc = None
        try:
            loop_s = harness_loop_s()
            log(f"the harness's own lag (playback to detected onset): {loop_s * 1000:.0f} ms")
            cand = Candidate(answers, log, recover, questions)
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            cand.run(proc, timeout_s=120 + 90 * len(answers))
            proc.wait(timeout=60)
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
            for k, v in saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    session = json.loads(json_out.read_text()) if json_out.exists() else {"answers": []}
    written = {a.id: " ".join(a.pieces) for a in answers}
    for r, a in zip([r for r in cand.results if not r.get("rest")], session["answers"]):
        heard = set(normalize(a.get("transcript") or ""))
        words = normalize(written.get(r["id"], ""))
        r["words_kept"] = round(sum(w in heard for w in words) / max(1, len(words)), 2)
        t = a["timings"]
        r["judged"] = t.get("pauses_judged")
        r["harness_loop_s"] = loop_s
        r["parts"] = {k: t.get(k) for k in ("end_silence_s", "last_piece_decode_s",
                                            "speech_end_to_transcript_s", "pieces_decoded_ahead",
                                            "end_detected_to_feedback_s")}
    return cand.results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=6)
    ap.add_argument("--from", dest="source", choices=sorted(SETS), default="dev",
                    help="the answers: the pause set's dev half, or one held-out writer's")
    ap.add_argument("--first", type=int, default=0, help="skip this many answers of the set")
    ap.add_argument("--policies", nargs="+", default=["fixed", "judged"], choices=("fixed", "judged", "judged-open"))
    ap.add_argument("--busy", nargs="+", type=int, default=[0, 1])
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--own-questions", action="store_true", help="ask each answer's own question, not the bank's")
    ap.add_argument("--recover", action="store_true",
                    help='a candidate cut off says "I wasn\'t finished" at the next question and then the rest')
    args = ap.parse_args()
    answers, questions = _answers(args.answers, args.source, args.first)
    mids = sum(p.kind == "mid" for a in answers for p in a.pauses)
    betweens = sum(p.kind == "between" for a in answers for p in a.pauses)
    print(f"{len(answers)} {args.source} answers ({', '.join(a.id for a in answers)}; {mids} pauses inside sentences, "
          f"{betweens} between sentences), voices {', '.join(VOICES)}")
    for policy in args.policies:
        for busy in args.busy:
            workdir = Path(tempfile.mkdtemp(prefix="vc-turns-"))
            log = (lambda s: None) if args.quiet else (lambda s: print("   ", s, flush=True))
            results = run_session(answers, policy, busy, workdir, log, args.recover,
                                  questions if args.own_questions else None)
            times = [r["response_s"] for r in results if r["response_s"] is not None and not r["cut_off"]]
            answered = [r for r in results if not r.get("rest")]
            cuts = sum(r["cut_off"] for r in answered)
            for r in results:
                log(f"{r['id']}: cut {r['cut_off']}, response {r['response_s']}, words kept {r.get('words_kept')}, "
                    f"{r.get('parts')}")
                judged = r.get("judged") or []
                log("    pauses judged (likelihood, voice, silence): "
                    + "; ".join(f"{j['likelihood']}, {j.get('voice')}, {j['silence_s']}" for j in judged))
            loop_s = results[0]["harness_loop_s"] if results else 0.0
            print(f"{policy:<7} busy {busy}: {cuts} of {len(answered)} answers cut off; response after the last word "
                  + (f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s as measured; less the "
                     f"harness's own {loop_s * 1000:.0f} ms: median {statistics.median(times) - loop_s:.2f} s, "
                     f"worst {max(times) - loop_s:.2f} s" if times else "-"),
                  flush=True)
            kept = [r.get("words_kept") for r in answered if r.get("words_kept") is not None]
            told = [r for r in answered if r.get("told_not_finished")]
            print(f"        words of the written answers in the saved transcripts: median "
                  f"{statistics.median(kept):.2f}, lowest {min(kept):.2f}" if kept else "        no session transcript",
                  flush=True)
            if args.recover:
                print(f"        {len(told)} answers cut off were told \"I wasn't finished\" and the rest (times told; "
                      "words kept): " + ", ".join(f"{r['id']} ({r['told_not_finished']}; {r.get('words_kept')})"
                                                  for r in told), flush=True)


if __name__ == "__main__":
    main()
