"""Parse raw records of the national procedure database (TTHC) into `Guide`s.

The crawl stores one JSON object per procedure in ``<dir>/<ministry>/<code>.json``.
Most sections are HTML tables flattened into one string without separators, so
this module splits them back using the fixed column headers and the shapes of
the values (times, fees, quantities, document numbers)::

    for path, raw, error in read_records(Path("../shared/data/tthc")):
        if raw is None:
            print(error)        # "1.000001.json: not valid JSON (...)"
            continue
        parsed = parse_record(raw)
        parsed.guide            # a Guide (origin="tthc"), or None without code/title
        parsed.problems         # ["cach_thuc_thuc_hien: could not split channel rows (...)", ...]

Parsing never raises on bad content: a section that cannot be split is kept as
one block (one step, one document case, ...) and reported in ``problems``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.guides import Channel, ChannelKind, DocumentCase, Guide, GuideContent, LegalRef
from knowledge.normalize import fold

__all__ = ["ParsedRecord", "parse_record", "read_records"]

_NO_INFO = "Không có thông tin"
_LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"

# Headings of the raw page, used to recover sections the crawler cut short.
_RAW_STEPS = "Trình Tự Thực Hiện"
_RAW_CHANNELS = "Cách Thức Thực Hiện"
_RAW_DOCUMENTS = "Thành phần hồ sơ"
_RAW_LEGAL = "Căn cứ pháp lý"


@dataclass(frozen=True)
class ParsedRecord:
    """The guide built from one raw record (None without code or title) and what went wrong."""

    guide: Guide | None
    problems: list[str] = field(default_factory=list)


def read_records(directory: Path) -> Iterator[tuple[Path, dict[str, Any] | None, str | None]]:
    """Every ``<ministry>/<code>.json`` under `directory`, sorted, as (path, raw, error).

    A file that cannot be read, is not JSON or is not a JSON object yields
    ``(path, None, error)``; the walk always goes on.
    """
    for path in sorted(Path(directory).glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            yield path, None, f"{path.name}: not valid JSON ({exc})"
            continue
        if not isinstance(data, dict):
            yield path, None, f"{path.name}: expected a JSON object, got {type(data).__name__}"
            continue
        yield path, data, None


def parse_record(raw: Any) -> ParsedRecord:
    """Turn one raw record into a `Guide` (origin "tthc", Vietnamese content only)."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        return ParsedRecord(guide=None, problems=[f"record: expected an object, got {type(raw).__name__}"])

    def text(key: str) -> str:
        return _field(raw, key, problems)

    code = text("ma_thu_tuc")
    title = _one_line(text("ten_thu_tuc"))
    if not code or not title:
        missing = " and ".join(name for name, value in (("code (ma_thu_tuc)", code), ("title (ten_thu_tuc)", title)) if not value)
        return ParsedRecord(guide=None, problems=[*problems, f"record: no {missing}"])

    raw_text, channels_text = text("raw_text"), text("cach_thuc_thuc_hien")
    steps_text = _recover_steps(text("trinh_tu_thuc_hien"), raw_text, problems)
    documents_text = _recover_documents(text("thanh_phan_ho_so"), channels_text, raw_text, problems)

    content = GuideContent(
        title=title,
        who=_one_line(text("doi_tuong_thuc_hien")),
        steps=_parse_steps(steps_text, problems),
        documents=_parse_documents(documents_text, problems),
        channels=_parse_channels(channels_text, problems),
        where=text("dia_chi_tiep_nhan"),
        conditions=text("yeu_cau_dieu_kien"),
        result=_parse_results(text("ket_qua_xu_ly"), problems),
    )
    guide = Guide(
        code=code,
        content={"vi": content},
        domain=_one_line(text("linh_vuc")),
        level=_one_line(text("cap_thuc_hien")),
        agency=_one_line(text("co_quan_thuc_hien") or text("co_quan_co_tham_quyen")),
        legal_basis=_parse_legal_basis(text("can_cu_phap_ly"), problems),
        source_url=text("detail_url"),
        updated_at=None,
        status="published",
        origin="tthc",
    )
    return ParsedRecord(guide=guide, problems=problems)


# --- text helpers -----------------------------------------------------------------------------


def _field(raw: dict[str, Any], key: str, problems: list[str]) -> str:
    """The cleaned text of `key`: NFC, normalised whitespace, "" for missing or "Không có thông tin"."""
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | list | tuple):
        problems.append(f"{key}: unexpected {type(value).__name__} value, ignored")
        return ""
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
            problems.append(f"{key}: unexpected list content, ignored")
            return ""
        value = "\n".join(str(v) for v in value)
    cleaned = _clean(str(value))
    return "" if cleaned.rstrip(".") == _NO_INFO else cleaned


def _clean(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\ufeff]", "", value)  # controls, zero widths
    value = re.sub(r"\t+(?=\d\s?bản (?:chính|sao))", "", value)  # a tab before the document quantity column
    value = re.sub(r"[\uf000-\uf8ff]", "-", value)  # Wingdings bullets pasted from Word
    value = re.sub(r"[ \t\xa0\u2002-\u200a\u202f\u3000]+", " ", value)
    lines = (line.strip() for line in value.split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _strip_bullet(value: str) -> str:
    return re.sub(r"^(?:[-+*•–·]+\s*)+", "", value.strip()).strip()


def _strip_punct(value: str) -> str:
    return value.strip(" \n;,.:/-–")


def _preview(value: str, limit: int = 60) -> str:
    value = _one_line(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- raw_text recovery --------------------------------------------------------------------------
#
# The crawler cut sections at the first occurrence of the next heading's words, so a step
# mentioning "(Thành phần hồ sơ)" ends there and the rest lands in `thanh_phan_ho_so`.
# The page text in `raw_text` keeps the headings in title case, which lets us take them back.


def _recover_steps(steps: str, raw_text: str, problems: list[str]) -> str:
    start, end = raw_text.find(_RAW_STEPS), raw_text.find(_RAW_CHANNELS)
    if start < 0 or end < start:
        return steps
    full = raw_text[start + len(_RAW_STEPS) : end].strip()
    if steps and len(full) > len(steps) and full.startswith(steps):
        problems.append("trinh_tu_thuc_hien: cut short in the crawl; taken from raw_text")
        return full
    return steps


def _recover_documents(documents: str, channels: str, raw_text: str, problems: list[str]) -> str:
    if _DOC_HEADER in documents or not raw_text:
        return documents
    start = raw_text.find(_RAW_CHANNELS)
    if start < 0:
        return documents
    if channels and (at := raw_text.find(channels, start)) >= 0:
        start = at + len(channels)
    head = raw_text.find(_RAW_DOCUMENTS, start)
    if head < 0:
        return documents
    head += len(_RAW_DOCUMENTS)
    end = raw_text.find(_RAW_LEGAL, head)
    section = raw_text[head : end if end >= 0 else len(raw_text)].strip()
    if _DOC_HEADER not in section:
        return documents
    problems.append("thanh_phan_ho_so: cut short in the crawl; taken from raw_text")
    return section


# --- steps (trinh_tu_thuc_hien) -------------------------------------------------------------

# "Bước 1:", "- Bước 2.", "a) Bước 3:", "6.1.1. Bước 4 nộp hồ sơ:", "Bước 5 " ...
_STEP_MARK = re.compile(
    r"(?:^|(?<=[\s.;:)]))"
    r"(?:(?:\d+\.)+\s*|[a-zđ]\)\s*|[-+*•]\s*)?"
    r"Bước\s*(\d{1,2})(?:\s*[:.)\-–]\s*|\s+|(?=[A-ZĐ]))"
)
# Top-level enumerations at the start of a line: "1. ...", "2) ...", "a) ...", "b. ...".
_LINE_NUMBER = re.compile(r"^(\d{1,2})[.)]\s*(?=[^\W\d_])", re.M)
_LINE_LETTER = re.compile(r"^([a-zđ])\)\s*(?=\S)", re.M)
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese order; "đ)" may be left out


def _parse_steps(text: str, problems: list[str]) -> list[str]:
    """Steps in order, "Bước n:" prefixes removed; sub-bullets stay inside their step."""
    if not text:
        problems.append("trinh_tu_thuc_hien: empty")
        return []
    steps = _split_step_headings(text) or _split_enumerated(text) or _split_bullets(text)
    if steps:
        return steps
    if "\n" in text:
        return text.split("\n")
    if len(text) > 500:
        problems.append("trinh_tu_thuc_hien: no step markers in a long text; kept as a single step")
    return [text]


def _split_step_headings(text: str) -> list[str]:
    marks: list[re.Match[str]] = []
    expected = 1
    for match in _STEP_MARK.finditer(text):
        number = int(match.group(1))
        # A heading starts a line or sentence, or has its own punctuation ("Bước 2:");
        # "quay lại Bước 1 để ..." is a reference.
        before = text[: match.start()].rstrip(" ")
        heading = not before or before[-1] in "\n.;:)" or match.group(0).rstrip()[-1:] in ":.)-–"
        # Accept the next number in sequence, or a restart at 1 (a second case's steps).
        if heading and (number == expected or (number == 1 and marks)):
            marks.append(match)
            expected = number + 1
    if len(marks) < 2 and not (marks and marks[0].start() < 80):
        return []
    return _cut(text, [(m.start(), m.end()) for m in marks])


def _split_enumerated(text: str) -> list[str]:
    for pattern, order in ((_LINE_NUMBER, None), (_LINE_LETTER, _LETTERS)):
        marks: list[re.Match[str]] = []
        previous = -1
        for match in pattern.finditer(text):
            key = match.group(1)
            index = int(key) - 1 if order is None else order.find(key)
            if index == previous + 1 or (order is not None and marks and index == previous + 2 and key == "e"):
                marks.append(match)
                previous = index
        if len(marks) >= 2:
            return _cut(text, [(m.start(), m.end()) for m in marks], keep_mark=True)
    return []


def _split_bullets(text: str) -> list[str]:
    lines = text.split("\n")
    first = next((line[0] for line in lines if line[:1] in "-+*•"), "")
    if not first or sum(line.startswith(first) for line in lines) < 2:
        return []
    steps: list[str] = []
    for line in lines:
        if line.startswith(first) or not steps:
            steps.append(_strip_bullet(line) if line.startswith(first) else line)
        else:
            steps[-1] += "\n" + line
    return [step for step in steps if step]


def _cut(text: str, spans: list[tuple[int, int]], keep_mark: bool = False) -> list[str]:
    """Text between marks; text before the first mark becomes its own leading step."""
    steps = []
    preamble = _strip_punct(text[: spans[0][0]])
    if preamble:
        steps.append(preamble)
    for (start, end), (following, _) in zip(spans, [*spans[1:], (len(text), 0)], strict=True):
        step = text[start if keep_mark else end : following].strip()
        if step:
            steps.append(step)
    return steps


# --- channels (cach_thuc_thuc_hien) ---------------------------------------------------------

_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_NAMES: dict[str, ChannelKind] = {"Trực tuyến": "online", "Trực tiếp": "in_person", "Dịch vụ bưu chính": "post"}
# A row starts with a channel name directly followed by its time (a number or "Không ...").
_CHANNEL_ROW = re.compile(r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)(?=\s?\d|Không)")
_CHANNEL_ROW_LOOSE = re.compile(r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)(?=[A-ZĐ])")
_TIME_UNITS = r"Ngày làm việc|ngày làm việc|Ngày|ngày|Giờ|giờ|Tháng|tháng|Năm|năm|Tuần|tuần|Phút|phút"
_CURRENCY = r"Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng|USD|EUR"
_TIME = re.compile(rf"(\d+(?:[.,]\d+)?\s*(?:{_TIME_UNITS}))")
_UNITLESS_AMOUNT = re.compile(rf"(\d[\d.,]*)\s*({_CURRENCY})")
_FEE = re.compile(rf"Miễn phí|{_NO_INFO}|\d[\d.,]*\s*(?:{_CURRENCY})")


def _parse_channels(text: str, problems: list[str]) -> list[Channel]:
    """One `Channel` per table row: kind, time ("7 Ngày làm việc"), fee ("" if unknown), note."""
    body = text.replace(_CHANNEL_HEADER, "", 1).strip() if text.startswith(_CHANNEL_HEADER) else text.strip()
    if not body:
        problems.append("cach_thuc_thuc_hien: no channel rows")
        return []
    # Rows whose time is free text ("Trực tiếpHệ thống ... điện tử.Không có thông tin...") start with a glued capital.
    starts = list(_CHANNEL_ROW.finditer(body)) or list(_CHANNEL_ROW_LOOSE.finditer(body))
    if not starts:
        problems.append(f"cach_thuc_thuc_hien: could not split channel rows ({_preview(body)!r})")
        return []
    if _strip_punct(body[: starts[0].start()]):
        problems.append("cach_thuc_thuc_hien: text before the first channel row ignored")
    channels = []
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        row = body[match.end() : following.start() if following else len(body)]
        channels.append(_parse_channel_row(_CHANNEL_NAMES[match.group(1)], match.group(1), row, problems))
    return channels


def _parse_channel_row(kind: ChannelKind, name: str, row: str, problems: list[str]) -> Channel:
    row = row.strip()
    time = ""
    if match := _TIME.match(row):
        time, row = _one_line(match.group(1)), row[match.end() :]
    elif row.startswith(_NO_INFO):
        row = row[len(_NO_INFO) :]
    elif match := re.match(rf"(Không[^\d(]*?)(?=Miễn phí|{_NO_INFO}|\d)", row):
        time, row = match.group(1).strip(), row[match.end() :]
    elif match := re.match(r"\d+(?=Miễn phí|Không)", row):
        time, row = match.group(0), row[match.end() :]
    elif match := _UNITLESS_AMOUNT.match(row):
        # A time without unit glued to a fee: "1100,000 VNĐ" is time 1, fee 100,000 VNĐ.
        digits = match.group(1)
        if len(digits) > 1:
            time, row = digits[0], row[1:]
    elif not _FEE.match(row) and (match := _FEE.search(row[:300])):
        time, row = _strip_punct(row[: match.start()]), row[match.start() :]  # a time written as text
    if time.strip("0") == "" or time == "Không":
        time = ""
    row = row.strip()
    fee = ""
    if match := _FEE.match(row):
        fee, row = _one_line(match.group(0)), row[match.end() :]
        if fee == _NO_INFO:
            fee = ""
    elif match := _FEE_LABEL.match(row):
        fee, row = _labelled_fee(row[match.end() :])
    else:
        problems.append(f"cach_thuc_thuc_hien: no fee in the {name} row ({_preview(row)!r})")
    # The fee cell's own explanation follows the amount in parentheses ("135 VNĐ(Lệ phí …: 135.000
    # đồng/lần.)"); it is part of the fee, not of the description column after it.
    # Without an amount, "(1) Trường hợp …" is the description's own numbering.
    cell = ""
    if fee and row.startswith("("):
        inner, row = _take_parenthesised(row)
        inner = _unwrap_parens(inner)
        if unit := re.match(r"(?:đồng|Đồng|VNĐ)?\s*(/[^().;:]{1,30})", inner):
            fee += unit.group(1).rstrip()  # "3,500,000 Việt Nam Đồng(/hồ sơ)", "12,000,000 Việt Nam Đồng(đồng/lần)"
            inner = _strip_punct(inner[unit.end() :])
        cell = _fee_cell(inner)
    description = row.strip()
    if not cell:
        # The description column may say what the fee column does not: "- Lệ phí : 20.000 Đồng (…)" with
        # no amount in the table, or "Phí: 500.000 đồng/hồ sơ (áp dụng mức phí 250.000 đồng/hồ sơ …)".
        lines = _fee_lines(description)
        if not fee or any(_amounts(line) for line in lines):
            cell = "; ".join(lines)
    fee = _fee_text(fee, cell)
    if _is_small_amount(fee):
        problems.append(f"cach_thuc_thuc_hien: fee {fee!r} in the {name} row is under 1,000 đồng (thousands, or another currency?)")
    note = description if _strip_punct(description) else ""
    return Channel(kind=kind, time=time, fee=fee, note=note)


# "Phí : Đồng Không thu lệ phí", "Lệ phí : 70.000 đồng": a fee written as a label and its value.
_FEE_LABEL = re.compile(r"(?:[-+]\s*)?(?:Phí, lệ phí|Lệ phí|Phí)(?:\s*\(nếu có\))?\s*:\s*")
_EMPTY_AMOUNT = re.compile(rf"^(?:(?:Phí|Lệ phí)\s*:\s*)?[Đđ]ồng(?![{_LOWER}])\s*[-–]?\s*")
_TRIVIAL_CELL = ("", "không", "không có", _NO_INFO.lower(), "a")
# What "Miễn phí" already says, folded: the explanation adds nothing.
_SAYS_FREE = ("mien phi", "khong quy dinh", "chua quy dinh", "khong thu phi", "khong thu le phi")
_AMOUNT = re.compile(rf"(\d[\d.,]*)\s*(?:{_CURRENCY}|đ(?![{_LOWER}]))")
_FEE_WORD = re.compile(rf"(?<![{_LOWER}])(?:lệ phí|phí)(?![{_LOWER}])", re.I)


def _labelled_fee(rest: str) -> tuple[str, str]:
    """The value after a fee label, and what follows it in the row."""
    if match := _FEE.match(rest):
        fee = _one_line(match.group(0))
        return ("" if fee == _NO_INFO else fee), rest[match.end() :]
    rest = _EMPTY_AMOUNT.sub("", rest)  # the portal's template for a fee without amount
    match = re.match(r"[^\n(]{1,200}?(?:[.;](?=\s|$)|(?=\n|\()|$)", rest)
    value = _strip_punct(match.group(0)) if match else ""
    return value, rest[match.end() :] if match else rest


def _fee_cell(inner: str) -> str:
    """The fee cell's explanation without the portal's empty-amount template; "" when it says nothing."""
    inner = _strip_bullet(_unwrap_parens(_EMPTY_AMOUNT.sub("", inner.strip())))
    return "" if inner.rstrip(" .").lower() in _TRIVIAL_CELL else _one_line(inner.rstrip(" ;."))


def _amounts(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", match.group(1)) for match in _AMOUNT.finditer(text)}


def _fee_text(amount: str, cell: str) -> str:
    """The fee column with its explanation; the explanation alone when it corrects an amount under
    1,000 đồng ("135 VNĐ" with "135.000 đồng/lần", "155 VNĐ" with "155 USD/thẻ")."""
    if not cell:
        return amount
    if not amount:
        return cell
    if _is_small_amount(amount) and _amounts(cell):
        return cell
    if amount == "Miễn phí" and fold(cell).strip(" .;:") in _SAYS_FREE:
        return amount
    return f"{amount} ({cell})"


def _is_small_amount(fee: str) -> bool:
    match = re.fullmatch(r"(\d{1,3})\s*(?:Việt Nam Đồng|VNĐ|VND|vnđ|Đồng|đồng)(?:/.*)?", fee)
    return match is not None and 0 < int(match.group(1)) < 1000


def _fee_lines(description: str) -> list[str]:
    """Lines of the description column that state a fee ("Lệ phí : 20.000 Đồng (…)", "Không quy định phí, lệ phí")."""
    lines = re.split(r"\n|(?<=[.;])\s+(?=(?:[-+]\s*)?(?:Lệ phí|Phí)\b)", description)
    found = []
    for line in lines:
        line = _strip_bullet(line).strip(" ;")
        if line and len(line) <= 400 and _FEE_WORD.search(line):
            line = line.rstrip(" .;") if line.count("(") == line.count(")") else line
            found.append(_one_line(_EMPTY_AMOUNT.sub("", line)))
    return found


def _take_parenthesised(text: str) -> tuple[str, str]:
    """The balanced "(...)" group at the start of `text` (without the outer parentheses) and the rest."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1 :]
    return text[1:], ""


def _unwrap_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and _take_parenthesised(text)[1].strip(" .") == "":
        text = _take_parenthesised(text)[0].strip()
    return text.strip()


# --- documents (thanh_phan_ho_so) ----------------------------------------------------------

_DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The quantity column: "1 bản chính" or "0 bản chính,1 bản sao", glued to the item before it.
# Counts have no leading zero; "01 bản chính" or " 1 bản chính" inside an item is prose.
_QUANTITY = re.compile(
    r"(?:(?<=\d\d)|(?<![\d\s(]))(\d)\s?bản chính(?:\s?,\s?(\d{1,2})\s?bản sao)?"
    r"|(?:(?<=\d\d)|(?<![\d\s(]))(\d)\s?bản sao(?![\w ]*có)"
)
_FILE_EXT = r"\.(?:docx?|xlsx?|pdf|odt|rtf|zip|rar)"
_FORM_FILE = re.compile(rf"(?:{_FILE_EXT})+$", re.I)
_ITEM_END = re.compile(
    rf"{_FILE_EXT}(?=\S)|[;:]|\)(?=[^\s.])|(?<=[^\d\s])\.(?=[^\s\d.])|(?<=\d)\.(?=[A-ZĐ][{_LOWER}])",
    re.I,
)
_GLUED_WORD = re.compile(rf"[{_LOWER}0-9][A-ZĐ]|[A-ZĐ](?=[A-ZĐ][{_LOWER}])")


def _parse_documents(text: str, problems: list[str]) -> list[DocumentCase]:
    """Document cases in order; each item without its trailing quantity, which follows in parentheses."""
    if not text or _strip_punct(text) == "":
        return []
    if _DOC_HEADER not in text:
        problems.append("thanh_phan_ho_so: no document table; kept as a single case")
        return [DocumentCase(case="", items=[text])]
    parts = text.split(_DOC_HEADER)
    heading = parts[0]
    cases: dict[str, list[str]] = {}
    unquantified = 0
    for index, block in enumerate(parts[1:], start=1):
        items, rest = _split_items(block)
        last = index == len(parts) - 1
        if rest and (last or not items):
            # Text after the last quantity: the next case's heading, or at the end an item without quantity.
            items.append(_clean_item(rest, ""))
            unquantified += 1
            rest = ""
        case = _case_name(heading)
        bucket = cases.setdefault(case, [])
        bucket.extend(item for item in items if item and item not in bucket)
        heading = rest
    if unquantified:
        problems.append(f"thanh_phan_ho_so: {unquantified} item(s) without a quantity")
    return [DocumentCase(case=case, items=items) for case, items in cases.items() if items]


def _split_items(block: str) -> tuple[list[str], str]:
    items = []
    start = 0
    for match in _QUANTITY.finditer(block):
        item = block[start : match.start()]
        start = match.end()
        if _strip_punct(item):  # else a quantity repeated right after another one
            items.append(_clean_item(item, _quantity_note(match)))
    rest = block[start:].strip()
    return items, rest if _strip_punct(rest) else ""


def _quantity_note(match: re.Match[str]) -> str:
    if match.group(3):
        originals, copies = 0, int(match.group(3))
    else:
        originals, copies = int(match.group(1)), int(match.group(2) or 0)
    parts = [f"{n} {kind}" for n, kind in ((originals, "bản chính"), (copies, "bản sao")) if n]
    return ", ".join(parts)


def _clean_item(item: str, quantity: str) -> str:
    item = _strip_form_files(item.strip())
    item = _strip_bullet(item).rstrip(" ;,.")
    item = item.strip()
    if not item:
        return ""
    return f"{item} ({quantity})" if quantity else item


def _strip_form_files(item: str) -> str:
    """Drop the attached form file names ("Mẫu số 03.docx", "MauDon.docxMauKhai.doc") glued to the end."""
    while _FORM_FILE.search(item):
        head = _FORM_FILE.sub("", item)
        # The file name starts after the item's last punctuation ("...NĐ-CP.Mau01.docx", "...;Mẫu 08.TT41.doc"),
        # or, without one close by, at a word glued to the text before it ("...NĐ-CPMau57.docx").
        cut = max((m.end() for m in _ITEM_END.finditer(head)), default=-1)
        if cut < 0 or len(head) - cut > 80:
            glued = max((m.start() + 1 for m in _GLUED_WORD.finditer(head) if m.start() + 1 > cut), default=-1)
            if glued > 0 and len(head) - glued <= 120:
                cut = glued
        if cut < 0 or len(head) - cut > 120:
            break
        item = head[:cut]
    return item


def _case_name(heading: str) -> str:
    name = _strip_bullet(heading.strip())
    name = name.strip(" -\n")
    name = name.rstrip(":").strip()
    return "" if name in ("", "--") or set(name) <= set("-") else _one_line(name)


# --- legal basis (can_cu_phap_ly) --------------------------------------------------------------

_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_NUMBER_START = re.compile(r"(\d{1,8})/(\d{4})/")
_NO_YEAR_NUMBER = re.compile(r"(?<![\d/])(\d{1,5})/(?=[A-ZĐ])")
_BARE_NUMBER = re.compile(r"(?<![\d/])(\d{1,4})/(\d{4})(?=$|[A-ZĐ])")
_CODE_PREFIX = re.compile(
    r"(?:(?:Bộ luật|Luật|Thông tư liên tịch|Thông tư|Nghị định|Nghị quyết|Quyết định|Pháp lệnh|Chỉ thị|Lệnh)\s*)?(?:số\s*)?$",
    re.I,
)


@dataclass
class _Number:
    start: int
    end: int
    number: str


def _parse_legal_basis(text: str, problems: list[str]) -> list[LegalRef]:
    """Legal documents as (number, title); the table's rows are title + number run together."""
    body = text.replace(_LEGAL_HEADER, "", 1) if text.startswith(_LEGAL_HEADER) else text
    body = re.split(r"Cơ quan thực hiện(?=[A-ZĐ])", body)[0]  # the next section, crawled into this one
    body = re.sub(r"(?<=[A-ZĐ]-) (?=[A-ZĐ])", "", body).strip()  # "NĐ- CP"
    if not body:
        return []
    numbers = _find_numbers(body)
    refs: list[LegalRef] = []
    row_start = 0
    seen_in_row: set[str] = set()
    title_end: int | None = None
    for index, found in enumerate(numbers):
        following = body[found.end :]
        glued = following[:1] != "" and not following[:1].isspace() and (following[:1].isalnum() or following[:1] in '("“')
        spaced = following[:1] != "" and following[:1].isspace()
        following_number = numbers[index + 1] if index + 1 < len(numbers) and numbers[index + 1].start == found.end else None
        if following_number and _same_document(found.number, following_number.number):
            # "Luật Nhà ở số 27/2023/QH15" + "27/2023/QH15": the first one ends the title, the last one is the number.
            title_end = found.end if title_end is None else title_end
            continue
        if glued and re.match(r"(?:ngày|của|năm)(?![" + _LOWER + r"])", following):
            glued = False  # "53/2025/TT-BCAngày 01/7/2025": the title goes on
        is_row_end = (
            not following.strip(" .;,\n\t")
            or glued
            or following_number is not None
            or (spaced and re.match(r"\s*[\n\t]", following) is not None)
            or (spaced and found.number in seen_in_row and re.match(r"\s+[A-ZĐ0-9]", following) is not None)
        )
        seen_in_row.add(found.number)
        if not is_row_end:
            continue
        number = found.number
        if number.count("/") == 1:
            # A number column without suffix: take the full number from the title when it has it.
            number = next((n.number for n in numbers if row_start <= n.start < found.start and _same_document(n.number, number)), number)
        refs.append(LegalRef(number=number, title=_legal_title(body[row_start : title_end or found.start], number)))
        row_start = found.end
        seen_in_row = set()
        title_end = None
    leftover = _strip_punct(body[row_start:])
    if leftover:
        problems.append(f"can_cu_phap_ly: text without a document number kept as a title ({_preview(leftover)!r})")
        refs.append(LegalRef(number="", title=_one_line(leftover)))
    return _merge_refs(refs)


def _find_numbers(body: str) -> list[_Number]:
    """Document numbers like 68/2020/QH14, 154/2024/NĐ-CP, 14/2021/QĐ-TTg, in order."""
    found: list[_Number] = []
    for match in _NUMBER_START.finditer(body):
        if found and match.end() <= found[-1].end:
            continue
        start = match.start()
        if found and start < found[-1].end:
            start = found[-1].end  # digits the previous number's suffix kept ("QH15" in "QH1527/2023/...")
        digits = body[start : match.start(2) - 1]
        if not digits.isdigit():
            continue
        if len(digits) > 4:
            # "năm 201102/2011/QH13": a year glued to the number.
            cut = 4 if digits[:2] in ("19", "20") else len(digits) - 4
            start, digits = start + cut, digits[cut:]
        suffix_end = _suffix_end(body, match.end())
        if suffix_end == match.end():
            continue
        number = f"{digits}/{match.group(2)}/{body[match.end() : suffix_end]}"
        found.append(_Number(start=start, end=suffix_end, number=number))
    # Numbers without a year: "48/VBHN-VPQH", "90/QĐ-TTg".
    for match in _NO_YEAR_NUMBER.finditer(body):
        suffix_end = _suffix_end(body, match.end())
        if suffix_end > match.end() and not any(n.start <= match.start() < n.end for n in found):
            found.append(_Number(start=match.start(), end=suffix_end, number=f"{match.group(1)}/{body[match.end() : suffix_end]}"))
    # A number column without its suffix ("Nghị định số 46/2020/NĐ-CP46/2020"), at a row's end.
    for match in _BARE_NUMBER.finditer(body):
        if not any(n.start <= match.start() < n.end for n in found):
            found.append(_Number(start=match.start(), end=match.end(), number=f"{match.group(1)}/{match.group(2)}"))
    return sorted(found, key=lambda n: n.start)


# Lower-case words that may follow a number directly ("53/2025/TT-BCAngày ..."): the capital before them stays.
_GLUED_WORDS = re.compile(r"(?:ngày|của|về|năm|do|quy|sửa|hướng|ban|được|và|thay|tại)(?![" + _LOWER + r"])")


# Whole suffix parts that end in a capital letter even when a lower-case word is glued after them.
_ISSUERS = frozenset(
    "CP TTg BTC BCA BTP BXD BCT BYT BNV BQP BNG NHNN BNNMT BNNPTNT BGTVT BTNMT BKHĐT BKHCN BGDĐT BTTTT BVHTTDL BLĐTBXH "
    "VPCP VPQH UBTVQH BHXH HĐND UBND TANDTC VKSNDTC KTNN TTCP NĐ QĐ TT NQ TTLT VBHN CT PL".split()
)


def _suffix_end(body: str, pos: int) -> int:
    """Where the issuer suffix ("NĐ-CP", "TT-BCA", "QH15", "QĐ-TTg") starting at `pos` ends."""
    end = pos
    while True:
        segment = re.match(r"TTg|([A-ZĐ]+)(\d*)", body[end:])
        if not segment:
            return end if end == pos or body[end - 1] not in "-/" else end - 1
        seg_end = end + segment.end()
        if segment.group(0) != "TTg":
            letters, digits = segment.group(1), segment.group(2)
            known = next((k for k in range(len(letters), 1, -1) if letters[:k] in _ISSUERS), 0)
            if digits:
                # "QH15" keeps two digits; digits before "/2019/" start the next number ("TT-BTC23/2019/...").
                keep = 2 if letters.endswith("QH") else (0 if body[seg_end : seg_end + 1] == "/" else min(len(digits), 2))
                seg_end -= len(digits) - keep
            elif known and known < len(letters) and body[end + known : end + known + 1].isalpha():
                seg_end = end + known  # a title glued after a known issuer: "NĐ-CPQUY ĐỊNH", "NĐ-CPThông tư"
            elif (
                not known
                and (len(letters) > 1 or end > pos)
                and re.match(f"[{_LOWER}]", body[seg_end : seg_end + 1])
                and not _GLUED_WORDS.match(body, seg_end)
            ):
                seg_end -= 1  # a capital starting the next word ("TT-VPCPThông tư") is not part of the suffix
        if seg_end == end:  # nothing left of the segment: the suffix ended at the separator
            return end - 1 if end > pos and body[end - 1] in "-/" else end
        end = seg_end
        if body[end : end + 1] in ("-", "/") and re.match(r"[A-ZĐ]", body[end + 1 : end + 2]):
            end += 1
            continue
        return end


def _same_document(first: str, second: str) -> bool:
    return first.split("/")[:2] == second.split("/")[:2]


def _legal_title(row: str, number: str) -> str:
    row = row.strip()
    prefix = _CODE_PREFIX.search(row)
    title = row
    if prefix and prefix.group(0).strip():
        before = row[: prefix.start()]
        # Only a prefix glued to the title ("...tín dụngLuật số ") belongs to the number column.
        if not before or not before[-1:].isspace():
            title = before
    title = re.sub(r"(\d/[A-ZĐ][A-ZĐ0-9-]*)(?=(?:ngày|của|năm)\b)", r"\1 ", title)
    title = _one_line(_strip_punct(title))
    if not title:
        title = _one_line(f"{prefix.group(0).strip()} {number}") if prefix and prefix.group(0).strip() else ""
    return title


def _merge_refs(refs: list[LegalRef]) -> list[LegalRef]:
    merged: dict[str, LegalRef] = {}
    untitled = []
    for ref in refs:
        if not ref.number:
            untitled.append(ref)
            continue
        known = merged.get(ref.number)
        if known is None or len(ref.title) > len(known.title):
            merged[ref.number] = LegalRef(number=ref.number, title=ref.title or (known.title if known else ""))
    return [*merged.values(), *untitled]


# --- results (ket_qua_xu_ly) -------------------------------------------------------------------

_RESULT_JUNK = re.compile(r"Từ khóa|Mô tả|Chọn cơ quan thực hiện")


def _parse_results(text: str, problems: list[str]) -> str:
    """Result names joined by "; ", without "Mã: KQ..." codes and the page junk after them."""
    if not text:
        return ""
    last_code = text.rfind("Mã:")
    if junk := _RESULT_JUNK.search(text, max(last_code, 0)):
        text = text[: junk.start()]
    pieces = re.split(r"Mã\s*:", text)
    names = [pieces[0]]
    for piece in pieces[1:]:
        # The code runs into the next name: "KQ.G19.000462Văn bản ...", "KQ.G01.00023Thẻ căn cước".
        match = re.match(r"\s*([A-Za-z0-9_.\-]*)", piece)
        if match is None:
            continue
        token, after = match.group(1), piece[match.end() :]
        if (after[:1].isalpha() or after[:1] == " ") and (word := re.search(r"[A-Z][a-z]*$", token)):
            token = token[: word.start()]
        if token:  # else the "code" is free text ("Mã: Chưa xác định"): drop it
            names.append(piece[match.start(1) + len(token) :])
    names = [_one_line(_strip_punct(name).lstrip(".").strip()) for name in names]
    names = [name for name in names if name and name != _NO_INFO]
    if last_code < 0 and names:
        problems.append("ket_qua_xu_ly: no result codes; kept the text as one result")
    return "; ".join(dict.fromkeys(names))
