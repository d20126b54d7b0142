#!/usr/bin/env bash
# The experiments reported in the issue notes, on ../shared/models/stories260K with the benchmark
# files of ../shared/data. Not part of CI: about an hour on 2 cores. Usage: scripts/experiments-stories260k.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs}
M=../shared/models/stories260K
D=../shared/data
LC=./loracurve
log() { echo "== $(date +%T) $*"; }

log "trec: K = 3 optima (2 epochs)"
$LC train --model $M --task trec --data $D/trec --val-split test --out $OUT/trec --k 3 --seed 0 --steps 682 \
    --batch-size 16 --lr 3e-3 --warmup 30 --rank 8 --alpha 16 --dropout 0.05 --eval-every 341
$LC adapters --model $M $OUT/trec/run-0 $OUT/trec/run-1 $OUT/trec/run-2

log "sst2: the independent check's setting, then the best settings found (K = 3)"
$LC train --model $M --task sst2 --data $D/sst2 --out $OUT/sst2-3000 --k 1 --steps 562 --train-limit 3000 --lr 3e-3 --rank 8
$LC train --model $M --task sst2 --data $D/sst2 --out $OUT/sst2-r16 --k 1 --steps 1500 --lr 3e-3 --rank 16 --alpha 32 --warmup 50
$LC train --model $M --task sst2 --data $D/sst2 --out $OUT/sst2 --k 3 --seed 0 --steps 1500 --lr 3e-3 --rank 8 --cues sad,happy --warmup 50
$LC adapters --model $M $OUT/sst2/run-0 $OUT/sst2/run-1 $OUT/sst2/run-2

log "boolq, arc-easy, openbookqa: the same pipeline"
$LC train --model $M --task boolq --data $D/boolq/val.jsonl --val-split holdout:500 --out $OUT/boolq --k 3 --steps 300 --warmup 20
$LC train --model $M --task arc-easy --data $D/arc-easy/hf --out $OUT/arc-easy --k 3 --steps 200 --warmup 20 --max-length 512
$LC train --model $M --task openbookqa --data $D/openbookqa --out $OUT/openbookqa --k 3 --steps 200 --warmup 20 --max-length 512

A="$OUT/trec/run-0 $OUT/trec/run-1 $OUT/trec/run-2"
log "trec curves: anchored; free from scratch; anchored with Gaussian perturbation, JS, both"
FIT="$LC curve fit --model $M --task trec --data $D/trec --degree 2 --steps 682 --warmup 30 --lr 3e-3"
$FIT --anchors $A --out $OUT/trec-curve
$FIT --free --seed 0 --segments 1 --out $OUT/trec-free
$FIT --anchors $A --perturb gaussian:0.01 --out $OUT/trec-curve-gauss
$FIT --anchors $A --js 1.0:3 --out $OUT/trec-curve-js
$FIT --anchors $A --perturb gaussian:0.01 --js 1.0:3 --out $OUT/trec-curve-gauss-js
$LC path --model $M --task trec --data $D/trec --curve $OUT/trec-curve --grid 61 --train-limit 1000 --out $OUT/trec-path
$LC path --model $M --task trec --data $D/trec --curve $OUT/trec-free --grid 61 --train-limit 1000 --out $OUT/trec-free-path

log "trec evaluation, sst2 inputs as OOD"
$LC eval --model $M --task trec --data $D/trec --split test --anchors $A \
    --curve $OUT/trec-curve $OUT/trec-free $OUT/trec-curve-gauss $OUT/trec-curve-js $OUT/trec-curve-gauss-js \
    --samples 10 --ood sst2:$D/sst2 --ood-split validation --path $OUT/trec-path/path.json --out $OUT/trec-eval

S="$OUT/sst2/run-0 $OUT/sst2/run-1 $OUT/sst2/run-2"
log "sst2 curves and evaluation, trec inputs as OOD"
$LC curve fit --model $M --task sst2 --data $D/sst2 --cues sad,happy --anchors $S --degree 2 --steps 600 --warmup 30 --lr 3e-3 --out $OUT/sst2-curve
$LC curve fit --model $M --task sst2 --data $D/sst2 --cues sad,happy --anchors $S --degree 2 --steps 600 --warmup 30 --lr 3e-3 \
    --perturb gaussian:0.01 --js 1.0:3 --out $OUT/sst2-curve-gauss-js
$LC path --model $M --task sst2 --data $D/sst2 --cues sad,happy --test-split validation --curve $OUT/sst2-curve --grid 31 \
    --train-limit 500 --out $OUT/sst2-path
$LC eval --model $M --task sst2 --data $D/sst2 --cues sad,happy --split validation --anchors $S \
    --curve $OUT/sst2-curve $OUT/sst2-curve-gauss-js --samples 10 --ood trec:$D/trec --ood-split test \
    --path $OUT/sst2-path/path.json --out $OUT/sst2-eval
log done
