"""A non-editable install works: the wheel carries the prompts and templates, and runs outside the checkout."""

import os
import signal
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

    # voicecoach web from the wheel: its page, script modules and stylesheet ship inside it.
    for name in ("static/app.js", "static/mic-worklet.js", "static/style.css", "templates/practice.html.j2",
                 "templates/base.html.j2", "templates/history.html.j2", "templates/session.html.j2"):
        assert (site / "voicecoach" / "web" / name).is_file(), name
    assert (site / "voicecoach" / "history" / "templates" / "chart.j2").is_file()
    web = subprocess.Popen([py, "-m", "voicecoach", "web", "--no-open", "--port", "0"], cwd=elsewhere, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = web.stdout.readline().split(": ", 1)[1].strip()
        base, token = url.split("/?token=")
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(url, timeout=30).read().decode()  # the token swapped for a cookie, then the page
        assert "Practise a job interview" in page
        assert b"registerProcessor" in opener.open(base + "/static/mic-worklet.js", timeout=30).read()
        assert opener.open(base + "/history", timeout=30).status == 200
    finally:
        web.send_signal(signal.SIGINT)
        assert web.wait(timeout=30) == 0
