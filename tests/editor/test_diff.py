"""The per-field diff between guide versions."""

from __future__ import annotations

from api.editor.diff import diff_guides, flatten


def test_flatten_names_every_leaf() -> None:
    assert flatten({"code": "1", "vi": {"steps": ["a", "b"], "channels": [{"kind": "online", "fee": ""}]}, "updated_at": "2026-01-01"}) == {
        "code": "1",
        "vi.steps.0": "a",
        "vi.steps.1": "b",
        "vi.channels.0.kind": "online",
    }


def test_changes_in_reading_order() -> None:
    before = {"code": "1", "vi": {"title": "A", "steps": ["s1", "s2"]}, "en": {"title": "A"}, "agency": "X"}
    after = {"code": "1", "vi": {"title": "A", "steps": ["s1", "s2 changed", "s3"]}, "agency": "", "updated_at": "2099-01-01"}
    changes = [(c.field, c.kind) for c in diff_guides(before, after)]
    assert changes == [("agency", "removed"), ("vi.steps.1", "changed"), ("vi.steps.2", "added"), ("en.title", "removed")]


def test_equal_guides_have_no_diff() -> None:
    guide = {"code": "1", "vi": {"title": "A", "documents": [{"case": "c", "items": ["x"]}]}}
    assert diff_guides(guide, {**guide, "status": "draft"}) == []
