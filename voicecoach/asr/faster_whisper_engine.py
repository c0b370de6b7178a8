"""faster-whisper (CTranslate2) backend."""

from __future__ import annotations

import os
import threading
from dataclasses import replace

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
        self._model.model = _KeepsAlignment(self._model.model)
        tok = self._model.hf_tokenizer
        self._closing_tokens = {tok.token_to_id(t) for t in (".", "?", "!")} - {None}

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
        keeper = getattr(self._model, "model", None)
        keeper = keeper if isinstance(keeper, _KeepsAlignment) else None  # None: a model built without it
        if keeper is not None:
            keeper.take()  # forget an alignment this thread made before
        for s in segments:
            out.append(Segment(s.text, tuple(Word(w.word, w.start, w.end) for w in (s.words or ())),
                               s.no_speech_prob, s.avg_logprob))
            if s.end >= duration - REST_S:
                break
        if out and keeper is not None:
            out[-1] = replace(out[-1], ending=self._ending(keeper.take()))
        return out

    def _ending(self, last: tuple[list, list] | None) -> float | None:
        """How sure Whisper was of the full stop, "?" or "!" closing what it decoded last: the probability it gave
        that token in the pass that timed the words (``last``: the last window's tokens and alignment), after the audio
        and the words before it."""
        if last is None:
            return None
        tokens, results = last
        if not tokens or not tokens[-1] or not results or len(results[-1].text_token_probs) != len(tokens[-1]):
            return None
        return float(results[-1].text_token_probs[-1]) if tokens[-1][-1] in self._closing_tokens else None


class _KeepsAlignment:
    """CTranslate2's Whisper, keeping the tokens and the result of the last ``align`` each thread made (faster-whisper
    times the words with it, scoring every token of a window's text given the audio and the tokens before it). Per
    thread, since a transcriber may decode on two threads at once (``Transcriber.thread_safe``)."""

    def __init__(self, model) -> None:
        self._model = model
        self._mine = threading.local()

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def align(self, features, start_sequence, text_tokens, *args, **kwargs):
        results = self._model.align(features, start_sequence, text_tokens, *args, **kwargs)
        self._mine.last = (text_tokens, results)
        return results

    def take(self) -> tuple[list, list] | None:
        """The tokens and the result of this thread's last ``align`` since the last ``take`` (None: none)."""
        last, self._mine.last = getattr(self._mine, "last", None), None
        return last
