"""Call-center handoff: tickets, routing, queue position and wait, callbacks, satisfaction (issue 6).

Pure parts (`eta`, `priority`, `summary`, `skills`, `hours`) have no database or framework;
`tickets`, `queue` and `callbacks` are service functions over a SQLAlchemy session; `live`
pushes new messages to WebSocket subscribers.
"""
