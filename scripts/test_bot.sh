#!/usr/bin/env bash
# Rasa's own quality gates: data validation and test stories (failing on any prediction error).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/rasa_env.sh
scripts/train_bot.sh >/dev/null  # the generated data in var/bot-data and a model trained on it
.venv-bot/bin/rasa data validate --config bot/config.yml --domain bot/domain.yml --data bot/data var/bot-data --fail-on-warnings
# --e2e: the stories' user texts go through the NLU, so their intents and entities are checked too.
.venv-bot/bin/rasa test core --model var/models/current.tar.gz --stories bot/tests --endpoints bot/endpoints.yml \
  --e2e --fail-on-prediction-errors --out var/rasa-results >/dev/null
echo "rasa: data valid, test stories pass"
