#!/usr/bin/env bash
# Runs the GraphQL benchmark of this engine and of graphql-js in one go, on the release build,
# and prints both with the throughput ratio. `make bench` calls it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node_dir="$("$root/tools/setup.sh" --print-node-dir)"
bench="$root/build/release/bench/graphql/graphql_bench"
[[ -x "$bench" ]] || { echo "run.sh: build the release preset first (make bench)" >&2; exit 1; }

cpp_json="$(mktemp)"
trap 'rm -f "$cpp_json"' EXIT
"$bench" --benchmark_min_time=3 --benchmark_repetitions=1 --benchmark_format=json \
  >"$cpp_json"
node "$here/graphql_js_bench.cjs" "$node_dir/node_modules/graphql" "$here" >"$cpp_json.js"
python3 - "$cpp_json" "$cpp_json.js" <<'PY'
import json, sys
cpp = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
js = {}
for line in open(sys.argv[2]):
    row = json.loads(line)
    js[row["name"]] = row
pairs = [("BM_Parse", "parse"), ("BM_ParseAndValidate", "parse_validate"),
         ("BM_Execute", "execute"), ("BM_ExecuteJson", "execute")]
print(f"{'benchmark':<20} {'styrmin µs/op':>14} {'graphql-js µs/op':>17} {'ratio':>8}")
for ours, theirs in pairs:
    c = cpp[ours]
    unit = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[c["time_unit"]]
    c_us = c["real_time"] * unit
    j_us = js[theirs]["ns_per_op"] / 1000
    print(f"{ours[3:]:<20} {c_us:>14.2f} {j_us:>17.2f} {j_us / c_us:>7.1f}x")
for ours in ("BM_Execute", "BM_ExecuteJson"):
    print(f"styrmin p99 {ours[3:]}: {cpp[ours]['p99_us']:.1f} µs "
          f"({cpp[ours]['response_bytes']:.0f} response bytes)")
print(f"graphql-js p99 parse+validate: {js['parse_validate']['p99_ns'] / 1000:.1f} µs, "
      f"execute: {js['execute']['p99_ns'] / 1000:.1f} µs")
PY
rm -f "$cpp_json.js"
