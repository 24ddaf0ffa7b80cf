// graphql-js doing what parse_validate_bench.cc does, timed the same way: repeated runs for a
// fixed time after a warm-up; prints one JSON line per benchmark.
//   node graphql_js_bench.cjs <path to node_modules/graphql> <bench dir>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const graphql = require(process.argv[2]);
const dir = process.argv[3];
const schema = graphql.buildSchema(fs.readFileSync(path.join(dir, 'dashboard.graphql'), 'utf8'));
const query = fs.readFileSync(path.join(dir, 'dashboard_query.graphql'), 'utf8');

function measure(name, fn) {
  const warmUntil = process.hrtime.bigint() + 1_000_000_000n;
  while (process.hrtime.bigint() < warmUntil) fn();
  const samples = [];
  const end = process.hrtime.bigint() + 3_000_000_000n;
  let iterations = 0;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0));
    iterations++;
  }
  const totalNs = Number(process.hrtime.bigint() - start);
  samples.sort((a, b) => a - b);
  console.log(JSON.stringify({
    name, iterations, ns_per_op: totalNs / iterations,
    p99_ns: samples[Math.floor(samples.length * 0.99)],
  }));
}

measure('parse', () => graphql.parse(query));
measure('parse_validate', () => {
  const errors = graphql.validate(schema, graphql.parse(query));
  if (errors.length) throw new Error(errors[0].message);
});
