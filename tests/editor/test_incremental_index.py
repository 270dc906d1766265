"""knowledge.incremental (kept with the editor tests by the tree rules): incremental updates equal a full build; failures leave the served index."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pytest

from knowledge.guides import GuideContent
from knowledge.incremental import Changes, Wanted, changes_between, embed_guide, in_memory_index, sync_index, vector_cache
from knowledge.index import Index, IndexedGuide, build_index, current_build, load_index
from knowledge.vocabulary import procedure_vocabulary
from tests.conftest import TEST_EMBEDDER, CountingEmbedder

QUESTIONS = ["đăng ký thường trú", "tên mới hoàn toàn", "cấp hộ chiếu", "lệ phí khai sinh", "xin giấy phép lái xe"]


def changed(item: IndexedGuide, title: str | None = None, steps: list[str] | None = None) -> IndexedGuide:
    content = item.guide.content["vi"]
    content = dataclasses.replace(content, title=title or content.title, steps=steps if steps is not None else content.steps)
    return IndexedGuide(dataclasses.replace(item.guide, content={**item.guide.content, "vi": content}), item.version + 1)


def vectors(index: Index) -> np.ndarray:
    assert index.dense is not None
    return index.dense._index.reconstruct_n(0, index.dense.size)


def assert_same_index(a: Index, b: Index) -> None:
    """Same layout, same vectors, same BM25 answers, same coverage vocabulary."""
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert a.cards == b.cards
    assert a.manifest["guide_versions"] == b.manifest["guide_versions"]
    np.testing.assert_allclose(vectors(a), vectors(b), atol=1e-6)
    for question in QUESTIONS:
        assert a.lexical.search(question, 20) == b.lexical.search(question, 20)
    (terms_a, idf_a), (terms_b, idf_b) = procedure_vocabulary(a), procedure_vocabulary(b)
    assert {code: set(ts) for code, ts in terms_a.items()} == {code: set(ts) for code, ts in terms_b.items()}
    assert dict(idf_a) == dict(idf_b)


def test_sync_replaces_adds_and_removes_only_what_changed(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    base = build_index(curated_guides[:5], tmp_path, TEST_EMBEDDER)
    new = IndexedGuide(dataclasses.replace(curated_guides[5].guide), 1)
    wanted = [changed(curated_guides[0], "Tên mới hoàn toàn"), *curated_guides[2:5], new]
    assert changes_between(base, wanted).codes == sorted({curated_guides[0].guide.code, curated_guides[1].guide.code, new.guide.code})

    updated = sync_index(tmp_path, wanted, TEST_EMBEDDER, loaded=base)
    assert current_build(tmp_path).name == updated.build_id
    assert updated.manifest["changed"] == changes_between(base, wanted).codes
    full = build_index(wanted, tmp_path / "full", TEST_EMBEDDER)
    assert_same_index(updated, full)
    assert_same_index(load_index(tmp_path, TEST_EMBEDDER.name), full)  # and so is what another process loads
    assert sync_index(tmp_path, wanted, TEST_EMBEDDER).build_id == updated.build_id  # nothing to do


def test_a_publish_fetches_and_embeds_only_the_changed_guide(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    build_index(curated_guides, tmp_path, TEST_EMBEDDER)
    target = curated_guides[3]
    wanted = [changed(g, steps=["Một bước mới."]) if g is target else g for g in curated_guides]
    fetched: list[str] = []

    def fetch(codes: Collection[str]) -> list[IndexedGuide]:
        fetched.extend(codes)
        return [g for g in wanted if g.guide.code in codes]

    embedder = CountingEmbedder()
    index = sync_index(tmp_path, Wanted({g.guide.code: g.version for g in wanted}, fetch), embedder)
    assert fetched == [target.guide.code] and index.manifest["changed"] == [target.guide.code]
    assert embedder.texts == []  # the steps changed, the card did not: its vector is the cached one

    retitled = [IndexedGuide(changed(g, title="Thủ tục mới tên").guide, g.version + 2) if g is target else g for g in curated_guides]
    sync_index(tmp_path, retitled, embedder)
    assert len(embedder.texts) == 1 and embedder.texts[0].startswith("Thủ tục mới tên")


def test_a_reload_reuses_what_the_previous_index_holds(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    old = build_index(curated_guides, tmp_path, TEST_EMBEDDER)
    target = curated_guides[2].guide.code
    sync_index(tmp_path, [changed(g, "Tên mới hoàn toàn") if g.guide.code == target else g for g in curated_guides], TEST_EMBEDDER)
    warm, cold = load_index(tmp_path, TEST_EMBEDDER.name, previous=old), load_index(tmp_path, TEST_EMBEDDER.name)
    assert_same_index(warm, cold)
    assert all(warm.guides[code] is old.guides[code] for code in old.guides if code != target)
    assert warm.guides[target].guide.title == "Tên mới hoàn toàn"


def test_a_failed_build_leaves_the_current_one(tmp_path: Path, curated_guides: list[IndexedGuide], monkeypatch: pytest.MonkeyPatch) -> None:
    base = build_index(curated_guides[:3], tmp_path, TEST_EMBEDDER)

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("knowledge.index.DenseIndex.save", broken)
    with pytest.raises(OSError):
        sync_index(tmp_path, curated_guides[:4], TEST_EMBEDDER)
    assert current_build(tmp_path).name == base.build_id
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")] == [base.build_id]


def test_card_vectors_are_cached_by_text(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    guide = curated_guides[0].guide
    first = embed_guide(guide, TEST_EMBEDDER, vector_cache(tmp_path))
    assert len(list(vector_cache(tmp_path).rglob("*.npy"))) == len(guide.languages) == len(first)
    np.testing.assert_array_equal(embed_guide(guide, TEST_EMBEDDER, vector_cache(tmp_path)), first)


def test_preview_index_is_in_memory_only(tmp_path: Path, curated_guides: list[IndexedGuide]) -> None:
    base = build_index(curated_guides[:3], tmp_path, TEST_EMBEDDER)
    draft = IndexedGuide(dataclasses.replace(curated_guides[3].guide, content={"vi": GuideContent(title="Cấp phép thả đèn trời")}), 1)
    preview = in_memory_index(base, Changes([draft], set()), TEST_EMBEDDER)
    assert draft.guide.code in preview.guides and len(preview.chunks) > len(base.chunks)
    assert [c.code for c in preview.cards].count(draft.guide.code) == 1 and preview.dense is not None
    assert preview.dense.size == len(preview.cards)
    assert preview.lexical.search("thả đèn trời", 1)[0][0] == next(i for i, c in enumerate(preview.chunks) if c.code == draft.guide.code)
    assert load_index(tmp_path, TEST_EMBEDDER.name).build_id == base.build_id
