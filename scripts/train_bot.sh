#!/usr/bin/env bash
# Generate the build-time training data, then train the Rasa model only when what Rasa reads changed
# (cached by content hash: a guide edit that leaves titles and aliases alone retrains nothing).
# Usage: scripts/train_bot.sh  -> prints the model path
set -euo pipefail
cd "$(dirname "$0")/.."

# var/bot-data: diacritics-free NLU variants and the lookup tables (guide titles and aliases, provinces).
rm -rf var/bot-data && .venv/bin/python bot/augment.py var/bot-data && .venv/bin/python bot/lookups.py var/bot-data

inputs=(bot/config.yml bot/domain.yml bot/data/*.yml var/bot-data/*.yml)
hash=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
model="var/models/bot-${hash}.tar.gz"

if [[ ! -f "$model" ]]; then
  echo "training the Rasa model (inputs changed: ${hash})" >&2
  .venv-bot/bin/rasa train --config bot/config.yml --domain bot/domain.yml --data bot/data var/bot-data \
    --out var/models --fixed-model-name "bot-${hash}" --quiet >&2
fi
ln -sfn "bot-${hash}.tar.gz" var/models/current.tar.gz
echo "$model"
