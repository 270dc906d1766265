"""knowledge.dense: the question side of the symmetric embedders is their document side."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.dense import HashEmbedder, SentenceTransformerEmbedder


def test_hash_embedder_embeds_a_question_like_a_document() -> None:
    embedder = HashEmbedder(64)
    question = embedder.embed_query("đăng ký thường trú")
    assert question.shape == (64,)
    np.testing.assert_array_equal(question, embedder.embed(["đăng ký thường trú"])[0])


@pytest.mark.slow
def test_minilm_embeds_a_question_like_a_document() -> None:
    embedder = SentenceTransformerEmbedder()
    np.testing.assert_allclose(embedder.embed_query("renew a passport"), embedder.embed(["renew a passport"])[0], atol=1e-6)
