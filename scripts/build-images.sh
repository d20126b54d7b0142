#!/usr/bin/env bash
# Builds and pushes the four service images with Jib (no Docker daemon), outside the default build.
#   scripts/build-images.sh cpu REGISTRY/GROUP [TAG]     e.g. cpu ghcr.io/acme/loracurve 0.1.0
#   scripts/build-images.sh gpu REGISTRY/GROUP [TAG]     the GPU flavour: tag TAG-gpu, on the CUDA base
# Base images (override with IMAGE_BASE): cpu eclipse-temurin:17-jre; gpu the base built from
# deploy/images/gpu-base.Dockerfile (CUDA runtime, JRE 17, libtorch 2.7.1 cu128 in /opt/libtorch).
# A local base is accepted as tar:///path/to/base.tar (docker save / skopeo copy output).
# Registry credentials: Jib's usual sources (docker config, credential helpers, JIB_* variables).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:?cpu or gpu}; group=${2:?REGISTRY/GROUP}; tag=${3:-$(./mvnw -q help:evaluate -Dexpression=project.version -DforceStdout)}
case "$flavour" in
  cpu) base=${IMAGE_BASE:-eclipse-temurin:17-jre}; suffix=""; env=() ;;
  gpu) base=${IMAGE_BASE:-${group}/loracurve-gpu-base:2.7.1-cu128}; suffix="-gpu"
       env=(-Dquarkus.jib.environment-variables.PYTORCH_LIBRARY_PATH=/opt/libtorch/lib
            -Dquarkus.jib.environment-variables.PYTORCH_VERSION=2.7.1
            -Dquarkus.jib.environment-variables.PYTORCH_FLAVOR=cu128
            -Dquarkus.jib.environment-variables.LORACURVE_DEVICE=gpu) ;;
  *) echo "flavour must be cpu or gpu" >&2; exit 2 ;;
esac
registry=${group%%/*}; rest=${group#*/}
exec ./mvnw -B -ntp -Dimage -DskipTests -Dlint.skip=true package \
  -pl trainer-svc,curve-svc,eval-svc,gateway -am \
  -Dquarkus.container-image.push=true -Dquarkus.container-image.registry="$registry" \
  -Dimage.group="$rest" -Dimage.tag="$tag$suffix" -Dimage.base="$base" "${env[@]}"
