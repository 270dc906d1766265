"""knowledge.chunking: chunks per section, one card per procedure and language."""

from __future__ import annotations

import dataclasses

from knowledge.chunking import chunk_guide, procedure_cards
from knowledge.guides import Guide, GuideContent
from knowledge.index import IndexedGuide


def test_one_card_per_language_with_names_field_and_summary_start(curated_guides: list[IndexedGuide]) -> None:
    guide = next(g.guide for g in curated_guides if "en" in g.guide.content and g.guide.content["vi"].aliases)
    cards = procedure_cards(guide)
    assert [c.lang for c in cards] == ["vi", "en"] and {c.code for c in cards} == {guide.code}
    vi = cards[0].text
    assert vi.startswith(guide.content["vi"].title) and guide.content["vi"].aliases[0] in vi and guide.domain in vi
    assert cards[1].text.startswith(guide.content["en"].title)


def test_the_summary_is_cut_at_a_word_boundary() -> None:
    summary = " ".join(["thủ tục"] * 200)
    guide = Guide(code="9.1", content={"vi": GuideContent(title="Thả đèn trời", summary=summary)}, domain="")
    (card,) = procedure_cards(guide, summary_chars=400)
    assert card.text.startswith("Thả đèn trời . thủ tục")
    assert len(card.text) <= len("Thả đèn trời . ") + 400 and card.text.endswith(("thủ", "tục"))


def test_every_chunk_names_its_procedure(curated_guides: list[IndexedGuide]) -> None:
    guide = curated_guides[0].guide
    title = guide.content["vi"].title
    chunks = chunk_guide(dataclasses.replace(guide, content={"vi": guide.content["vi"]}))
    assert chunks[0].section == "title" and all(c.text.startswith(title) for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)
