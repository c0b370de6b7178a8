#!/usr/bin/env bash
# Set everything up, then run the main job: a hands-free mock interview.
# With a microphone this is `voicecoach practice` (extra arguments go to it, e.g. --round hr --role sales);
# without one it says so and runs `voicecoach demo`, a complete interview with recorded answers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
VC=.venv/bin/voicecoach
echo; echo "== voicecoach doctor"
$VC doctor || { echo "doctor found a missing required piece; fix it and run again"; exit 1; }
if .venv/bin/python -c "from voicecoach.mic import SounddeviceMicrophone as M; import sys; sys.exit(0 if M().is_available() else 1)" 2>/dev/null; then
  echo; echo "== voicecoach practice (say \"end the interview\" to stop; Ctrl-C also keeps your answers)"
  exec $VC practice "$@"
else
  echo
  echo "No microphone found, so voicecoach cannot hear you here. Running \`voicecoach demo\` instead:"
  echo "a complete three-question interview where the candidate's answers are synthesized recordings."
  echo "Plug in a microphone and run this command again (or \`.venv/bin/voicecoach practice\`) to practise yourself."
  echo
  exec $VC demo
fi
