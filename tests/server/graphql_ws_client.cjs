// Drives styrmin-server's graphql-transport-ws endpoint with the npm graphql-ws client, as an
// operator watching a run and the run's agent working on it:
//
//   node graphql_ws_client.cjs <node_modules> <http url of /graphql> <admin token> <agent token>
//        <run id>
//
// The agent subscribes to runsWaiting, the operator to runUpdates of the run; the agent then
// claims the run and reports a step, log lines and its end over HTTP. Also tried: a document
// that does not validate, and a subscription to an unknown run (both must come back as errors).
// Prints one JSON object with what each subscription received; exits non-zero on a failure.
'use strict';

const [modules, httpUrl, adminToken, agentToken, runId] = process.argv.slice(2);
const { createClient } = require(`${modules}/graphql-ws`);
const WebSocket = require(`${modules}/ws`);

const wsUrl = httpUrl.replace(/^http/, 'ws');
const deadline = setTimeout(() => {
  console.error('timed out');
  process.exit(2);
}, 60000);

function client(token) {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

// Subscribes and collects every result until the server completes the subscription (or
// `until` says enough); rejects on an error message.
function collect(c, query, variables, until) {
  const results = [];
  return new Promise((resolve, reject) => {
    const dispose = c.subscribe(
      { query, variables },
      {
        next: (result) => {
          results.push(result);
          if (until && until(result)) {
            dispose();
            resolve(results);
          }
        },
        error: (error) => reject(error),
        complete: () => resolve(results),
      },
    );
  });
}

async function http(token, query, variables) {
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function errorMessages(error) {
  if (Array.isArray(error)) return error.map((e) => e.message);
  return [String(error && (error.message || error.reason || error))];
}

async function main() {
  const operator = client(adminToken);
  const agent = client(agentToken);
  const out = {};

  // Refusals first: they must come back as `error` messages and leave the connection usable.
  out.invalid = await collect(operator, 'subscription { runUpdates { run { id } } }', {}).then(
    () => ['no error'],
    errorMessages,
  );
  out.unknownRun = await collect(
    operator,
    'subscription($r: ID!) { runUpdates(runId: $r) { run { id } } }',
    { r: 'r-none' },
  ).then(() => ['no error'], errorMessages);
  out.query = await collect(operator, '{ viewer { role } }', {});

  let sawPending;
  const pendingSeen = new Promise((resolve) => {
    sawPending = resolve;
  });
  const waiting = collect(agent, 'subscription { runsWaiting { pending } }', {}, (result) => {
    if (result.data && result.data.runsWaiting.pending > 0) sawPending();
    return result.data && result.data.runsWaiting.pending === 0;
  });
  const updates = collect(
    operator,
    `subscription($r: ID!) { runUpdates(runId: $r) {
       run { state progress attempts steps { name state } }
       lines { sequence level text } } }`,
    { r: runId },
  );
  await pendingSeen;

  const claimed = await http(agentToken, 'mutation { claimRun { leaseId run { id } } }');
  const ids = { r: claimed.claimRun.run.id, l: claimed.claimRun.leaseId };
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { startRunStep(runId: $r, leaseId: $l, name: "core") { position } }', ids);
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { appendRunLog(runId: $r, leaseId: $l, lines: [{text: "rendering values"}, {text: "helm upgrade --install", step: 0}]) }', ids);
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { reportRunProgress(runId: $r, leaseId: $l, progress: 0.5) { id } }', ids);
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { finishRunStep(runId: $r, leaseId: $l, position: 0, state: SUCCEEDED) { position } }', ids);
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { appendRunLog(runId: $r, leaseId: $l, lines: [{text: "done", level: INFO}]) }', ids);
  await http(agentToken, 'mutation($r: ID!, $l: ID!) { finishRun(runId: $r, leaseId: $l, state: SUCCEEDED) { id } }', ids);

  out.claimed = ids.r;
  out.updates = await updates;
  out.waiting = await waiting;
  await operator.dispose();
  await agent.dispose();
  clearTimeout(deadline);
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : JSON.stringify(error));
  process.exit(1);
});
