"""The browser front end: ``voicecoach web``, a local page running the same interview as the terminal.

A second front end over ``voicecoach.app``, beside ``voicecoach.cli``: the browser is the microphone, the
speaker and the screen, and the interview underneath (turn-taking, Whisper, the evaluator, follow-ups,
history) is the one the terminal runs. Nothing here is imported by the layers below.

Modules:

* ``server``: the Starlette application (the page, the history pages, the answer audio, the reports).
* ``guard``: who may talk to it (the launch token, the Host and Origin checks, the security headers).
* ``live``: one interview over a WebSocket: settings in, events out as JSON, on its own thread.
* ``browser_audio``: the page's microphone (16 kHz PCM frames in) and speaker (speech out, heard times back).
* ``serve``: binding the port, printing the link, opening the browser, stopping on Ctrl-C.

Templates (Jinja, autoescaped) and the static files (plain JavaScript modules and CSS, no build step and
nothing from another site) ship inside the package. May import every package below the front ends.
"""

__all__ = ["browser_audio", "guard", "live", "serve", "server"]
