"""The curated guides the project ships: complete, bilingual, loadable."""

from pathlib import Path

import pytest

from knowledge.guides import GuideError, guide_from_dict, guide_to_dict, load_guide_dir

GUIDES = Path(__file__).resolve().parents[2] / "data" / "guides"


def test_every_curated_guide_is_bilingual_and_complete() -> None:
    guides = load_guide_dir(GUIDES)
    assert len(guides) >= 1
    assert len({g.code for g in guides}) == len(guides), "codes must be unique"
    for guide in guides:
        assert set(guide.content) == {"vi", "en"}, guide.code
        for lang, content in guide.content.items():
            assert len(content.questions) >= 5, (guide.code, lang)
            assert content.steps and content.channels, (guide.code, lang)
        assert guide.source_url.startswith("https://"), guide.code


def test_round_trip_through_dict() -> None:
    guide = load_guide_dir(GUIDES)[0]
    assert guide_from_dict(guide_to_dict(guide)) == guide
    assert guide_from_dict(guide_to_dict(guide)).fingerprint() == guide.fingerprint()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"vi": {"title": "x"}}, "no code"),
        ({"code": "1"}, "no Vietnamese"),
        ({"code": "1", "vi": {"title": ""}}, "no title"),
        ({"code": "1", "vi": {"title": "x", "channels": [{"kind": "fax"}]}}, "channel kind"),
    ],
)
def test_invalid_guides_say_what_is_wrong(data: dict, message: str) -> None:
    with pytest.raises(GuideError, match=message):
        guide_from_dict(data)
