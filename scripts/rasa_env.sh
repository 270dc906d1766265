# Environment for the Rasa server process; sourced by run.sh and the tests' process fixtures.
: "${HELPDESK_PORT:=8000}"
: "${HELPDESK_RASA_PORT:=5005}"
: "${HELPDESK_RASA_TOKEN:=dev-only-secret-change-me-in-production}"
: "${HELPDESK_ACTION_TOKEN:=dev-only-secret-change-me-in-production}"
: "${HELPDESK_ACTION_URL:=http://127.0.0.1:${HELPDESK_PORT}/webhooks/actions}"
# bot/endpoints.redis.yml only (make run-prod): Rasa's tracker and lock stores
: "${HELPDESK_REDIS_HOST:=127.0.0.1}"
: "${HELPDESK_REDIS_PORT:=6379}"
: "${HELPDESK_REDIS_TRACKER_DB:=0}"
: "${HELPDESK_REDIS_LOCK_DB:=1}"
export HELPDESK_REDIS_HOST HELPDESK_REDIS_PORT HELPDESK_REDIS_TRACKER_DB HELPDESK_REDIS_LOCK_DB
export HELPDESK_PORT HELPDESK_RASA_PORT HELPDESK_RASA_TOKEN HELPDESK_ACTION_TOKEN HELPDESK_ACTION_URL
export HELPDESK_RASA_URL="${HELPDESK_RASA_URL:-http://127.0.0.1:${HELPDESK_RASA_PORT}}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
