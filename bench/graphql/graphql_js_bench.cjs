// graphql-js doing what parse_validate_bench.cc and execute_bench.cc do, timed the same way:
// repeated runs for a fixed time after a warm-up; prints one JSON line per benchmark. The
// data is the same as execute_bench.cc's: plain objects read by the default resolver.
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

function dashboardData() {
  const health = ['HEALTHY', 'DEGRADED', 'FAILING', 'UNKNOWN'];
  const phase = ['RUNNING', 'STOPPED'];
  const clusters = [0, 1, 2].map((c) => ({
    id: `cluster-${c}`, name: `cluster ${c}`, fqdnSuffix: c === 0 ? 'example.com' : null,
    agentConnected: c !== 2,
  }));
  const deployments = [];
  for (let d = 0; d < 100; d++) {
    deployments.push({
      id: `deployment-${d}`, name: `app-${d}`, driver: 'infrahub', driverVersion: '1.2.3',
      applicationVersion: `1.4.${d % 10}`, phase: phase[d % 2], health: health[d % 4],
      namespace: `env-1-app-${d}`, createdAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-23T10:05:00Z', parameters: '{}',
      components: [0, 1, 2].map((k) => ({
        name: `component-${k}`, readyReplicas: (d + k) % 3, desiredReplicas: 2,
        health: health[(d + k) % 4],
      })),
      pods: [],
      lastRun: {
        id: `run-${d}`, kind: 'upgrade', state: 'SUCCEEDED', progress: 1.0,
        startedAt: '2026-11-23T10:00:00Z', finishedAt: '2026-11-23T10:05:00Z',
      },
      activeRun: null,
      labels: ['team-a', `tier-${d % 3}`],
    });
  }
  const environment = {
    id: 'env-1', name: 'production', cluster: clusters[0],
    deployments: (args) => deployments
      .filter((d) => args.phase == null || d.phase === args.phase)
      .slice(0, args.first),
  };
  return { clusters, environment: (args) => (args.id === environment.id ? environment : null) };
}

const rootValue = dashboardData();
const variableValues = { env: 'env-1', first: 100 };
measure('execute', () => {
  const document = graphql.parse(query);
  const errors = graphql.validate(schema, document);
  if (errors.length) throw new Error(errors[0].message);
  const result = graphql.execute({ schema, document, rootValue, variableValues });
  if (result.errors) throw new Error(result.errors[0].message);
  JSON.stringify(result);
});
