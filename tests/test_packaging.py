"""A non-editable install works: the wheel carries the prompts and templates, and runs outside the checkout."""

import os
import subprocess
import sys
import sysconfig

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_wheel_installed_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT),
                    "-w", str(dist)], check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("voicecoach-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # The dependencies come from this environment's site-packages (added as a plain path: its .pth
    # files, including the editable install of voicecoach, are not run); voicecoach from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    import zipfile

    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH="", VOICECOACH_HOME=str(tmp_path / "home"))
    env.pop("VOICECOACH_PROMPTS", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    py = str(venv / "bin" / "python")

    def run(*args):
        return subprocess.run([py, "-m", "voicecoach", *args], capture_output=True, text=True, cwd=elsewhere,
                              env=env, timeout=120)

    where = subprocess.run([py, "-c", "import voicecoach; print(voicecoach.__file__)"], capture_output=True,
                           text=True, cwd=elsewhere, env=env).stdout
    assert str(site) in where and str(ROOT) not in where
    r = run("questions", "--round", "hr")
    assert r.returncode == 0, r.stderr
    assert "gen-hr-why-us" in r.stdout
    r = run("evaluate", "--round", "hr", "--text", "I want to join your team because people there look out for "
            "each other, and I mentored two new colleagues last year so they felt at home from the first week.")
    assert r.returncode == 0, r.stderr
    assert "Verdict:" in r.stdout
    assert (site / "voicecoach" / "_prompts" / "rubric" / "hr.toml").is_file()
