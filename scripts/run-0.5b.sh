#!/usr/bin/env bash
# A 0.5B-class model through the whole method on this machine (outside CI; about 15 minutes on 2
# cores): random weights in Qwen2.5-0.5B's shape whose word-level vocabulary holds SST-2's words,
# K = 2 LoRA optima on SST-2, an anchored Bézier curve between them, MAP, ensemble and curve scored.
# Prints each stage's wall time, tokens/s and peak resident memory (GNU time).
#
#   scripts/run-0.5b.sh [OUT] [SST2_DIR]     (defaults: runs/qwen0.5b, ../shared/data/sst2)
#
# The weights are random: the accuracies mean nothing; the throughput and memory are the point.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/runs/qwen0.5b}"
DATA="${2:-$ROOT/../shared/data/sst2}"
[[ -f "$DATA/train.tsv" ]] || { echo "no SST-2 at $DATA (pass its folder as the second argument)"; exit 2; }
mkdir -p "$OUT"
"$ROOT/loracurve" --version >/dev/null # builds when needed, outside the timings

stage() { # NAME COMMAND...: runs it under GNU time, keeps its output, prints wall time and peak RSS
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" >"$OUT/$name.log" 2>"$OUT/$name.err" \
    || { echo "$name failed: see $OUT/$name.err"; tail -5 "$OUT/$name.err"; exit 1; }
  read -r wall kib <"$OUT/$name.time"
  printf '%-12s %8.1f s  peak %6.0f MiB  %s\n' "$name" "$wall" "$((kib / 1024))" \
    "$(grep -ho '[0-9][0-9]* [a-z ]*tokens/s[^)]*' "$OUT/$name.log" | tr '\n' ' ')"
}

MODEL="$OUT/model"
if [[ ! -d "$MODEL" ]]; then
  printf 'Review: Sentiment: sad happy\n' >"$OUT/prompt-words.txt"
  stage random-model "$ROOT/loracurve" random-model qwen2.5-0.5b --out "$MODEL" \
    --words "$OUT/prompt-words.txt" --words "$DATA/train.tsv" --words "$DATA/dev.tsv"
fi
TASK=(--model "$MODEL" --task sst2 --data "$DATA" --cues sad,happy --max-length 64)
stage train "$ROOT/loracurve" train "${TASK[@]}" --out "$OUT/optima" --k 2 --steps 12 --batch-size 8 \
  --lr 1e-3 --warmup 2 --train-limit 512 --val-split none --checkpoint-every 4
stage curve "$ROOT/loracurve" curve fit "${TASK[@]}" --out "$OUT/curve" \
  --anchors "$OUT/optima/run-0" "$OUT/optima/run-1" --steps 12 --batch-size 8 --train-limit 512 --checkpoint-every 4
stage eval "$ROOT/loracurve" eval "${TASK[@]}" --split dev --limit 100 \
  --anchors "$OUT/optima/run-0" "$OUT/optima/run-1" --curve "$OUT/curve" --methods map,ensemble,curve \
  --samples 5 --out "$OUT/eval"
grep -h ': [0-9.]* s$' "$OUT/eval.err" | sed 's/^/  eval, /'
echo "report: $OUT/eval/report.html"
