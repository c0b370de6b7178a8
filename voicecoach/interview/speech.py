"""Saying things: synthesis streamed into playback, and lines synthesized ahead of time.

Lines that are known before they are needed (the questions, the verdict sentences, the follow-up probes)
are synthesized on a background thread while the session starts, so saying a verdict or a probe costs
no synthesis time on the feedback path.
"""

from __future__ import annotations

import threading

from ..audio.snd import Player
from ..memory import wait_while_decoding
from ..tts import TextToSpeech

__all__ = ["Speech"]


class Speech:
    """Speaks through a player, from prepared audio when it has it."""

    def __init__(self, tts: TextToSpeech, player: Player) -> None:
        self.tts, self.player = tts, player
        self._prepared: dict[str, list] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def say(self, text: str, rate: float = 1.0) -> float:
        """Play ``text`` (sentence by sentence as it is synthesized); returns when the first audio started."""
        clips = self._prepared.get(text) if rate == 1.0 else None
        tts = self.tts if rate == 1.0 else self.tts.at_rate(rate)
        return self.player.play_stream(iter(clips) if clips else tts.stream(text)).first_audio_at

    def prepare(self, texts: list[str]) -> None:
        """Synthesize ``texts`` on a background thread for later."""
        def work() -> None:
            for text in texts:
                if text not in self._prepared:
                    wait_while_decoding()  # a head start must not pile its memory on a live decode's
                    if self._stop.is_set():
                        return
                    try:
                        self._prepared[text] = list(self.tts.stream(text))
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
