# Environment for the Rasa server process; sourced by run.sh and the tests' process fixtures.
: "${HELPDESK_PORT:=8000}"
: "${HELPDESK_RASA_PORT:=5005}"
: "${HELPDESK_RASA_TOKEN:=dev-only-secret-change-me-in-production}"
: "${HELPDESK_ACTION_TOKEN:=dev-only-secret-change-me-in-production}"
: "${HELPDESK_ACTION_URL:=http://127.0.0.1:${HELPDESK_PORT}/webhooks/actions}"
export HELPDESK_PORT HELPDESK_RASA_PORT HELPDESK_RASA_TOKEN HELPDESK_ACTION_TOKEN HELPDESK_ACTION_URL
export HELPDESK_RASA_URL="${HELPDESK_RASA_URL:-http://127.0.0.1:${HELPDESK_RASA_PORT}}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
