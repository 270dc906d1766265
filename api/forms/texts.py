"""What the assistant says while filling a form, in Vietnamese and English.

No message here carries a field's value: values reach the citizen's page through the
authenticated API (`GET /api/forms/{code}/progress`), never through the transcript.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "login_required": {
        "vi": "Để điền tờ khai trực tuyến, bạn cần đăng nhập bằng tài khoản định danh điện tử. Sau khi đăng nhập, hãy nhắn lại yêu cầu.",
        "en": "To fill in a form online, please sign in with your digital identity account first, then ask again.",
    },
    "which_form": {"vi": "Bạn muốn điền tờ khai nào?", "en": "Which form would you like to fill in?"},
    "started": {"vi": "Bắt đầu điền “{title}”.", "en": "Let's fill in the “{title}”."},
    "resumed": {
        "vi": "Tiếp tục “{title}”: bạn đã điền {n} mục lần trước, tôi chỉ hỏi phần còn lại.",
        "en": "Resuming the “{title}”: {n} items were already filled in last time; I will only ask for the rest.",
    },
    "consent": {
        "vi": "Để điền sẵn “{title}”, tôi sẽ dùng các thông tin sau từ tài khoản định danh điện tử của bạn: {fields}. "
        "Bạn có đồng ý không? Nếu không đồng ý, tôi sẽ hỏi bạn từng mục.",
        "en": "To prefill the “{title}”, I would use these details from your digital identity account: {fields}. "
        "Do you agree? If not, I will ask you for each item.",
    },
    "consent_again": {"vi": "Vui lòng chọn Đồng ý hoặc Không đồng ý.", "en": "Please choose Agree or Do not agree."},
    "agree": {"vi": "Đồng ý", "en": "Agree"},
    "disagree": {"vi": "Không đồng ý", "en": "Do not agree"},
    "prefilled": {
        "vi": "Cảm ơn bạn. Tôi đã điền sẵn {n} mục từ định danh điện tử; bạn có thể sửa bất kỳ mục nào trước khi xác nhận.",
        "en": "Thank you. I prefilled {n} items from your digital identity; you can correct any of them before confirming.",
    },
    "no_consent": {
        "vi": "Đã ghi nhận bạn không đồng ý. Tôi sẽ không dùng dữ liệu định danh và sẽ hỏi bạn từng mục.",
        "en": "Noted: you did not agree. I will not use your identity data and will ask you for each item.",
    },
    "ask": {"vi": "Vui lòng cho biết: {label}.", "en": "Please give: {label}."},
    "ask_optional": {"vi": " (Không bắt buộc: gõ “bỏ qua” để bỏ qua.)", "en": " (Optional: type “skip” to leave it empty.)"},
    "ask_row": {
        "vi": "Đã ghi dòng {n}. Nhập người tiếp theo, hoặc gõ “xong”.",
        "en": "Row {n} saved. Type the next person, or “done”.",
    },
    "invalid": {"vi": "“{label}” chưa hợp lệ: {reason}.", "en": "“{label}” is not valid: {reason}."},
    "correcting": {"vi": "Được, mời bạn nhập lại “{label}”.", "en": "All right, please give “{label}” again."},
    "summary": {
        "vi": "Vui lòng kiểm tra “{title}”: đã điền {n} mục ({k} mục từ định danh điện tử). Nếu đúng, bấm Xác nhận; "
        "muốn sửa mục nào, gõ “sửa” và tên mục (ví dụ: sửa số điện thoại).",
        "en": "Please check the “{title}”: {n} items filled in ({k} from your digital identity). If everything is right, press "
        "Confirm; to change an item, type “change” and its name (e.g. change phone number).",
    },
    "confirm": {"vi": "Xác nhận", "en": "Confirm"},
    "which_field": {
        "vi": "Bạn muốn sửa mục nào? Gõ “sửa” và tên mục, ví dụ: sửa số điện thoại.",
        "en": "Which item would you like to change? Type “change” and its name, e.g. change phone number.",
    },
    "unknown_field": {
        "vi": "Tôi chưa tìm thấy mục đó trong tờ khai. Gõ “sửa” và tên mục, ví dụ: sửa số điện thoại.",
        "en": "I could not find that item in the form. Type “change” and its name, e.g. change phone number.",
    },
    "done": {
        "vi": "Đã lưu hồ sơ nháp “{title}” (mã {id}). Bạn có thể nộp trực tuyến ngay, hoặc tải bản PDF để in, ký và nộp.",
        "en": "Your “{title}” draft is saved (reference {id}). You can submit it online now, or download the PDF to print, sign and submit.",
    },
    "submit": {"vi": "Nộp hồ sơ trực tuyến", "en": "Submit online"},
    "paused": {
        "vi": "Đã tạm dừng. Phần bạn đã điền được lưu lại; khi muốn tiếp tục, hãy nhắn “điền tiếp tờ khai”.",
        "en": "Paused. What you filled in is kept; say “continue my form” when you want to go on.",
    },
    "signed_out": {
        "vi": "Phiên đăng nhập đã hết. Phần đã điền vẫn được lưu; vui lòng đăng nhập lại để tiếp tục.",
        "en": "Your sign-in has ended. What you filled in is kept; please sign in again to continue.",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    text = TEXTS[key].get(lang) or TEXTS[key]["vi"]
    return text.format(**values) if values else text
