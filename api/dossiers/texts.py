"""What the assistant says about dossiers in the chat, in Vietnamese and English (actions/dossiers.py)."""

from __future__ import annotations

import datetime as dt

TEXTS: dict[str, dict[str, str]] = {
    "login_or_lookup": {
        "vi": "Bạn hãy đăng nhập bằng định danh điện tử để xem mọi hồ sơ của mình, hoặc tra cứu một hồ sơ bằng mã hồ sơ và số điện thoại ghi trên hồ sơ.",
        "en": "Sign in with your digital identity to see all your applications, or look one up with its dossier code and the phone number on it.",
    },
    "none": {
        "vi": "Bạn chưa nộp hồ sơ trực tuyến nào. Khi điền xong một tờ khai, bạn có thể nộp ngay trong cuộc trò chuyện.",
        "en": "You have not submitted any application online yet. Once a form is filled in, you can submit it right here in the chat.",
    },
    "list": {"vi": "Bạn có {n} hồ sơ:", "en": "You have {n} application(s):"},
    "item": {"vi": "• {code} — {title}: {state} (ngày hẹn {expected})", "en": "• {code} — {title}: {state} (expected {expected})"},
    "item_reason": {"vi": " Lý do: {reason} Cần bổ sung: {documents}.", "en": " Reason: {reason} Needed: {documents}."},
    "item_collect": {"vi": " {collect}", "en": " {collect}"},
    "supplement_button": {"vi": "Bổ sung hồ sơ {code}", "en": "Supplement {code}"},
    "no_draft": {
        "vi": "Bạn chưa có tờ khai nào đã xác nhận để nộp. Hãy điền tờ khai trước (ví dụ: “điền tờ khai CT01”).",
        "en": "You have no confirmed form to submit. Fill one in first (e.g. “fill in form CT01”).",
    },
    "confirm": {
        "vi": "Bạn xác nhận nộp “{title}” tới {office}? Thời hạn giải quyết: {days} ngày làm việc. Sau khi nộp, tờ khai không sửa được nữa.",
        "en": "Do you confirm submitting the “{title}” to {office}? Processing time: {days} working days. Once submitted, the form can no longer be changed.",
    },
    "confirm_yes": {"vi": "Xác nhận nộp hồ sơ", "en": "Confirm and submit"},
    "confirm_no": {"vi": "Chưa nộp", "en": "Not now"},
    "submitted": {
        "vi": "Đã nộp hồ sơ. Mã hồ sơ: {code}. Ngày hẹn trả kết quả dự kiến: {expected}. Bạn có thể hỏi “hồ sơ của tôi đến đâu rồi?” bất cứ lúc nào.",
        "en": "Your application is submitted. Dossier code: {code}. Expected result date: {expected}. Ask “where is my application?” at any time.",
    },
    "already": {
        "vi": "Tờ khai này đã được nộp: mã hồ sơ {code}, trạng thái {state}.",
        "en": "This form was already submitted: dossier code {code}, state {state}.",
    },
    "refused": {"vi": "Chưa nộp được hồ sơ: {reason}", "en": "The application could not be submitted: {reason}"},
    "submit": {"vi": "Nộp hồ sơ", "en": "Submit"},
}


def say(key: str, lang: str, **values: object) -> str:
    texts = TEXTS[key]
    return (texts.get(lang) or texts["vi"]).format(**values)


def show_date(day: object, lang: str) -> str:
    """A date as the citizen reads it: 14/12/2026 in Vietnamese, 2026-12-14 in English."""
    if isinstance(day, dt.date):
        return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()
    return str(day)
