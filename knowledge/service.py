"""The knowledge service: what the chat action and `/api/search` call.

    service = KnowledgeService.open(index_dir, embedder, terms)
    reply = service.ask("dang ky thuong tru het bao nhieu tien")
    reply.answer["status"], reply.text   # "answered", "Lệ phí Đăng ký thường trú: ..."

It serves one loaded `Index` at a time and swaps to a newer build in one
assignment, so a search running during a swap sees either the old or the new
index, never a mix.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from knowledge.answer import answer_text, clarify_text, guide_card, option_value, phrases, procedures
from knowledge.aspects import Aspect, detect_aspect, mentions_topic
from knowledge.dense import Embedder
from knowledge.families import level_asked
from knowledge.guides import Guide
from knowledge.index import Index, load_index
from knowledge.language import detect_language
from knowledge.mentions import names_procedure, without_mentions
from knowledge.refusal import unanswerable_reply
from knowledge.reply import Reply
from knowledge.search import Hit, Searcher, SearchOutcome
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList


class GuideNotFound(LookupError):
    pass


class KnowledgeService:
    def __init__(self, searcher: Searcher, index_dir: Path | None = None) -> None:
        self._searcher = searcher
        self._index_dir = index_dir
        self._reload_lock = threading.Lock()

    @classmethod
    def open(cls, index_dir: Path, embedder: Embedder | None, terms: TermList, synonyms: SynonymList | None = None) -> KnowledgeService:
        index = load_index(index_dir, expected_model=embedder.name if embedder else None)
        return cls(Searcher(index, embedder, terms, synonyms=synonyms), index_dir)

    @property
    def index(self) -> Index:
        return self._searcher.index

    @property
    def embedder(self) -> Embedder | None:
        return self._searcher._embedder

    def with_index(self, index: Index) -> KnowledgeService:
        """A separate service over `index` with this one's embedder and terms (the editor's preview)."""
        return KnowledgeService(self._searcher.over(index))

    def reload_if_changed(self) -> bool:
        """Serve the build CURRENT points at, if it is newer than the one loaded."""
        if self._index_dir is None:
            return False
        current = (self._index_dir / "CURRENT").read_text().strip()
        if current == self.index.build_id:
            return False
        with self._reload_lock:
            if current != self.index.build_id:
                old = self._searcher
                self._searcher = old.over(load_index(self._index_dir, expected_model=old.index.manifest.get("model"), previous=old.index))
        return True

    def search(self, query: str, k: int = 5, lang: str | None = None) -> SearchOutcome:
        return self._searcher.search(query, k=k, lang=lang)

    def ask(
        self,
        question: str,
        lang: str | None = None,
        aspect: Aspect | None = None,
        current_code: str | None = None,
        mentions: Sequence[str] = (),
        places: Sequence[str] = (),
        asks_law: bool = False,
    ) -> Reply:
        """Answer a question: find the procedure, then compose the part that was asked.

        A question that names no procedure ("còn lệ phí thì sao?"), or names only the current
        one ("còn lệ phí làm tạm trú thì sao?"), is about `current_code`.

        `mentions` are the procedure names the bot's NLU found in the question, as typed (its
        lookup table holds the curated guides' titles and aliases): hints only, since a guide newer
        than the bot's model has none. When they are all the question names and name exactly one
        of the closest procedures, that one is answered, even over a close first hit: "lệ phí làm
        căn cước" is the ID card from 14 years on, not the one for children. `places` (provinces
        the NLU found) say where, not which procedure: "tôi ở Quảng Nam thì nộp ở đâu?" is a follow-up.

        `asks_law`: the NLU read the question as one about the law ("có bắt buộc … không?", "bị phạt
        bao nhiêu?"); a refusal then says that the question is about the law. The verdict stays the
        search's: overriding a choice with a refusal refused 22 % of the answerable validation
        questions through the chat (7 % without) and 42 % of the dev set's, whose real questions
        carry such clauses ("… có bắt buộc phải đưa cháu đến không?") inside procedure questions.
        """
        question = without_mentions(question, places)
        aspect = aspect or detect_aspect(question)
        searcher = self._searcher  # one index for the whole answer, even if a reload swaps it meanwhile
        guides = searcher.index.guides
        current = guides.get(current_code) if current_code else None
        if current and _about_current(question, mentions, current.guide):
            lang = lang or detect_language(question)
            return self.answer_for(current.guide.code, lang, aspect, index=searcher.index)
        outcome = searcher.search(question, k=4, lang=lang)
        lang = outcome.lang
        if mentions and _only_names(question, mentions):  # named by the NLU: answerable, whatever the verdict
            named = [h for h in outcome.hits if _named_by(guides[h.code].guide, mentions)]
            if len(named) == 1:
                return self.answer_for(named[0].code, lang, aspect, outcome, index=searcher.index)
        if outcome.status == "answered":
            levels = _levels_that_differ(outcome.hits[0], aspect, searcher.index) if not level_asked(question) else []
            if not levels:
                return self.answer_for(outcome.hits[0].code, lang, aspect, outcome, index=searcher.index)
            answer = {"status": "clarify", "procedures": procedures(outcome, limit=1), "aspect": aspect, "guide": None}
            return _choice(_WHICH_LEVEL["en" if lang == "en" else "vi"], levels, answer, lang, searcher.index)
        if asks_law and outcome.status == "unanswerable":
            outcome = replace(outcome, question_kind="law")
        answer = {"status": outcome.status, "procedures": procedures(outcome), "aspect": aspect, "guide": None}
        if outcome.status == "clarify":
            options = [(h.code, title) for h, title in _button_titles(outcome, searcher.index)]
            return _choice(phrases(lang)["clarify"], options, answer, lang, searcher.index)
        return unanswerable_reply(outcome, searcher.index, lang, aspect=aspect)

    def answer_for(self, code: str, lang: str, aspect: Aspect, outcome: SearchOutcome | None = None, index: Index | None = None) -> Reply:
        """Answer about a known procedure (a follow-up, or a choice among clarify buttons)."""
        indexed = (index or self.index).guides.get(code)
        if indexed is None:
            raise GuideNotFound(code)
        guide = indexed.guide
        cited = {"code": code, "title": guide.content_for(lang).title, "url": guide.source_url or guide.online_url}
        answer = {
            "status": "answered",
            "procedures": [cited],
            "aspect": aspect,
            "guide": guide_card(guide, indexed.version, lang, aspect),
        }
        return Reply(answer_text(guide, lang, aspect), answer, guide_code=code, guide_version=indexed.version)


def _choice(prompt: str, options: list[tuple[str, str]], answer: dict, lang: str, index: Index) -> Reply:
    """A button per (code, title) option; asked for a fee or time, the text also gives each option's."""
    values = {code: value for code, _ in options if (value := option_value(index.guides[code].guide, lang, answer["aspect"]))}
    buttons = [{"title": title, "payload": f'/choose_procedure{{"procedure_code":"{code}"}}'} for code, title in options]
    return Reply(clarify_text(prompt, values, dict(options), lang, answer["aspect"]), {**answer, "values": values}, buttons)


def _only_names(question: str, mentions: Sequence[str]) -> bool:
    """The mentions are all the question names; the rest asks what, not which ("lệ phí … bao nhiêu")."""
    return not mentions_topic(without_mentions(question, mentions))


def _named_by(guide: Guide, mentions: Sequence[str]) -> bool:
    """Whether a mention is one of this curated guide's names (national records are not in the bot's lookup table)."""
    return guide.origin == "curated" and any(names_procedure(m, guide) for m in mentions)


def _about_current(question: str, mentions: Sequence[str], current: Guide) -> bool:
    """A follow-up: the question names no procedure, or names only the current one."""
    if not mentions:
        return not mentions_topic(question)
    return _only_names(question, mentions) and all(names_procedure(m, current) for m in mentions)


_WHICH_LEVEL = {
    "vi": "Thủ tục này làm ở mỗi cấp một khác. Bạn nộp hồ sơ ở cấp nào?",
    "en": "This procedure differs by the level of office. Where will you apply?",
}


def _levels_that_differ(hit: Hit, aspect: Aspect, index: Index) -> list[tuple[str, str]]:
    """(code, button title) for each level of the hit's procedure when what was asked differs between
    levels; empty when the levels agree (then the citizen is not asked)."""
    if len(hit.family) < 2 or aspect not in ("fee", "time", "documents"):
        return []
    guides = [index.guides[c].guide for c in hit.family if c in index.guides]
    if aspect == "documents":
        asked = [tuple((d.case, tuple(d.items)) for d in g.content_for("vi").documents) for g in guides]
    else:
        asked = [tuple(getattr(ch, aspect) for ch in g.content_for("vi").channels) for g in guides]
    if len(set(asked)) < 2:
        return []
    return [(g.code, f"{g.content_for('vi').title} ({g.level})" if g.level else g.content_for("vi").title) for g in guides]


def _button_titles(outcome: SearchOutcome, index: Index, limit: int = 4) -> list[tuple[Hit, str]]:
    """Clarify buttons; procedures that share a title (the same procedure at several levels) show their level."""
    hits = outcome.hits[:limit]
    titles = [h.title for h in hits]
    return [
        (
            h,
            f"{h.title} ({index.guides[h.code].guide.level})"
            if titles.count(h.title) > 1 and index.guides[h.code].guide.level
            else h.title,
        )
        for h in hits
    ]
