#!/bin/sh
# The bot container's command: the Rasa server on :5005 with the model trained into the image and
# Redis trackers and locks. Refuses to start without HELPDESK_RASA_TOKEN (an empty --auth-token would
# leave Rasa's HTTP API open). The rest comes from the environment (bot/endpoints.redis.yml).
set -eu
: "${HELPDESK_RASA_TOKEN:?HELPDESK_RASA_TOKEN is not set: the Rasa API needs a token (32+ characters, the app has the same)}"
: "${HELPDESK_ACTION_TOKEN:?HELPDESK_ACTION_TOKEN is not set: Rasa sends it to the app's /webhooks/actions}"
exec python bot/rasa_server.py run --enable-api --auth-token "$HELPDESK_RASA_TOKEN" --model models/bot.tar.gz \
  --endpoints bot/endpoints.redis.yml --credentials bot/credentials.yml --interface 0.0.0.0 --port 5005
