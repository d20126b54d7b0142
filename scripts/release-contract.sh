#!/usr/bin/env bash
# Makes the current loracurve.v1 contract the released one: ContractTest then refuses any change
# that would break a client built on it. Run when a version is released; commit proto/release.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl proto test -Dtest=ContractTest#writeRelease -Dcontract.release=write -Dsurefire.failIfNoSpecifiedTests=false
echo "wrote proto/release/loracurve-v1.txtpb"
