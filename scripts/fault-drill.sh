#!/usr/bin/env bash
# Faults and load on a local stack of real processes, reported as figures (see cli FaultDrill):
# kill -9 of each service mid-work KILLS times, a 15 s broker outage, LOAD concurrent experiments.
# Not part of the default suite: about 5 minutes on 2 cores after the build, with the defaults (2, 50).
# Usage: scripts/fault-drill.sh [KILLS] [LOAD]; the table lands in cli/target/fault-drill.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -Dlint.skip=true install
./mvnw -B -pl cli test -Dlint.skip=true -Dtest=FaultDrill -Dsurefire.failIfNoSpecifiedTests=false \
  -Ddrill.kills="${1:-2}" -Ddrill.load="${2:-50}"
cat cli/target/fault-drill.md
