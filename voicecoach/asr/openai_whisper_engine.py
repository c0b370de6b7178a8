"""openai-whisper (PyTorch) backend, fed arrays so that its ffmpeg-based loader is never used."""

from __future__ import annotations

import numpy as np

from ..errors import EngineMissing, ModelNotFound
from . import DecodeOptions, Segment, Transcriber, Word
from .models import ModelRef

__all__ = ["OpenAIWhisperTranscriber"]


def _why(exc: Exception) -> str:
    """torch.load's reasons in a few words (its own messages run to paragraphs about weights_only)."""
    text = str(exc)
    if "central directory" in text or "zip archive" in text or isinstance(exc, (EOFError, OSError)):
        return "the file is damaged or cut short"
    if type(exc).__name__ == "UnpicklingError":
        return "not a PyTorch checkpoint"
    if isinstance(exc, (KeyError, TypeError)):
        return f"a PyTorch file, but not openai-whisper's (no {text or 'dims'})"
    return text.splitlines()[0][:100] if text else type(exc).__name__


class OpenAIWhisperTranscriber(Transcriber):
    """Whisper on PyTorch (CPU). A CTranslate2 model is converted once into a cached checkpoint."""

    engine = "openai-whisper"
    # openai-whisper installs key/value-cache hooks on the shared model for each decode, so two
    # decodes at once would read each other's caches.
    thread_safe = False

    def __init__(self, model: ModelRef, options: DecodeOptions = DecodeOptions(), progress=None) -> None:
        super().__init__(model.name, options)
        try:
            import torch
            from whisper.model import ModelDimensions, Whisper
        except ImportError as exc:
            raise EngineMissing(
                "the openai-whisper engine is not installed",
                "pip install torch==2.13.0 (the CPU build) and then pip install openai-whisper",
            ) from exc
        path, cached = model.path, model.kind == "ctranslate2"
        if cached:
            from .convert import cached_checkpoint

            path = cached_checkpoint(model.path, model.name, progress)
        try:
            checkpoint = torch.load(path, map_location="cpu", weights_only=True)
            self._model = Whisper(ModelDimensions(**checkpoint["dims"]))
            self._model.load_state_dict(checkpoint["model_state_dict"])
        except Exception as exc:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, KeyError, ... here
            fix = (f"delete the cached checkpoint (rm {path}); it is converted again from model.bin on the next run"
                   if cached else "pass a checkpoint saved by openai-whisper, or leave out --model to use the "
                   "bundled tiny.en")
            raise ModelNotFound(f"{path} is not a usable openai-whisper checkpoint ({_why(exc)})", fix) from None
        heads = checkpoint.get("voicecoach_alignment_heads")
        if heads:
            # Word timings come from these cross-attention heads; without them openai-whisper
            # falls back to "the last half of the layers", which times words less precisely.
            dims = self._model.dims
            mask = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
            for layer, head in heads:
                mask[layer, head] = True
            self._model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
        if options.threads:
            torch.set_num_threads(options.threads)  # waiting threads sleep (OMP_WAIT_POLICY, set in asr)
        self._model.eval()

    def _decode(self, samples: np.ndarray, options: DecodeOptions) -> list[Segment]:
        cap = options.max_new_tokens(len(samples) / 16000)
        extra = {"sample_len": cap} if cap else {}
        result = self._model.transcribe(
            samples.astype(np.float32),
            language="en",
            beam_size=options.beam_size,
            best_of=options.beam_size,
            temperature=options.temperatures,
            compression_ratio_threshold=options.compression_ratio_threshold,
            logprob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=False,
            initial_prompt=options.prompt,
            word_timestamps=True,
            fp16=False,
            verbose=None,
            **extra,
        )
        return [
            Segment(s["text"], tuple(Word(w["word"], w["start"], w["end"]) for w in s.get("words", ())),
                    s["no_speech_prob"], s["avg_logprob"])
            for s in result["segments"]
        ]
