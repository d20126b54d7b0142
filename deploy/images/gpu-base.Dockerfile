# The GPU flavour's base image: CUDA runtime, a JRE 17 and libtorch 2.7.1 built for CUDA 12.8, which
# DJL loads from PYTORCH_LIBRARY_PATH (scripts/build-images.sh gpu sets it). Build it with the
# tool your platform uses (docker, buildah, kaniko) and push it where the image build can pull it.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl unzip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# libtorch, the same version the CPU build uses (pytorch-native-cpu 2.7.1), CUDA 12.8 build
RUN curl -fsSL -o /tmp/libtorch.zip \
      https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip \
    && unzip -q /tmp/libtorch.zip -d /opt && rm /tmp/libtorch.zip
ENV PYTORCH_LIBRARY_PATH=/opt/libtorch/lib PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128 \
    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
USER 10001
