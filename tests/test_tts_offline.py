"""The neural voice never reaches for the network: synthesis in a process with no network at all."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

# Runs inside `unshare -n` (a network namespace with only a downed loopback). An audit hook records
# every socket and URL the process touches, so "no network use" means no attempt at all, not just
# attempts that failed quietly.
OFFLINE = r"""
import json, os, socket, sys
events = []
def hook(event, args):
    if event.startswith("socket.") or event.startswith("urllib."):
        events.append(event)
sys.addaudithook(hook)

from voicecoach.errors import VoicecoachError
from voicecoach.tts import candidate_voice, list_voices, make_tts
tts = make_tts()
tts.warm_up()
question = tts.synthesize_clip("Tell me about yourself. Why do you want this job?")
answer = candidate_voice().synthesize_clip("I enjoy building reliable services.")
slower = tts.at_rate(0.75).synthesize_clip("Tell me about yourself.")
voices = [v.id for v in list_voices() if v.backend == "hibari"]
try:
    make_tts(voice="emma")   # a downloadable hibari voice: must be refused, not fetched
    refused = False
except VoicecoachError:
    refused = True
quiet = list(events)
try:                                   # the hook does see a connection attempt
    socket.create_connection(("127.0.0.1", 9), timeout=1)
except OSError:
    pass
print(json.dumps({"backend": tts.name, "question_s": question.duration_s, "answer_s": answer.duration_s,
                  "slower_s": slower.duration_s, "voices": voices, "refused": refused,
                  "events": quiet, "control": events[len(quiet):]}))
"""


def _unshare() -> list[str]:
    exe = shutil.which("unshare")
    if not exe:
        pytest.skip("unshare is not installed")
    for cmd in ([exe, "-n"], [exe, "-rn"]):  # as root, or through a user namespace
        if subprocess.run([*cmd, "true"], capture_output=True).returncode == 0:
            return cmd
    pytest.skip("creating a network namespace (unshare -n) is not permitted here")


def test_hibari_synthesizes_with_the_network_namespace_blocked(tmp_path):
    cmd = _unshare()
    env = dict(os.environ, HF_HUB_OFFLINE="1", HIBARI_HOME=str(tmp_path / "hibari-cache"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([*cmd, sys.executable, "-c", OFFLINE], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["backend"] == "hibari"
    assert got["question_s"] > 2.0 and got["answer_s"] > 1.0 and got["slower_s"] > 1.0
    assert got["voices"] == ["heart"] and got["refused"]
    assert got["events"] == [], f"network use: {got['events']}"
    assert "socket.connect" in got["control"]  # the audit hook would have caught one
    # hibari's download cache was never created, let alone filled.
    assert not (tmp_path / "hibari-cache").exists() and not (tmp_path / "cache" / "hibari").exists()
