"""Speech-only audio and the clip it came from: windows of speech to decode, and mapping times back."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..audio.vad import SpeechSpan

__all__ = ["Timeline", "WINDOW_S", "speech_windows"]


@dataclass
class Timeline:
    """Maps times in the speech-only audio back to the original clip."""

    spans: list[SpeechSpan]
    offsets: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        t = 0.0
        for s in self.spans:
            self.offsets.append(t)
            t += s.duration_s

    def to_original(self, t: float) -> float:
        for span, off in zip(reversed(self.spans), reversed(self.offsets)):
            if t >= off:
                return float(min(span.start_s + (t - off), span.end_s))
        return float(self.spans[0].start_s if self.spans else t)


WINDOW_S = 30.0
"""Most speech decoded at once: Whisper's own window. Recordings with more are decoded window by window."""


def speech_windows(spans: list[SpeechSpan], probs: np.ndarray, max_s: float = WINDOW_S) -> list[list[SpeechSpan]]:
    """Group speech spans into windows of at most ``max_s`` seconds of speech, in order. A span longer
    than that is cut at its least speech-like VAD window in the last third before the limit.

    Args:
        spans: speech spans of a clip, in order.
        probs: the VAD probability of each 32 ms window of the clip (to find where to cut).
        max_s: the most speech in one window, in seconds.
    """
    from ..audio.vad import WINDOW_S as VAD_WINDOW_S

    pieces: list[SpeechSpan] = []
    for span in spans:
        start = span.start_s
        while span.end_s - start > max_s:
            lo, hi = int((start + max_s * 2 / 3) / VAD_WINDOW_S), int((start + max_s) / VAD_WINDOW_S)
            region = probs[lo:hi]
            cut = (lo + int(np.argmin(region))) * VAD_WINDOW_S if len(region) else start + max_s
            cut = min(max(cut, start + 1.0), start + max_s)
            pieces.append(SpeechSpan(start, cut))
            start = cut
        pieces.append(SpeechSpan(start, span.end_s))
    windows: list[list[SpeechSpan]] = [[]]
    total = 0.0
    for piece in pieces:
        if windows[-1] and total + piece.duration_s > max_s:
            windows.append([])
            total = 0.0
        windows[-1].append(piece)
        total += piece.duration_s
    return windows
