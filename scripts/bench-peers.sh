#!/usr/bin/env bash
# Our throughput and memory beside llama.cpp's and PyTorch + PEFT's, on the same model shapes and
# the same random weights, alternating runs, medians: one table (outside CI; minutes per shape).
#
#   scripts/bench-peers.sh [--shapes llama-30m,qwen2.5-0.5b] [--threads 1,2] [--rounds 3] [--seconds 4]
#
# Each peer installs into runs/peers/ (a Python virtual environment for PyTorch, transformers, peft
# and gguf; node-llama-cpp 3.21.1 from npm, whose prebuilt linux-x64 CPU binary is llama.cpp); a peer
# that cannot be installed is said and left out. The PyTorch the machine's pip serves is not the
# libtorch that DJL runs for us (the table says which). What each figure measures:
#   pp1       1 sequence of SEQ tokens, the last position's logits (llama.cpp's prompt processing)
#   pp_batch  BATCH sequences of SEQ tokens, each one's last-position logits (not llama.cpp)
#   train     LoRA r 8 on all seven projections, forward+backward of BATCH x SEQ with the mean
#             next-token loss over all positions (not llama.cpp)
#   peak_mib  the process's peak resident memory (VmHWM / ru_maxrss), weights included
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHAPES=llama-30m,qwen2.5-0.5b
THREADS=1,2
ROUNDS=3
SECONDS_PER=4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shapes) SHAPES="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK="$ROOT/runs/peers"
mkdir -p "$WORK/models"
RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S).txt"

# the peers
TORCH=yes
if [[ ! -x "$WORK/venv/bin/python" ]] || ! "$WORK/venv/bin/python" -c "import torch, transformers, peft, gguf" 2>/dev/null; then
  python3 -m venv "$WORK/venv" \
    && "$WORK/venv/bin/pip" install -q --retries 0 --timeout 15 torch transformers peft gguf safetensors \
    || { echo "PyTorch + PEFT: cannot be installed here; left out (and no GGUF for llama.cpp)"; TORCH=no; }
fi
LLAMA=yes
if [[ ! -d "$WORK/npm/node_modules/node-llama-cpp" ]]; then
  mkdir -p "$WORK/npm" && (cd "$WORK/npm" && npm init -y >/dev/null && npm install -s node-llama-cpp@3.21.1) \
    || { echo "llama.cpp (node-llama-cpp): cannot be installed here; left out"; LLAMA=no; }
fi
[[ $TORCH == yes ]] || LLAMA=no # its GGUF file is written with the gguf package
cp "$ROOT/scripts/peers/llamacpp.mjs" "$WORK/npm/"

"$ROOT/loracurve" --version >/dev/null # builds ours when needed

for shape in ${SHAPES//,/ }; do
  model="$WORK/models/$shape"
  [[ -d "$model" ]] || "$ROOT/loracurve" random-model "$shape" --out "$model"
  if [[ $LLAMA == yes && ! -f "$model.gguf" ]]; then
    "$WORK/venv/bin/python" "$ROOT/scripts/peers/gguf_from_hf.py" "$model" "$model.gguf.tmp" && mv "$model.gguf.tmp" "$model.gguf"
  fi
  case "$shape" in
    qwen2.5-0.5b) SEQ=128; BATCH=1 ;; # a 0.5B backward of more rows takes minutes on 2 cores
    *) SEQ=128; BATCH=4 ;;
  esac
  for threads in ${THREADS//,/ }; do
    for round in $(seq 1 "$ROUNDS"); do
      echo "== $shape, $threads thread(s), round $round" >&2
      line=$("$ROOT/loracurve" bench --model "$model" --threads "$threads" --seq $SEQ --batch $BATCH \
        --seconds "$SECONDS_PER" 2>/dev/null | grep '^peer=') && echo "shape=$shape $line" | tee -a "$RESULTS"
      if [[ $TORCH == yes ]]; then
        line=$(OMP_NUM_THREADS=$threads "$WORK/venv/bin/python" "$ROOT/scripts/peers/torch_peft.py" --model "$model" \
          --threads "$threads" --seq $SEQ --batch $BATCH --seconds "$SECONDS_PER" 2>/dev/null | grep '^peer=') \
          && echo "shape=$shape $line" | tee -a "$RESULTS"
      fi
      if [[ $LLAMA == yes ]]; then
        line=$(cd "$WORK/npm" && node llamacpp.mjs --model "$model.gguf" --threads "$threads" --seq $SEQ \
          --seconds "$SECONDS_PER" 2>/dev/null | grep '^peer=') && echo "shape=$shape $line" | tee -a "$RESULTS"
      fi
    done
  done
done
python3 "$ROOT/scripts/peers/table.py" "$RESULTS"
