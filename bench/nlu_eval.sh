#!/usr/bin/env bash
# NLU quality of bot/config.yml on bot/data + the generated diacritics-free variants.
#   bench/nlu_eval.sh [OUT=/tmp/nlu-eval] [--config PATH] [--folds N] [--nlu FILE] [--skip-rasa-cv]
# The NLU file (default bot/data/nlu.yml) is snapshotted into OUT/data at the start, and its
# diacritics-free variants generated next to it with bot/augment.py's own function.
# 1. grouped 5-fold cross-validation (an example and its folded copy share a fold): bench/nlu_eval.py
# 2. Rasa's own `rasa test nlu --cross-validation` on the same data, for comparison (splits the
#    copies independently, so the folded copy of a training example can be tested: optimistic).
# Generated data, models and reports stay in OUT; nothing is written under bot/ or var/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=/tmp/nlu-eval; config=bot/config.yml; folds=5; rasa_cv=1; nlu=bot/data/nlu.yml
[[ $# -gt 0 && $1 != --* ]] && { out=$1; shift; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --config) config=$2; shift 2 ;;
    --folds) folds=$2; shift 2 ;;
    --nlu) nlu=$2; shift 2 ;;
    --skip-rasa-cv) rasa_cv=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 HF_HUB_OFFLINE=1
rm -rf "$out" && mkdir -p "$out"
.venv/bin/python bench/nlu_eval.py prepare "$out" --nlu "$nlu"
start=$(date +%s)
.venv-bot/bin/python bench/nlu_eval.py cv "$out" --folds "$folds" --config "$config" | tee "$out/grouped_cv.md"
echo "grouped CV: $(( $(date +%s) - start ))s" >&2

if [[ $rasa_cv == 1 ]]; then
  # `rasa test nlu --nlu` takes one path: OUT/data holds the snapshot and its folded variants.
  start=$(date +%s)
  .venv-bot/bin/rasa test nlu --config "$config" --nlu "$out/data" --cross-validation --folds "$folds" \
    --out "$out/rasa-cv" --no-plot --quiet >"$out/rasa-cv.log" 2>&1
  echo "rasa --cross-validation: $(( $(date +%s) - start ))s" >&2
  .venv-bot/bin/python - "$out/rasa-cv/intent_report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\n### Rasa `rasa test nlu --cross-validation` (copies split independently)\n")
print(f"| intent macro-F1 | {r['macro avg']['f1-score']:.3f} |\n|---|---|\n| accuracy | {r['accuracy']:.3f} |")
weak = sorted((k, v) for k, v in r.items() if isinstance(v, dict) and "support" in v and k not in ("macro avg", "weighted avg", "micro avg"))
weak = sorted(weak, key=lambda kv: kv[1]["f1-score"])[:5]
print("| weakest intents | " + ", ".join(f"{k} {v['f1-score']:.2f}" for k, v in weak) + " |")
PY
fi
