#!/bin/sh
# Builds the release binary with the Swift runtime and Foundation linked statically, strips a copy into dist/,
# and prints its size and the shared libraries it still needs (glibc's only, until the MQTT target lands).
#
#   Board/build-release.sh            # builds into .build-release, writes dist/edge-agent
#   SCRATCH=.build-x DIST=out Board/build-release.sh
set -eu

cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build-release}
dist=${DIST:-dist}

swift build -c release --static-swift-stdlib --product edge-agent --scratch-path "$scratch"
binary=$(swift build -c release --static-swift-stdlib --product edge-agent --scratch-path "$scratch" --show-bin-path)/edge-agent

mkdir -p "$dist"
cp "$binary" "$dist/edge-agent"
strip "$dist/edge-agent"

unstripped=$(stat -c %s "$binary")
stripped=$(stat -c %s "$dist/edge-agent")
echo "edge-agent: $stripped bytes stripped ($((stripped / 1048576)) MiB), $unstripped bytes before strip"
echo "shared libraries (ldd $dist/edge-agent):"
ldd "$dist/edge-agent" || true
