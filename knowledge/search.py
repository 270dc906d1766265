"""Search: candidates from BM25 and dense retrieval, ranked by a learned model, with an honest verdict.

1. The question is focused (a long message is read from its asking sentence) and expanded:
   English phrases get their Vietnamese equivalents (`TermList`), old names and
   abbreviations their official ones (`SynonymList`: "hộ khẩu" → "thường trú").
2. BM25 over chunks and a dense index over procedure cards each propose candidates; the
   same procedure at several levels is one candidate (`knowledge.families`).
3. A logistic reranker (`knowledge.ranker`) orders the candidates from their features
   (`knowledge.features`): BM25 score and rank, dense similarity and rank, coverage of the
   question's words, title match.
4. The verdict is two learned decisions: is the question answerable at all (else
   `unanswerable`), and is the first candidate right (then `answered`, else `clarify` with
   the best few as buttons). Questions about the law ("bị phạt bao nhiêu?") are
   recognised by their shape and marked `question_kind = "law"`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from knowledge.aspects import topic_words
from knowledge.dense import Embedder
from knowledge.diacritics import Restorer
from knowledge.families import group_families, level_asked, serves_level
from knowledge.features import CANDIDATE_FEATURES, NO_RANK, QUESTION_FEATURES, Signals, candidate_features, question_features
from knowledge.index import Index
from knowledge.language import detect_language
from knowledge.normalize import STOPWORDS, accented_syllables, fold, has_vietnamese_marks, syllables
from knowledge.querytext import focus, law_cues
from knowledge.ranker import DEFAULT_MODEL, RankerModel, load_model
from knowledge.terms import TermList
from knowledge.vocabulary import procedure_vocabulary

if TYPE_CHECKING:
    from knowledge.synonyms import SynonymList

Status = Literal["answered", "clarify", "unanswerable"]
QuestionKind = Literal["procedure", "law"]
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Thresholds:
    """How many candidates each retriever proposes, and the rule for bare topics."""

    lexical_chunks: int = 200
    lexical_candidates: int = 30
    dense_cards: int = 60
    dense_candidates: int = 30
    bare_topic_syllables: int = 3  # a question this short that two titles contain asks which one
    use_lexical: bool = True  # False: dense candidates only (evaluation)
    use_dense: bool = True  # False: BM25 candidates only (evaluation, or no embedder)


@dataclass(frozen=True)
class Hit:
    code: str
    title: str
    score: float  # the reranker's share of belief in this procedure among the question's candidates
    lexical: float
    coverage: float
    title_match: float
    snippet: str
    url: str
    dense: float = 0.0
    family: tuple[str, ...] = ()  # every code of the procedure's family (levels), `code` first


@dataclass(frozen=True)
class SearchOutcome:
    status: Status
    hits: list[Hit]  # best first; the nearest procedures even when the status is unanswerable
    lang: str
    notices: list[str] = field(default_factory=list)
    question_kind: QuestionKind = "procedure"
    features: dict[str, float] = field(default_factory=dict)  # question-level features and probabilities
    asked: str = ""  # the part of the question that was searched


@dataclass
class Seen:
    """What retrieval measured for one question: per family `Signals`, per code its best chunk."""

    asked: str
    lang: str
    words: list[str]
    signals: dict[str, Signals]
    snippets: dict[str, tuple[float, str]]
    law_cues: int
    notices: list[str]
    dense_used: bool = False
    rewritten: str = ""  # the question with abbreviations and old names in the records' words ("" when none)


def _titles_holding(hits: list[Hit], words: set[str]) -> list[Hit]:
    """The hits whose title holds every one of `words` (folded syllables)."""
    return [h for h in hits if words <= set(syllables(h.title))]


def candidate_rows(seen: Seen) -> tuple[list[str], list[dict[str, float]]]:
    """The candidate families of one retrieval and their reranker features, in the same order."""
    signals = seen.signals
    best_bm25 = max((s.bm25 for s in signals.values()), default=0.0)
    best_dense = max((s.dense for s in signals.values()), default=0.0)
    families = list(signals)
    return families, [candidate_features(signals[f], best_bm25=best_bm25, best_dense=best_dense, lang=seen.lang) for f in families]


class Searcher:
    def __init__(
        self,
        index: Index,
        embedder: Embedder | None,
        terms: TermList,
        thresholds: Thresholds | None = None,
        *,
        synonyms: SynonymList | None = None,
        model: RankerModel | None = None,
        model_path: Path = DEFAULT_MODEL,
    ) -> None:
        self.index = index
        self._embedder = embedder if index.dense is not None else None
        self._terms = terms
        self._synonyms = synonyms
        self.thresholds = thresholds or Thresholds()
        self.model = model or load_model(model_path)
        self.model.check(CANDIDATE_FEATURES, QUESTION_FEATURES)
        self._procedure_terms, self._idf = procedure_vocabulary(index)
        self._family_of = group_families((code, item.guide.title) for code, item in index.guides.items())
        self._titles: dict[str, tuple[str, ...]] = {}  # code -> its title's folded syllables, filled as asked
        self._members: dict[str, list[str]] = defaultdict(list)
        for code, family in sorted(self._family_of.items()):
            self._members[family].append(code)

    def over(self, index: Index) -> Searcher:
        """This searcher's configuration (embedder, term lists, model) over another index."""
        return Searcher(index, self._embedder, self._terms, self.thresholds, synonyms=self._synonyms, model=self.model)

    @property
    def dense_enabled(self) -> bool:
        return self._embedder is not None and self.thresholds.use_dense

    def search(self, query: str, k: int = 5, lang: str | None = None, level: str | None = None) -> SearchOutcome:
        return self.decide(self.explain(query, lang), k, level)

    def decide(self, seen: Seen, k: int = 5, level: str | None = None) -> SearchOutcome:
        """Rank what `explain` measured and give the verdict (the evaluation reuses one retrieval for both)."""
        if not seen.signals:
            return SearchOutcome("unanswerable", [], seen.lang, seen.notices, asked=seen.asked)
        ranked = self.rank(seen)
        qf = question_features(
            [(seen.signals[f], p) for f, p in ranked],
            law_cues=seen.law_cues,
            shape=self.model.shape_of(seen.asked),
            words=len(seen.words),
            lang=seen.lang,
            has_dense=seen.dense_used,
        )
        level = level or level_asked(seen.asked)
        hits = [self._hit(family, p, seen.signals[family], seen.snippets, seen.lang, level) for family, p in ranked[:k]]
        status = self._verdict(hits, qf, seen)
        kind: QuestionKind = "law" if seen.law_cues else "procedure"
        return SearchOutcome(status, hits, seen.lang, seen.notices, kind, qf, seen.asked)

    def explain(self, query: str, lang: str | None = None) -> Seen:
        """What retrieval measured for `query`, before any learned model (the trainer reads this too)."""
        notices = []
        asked = focus(query)
        if asked != query:
            notices.append("long question cut to the sentence that asks")
        if len(asked) > MAX_QUERY_CHARS:
            asked = asked[:MAX_QUERY_CHARS]
            notices.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
        lang = lang or detect_language(asked)
        words = _informative(asked)
        if not syllables(asked):
            return Seen(asked, lang, words, {}, {}, 0, [*notices, "query has no words"])
        english = self._terms.expand(asked)
        official = self._synonyms.expand(asked) if self._synonyms else ""
        translated = self._terms.translate(asked) if english else ""
        signals, snippets = self._signals(asked, f"{asked} {english} {official}".strip(), translated if lang == "en" else "")
        rewritten = self._synonyms.rewrite(asked) if self._synonyms and official else ""
        weighted = [self._weighted_terms(text) for text in (asked, translated, rewritten) if text]
        # The question's syllables once per question, each title's once per index (they were folded per candidate).
        matched = set(syllables(f"{asked} {translated} {rewritten}"))
        shared = [words for words in (_informative(f"{asked} {rewritten}"), _informative(translated)) if words]
        for family, s in signals.items():
            members = self._members[family]
            s.coverage = max((_covered(w, self._procedure_terms.get(c, frozenset())) for w in weighted for c in members[:3]), default=0.0)
            title = self._title_syllables(members[0])
            s.title_match = _title_match(title, matched)
            s.title_share = _title_share(frozenset(title), shared)
        dense_used = any(sig.dense_rank < NO_RANK for sig in signals.values())
        return Seen(asked, lang, words, signals, snippets, law_cues(asked), notices, dense_used, rewritten)

    @cached_property
    def _restorer(self) -> Restorer:
        """Diacritics for folded questions, from this index's titles (0.1 s for the 2,642 records)."""
        return Restorer.of_texts(indexed.guide.title for indexed in self.index.guides.values())

    def _title_syllables(self, code: str) -> tuple[str, ...]:
        words = self._titles.get(code)
        if words is None:
            words = self._titles[code] = tuple(syllables(self.index.guides[code].guide.title))
        return words

    def family_of(self, code: str) -> str:
        return self._family_of.get(code, code)

    def rank(self, seen: Seen) -> list[tuple[str, float]]:
        """Families by the reranker's share, best first."""
        families, rows = candidate_rows(seen)
        shares = self.model.reranker.shares(rows)
        return sorted(zip(families, (float(p) for p in shares), strict=True), key=lambda item: -item[1])

    def _signals(self, asked: str, expanded: str, rendered: str = "") -> tuple[dict[str, Signals], dict[str, tuple[float, str]]]:
        """Per family: what BM25 and the dense index measured; per code: its best chunk (score, text).

        An English question is embedded a second time in its Vietnamese rendering (`rendered`, by
        the term list), a signal of its own: multilingual e5-small matches English to Vietnamese
        cards weakly (dense R@5 0.23 on the English validation questions about imported records),
        the rendering much better (0.60), while a guide with an English card is best found in English.
        """
        t = self.thresholds
        signals: dict[str, Signals] = {}
        snippets: dict[str, tuple[float, str]] = {}
        chunks = self.index.chunks
        if t.use_lexical:
            by_family: dict[str, float] = {}
            titles: dict[str, float] = {}
            for position, score in self.index.lexical.search(expanded, t.lexical_chunks):
                chunk = chunks[position]
                family = self.family_of(chunk.code)
                by_family[family] = max(by_family.get(family, 0.0), score)
                if chunk.section == "title":
                    titles[family] = max(titles.get(family, 0.0), score)
                if score > snippets.get(chunk.code, (0.0, ""))[0]:
                    snippets[chunk.code] = (score, chunk.text)
            for rank, (family, score) in enumerate(sorted(by_family.items(), key=lambda item: -item[1])[: t.lexical_candidates]):
                signals[family] = Signals(bm25=score, bm25_rank=rank, title_bm25=titles.get(family, 0.0))
        # e5 reads Vietnamese by its diacritics: a question typed without them is embedded with the
        # titles' diacritics put back (`knowledge.diacritics`: dense R@5 0.06 → 0.70 on the folded train questions).
        folded_vi = not has_vietnamese_marks(asked) and detect_language(asked) == "vi"
        embedded = self._restorer.restore(asked) if folded_vi else asked
        readable = not folded_vi or has_vietnamese_marks(embedded)  # else no title knew a word of it
        if self.dense_enabled and self.index.dense is not None and readable:
            assert self._embedder is not None
            for family, similarity, rank in self._dense_ranking(self._embedder.embed_query(embedded), signals):
                s = signals.setdefault(family, Signals())
                s.dense, s.dense_rank = similarity, rank
            if rendered:
                for family, similarity, rank in self._dense_ranking(self._embedder.embed_query(rendered), signals):
                    s = signals.setdefault(family, Signals())
                    s.rendered_dense, s.rendered_rank = similarity, rank
        for family, s in signals.items():
            members = self._members[family]
            s.members = len(members)
            s.curated = any(self.index.guides[c].guide.origin == "curated" for c in members)
        return signals, snippets

    def _dense_ranking(self, vector: np.ndarray, proposed: Mapping[str, Signals]) -> Iterator[tuple[str, float, int]]:
        """(family, best card similarity, rank) for the dense retriever's candidates and for those already `proposed`."""
        cards, best = self.index.cards, {}
        for position, similarity in self.index.dense.search(vector, self.thresholds.dense_cards):  # type: ignore[union-attr]
            family = self.family_of(cards[position].code)
            best[family] = max(best.get(family, -1.0), similarity)
        for rank, (family, similarity) in enumerate(sorted(best.items(), key=lambda item: -item[1])):
            if rank < self.thresholds.dense_candidates or family in proposed:
                yield family, similarity, rank

    def _hit(self, family: str, p: float, s: Signals, snippets: dict[str, tuple[float, str]], lang: str, level: str | None) -> Hit:
        code = self._representative(family, snippets, level)
        guide = self.index.guides[code].guide
        members = (code, *(c for c in self._members[family] if c != code))
        return Hit(
            code=code,
            title=guide.content_for(lang).title,
            score=p,
            lexical=s.bm25,
            coverage=s.coverage,
            title_match=s.title_match,
            snippet=_snippet(snippets.get(code, (0.0, guide.content_for(lang).summary or guide.title))[1]),
            url=guide.source_url or guide.online_url,
            dense=s.dense,
            family=members,
        )

    def _representative(self, family: str, snippets: dict[str, tuple[float, str]], level: str | None) -> str:
        """The member to answer with: the level the citizen named, else a curated guide, else the best BM25 match."""
        members = self._members[family]
        if len(members) == 1:
            return members[0]
        guides = self.index.guides
        if level:
            at_level = [c for c in members if serves_level(guides[c].guide.level, guides[c].guide.title, level)]
            if at_level:
                members = at_level
        return max(members, key=lambda c: (guides[c].guide.origin == "curated", snippets.get(c, (0.0, ""))[0], c))

    def _verdict(self, hits: list[Hit], qf: dict[str, float], seen: Seen) -> Status:
        if not hits:
            return "unanswerable"
        model = self.model
        qf["p_answerable"] = model.answerable.probability(qf)
        qf["p_confident"] = model.confident.probability(qf)
        words = set(topic_words(seen.asked))
        if 0 < len(words) <= self.thresholds.bare_topic_syllables:
            # A question that is only a procedure's name asks about it, however short it is; an
            # abbreviation or old name ("GPLX", "sổ đỏ") names what it stands for.
            if seen.rewritten:
                words = set(topic_words(seen.rewritten))
            naming = _titles_holding(hits, words)
            if len(naming) > 1:
                return "clarify"  # "đăng ký", "căn cước": several procedures are named by these words alone
            if naming and naming[0] is hits[0]:
                return "answered"  # "hộ chiếu" where one title alone says it
        if qf["p_answerable"] < model.refuse_below:
            return "unanswerable"
        if _asks_two(hits, seen.asked):
            return "clarify"  # "khai sinh và thường trú cho con": both are offered
        if qf["p_confident"] >= model.answer_above:
            return "answered"
        # Every word naming the topic is in the first title and in no other's: the question names that
        # procedure ("nuôi chim bồ câu đưa thư cần giấy tờ gì?"), however unsure the model is of a new guide.
        if words and _titles_holding(hits, words) == hits[:1]:
            return "answered"
        return "clarify"

    def coverage(self, text: str, code: str) -> float:
        """IDF-weighted share of the informative terms of `text` found in procedure `code`.

        Terms are syllables and syllable bigrams, accented when the question has
        diacritics (so "giá vàng" does not meet "tạm vắng"), folded otherwise.
        Bigrams unknown to the whole corpus are ignored (they span two words);
        unknown syllables count fully against the match.
        """
        return _covered(self._weighted_terms(text), self._procedure_terms.get(code, frozenset()))

    def _weighted_terms(self, text: str) -> dict[str, float]:
        """The informative terms of `text` with their IDF weights (empty when it has no syllable)."""
        terms = coverage_terms(text)
        if not any("_" not in t for t in terms):
            return {}
        max_idf = math.log(1 + len(self._procedure_terms))
        return {t: self._idf.get(t, max_idf) for t in terms if "_" not in t or t in self._idf}


def _covered(weights: dict[str, float], present: frozenset[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


_AND = re.compile(r"\b(?:va|voi|hoac|cung|and|or|also|plus)\b|[,;+&]")


def _asks_two(hits: list[Hit], asked: str, within: int = 4) -> bool:
    """A question that joins two asks, each best named by a different one of the first few procedures
    ("làm giấy khai sinh và đăng ký thường trú cho con"): both are offered instead of one answered."""
    parts = [words for part in _AND.split(fold(asked)) if len(words := set(_informative(part))) >= 2]
    if len(parts) < 2 or len(hits) < 2:
        return False
    titles = [set(_informative(h.title)) for h in hits[:within]]
    best = []
    for words in parts[:2]:
        overlap = [len(words & title) for title in titles]
        i = overlap.index(max(overlap))
        if overlap[i] < 2 or overlap[i] < len(titles[i]) / 2:  # the part names at least half of that title
            return False
        best.append(i)
    return best[0] != best[1]


def coverage_terms(text: str) -> set[str]:
    """Informative syllables and bigrams; accented when `text` has diacritics."""
    sylls = accented_syllables(text) if has_vietnamese_marks(text) else syllables(text)
    unigrams = {s for s in sylls if fold(s) not in STOPWORDS}
    return unigrams | {f"{a}_{b}" for a, b in zip(sylls, sylls[1:], strict=False)}


def _informative(query: str) -> list[str]:
    """The question's folded syllables that are not stop words, in order."""
    return [s for s in syllables(query) if s not in STOPWORDS]


def _title_match(title: tuple[str, ...], asked: set[str]) -> float:
    """Share of the title's syllables the question contains: "đăng ký thường trú" matches
    "Đăng ký thường trú" fully and "Xóa đăng ký thường trú" at 0.8 (both as folded syllables)."""
    return sum(w in asked for w in title) / len(title) if title else 0.0


def _title_share(in_title: frozenset[str], asked: list[list[str]]) -> float:
    """Share of the question's informative syllables that the title has (the better of the question and its
    translation; `asked` holds the non-empty informative syllables of each)."""
    return max((sum(w in in_title for w in words) / len(words) for words in asked), default=0.0)


def _snippet(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
