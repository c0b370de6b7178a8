"""Convert a CTranslate2 Whisper model (``model.bin``) into an openai-whisper checkpoint.

openai-whisper can only load its own ``{"dims": ..., "model_state_dict": ...}`` torch checkpoints,
while the weights voicecoach ships are in CTranslate2's binary format. That format is documented by
``ctranslate2/specs/model_spec.py`` (``ModelSpec._serialize``):

    u32 binary version, string spec name, u32 spec revision, u32 variable count, then per variable:
    string name, u8 rank, u32 dims..., u8 dtype id, u32 byte count, raw bytes;
    then u32 alias count and (alias, target) string pairs.
    A string is u16 length (including a trailing NUL), the UTF-8 bytes, and the NUL.

CTranslate2 fuses projections that openai-whisper keeps apart: self-attention ``linear_0`` is
query, key and value stacked; cross-attention ``linear_0`` is the query and ``linear_1`` key and
value stacked. Whisper's key projections have no bias (CTranslate2 stores zeros there).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import ModelNotFound

__all__ = ["read_ct2_model", "ct2_to_openai_whisper", "cached_checkpoint", "cache_dir"]

# Order of CTranslate2's DataType enum (include/ctranslate2/types.h), bfloat16 has no numpy dtype.
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bfloat16"}
_SUPPORTED_SPEC = "WhisperSpec"


def read_ct2_model(path: str | Path) -> tuple[str, dict[str, np.ndarray]]:
    """Read every variable (aliases resolved) of a CTranslate2 ``model.bin``.

    Returns:
        The spec name and a dict from variable name to array.
    """
    data = Path(path).read_bytes()
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return values[0]

    def string() -> str:
        nonlocal pos
        n = take("<H")
        s = data[pos: pos + n - 1].decode("utf-8")
        pos += n
        return s

    try:
        version = take("<I")
        if version < 5:
            raise ModelNotFound(f"{path}: CTranslate2 binary version {version} is too old to convert")
        spec = string()
        take("<I")  # spec revision
        variables: dict[str, np.ndarray] = {}
        for _ in range(take("<I")):
            name = string()
            shape = tuple(take("<I") for _ in range(take("<B")))
            dtype = _DTYPES[take("<B")]
            nbytes = take("<I")
            raw = data[pos: pos + nbytes]
            pos += nbytes
            if dtype == "bfloat16":
                # bfloat16 is the top half of a float32.
                arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
            else:
                arr = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
            variables[name] = arr.reshape(shape)
        for _ in range(take("<I")):
            alias, target = string(), string()
            variables[alias] = variables[target]
    except (struct.error, KeyError, UnicodeDecodeError, ValueError) as exc:
        raise ModelNotFound(f"{path} is not a readable CTranslate2 model ({exc})") from exc
    return spec, variables


def _dequantize(variables: dict[str, np.ndarray], name: str) -> np.ndarray:
    w = variables[name]
    if w.dtype == np.int8 or w.dtype == np.int16:
        scale = variables[name.rsplit("/", 1)[0] + "/weight_scale"]
        scale = scale.reshape(-1, *([1] * (w.ndim - 1))) if np.ndim(scale) else scale
        return w.astype(np.float32) / scale
    return w.astype(np.float32)


def ct2_to_openai_whisper(model_dir: str | Path) -> dict:
    """Build an openai-whisper checkpoint dict (float16 weights) from a CTranslate2 Whisper folder."""
    model_dir = Path(model_dir)
    spec, v = read_ct2_model(model_dir / "model.bin")
    if spec != _SUPPORTED_SPEC:
        raise ModelNotFound(f"{model_dir} holds a {spec}, not a Whisper model")
    get = lambda name: _dequantize(v, name)  # noqa: E731

    def layers(prefix: str) -> int:
        return len({k.split("/")[1] for k in v if re.match(prefix + r"/layer_\d+/", k)})

    n_audio_layer, n_text_layer = layers("encoder"), layers("decoder")
    n_state = v["encoder/conv1/weight"].shape[0]
    sd: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, *, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = get(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = get(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        sd[f"{dst}.weight"], sd[f"{dst}.bias"] = get(f"{src}/gamma"), get(f"{src}/beta")

    def split_rows(src: str, parts: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return np.split(get(f"{src}/weight"), parts, axis=0), np.split(get(f"{src}/bias"), parts, axis=0)

    def self_attention(dst: str, src: str) -> None:
        (wq, wk, wv), (bq, _bk, bv) = split_rows(f"{src}/linear_0", 3)
        sd.update({f"{dst}.query.weight": wq, f"{dst}.query.bias": bq, f"{dst}.key.weight": wk,
                   f"{dst}.value.weight": wv, f"{dst}.value.bias": bv})
        linear(f"{dst}.out", f"{src}/linear_1")

    def mlp(dst: str, src: str) -> None:
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    for name in ("conv1", "conv2"):
        linear(f"encoder.{name}", f"encoder/{name}")
    sd["encoder.positional_embedding"] = get("encoder/position_encodings/encodings")
    for i in range(n_audio_layer):
        dst, src = f"encoder.blocks.{i}", f"encoder/layer_{i}"
        self_attention(f"{dst}.attn", f"{src}/self_attention")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        mlp(dst, src)
    norm("encoder.ln_post", "encoder/layer_norm")

    sd["decoder.token_embedding.weight"] = get("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = get("decoder/position_encodings/encodings")
    for i in range(n_text_layer):
        dst, src = f"decoder.blocks.{i}", f"decoder/layer_{i}"
        self_attention(f"{dst}.attn", f"{src}/self_attention")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        (wk, wv), (_bk, bv) = split_rows(f"{src}/attention/linear_1", 2)
        sd.update({f"{dst}.cross_attn.key.weight": wk, f"{dst}.cross_attn.value.weight": wv,
                   f"{dst}.cross_attn.value.bias": bv})
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        mlp(dst, src)
    norm("decoder.ln", "decoder/layer_norm")

    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(n_state),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": n_audio_layer,
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(v["decoder/embeddings/weight"].shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": n_text_layer,
    }
    alignment_heads = None
    config = model_dir / "config.json"
    if config.is_file():
        alignment_heads = json.loads(config.read_text()).get("alignment_heads")
    return {"dims": dims, "state": {k: a.astype(np.float16) for k, a in sd.items()},
            "alignment_heads": alignment_heads}


def cache_dir() -> Path:
    """Where converted checkpoints live: ``$VOICECOACH_CACHE`` or the user cache directory."""
    env = os.environ.get("VOICECOACH_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("voicecoach"))


def _fingerprint(model_dir: Path) -> str:
    h = hashlib.sha256()
    for name in ("model.bin", "config.json"):
        p = model_dir / name
        if p.is_file():
            st = p.stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(str(model_dir.resolve()).encode())
    return h.hexdigest()[:16]


def cached_checkpoint(model_dir: str | Path, name: str, progress: Callable[[str], None] | None = None):
    """The openai-whisper checkpoint for a CTranslate2 model, converting it once if needed.

    The file is written under a temporary name and renamed, so an interrupted conversion never
    leaves a half-written checkpoint behind. Where the cache cannot be written (a read-only home, a full
    disk) the checkpoint is converted into memory for this run and returned as a file object (``io.BytesIO``),
    with a line through ``progress`` saying so.
    """
    import torch

    model_dir = Path(model_dir)
    target = cache_dir() / "openai-whisper" / f"{name}-{_fingerprint(model_dir)}.pt"
    if target.is_file():
        return target
    if progress:
        progress(f"Converting {name} to the openai-whisper format (once; cached in {target.parent}) ...")
    converted = ct2_to_openai_whisper(model_dir)
    checkpoint = {
        "dims": converted["dims"],
        "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in converted["state"].items()},
        "voicecoach_alignment_heads": converted["alignment_heads"],
    }
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        torch.save(checkpoint, tmp)
        os.replace(tmp, target)
    except (OSError, RuntimeError) as exc:  # torch.save says RuntimeError ("... failed to write") on a full disk
        try:
            tmp.unlink()
        except OSError:
            pass
        import io

        memory = io.BytesIO()
        torch.save(checkpoint, memory)
        memory.seek(0)
        if progress:
            why = getattr(exc, "strerror", None) or str(exc).splitlines()[0][:80]
            progress(f"(note: cannot keep the converted model in {target.parent} ({why}): it is converted in memory "
                     "on every run; set VOICECOACH_CACHE to a folder you can write to)")
        return memory
    if progress:
        progress(f"Converted: {target} ({target.stat().st_size / 1e6:.0f} MB)")
    return target
