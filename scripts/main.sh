#!/usr/bin/env bash
# Set everything up, then run the main job. Until `voicecoach practice` exists (issue 4) this is:
# `voicecoach doctor`, then a short spoken round trip through the whole pipeline: the interviewer's
# question and a sample answer are spoken by espeak-ng, the answer is transcribed by Whisper and
# judged for the HR round. Files land in ./out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
VC=.venv/bin/voicecoach
echo; echo "== voicecoach doctor"
$VC doctor || { echo "doctor found a missing required piece; fix it and run again"; exit 1; }
mkdir -p out
Q="Why do you want to work for this company?"
A="I have followed your company for years because of your commitment to honest products, and that matches my values. \
In my current team I organise our knowledge sharing sessions and I mentored two new colleagues. \
I want to grow with a company like this for the long term. How would you describe the culture in the team?"
echo; echo "== spoken round trip"
$VC say "$Q" --out out/question.wav
$VC say "$A" --out out/answer.wav
# Played aloud when there is a speaker; on a machine without one the WAV files are the output.
$VC say "$Q" 2>/dev/null || echo "(no audio output device: the question is in out/question.wav)"
$VC evaluate --round hr --question "$Q" out/answer.wav
