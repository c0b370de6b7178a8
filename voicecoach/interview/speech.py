"""Saying things: synthesis streamed into playback, and lines synthesized ahead of time.

Lines that are known before they are needed (the questions, the verdicts' first sentences, the follow-up
probes) are synthesized sentence by sentence on a background thread while the session starts, so a verdict
or a probe starts playing at once; a sentence not prepared (what a verdict says the answer shows or needs)
is synthesized while the one before it plays.
"""

from __future__ import annotations

import threading

from ..audio.snd import Player
from ..memory import wait_while_decoding
from ..tts import TextToSpeech
from ..tts.text import split_for_speech

__all__ = ["Speech"]


class Speech:
    """Speaks through a player, from prepared audio when it has it."""

    def __init__(self, tts: TextToSpeech, player: Player) -> None:
        self.tts, self.player = tts, player
        self._prepared: dict[str, list] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def say(self, text: str, rate: float = 1.0) -> float:
        """Play ``text`` sentence by sentence, each from prepared audio when there is some, else synthesized
        while the one before plays; returns when the first audio started."""
        tts = self.tts if rate == 1.0 else self.tts.at_rate(rate)
        pieces = split_for_speech(text) or [text]

        def clips():
            for piece in pieces:
                ready = self._prepared.get(piece) if rate == 1.0 else None
                yield from (ready if ready else tts.stream(piece))

        return self.player.play_stream(clips()).first_audio_at

    def prepare(self, texts: list[str]) -> None:
        """Synthesize ``texts`` on a background thread for later."""
        def work() -> None:
            for piece in (p for text in texts for p in split_for_speech(text)):
                if piece not in self._prepared:
                    wait_while_decoding()  # a head start must not pile its memory on a live decode's
                    if self._stop.is_set():
                        return
                    try:
                        self._prepared[piece] = list(self.tts.stream(piece))
                    except Exception:  # noqa: BLE001 - only a head start: say() synthesizes it then
                        pass

        thread = threading.Thread(target=work, name="voicecoach-prepare-speech", daemon=True)
        self._threads.append(thread)
        thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop synthesizing ahead and wait for the sentence in progress. A thread still inside the voice's
        native code when Python exits can abort the process ("terminate called without an active
        exception") after the session has ended."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
