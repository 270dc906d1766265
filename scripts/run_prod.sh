#!/usr/bin/env bash
# The production topology on this machine (make run-prod): nginx on :8000 in front of 2 app workers
# (:8001, :8002), and on 127.0.0.1:5005 in front of 2 Rasa servers (:5006, :5007); the app on
# PostgreSQL (database `helpdesk`), Rasa's trackers and locks, the live hub and the abuse limits in
# Redis (127.0.0.1:6379). Every process runs under scripts/supervise.sh; Ctrl-C stops them all.
# It runs in development mode (the demo identity provider and accounts) unless HELPDESK_MODE is set:
# production needs the secrets listed in docs/architecture.md ("Production topology").
set -euo pipefail
cd "$(dirname "$0")/.."

: "${HELPDESK_PORT:=8000}"
: "${HELPDESK_RASA_PORT:=5005}"  # nginx's port for the Rasa servers; the app's HELPDESK_RASA_URL
: "${HELPDESK_APP_PORTS:=8001 8002}"
: "${HELPDESK_RASA_PORTS:=5006 5007}"
: "${HELPDESK_PG_ADMIN:=postgresql://postgres@127.0.0.1:5432/postgres}"
: "${HELPDESK_DATABASE_URL:=postgresql+psycopg://postgres@127.0.0.1:5432/helpdesk}"
: "${HELPDESK_REDIS_URL:=redis://127.0.0.1:6379}"
: "${HELPDESK_INDEX_DIR:=var/index-prod}"  # built from the PostgreSQL database (var/index follows make run's SQLite one)
: "${HELPDESK_RASA_ENDPOINTS:=bot/endpoints.redis.yml}"
: "${TICKET_LOCK_LIFETIME:=8}"  # Rasa: a server killed mid-turn holds its conversation's lock this long (< HELPDESK_RASA_TIMEOUT_S)
: "${HELPDESK_HANDOFF__LIVE_URL:=$HELPDESK_REDIS_URL/2}"
: "${HELPDESK_LIMITS__STORAGE_URL:=$HELPDESK_REDIS_URL/3}"
: "${HELPDESK_WEB__TRUSTED_PROXIES:=[\"127.0.0.1\"]}"
: "${HELPDESK_PUBLIC_URL:=http://127.0.0.1:${HELPDESK_PORT}}"
export HELPDESK_PORT HELPDESK_RASA_PORT HELPDESK_DATABASE_URL HELPDESK_INDEX_DIR HELPDESK_RASA_ENDPOINTS TICKET_LOCK_LIFETIME \
  HELPDESK_HANDOFF__LIVE_URL HELPDESK_LIMITS__STORAGE_URL HELPDESK_WEB__TRUSTED_PROXIES HELPDESK_PUBLIC_URL
source scripts/rasa_env.sh  # tokens, HELPDESK_RASA_URL (nginx), HELPDESK_ACTION_URL (nginx), Redis for Rasa
redis-cli -u "$HELPDESK_REDIS_URL" ping >/dev/null || { echo "Redis is not reachable at $HELPDESK_REDIS_URL"; exit 1; }

# The database (created when missing) and its migrations; the demo accounts in development.
db=${HELPDESK_DATABASE_URL##*/}
if [ -z "$(psql "$HELPDESK_PG_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
  psql "$HELPDESK_PG_ADMIN" -qc "CREATE DATABASE \"$db\""
fi
.venv/bin/python -m api migrate
if [ "${HELPDESK_MODE:-production}" = development ]; then .venv/bin/python -m api seed-demo; fi
.venv/bin/python -m knowledge load-guides  # the curated guides into this database, then the index level with it
.venv/bin/python -m knowledge build-index --if-changed

# nginx: its pid, temp files and logs under var/nginx (any user may run it).
mkdir -p var/nginx
cp deploy/nginx/nginx.conf var/nginx/nginx.conf
servers() { for port in $1; do printf 'server 127.0.0.1:%s; ' "$port"; done; }
HELPDESK_NGINX_LISTEN="127.0.0.1:$HELPDESK_PORT" HELPDESK_NGINX_APP_SERVERS="$(servers "$HELPDESK_APP_PORTS")" \
  HELPDESK_NGINX_RASA_LISTEN="127.0.0.1:$HELPDESK_RASA_PORT" HELPDESK_NGINX_RASA_SERVERS="$(servers "$HELPDESK_RASA_PORTS")" \
  scripts/nginx_conf.sh >var/nginx/helpdesk.conf
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

pids=()
for port in $HELPDESK_RASA_PORTS; do
  scripts/supervise.sh "rasa:$port" .venv-bot/bin/python bot/rasa_server.py run --enable-api --auth-token "$HELPDESK_RASA_TOKEN" \
    --model var/models/current.tar.gz --endpoints "$HELPDESK_RASA_ENDPOINTS" --credentials bot/credentials.yml \
    --interface 127.0.0.1 --port "$port" --log-file "var/rasa-$port.log" &
  pids+=($!)
done
for port in $HELPDESK_APP_PORTS; do
  scripts/supervise.sh "app:$port" .venv/bin/uvicorn api.app:create_app --factory --no-access-log --no-proxy-headers \
    --host 127.0.0.1 --port "$port" &
  pids+=($!)
done
scripts/supervise.sh nginx "$nginx_bin" -p "$PWD/var/nginx/" -c "$PWD/var/nginx/nginx.conf" -e stderr -g 'daemon off;' &
pids+=($!)

stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:${HELPDESK_PORT}/api/health/ready" >/dev/null 2>&1; then
    echo
    echo "  Citizen help desk (nginx, 2 app workers, 2 Rasa servers) is up:  http://127.0.0.1:${HELPDESK_PORT}/"
    echo "  Mode: ${HELPDESK_MODE:-production}. Ctrl-C stops every process."
    echo
    break
  fi
  sleep 1
done
wait -n "${pids[@]}"
