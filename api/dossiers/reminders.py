"""Reminders from identity data: ID card renewal ages (2023 Identification Law), passport expiry, the end of a
temporary residence registration. Rules in data/reminders.yaml, one profile field each; pure functions of the
profile and a date. Only the fields a consent covers are handed over (api/dossiers/reminder_consent.py).

    rules = load_rules(path)
    due_reminders(only_fields(profile, needed_fields(rules)), today=dt.date(2027, 1, 1), rules=rules, lang="vi")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Reminder:
    kind: str
    due_on: dt.date
    text: str
    guide: str | None
    form: str | None

    def json(self) -> dict[str, Any]:
        return {"kind": self.kind, "due_on": self.due_on.isoformat(), "text": self.text, "guide": self.guide, "form": self.form}


def load_rules(path: Path) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def needed_fields(rules: dict[str, dict[str, Any]]) -> list[str]:
    """The profile fields the rules read, in rule order: what a consent to reminders is asked for."""
    return list(dict.fromkeys(str(rule["field"]) for rule in rules.values()))


def field_labels(rules: dict[str, dict[str, Any]], lang: str) -> list[dict[str, str]]:
    """Each needed field with its name in `lang`, for the consent question."""
    labels = {str(rule["field"]): rule["label"].get(lang) or rule["label"]["vi"] for rule in rules.values()}
    return [{"field": name, "label": label} for name, label in labels.items()]


def only_fields(profile: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The part of the identity profile a reminder may read: `fields`, nothing else."""
    return {name: profile[name] for name in fields if name in profile}


def parse_day(value: Any) -> dt.date | None:
    """'14/03/1990' → date; None for anything else."""
    try:
        return dt.datetime.strptime(str(value), "%d/%m/%Y").date()
    except ValueError:
        return None


def birthday(born: dt.date, year: int) -> dt.date:
    """The birthday in `year`; one born on 29 February has it on 1 March in other years (the day after 28 February)."""
    try:
        return born.replace(year=year)
    except ValueError:
        return dt.date(year, 3, 1)


def _show(day: dt.date, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def _text(rule: dict[str, Any], lang: str, **values: Any) -> str:
    return str(rule["text"].get(lang) or rule["text"]["vi"]).format(**values)


def due_reminders(profile: dict[str, Any], *, today: dt.date, rules: dict[str, dict[str, Any]], lang: str = "vi") -> list[Reminder]:
    """What the citizen should be reminded of today, soonest first."""
    out: list[Reminder] = []
    card = rules.get("id_card_renewal")
    born = parse_day(profile.get(card["field"])) if card else None
    if card and born:
        for age in card["ages"]:
            due = birthday(born, born.year + age)
            if due - dt.timedelta(days=card["before_days"]) <= today <= due + dt.timedelta(days=card["after_days"]):
                text = _text(card, lang, age=age, date=_show(due, lang))
                out.append(Reminder("id_card_renewal", due, text, card.get("guide"), card.get("form")))
    for kind in ("passport_expiry", "temporary_residence"):
        rule = rules.get(kind)
        ends = parse_day(profile.get(rule["field"])) if rule else None
        if rule and ends and ends - dt.timedelta(days=rule["before_days"]) <= today <= ends:
            out.append(Reminder(kind, ends, _text(rule, lang, date=_show(ends, lang)), rule.get("guide"), rule.get("form")))
    return sorted(out, key=lambda r: r.due_on)
