"""knowledge.incremental (kept with the editor tests by the tree rules): incremental updates equal a full build; failures leave the served index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from knowledge.guides import GuideContent
from knowledge.incremental import Changes, changes_between, embed_guide, in_memory_index, sync_index, vector_cache
from knowledge.index import IndexedGuide, build_index, current_build, load_index
from tests.conftest import TEST_EMBEDDER


def changed(item: IndexedGuide, title: str) -> IndexedGuide:
    content = dataclasses.replace(item.guide.content["vi"], title=title)
    return IndexedGuide(dataclasses.replace(item.guide, content={**item.guide.content, "vi": content}), item.version + 1)


def test_sync_replaces_adds_and_removes_only_what_changed(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    base = build_index(curated_guides[:5], tmp_path, TEST_EMBEDDER)
    new = IndexedGuide(dataclasses.replace(curated_guides[5].guide), 1)
    wanted = [changed(curated_guides[0], "Tên mới hoàn toàn"), *curated_guides[2:5], new]
    assert changes_between(base, wanted).codes == sorted({curated_guides[0].guide.code, curated_guides[1].guide.code, new.guide.code})

    updated = sync_index(tmp_path, wanted, TEST_EMBEDDER, loaded=base)
    full = build_index(wanted, tmp_path / "full", TEST_EMBEDDER)
    assert current_build(tmp_path).name == updated.build_id
    assert sorted(c.id for c in updated.chunks) == sorted(c.id for c in full.chunks)
    assert updated.manifest["guide_versions"] == full.manifest["guide_versions"]
    loaded = load_index(tmp_path, TEST_EMBEDDER.name)
    by_id = {c.id: i for i, c in enumerate(full.chunks)}
    # the vectors kept from the old build equal freshly embedded ones
    old_vectors = loaded.dense._index.reconstruct_n(0, loaded.dense.size)  # type: ignore[union-attr]
    new_vectors = full.dense._index.reconstruct_n(0, full.dense.size)  # type: ignore[union-attr]
    for i, chunk in enumerate(loaded.chunks):
        np.testing.assert_allclose(old_vectors[i], new_vectors[by_id[chunk.id]], atol=1e-6)
    assert sync_index(tmp_path, wanted, TEST_EMBEDDER).build_id == updated.build_id  # nothing to do


def test_a_failed_build_leaves_the_current_one(tmp_path: Path, curated_guides: list[IndexedGuide], monkeypatch: pytest.MonkeyPatch) -> None:
    base = build_index(curated_guides[:3], tmp_path, TEST_EMBEDDER)

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("knowledge.index.DenseIndex.save", broken)
    with pytest.raises(OSError):
        sync_index(tmp_path, curated_guides[:4], TEST_EMBEDDER)
    assert current_build(tmp_path).name == base.build_id
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")] == [base.build_id]


def test_vectors_are_cached_by_fingerprint(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    guide = curated_guides[0].guide
    first = embed_guide(guide, TEST_EMBEDDER, vector_cache(tmp_path))
    assert len(list(vector_cache(tmp_path).rglob("*.npy"))) == 1
    np.testing.assert_array_equal(embed_guide(guide, TEST_EMBEDDER, vector_cache(tmp_path)), first)


def test_preview_index_is_in_memory_only(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    base = build_index(curated_guides[:3], tmp_path, TEST_EMBEDDER)
    draft = IndexedGuide(dataclasses.replace(curated_guides[3].guide, content={"vi": GuideContent(title="Cấp phép thả đèn trời")}), 1)
    preview = in_memory_index(base, Changes([draft], set()), TEST_EMBEDDER)
    assert draft.guide.code in preview.guides and len(preview.chunks) > len(base.chunks)
    assert load_index(tmp_path, TEST_EMBEDDER.name).build_id == base.build_id
