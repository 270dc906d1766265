"""Knowledge gaps: what citizens asked that the guides could not answer, grouped and ranked.

Signals: a bot answer with status ``unanswerable`` (the citizen message before it is the
question), and an answer rated not helpful (again the question before it). Texts are
redacted again here (they were redacted when stored); editors see questions only, never
conversations or who asked.

Questions are embedded and clustered with faiss k-means (spherical, fixed seed, so the
same questions give the same gaps); members far from their centroid stand alone. A gap is
*closed* once the index now being served finds a guide for most of its example questions.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import faiss
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.privacy import redact
from db.models import Feedback, Message
from knowledge.dense import Embedder
from knowledge.normalize import fold
from knowledge.service import KnowledgeService

EXAMPLES = 5


@dataclass(frozen=True)
class GapQuestion:
    text: str
    kind: str  # "unanswered" | "disliked"
    at: str


@dataclass
class Gap:
    key: str
    label: str
    questions: list[GapQuestion] = field(default_factory=list)
    status: str = "open"
    answered_by: list[str] = field(default_factory=list)

    @property
    def examples(self) -> list[str]:
        return list(dict.fromkeys(q.text for q in self.questions))[:EXAMPLES]

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "count": len(self.questions),
            "unanswered": sum(q.kind == "unanswered" for q in self.questions),
            "disliked": sum(q.kind == "disliked" for q in self.questions),
            "examples": self.examples,
            "last_seen": max(q.at for q in self.questions),
            "status": self.status,
            "answered_by": self.answered_by,
        }


def collect_questions(*, session: Session, limit: int = 5000) -> list[GapQuestion]:
    """The citizen questions behind unanswerable answers and disliked answers, newest first, redacted."""
    answers = list(
        session.scalars(select(Message).where(Message.sender == "bot", Message.kind == "answer").order_by(Message.id.desc()).limit(limit))
    )
    disliked = set(session.scalars(select(Feedback.message_id).where(Feedback.helpful.is_(False))))
    picked = [
        (m, "unanswered" if ((m.payload or {}).get("answer") or {}).get("status") == "unanswerable" else "disliked")
        for m in answers
        if ((m.payload or {}).get("answer") or {}).get("status") == "unanswerable" or m.id in disliked
    ]
    conversations = {m.conversation_id for m, _ in picked}
    asked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if conversations:
        rows = session.execute(
            select(Message.conversation_id, Message.id, Message.text)
            .where(Message.conversation_id.in_(conversations), Message.sender == "citizen")
            .order_by(Message.id)
        )
        for conversation_id, message_id, text in rows:
            asked[conversation_id].append((message_id, text))
    questions = []
    for message, kind in picked:
        before = asked.get(message.conversation_id, [])
        position = bisect.bisect_left(before, (message.id, "")) - 1
        if position >= 0 and before[position][1].strip():
            questions.append(GapQuestion(redact(before[position][1].strip())[:500], kind, message.created_at.isoformat()))
    return questions


def cluster(questions: list[GapQuestion], embedder: Embedder, similarity: float = 0.92) -> list[Gap]:
    """Gaps by similarity, largest first (ties: most recent first).

    faiss k-means (spherical, k ≈ n/3) proposes groups; a member whose cosine to the centroid
    of the group's other members is below `similarity` leaves it, and the leavers are grouped greedily
    (each joins the first leaver group whose first member is similar enough). The right
    `similarity` depends on the embedder (HELPDESK_EDITOR__GAP_SIMILARITY).
    """
    if not questions:
        return []
    vectors = np.ascontiguousarray(embedder.embed([q.text for q in questions]), dtype=np.float32)
    k = max(1, min(round(len(questions) / 3), 100))
    if k == 1:
        assigned = np.zeros(len(questions), dtype=np.int64)
    else:
        kmeans = faiss.Kmeans(vectors.shape[1], k, niter=25, seed=1234, spherical=True, verbose=False, min_points_per_centroid=1)
        kmeans.train(vectors)
        assigned = kmeans.index.search(vectors, 1)[1][:, 0]
    groups: list[list[int]] = []
    leavers: list[int] = []
    for c in sorted(set(assigned.tolist())):
        members = [i for i in range(len(questions)) if assigned[i] == c]
        total = vectors[members].sum(axis=0)
        # each member against the centroid of the *others*, so an outlier cannot hold itself in
        kept = [i for i in members if len(members) == 1 or float(vectors[i] @ _unit(total - vectors[i])) >= similarity]
        leavers += [i for i in members if i not in kept]
        if kept:
            groups.append(kept)
    alone: list[list[int]] = []
    for i in leavers:
        home = next((g for g in alone if float(vectors[i] @ vectors[g[0]]) >= similarity), None)
        if home is None:
            alone.append([i])
        else:
            home.append(i)
    gaps = []
    for members in groups + alone:
        centroid = _unit(vectors[members].mean(axis=0))
        ordered = [members[j] for j in np.argsort(-(vectors[members] @ centroid), kind="stable")]
        label = questions[ordered[0]].text
        gaps.append(Gap(key=hashlib.sha1(fold(label).encode()).hexdigest()[:12], label=label, questions=[questions[i] for i in ordered]))
    gaps.sort(key=lambda g: max(q.at for q in g.questions), reverse=True)
    return sorted(gaps, key=lambda g: -len(g.questions))  # stable: equal counts stay most recent first


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def mark_answered(gaps: list[Gap], knowledge: KnowledgeService) -> None:
    """A gap closes when the served index finds a guide for most of its examples: not refused, the
    guide first (answered, or the first of a choice: how sure the verdict is about a new guide's
    wording is not a gap in the content)."""
    for gap in gaps:
        answered: list[str] = []
        for question in gap.examples:
            outcome = knowledge.search(question, k=1)
            if outcome.status != "unanswerable" and outcome.hits:
                answered.append(outcome.hits[0].code)
        if len(answered) * 2 > len(gap.examples):
            gap.status = "closed"
        gap.answered_by = sorted(set(answered))


def knowledge_gaps(
    *, session: Session, knowledge: KnowledgeService, embedder: Embedder, limit: int = 5000, similarity: float = 0.92
) -> list[Gap]:
    gaps = cluster(collect_questions(session=session, limit=limit), embedder, similarity)
    mark_answered(gaps, knowledge)
    return gaps
