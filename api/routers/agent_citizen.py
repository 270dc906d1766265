"""The citizen's side of the handoff, under /api/chat: queue position and wait, callback, rating, live push.

Each needs the conversation's id and, for one a signed-in citizen started, that citizen's session (else 404).
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from api.chat.transcript import get_conversation
from api.deps import FactoryDep, RasaDep, SessionDep
from api.errors import NotFound
from api.handoff import callbacks, live, queue, satisfaction
from api.handoff.runtime import HandoffConfigDep, mark_resumed, tell_rasa
from api.identity.session import COOKIE, OwnConversation, session_from_cookie
from api.routers.agent_schemas import CallbackIn, QueueViewOut, SatisfactionIn

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.get("/{conversation_id}/queue", response_model=QueueViewOut)
def queue_view(conversation_id: OwnConversation, session: SessionDep, config: HandoffConfigDep) -> QueueViewOut:
    """Where the citizen stands while waiting for a person: position, Erlang C wait estimate,
    and whether to offer a callback (outside working hours, no agent online, or a long wait)."""
    return QueueViewOut.model_validate(queue.citizen_view(session=session, conversation_id=conversation_id, config=config))


@router.post("/{conversation_id}/callback", status_code=status.HTTP_201_CREATED)
async def request_callback(conversation_id: OwnConversation, body: CallbackIn, factory: FactoryDep, rasa: RasaDep) -> dict[str, object]:
    """Be called back instead of waiting: phone, preferred time, consent (422 without it).
    The waiting ticket is closed and the assistant takes the chat again."""
    with factory.begin() as session:
        callback = callbacks.request_callback(
            session=session, conversation_id=conversation_id, phone=body.phone, preferred_time=body.preferred_time, consent=body.consent
        )
        out = {"id": callback.id, "preferred_time": callback.preferred_time, "state": callback.state}
        had_ticket = callback.ticket_id is not None
    if had_ticket and await tell_rasa(rasa, conversation_id, paused=False):
        with factory.begin() as session:
            mark_resumed(session, conversation_id)
    return out


@router.post("/{conversation_id}/satisfaction", status_code=status.HTTP_201_CREATED)
def rate(conversation_id: OwnConversation, body: SatisfactionIn, session: SessionDep) -> dict[str, object]:
    """1–5 and an optional comment, once per resolved ticket; 409 when there is nothing (more) to rate."""
    row = satisfaction.rate(session=session, conversation_id=conversation_id, rating=body.rating, comment=body.comment)
    return {"id": row.id, "ticket_id": row.ticket_id, "rating": row.rating}


@router.websocket("/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str) -> None:
    """Pushes `{"type": "message", …}` and `{"type": "state", …}` events of this conversation as they commit.
    The page fetches the messages themselves through GET …/messages, so polling stays the fallback."""
    state = websocket.app.state
    with state.sessions() as session:
        citizen = session_from_cookie(session=session, cookie=websocket.cookies.get(COOKIE), secret=state.settings.secret_key)
        try:  # another citizen's conversation is closed like one that does not exist
            get_conversation(session=session, conversation_id=conversation_id, subject=citizen.subject if citizen else None)
        except NotFound as exc:
            await websocket.close(code=4404, reason=exc.detail[:120])
            return
    await websocket.accept()
    channel = live.conversation_channel(conversation_id)
    events = state.hub.subscribe(channel)

    async def pump() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await websocket.send_json(await events.get())

    task = asyncio.create_task(pump())
    try:
        while True:
            await websocket.receive_text()  # pings; a disconnect ends the loop
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()
        state.hub.unsubscribe(channel, events)
