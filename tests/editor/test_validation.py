"""Field-level validation of guides as editors send them."""

from __future__ import annotations

import pytest

from api.editor.validation import fee_is_amount, validate_guide
from knowledge.guides import guide_to_dict, load_guide_dir
from tests.conftest import ROOT


def test_every_curated_guide_is_valid() -> None:
    for guide in load_guide_dir(ROOT / "data" / "guides"):
        assert validate_guide(guide_to_dict(guide)) == [], guide.code


@pytest.mark.parametrize(
    "fee", ["135.000 đồng/lần", "Miễn phí", "Free", "Không có thông tin", "No fee", "Theo quy định của Hội đồng nhân dân cấp tỉnh", ""]
)
def test_fees_that_say_how_much(fee: str) -> None:
    assert fee_is_amount(fee)


@pytest.mark.parametrize("fee", ["rẻ thôi", "tùy", "cheap", "liên hệ"])
def test_fees_that_do_not(fee: str) -> None:
    assert not fee_is_amount(fee)


def test_all_problems_are_reported_with_their_paths() -> None:
    errors = validate_guide(
        {
            "code": "bad code!",
            "source_url": "ftp://x",
            "legal_basis": [{"title": "no number"}],
            "vi": {"title": " ", "steps": ["ok", 3], "channels": [{"kind": "online", "fee": "hmm"}], "documents": [{"case": "<b>x</b>"}]},
            "en": {"summary": "no title"},
        }
    )
    assert {e.field for e in errors} == {
        "code",
        "source_url",
        "legal_basis.0.number",
        "vi.title",
        "vi.steps.1",
        "vi.channels.0.fee",
        "vi.documents.0.case",
        "en.title",
    }


def test_markup_is_refused_in_any_field() -> None:
    for payload in ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "</p>"]:
        errors = validate_guide({"code": "1.1", "vi": {"title": "T", "where": payload}})
        assert [e.field for e in errors] == ["vi.where"], payload
    assert validate_guide({"code": "1.1", "vi": {"title": "Phí < 100.000 đồng và > 0"}}) == []
