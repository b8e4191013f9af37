#!/bin/sh
# Builds the Go test service: build.sh OUTPUT. Offline: no dependencies.
set -e
out=$(realpath "$1")
cd "$(dirname "$0")"
GOFLAGS=-mod=mod GOPROXY=off go build -trimpath -o "$out" .
