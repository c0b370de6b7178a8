"""The sentence-embedding model: built from the bundled weights, offline, equal to the reference."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from voicecoach.rules.embed import Encoder, model_dir

SENTENCES = ["I sat down with the night staff and rebuilt the rota.", "People here look out for each other.",
             "um so we basically halved the waiting time", "What's the salary range for this role?"]


@pytest.mark.slow
def test_onnx_graph_matches_sentence_transformers(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_CACHE", str(tmp_path))  # build the graph afresh
    ours = Encoder(threads=1).load().encode(SENTENCES)
    assert list(tmp_path.glob("embedder/*.onnx"))
    from sentence_transformers import SentenceTransformer

    ref = SentenceTransformer(str(model_dir()), device="cpu").encode(SENTENCES, normalize_embeddings=True)
    assert np.abs(ours - ref).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_similar_meanings_are_closer():
    e = Encoder().encode(["We cut the waiting time in half.", "The queue was halved.", "I like football."])
    assert e[0] @ e[1] > e[0] @ e[2] + 0.2


def test_the_rules_never_touch_the_network_or_torch(tmp_path):
    code = ("import sys, socket\n"
            "def deny(*a, **k): raise RuntimeError('network used')\n"
            "socket.socket.connect = deny; socket.create_connection = deny\n"
            "from voicecoach.rules.evaluate import evaluate\n"
            "ev = evaluate('I pulled the rota and we halved the overtime.', 'hiring_manager')\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n"
            "print(ev.suits)\n")
    env = dict(os.environ, VOICECOACH_CACHE=str(tmp_path), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-c", code]
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
