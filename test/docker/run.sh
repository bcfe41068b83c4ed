#!/usr/bin/env bash
# Runs the docker-compose scenarios where Docker exists: for each protocol named (default: dubbo thrift), builds the
# peer image, starts provider, Envoy (envoyproxy/envoy with build/<protocol>.wasm) and consumer, waits for the
# consumer to finish, and checks its exit code and its summary line against test/docker/<protocol>/expected_output.
#   test/docker/run.sh            # both
#   test/docker/run.sh dubbo
# Uses `docker compose` (the v2 plugin) when present, otherwise `docker-compose` (v1.29, Debian's package).
set -euo pipefail
cd "$(dirname "$0")/../.."

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  echo "neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 2
fi

protocols=("$@")
[ ${#protocols[@]} -gt 0 ] || protocols=(dubbo thrift)

failed=0
for protocol in "${protocols[@]}"; do
  dir="test/docker/$protocol"
  [ -f "$dir/docker-compose.yaml" ] || { echo "no scenario $dir/docker-compose.yaml" >&2; exit 2; }
  [ -f "build/$protocol.wasm" ] || make "build/$protocol.wasm"
  # The Envoy image drops to its own user: the mounted files must be readable by others.
  chmod a+r "build/$protocol.wasm" "$dir/envoy.yaml"
  project="wasm-metaprotocol-$protocol"
  run=("${compose[@]}" -p "$project" -f "$dir/docker-compose.yaml")
  echo "== $protocol: ${run[*]} up --build --abort-on-container-exit --exit-code-from consumer"
  status=0
  "${run[@]}" up --build --abort-on-container-exit --exit-code-from consumer || status=$?
  # The consumer's own lines, without compose's "consumer_1  | " prefix.
  output=$("${run[@]}" logs --no-color consumer | sed -E 's/^[^|]*\| ?//') || true
  "${run[@]}" down --volumes --remove-orphans >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "FAIL $protocol: the consumer exited with status $status" >&2
    failed=1
  elif ! grep -Eq -f "$dir/expected_output" <<<"$output"; then
    echo "FAIL $protocol: no consumer line matches $(cat "$dir/expected_output")" >&2
    failed=1
  else
    echo "PASS $protocol: $(grep -E -f "$dir/expected_output" <<<"$output")"
  fi
done
exit "$failed"
