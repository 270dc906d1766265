"""Canned replies for agents, per language."""

from __future__ import annotations

CANNED: dict[str, list[str]] = {
    "vi": [
        "Xin chào, tôi là tổng đài viên. Tôi đã đọc nội dung bạn trao đổi với trợ lý ảo, tôi hỗ trợ bạn ngay.",
        "Bạn vui lòng chờ trong giây lát, tôi đang kiểm tra thông tin.",
        "Bạn có thể nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia tại https://dichvucong.gov.vn.",
        "Bạn vui lòng cho biết bạn đang cư trú tại tỉnh/thành phố nào?",
        "Cảm ơn bạn đã liên hệ. Nếu cần hỗ trợ thêm, bạn cứ nhắn cho chúng tôi.",
    ],
    "en": [
        "Hello, I am a support agent. I have read your conversation with the assistant and will help you now.",
        "Please wait a moment while I check.",
        "You can apply online on the National Public Service Portal at https://dichvucong.gov.vn.",
        "Which province or city do you live in?",
        "Thank you for contacting us. Write to us any time if you need more help.",
    ],
}
