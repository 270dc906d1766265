#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed (cached by content hash).
# Usage: scripts/train_bot.sh  -> prints the model path
set -euo pipefail
cd "$(dirname "$0")/.."

inputs=(bot/config.yml bot/domain.yml bot/data/*.yml bot/augment.py knowledge/normalize.py)
hash=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
model="var/models/bot-${hash}.tar.gz"

if [[ ! -f "$model" ]]; then
  echo "training the Rasa model (inputs changed: ${hash})" >&2
  rm -rf var/bot-data && .venv/bin/python bot/augment.py var/bot-data
  .venv-bot/bin/rasa train --config bot/config.yml --domain bot/domain.yml --data bot/data var/bot-data \
    --out var/models --fixed-model-name "bot-${hash}" --quiet >&2
fi
ln -sfn "bot-${hash}.tar.gz" var/models/current.tar.gz
echo "$model"
