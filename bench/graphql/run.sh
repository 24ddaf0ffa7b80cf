#!/usr/bin/env bash
# Runs the GraphQL benchmark of this engine and of graphql-js in one go, on the release build,
# and prints both with the throughput ratio. `make bench` calls it.
#
# The two sides alternate for BENCH_ROUNDS rounds (default 3), and each side's median over the
# rounds is compared: on a shared machine timings drift by tens of percent from one minute to
# the next, and alternating exposes both sides to the same drift. Every round is printed too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
node_dir="$("$root/tools/setup.sh" --print-node-dir)"
bench="$root/build/release/bench/graphql/graphql_bench"
[[ -x "$bench" ]] || { echo "run.sh: build the release preset first (make bench)" >&2; exit 1; }
rounds="${BENCH_ROUNDS:-3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for ((round = 1; round <= rounds; round++)); do
  echo "round $round of $rounds..." >&2
  "$bench" --benchmark_min_time=2 --benchmark_repetitions=1 --benchmark_format=json \
    >"$work/cpp.$round.json"
  node "$here/graphql_js_bench.cjs" "$node_dir/node_modules/graphql" "$here" >"$work/js.$round.json"
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
cpp, js = [], []
for r in range(1, rounds + 1):
    cpp.append({b["name"]: b for b in json.load(open(f"{work}/cpp.{r}.json"))["benchmarks"]})
    js.append({row["name"]: row for row in map(json.loads, open(f"{work}/js.{r}.json"))})
def cpp_us(run, name, field="real_time"):
    b = run[name]
    unit = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]] if field == "real_time" else 1.0
    return b[field] * unit
pairs = [("BM_Parse", "parse"), ("BM_ParseAndValidate", "parse_validate"),
         ("BM_Execute", "execute"), ("BM_ExecuteJson", "execute")]
print(f"medians of {rounds} alternating rounds")
print(f"{'benchmark':<20} {'styrmin µs/op':>14} {'graphql-js µs/op':>17} {'ratio':>8}   per round")
for ours, theirs in pairs:
    c = [cpp_us(run, ours) for run in cpp]
    j = [run[theirs]["ns_per_op"] / 1000 for run in js]
    per_round = " ".join(f"{jj / cc:.1f}x" for cc, jj in zip(c, j))
    c_med, j_med = statistics.median(c), statistics.median(j)
    print(f"{ours[3:]:<20} {c_med:>14.2f} {j_med:>17.2f} {j_med / c_med:>7.1f}x   {per_round}")
for ours in ("BM_Execute", "BM_ExecuteJson"):
    p50 = statistics.median(cpp_us(run, ours, "p50_us") for run in cpp)
    p99 = statistics.median(cpp_us(run, ours, "p99_us") for run in cpp)
    print(f"styrmin {ours[3:]}: p50 {p50:.1f} µs, p99 {p99:.1f} µs "
          f"({cpp[0][ours]['response_bytes']:.0f} response bytes)")
pv = statistics.median(run["parse_validate"]["p99_ns"] for run in js) / 1000
ex = statistics.median(run["execute"]["p99_ns"] for run in js) / 1000
print(f"graphql-js p99 parse+validate: {pv:.1f} µs, execute: {ex:.1f} µs")
PY
