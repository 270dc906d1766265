#!/usr/bin/env bash
# Start the Rasa server and the app, each under scripts/supervise.sh: a process that dies is restarted
# (with a back-off) while the other keeps serving; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/rasa_env.sh

scripts/supervise.sh rasa .venv-bot/bin/python bot/rasa_server.py run --enable-api --auth-token "$HELPDESK_RASA_TOKEN" \
  --model var/models/current.tar.gz --endpoints "${HELPDESK_RASA_ENDPOINTS:-bot/endpoints.yml}" --credentials bot/credentials.yml \
  --interface 127.0.0.1 --port "$HELPDESK_RASA_PORT" --log-file "${HELPDESK_RASA_LOG:-var/rasa.log}" &
rasa_pid=$!
scripts/supervise.sh app .venv/bin/uvicorn api.app:create_app --factory --no-access-log --no-proxy-headers --host "${HELPDESK_HOST:-127.0.0.1}" --port "$HELPDESK_PORT" &
app_pid=$!

stop() { kill "$rasa_pid" "$app_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:${HELPDESK_PORT}/api/health/ready" >/dev/null 2>&1; then
    echo
    echo "  Citizen help desk is up:  http://127.0.0.1:${HELPDESK_PORT}/"
    echo "  API docs:                 http://127.0.0.1:${HELPDESK_PORT}/docs"
    echo "  Ctrl-C stops both processes."
    echo
    break
  fi
  sleep 1
done
wait -n "$rasa_pid" "$app_pid"
