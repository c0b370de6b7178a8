"""Serving the page: bind the port, print the link, open the browser, stop cleanly on Ctrl-C."""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading

from ..errors import UsageError

__all__ = ["serve", "bind", "LOOPBACK", "can_open_browser"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0 picks a free one).

    Raises:
        UsageError: the port is taken, or the address is not one of this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart right after a stop can rebind
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use (another voicecoach web, or another program)",
                             f"use another port: voicecoach web --port {port + 1} "
                             f"(or --port 0 for any free one)") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EACCES) or isinstance(exc, socket.gaierror):
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                             "leave out --host to use 127.0.0.1, or choose a port above 1023") from None
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def can_open_browser() -> bool:
    """True where opening a browser shows a window: not on a Linux machine without a graphical session,
    where ``webbrowser`` would start a text-mode browser in this terminal."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _open_when_started(server, url: str, err) -> None:
    """Open the default browser on ``url`` once the server answers (where there is a screen to open it on)."""
    if not can_open_browser():
        print("(no graphical session here: open the link above in a browser)", file=err, flush=True)
        return

    def opener() -> None:
        import time
        import webbrowser

        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started and not webbrowser.open(url):
            print("(no browser found: open the link above)", file=err, flush=True)

    threading.Thread(target=opener, name="voicecoach-open-browser", daemon=True).start()


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True, out=None, err=None) -> int:
    """Serve the page until Ctrl-C (or SIGTERM); the link is the first line on ``out`` (stdout).

    Returns:
        0 after a clean stop.
    """
    import uvicorn

    from .guard import new_token
    from .server import create_app

    out, err = out or sys.stdout, err or sys.stderr
    sock = bind(host, port)
    port = sock.getsockname()[1]
    token = new_token()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/?token={token}"
    try:  # from the moment the link is out, Ctrl-C is a clean stop
        print(f"voicecoach web: {url}", file=out, flush=True)
        if host not in LOOPBACK:
            print(f"voicecoach: warning: listening on {host}, so other machines on the network can reach this page "
                  "(they still need the token); browsers allow the microphone only on http://127.0.0.1 or "
                  "http://localhost, so practise on this machine", file=err, flush=True)
        print("Press Ctrl-C to stop.", file=err, flush=True)
        app = create_app(token, host, port)
        config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False,
                                ws_per_message_deflate=False, lifespan="on", timeout_graceful_shutdown=20)
        server = uvicorn.Server(config)
        if open_browser:
            _open_when_started(server, url, err)
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on the first Ctrl-C and passes it on once it has (or it came
        pass                   # before uvicorn was listening)
    finally:
        sock.close()
    print("voicecoach web: stopped", file=err, flush=True)
    return 0
