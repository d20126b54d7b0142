#!/usr/bin/env bash
# Fuzzes one parser with Jazzer (coverage-guided) for SECONDS, then prints what it did. Inputs that
# reach new code are kept in <module>/.cifuzz-corpus/; a finding (an exception other than the clear
# errors the parser owes) is written to the target's Inputs folder under src/test/resources, where
# ./scripts/test replays it as a regression test from then on.
#   scripts/fuzz.sh TARGET [SECONDS]      e.g. scripts/fuzz.sh safetensors 300
# Targets: core's ParsersFuzzTest (safetensors modelConfigJson adapterConfigJson curveJson
# benchmarkFiles tokenizerOnAnyText anyJson) and cli's SpecFuzzTest (specYaml events).
set -uo pipefail
cd "$(dirname "$0")/.."
target=${1:?a fuzz target, e.g. safetensors}; seconds=${2:-60}
case "$target" in
  specYaml|events) module=cli; class=SpecFuzzTest ;;
  *) module=core; class=ParsersFuzzTest ;;
esac
./mvnw -B -q -ntp -DskipTests -Dlint.skip=true install -pl "$module" -am || exit 1
log=$(mktemp)
inputs="$module/src/test/resources/dev/loracurve/$module/fuzz/${class}Inputs/$target"
before=$(find "$inputs" -name 'crash-*' 2>/dev/null | sort)
# Jazzer's JUnit runner takes its duration from the annotation only (2 h): the run is stopped after
# SECONDS (the corpus and any finding are on disk as soon as they are found)
# The run gets a process group of its own: the test JVM that Maven forks may outlive the timeout,
# and stopping this group stops it without touching any other test JVM on the machine
JAZZER_FUZZ=1 setsid timeout --kill-after=20 "$((seconds + 40))" ./mvnw -B -ntp -Dlint.skip=true -pl "$module" test \
  -Dtest="$class#$target" -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Xmx4g -Dai.djl.offline=true -Djazzer.instrument=dev.loracurve.**" > "$log" 2>&1 &
group=$!
wait "$group"
kill -- -"$group" 2>/dev/null || true
runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
if grep -qE 'FuzzTestFinding|== Java Exception' "$log"; then
  echo "$class#$target: FINDING after ${runs:-0} executions ($cov); see $log"
  grep -E 'FuzzTestFinding|== Java Exception' -A8 "$log" | head -20
  exit 1
fi
# stopping the run mid-input leaves that input behind as a crash file although nothing was found
comm -13 <(echo "$before") <(find "$inputs" -name 'crash-*' 2>/dev/null | sort) | xargs -r rm -f
echo "$class#$target: ${runs:-0} executions in about ${seconds} s, ${cov:-no coverage line}, no finding (log: $log)"
