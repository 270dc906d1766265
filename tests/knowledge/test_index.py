"""knowledge.index: the build layout, loading it back, and refusing builds made differently."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.incremental import Changes, apply_changes
from knowledge.index import FORMAT, IndexedGuide, IndexMismatch, build_index, current_build, load_index, new_build_path, write_build
from tests.conftest import TEST_EMBEDDER


def test_a_build_round_trips(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    built = build_index(list(reversed(curated_guides)), tmp_path, TEST_EMBEDDER)
    loaded = load_index(tmp_path, TEST_EMBEDDER.name)
    codes = [g.guide.code for g in curated_guides]
    assert list(loaded.guides) == sorted(codes)  # guides, chunks and cards in code order, whatever the input order
    assert [c.code for c in loaded.chunks] == sorted(c.code for c in loaded.chunks)
    assert loaded.chunks == built.chunks and loaded.cards == built.cards
    assert loaded.dense is not None and loaded.dense.size == len(loaded.cards)  # one vector per card, in card order
    first = loaded.dense._index.reconstruct(0)
    np.testing.assert_allclose(first, TEST_EMBEDDER.embed([loaded.cards[0].text])[0], atol=1e-6)
    assert loaded.guides == built.guides
    assert loaded.manifest["format"] == FORMAT and loaded.manifest["card_count"] == len(loaded.cards)
    assert {p.name for p in current_build(tmp_path).iterdir()} >= {"manifest.json", "guides.jsonl", "offsets.npy", "cards.json"}


def test_a_build_with_another_format_or_model_is_refused(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    build_index(curated_guides[:2], tmp_path, TEST_EMBEDDER)
    with pytest.raises(IndexMismatch, match="model"):
        load_index(tmp_path, "another-model")
    manifest = current_build(tmp_path) / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": FORMAT - 1}))
    with pytest.raises(IndexMismatch, match="format"):
        load_index(tmp_path, TEST_EMBEDDER.name)


def test_unchanged_guides_lines_are_copied_from_the_base_build(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    base = build_index(curated_guides[:4], tmp_path, TEST_EMBEDDER)
    target = curated_guides[1]
    retitled = dataclasses.replace(target.guide.content["vi"], title="Tên mới")
    change = IndexedGuide(dataclasses.replace(target.guide, content={**target.guide.content, "vi": retitled}), 2)
    index = write_build(apply_changes(base, Changes([change], set()), TEST_EMBEDDER, path=new_build_path(tmp_path)), base)

    def lines(path: Path) -> dict[str, bytes]:
        return {json.loads(line)["code"]: line for line in (path / "guides.jsonl").read_bytes().splitlines()}

    old, new = lines(base.path), lines(index.path)
    assert {code for code in new if new[code] != old.get(code)} == {target.guide.code}
    assert load_index(tmp_path, TEST_EMBEDDER.name).guides[target.guide.code].guide.title == "Tên mới"


def test_an_index_without_dense_retrieval(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    build_index(curated_guides[:3], tmp_path, None)
    loaded = load_index(tmp_path, None)
    assert loaded.dense is None and loaded.manifest["model"] is None and len(loaded.cards) >= 3
