#!/usr/bin/env bash
# Set everything up (with Debian's chromium for the report test), then run the whole test suite
# (real Whisper, real espeak-ng, real PortAudio
# through a PulseAudio null sink that the tests start themselves). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VOICECOACH_WITH_CHROMIUM=1 bash scripts/setup.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
