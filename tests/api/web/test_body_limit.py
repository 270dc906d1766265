"""Request bodies over the limit are refused with 413 naming it, whether declared or streamed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request, UploadFile
from fastapi.testclient import TestClient

from api.web.body_limit import MB, BodyLimit, too_large


def client(received: list[int]) -> TestClient:
    app = FastAPI()
    app.add_middleware(BodyLimit, limits={"/upload": 1 * MB})

    @app.post("/upload")
    async def upload(files: list[UploadFile]) -> dict[str, int]:
        sizes = [len(await f.read()) for f in files]
        received.extend(sizes)
        return {"bytes": sum(sizes)}

    @app.post("/other")
    async def other(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return TestClient(app)


def test_the_message_names_the_size_and_the_limit() -> None:
    assert too_large(int(6.25 * MB), 5 * MB) == "the upload is 6.2 MB; the limit is 5 MB"
    assert too_large(None, 5 * MB) == "the upload is more than 5 MB; the limit is 5 MB"


def test_a_declared_size_over_the_limit_is_refused_unread() -> None:
    received: list[int] = []
    response = client(received).post("/upload", files=[("files", ("a.zip", b"\0" * (2 * MB), "application/zip"))])
    assert response.status_code == 413
    assert response.json()["detail"].endswith("; the limit is 1 MB") and response.json()["detail"].startswith("the upload is 2 MB")
    assert received == []


def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    received: list[int] = []
    boundary = "xyz"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.zip"\r\n\r\n'.encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, as a client may
        yield head
        for _ in range(3):
            yield b"\0" * (MB // 2)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client(received).post("/upload", content=chunks(), headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413 and response.json() == {"detail": "the upload is more than 1 MB; the limit is 1 MB"}
    assert received == []


def test_under_the_limit_and_other_paths_pass() -> None:
    received: list[int] = []
    c = client(received)
    assert c.post("/upload", files=[("files", ("a.zip", b"\0" * (MB // 2), "application/zip"))]).json() == {"bytes": MB // 2}
    assert c.post("/other", content=b"\0" * (2 * MB)).json() == {"bytes": 2 * MB}
