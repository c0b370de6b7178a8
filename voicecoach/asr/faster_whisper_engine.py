"""faster-whisper (CTranslate2) backend."""

from __future__ import annotations

import os

import numpy as np

from ..errors import EngineMissing, ModelNotFound
from . import DecodeOptions, Segment, Transcriber, Word
from .models import ModelRef

__all__ = ["FasterWhisperTranscriber"]

REST_S = 0.5
"""Audio left after a decoded segment that is not decoded again (see ``_decode``)."""


class FasterWhisperTranscriber(Transcriber):
    """Whisper on CTranslate2. Reads a CTranslate2 model folder directly."""

    engine = "faster-whisper"

    def __init__(self, model: ModelRef, options: DecodeOptions = DecodeOptions(), progress=None,
                 compute_type: str | None = None, cpu_threads: int | None = None) -> None:
        super().__init__(model.name, options)
        if model.kind != "ctranslate2":
            raise ModelNotFound(
                f"faster-whisper needs a CTranslate2 model folder, and {model.path} is an openai-whisper checkpoint",
                "use --engine openai-whisper for .pt checkpoints, or pass a folder holding model.bin",
            )
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineMissing("the faster-whisper engine is not installed", "pip install faster-whisper") from exc
        # float32 keeps the arithmetic close to openai-whisper's on the CPU so that the two engines
        # agree; the benchmark in scripts/ compares it with int8.
        compute_type = compute_type or options.compute_type
        self.compute_type = compute_type
        try:
            threads = cpu_threads or options.threads or os.cpu_count() or 1
            self._model = WhisperModel(str(model.path), device="cpu", compute_type=compute_type, cpu_threads=threads,
                                       local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:  # CTranslate2 reports a bad model.bin as RuntimeError
            raise ModelNotFound(f"{model.path / 'model.bin'} cannot be loaded ({str(exc).splitlines()[0][:120]})",
                                "replace the model folder with a working CTranslate2 Whisper model, or leave out "
                                "--model to use the bundled tiny.en") from None

    def _decode(self, samples: np.ndarray, options: DecodeOptions) -> list[Segment]:
        segments, _info = self._model.transcribe(
            samples,
            language="en",
            beam_size=options.beam_size,
            best_of=options.beam_size,
            temperature=list(options.temperatures),
            compression_ratio_threshold=options.compression_ratio_threshold,
            log_prob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=False,
            initial_prompt=options.prompt,
            word_timestamps=True,
            vad_filter=False,
            max_new_tokens=options.max_new_tokens(len(samples) / 16000),
        )
        # Segments come lazily, a window at a time. With word timestamps, faster-whisper decodes again from the last
        # word when a window does not end on a single timestamp, and for a piece primed with the one before it that
        # is the piece's last fraction of a second of padding: Whisper invents words there (which the gate drops)
        # at up to 0.4 s a piece. A rest under REST_S holds no word the window missed: not decoded.
        out, duration = [], len(samples) / 16000
        for s in segments:
            out.append(Segment(s.text, tuple(Word(w.word, w.start, w.end) for w in (s.words or ())),
                               s.no_speech_prob, s.avg_logprob))
            if s.end >= duration - REST_S:
                break
        return out
