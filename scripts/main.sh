#!/usr/bin/env bash
# Set everything up, then run the main job: a hands-free mock interview.
# With a microphone this is `voicecoach practice` (extra arguments go to it, e.g. --round hr --role sales);
# without one it says so and runs `voicecoach demo`, a complete interview with recorded answers (the
# arguments the demo understands are passed on to it; the others are named and ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
VC=.venv/bin/voicecoach
echo; echo "== voicecoach doctor"
doctor=0
$VC doctor || doctor=$?
# 4: everything is there but a microphone or a speaker (the demo below needs neither); anything else: stop.
if [ "$doctor" -ne 0 ] && [ "$doctor" -ne 4 ]; then echo "doctor found a missing required piece; fix it and run again"; exit 1; fi
if .venv/bin/python -c "from voicecoach.audio.mic import SounddeviceMicrophone as M; import sys; sys.exit(0 if M().is_available() else 1)" 2>/dev/null; then
  echo; echo "== voicecoach practice (say \"end the interview\" to stop; Ctrl-C also keeps your answers)"
  exec $VC practice "$@"
else
  echo
  echo "No microphone found, so voicecoach cannot hear you here. Running \`voicecoach demo\` instead:"
  echo "a complete three-question interview where the candidate's answers are synthesized recordings."
  echo "Plug in a microphone and run this command again (or \`.venv/bin/voicecoach practice\`) to practise yourself."
  # Keep the arguments `demo` understands (e.g. --engine, --voice, --json-out) and name the rest
  # (practice-only ones such as --round or --role), so nothing is dropped silently.
  mapfile -d '' DEMO_ARGS < <(.venv/bin/python - "$@" <<'PY'
import sys
from voicecoach.cli import build_parser

sub = next(a for a in build_parser()._actions if a.dest == "command").choices
practice, demo = sub["practice"], sub["demo"]
takes_value = {o: a.nargs != 0 for a in practice._actions for o in a.option_strings}
known = {o for a in demo._actions for o in a.option_strings}
keep, ignored, args = [], [], sys.argv[1:]
i = 0
while i < len(args):
    name = args[i].split("=", 1)[0]
    group = args[i: i + 2] if takes_value.get(name) and "=" not in args[i] else args[i: i + 1]
    (keep if name in known and name not in ("-h", "--help") else ignored).extend(group)
    i += len(group)
if ignored:
    print(f"(the demo ignores: {' '.join(ignored)}; they apply to `voicecoach practice`)", file=sys.stderr)
sys.stdout.write("".join(a + "\0" for a in keep))
PY
)
  echo
  exec $VC demo "${DEMO_ARGS[@]}"
fi
