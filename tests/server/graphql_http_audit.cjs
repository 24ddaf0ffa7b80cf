// Runs the graphql-http audit suite against a live styrmin-server and prints one JSON line per
// audit: {"id","name","status","reason"}. Every request carries the bearer token, as the
// server requires one.
//
// usage: node graphql_http_audit.cjs <node_modules dir> <url> <token>
'use strict';
const path = require('path');
const [modules, url, token] = process.argv.slice(2);
const { auditServer } = require(path.join(modules, 'graphql-http'));

async function main() {
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const results = await auditServer({ url, fetchFn });
  for (const r of results) {
    const line = { id: r.id, name: r.name, status: r.status };
    if (r.status !== 'ok') line.reason = r.reason;
    console.log(JSON.stringify(line));
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
