#!/usr/bin/env bash
# Rasa's own quality gates: data validation and test stories (failing on any prediction error).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/rasa_env.sh
rm -rf var/bot-data && .venv/bin/python bot/augment.py var/bot-data
.venv-bot/bin/rasa data validate --config bot/config.yml --domain bot/domain.yml --data bot/data var/bot-data --fail-on-warnings
.venv-bot/bin/rasa test core --model var/models/current.tar.gz --stories bot/tests --endpoints bot/endpoints.yml \
  --fail-on-prediction-errors --out var/rasa-results >/dev/null
echo "rasa: data valid, test stories pass"
