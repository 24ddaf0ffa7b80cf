// The graphql-js side of the differential tests. Reads one JSON case per line on stdin and
// writes one JSON result per line on stdout, in the same order.
//   node oracle.cjs <path to node_modules/graphql> < cases.jsonl
// Case: {"id": "...", "op": "lex" | "parse", "source": "..."}
// Result: {"id": "...", "tokens": [{"kind", "value"?, "line", "column"}...]}       (lex)
//      or {"id": "...", "ast": <graphql-js AST without locations>}                 (parse)
//      or {"id": "...", "printed": printSchema(buildSchema(source))}              (buildSchema)
//      or {"id": "...", "error": {"message"}}    (buildSchema: no locations, as it throws)
//      or {"id": "...", "errors": [{"message", "locations"}]}     (validate, with "schema": SDL)
//      or {"id": "...", "error": {"message", "locations": [{"line", "column"}]}}
//      or {"id": "...", "printed": printSchema(buildClientSchema(introspection))}  (clientSchema)
//      or {"id": "...", "response": {"errors"?, "data"?}}      (execute: graphql() on "schema",
//         "source", "variables", "operationName", "rootValue"; see transformRoot for markers)
'use strict';
const graphql = require(process.argv[2]);
const readline = require('node:readline');

const valueKinds = new Set(['Name', 'Int', 'Float', 'String', 'BlockString']);

function lex(source) {
  const lexer = new graphql.Lexer(new graphql.Source(source));
  const tokens = [];
  for (let i = 0; i < 100000; i++) {
    const token = lexer.advance();
    if (token.kind === '<EOF>') break;
    const out = { kind: token.kind, line: token.line, column: token.column };
    if (valueKinds.has(token.kind)) out.value = token.value;
    tokens.push(out);
  }
  return { tokens };
}

function parse(source) {
  const document = graphql.parse(source, { noLocation: true });
  return { ast: JSON.parse(JSON.stringify(document)) };
}

function buildSchema(source) {
  try {
    return { printed: graphql.printSchema(graphql.buildSchema(source)) };
  } catch (e) {
    return { error: { message: e.message } };
  }
}

function validateSchema(source) {
  try {
    return { messages: graphql.validateSchema(graphql.buildSchema(source)).map((e) => e.message) };
  } catch (e) {
    return { error: { message: e.message } };
  }
}

function clientSchema(introspection) {
  return { printed: graphql.printSchema(graphql.buildClientSchema(introspection)) };
}

function printIntrospectionSchema(source) {
  return { printed: graphql.printIntrospectionSchema(graphql.buildSchema(source)) };
}

function validate(testCase) {
  const schema = graphql.buildSchema(testCase.schema);
  const errors = graphql.validate(schema, graphql.parse(testCase.source));
  return {
    errors: errors.map((e) => ({ message: e.message, locations: e.locations ?? [] })),
  };
}

// Root values are JSON; these markers stand for what JSON cannot hold, and the C++ side of
// the differential test reads them the same way:
//   {"$error": m}            an Error value (a resolver that throws)
//   {"$errorExt": {message, extensions}}  a GraphQLError with extensions
//   {"$async": v}            a promise of v
//   {"$asyncError": m}       a resolver returning a rejected promise (object members only)
//   {"$args": true}          a resolver returning its arguments
//   {"$stream": [e...]}      a subscription source yielding the events e...
function transformRoot(value) {
  if (Array.isArray(value)) return value.map(transformRoot);
  if (value === null || typeof value !== 'object') return value;
  if ('$error' in value) return new Error(value.$error);
  if ('$errorExt' in value) {
    return new graphql.GraphQLError(value.$errorExt.message, {
      extensions: value.$errorExt.extensions,
    });
  }
  if ('$async' in value) return Promise.resolve(transformRoot(value.$async));
  if ('$asyncError' in value) {
    const message = value.$asyncError;
    return () => Promise.reject(new Error(message));
  }
  if ('$args' in value) return (args) => args;
  if ('$stream' in value) {
    const events = value.$stream.map(transformRoot);
    return () => (async function* stream() { yield* events; })();
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = transformRoot(v);
  return out;
}

async function execute(testCase) {
  const schema = graphql.buildSchema(testCase.schema);
  const response = await graphql.graphql({
    schema,
    source: testCase.source,
    rootValue: transformRoot(testCase.rootValue ?? {}),
    variableValues: testCase.variables,
    operationName: testCase.operationName,
  });
  return { response: JSON.parse(JSON.stringify(response)) };
}

async function subscribe(testCase) {
  const schema = graphql.buildSchema(testCase.schema);
  const document = graphql.parse(testCase.source);
  const invalid = graphql.validate(schema, document);
  if (invalid.length) return { response: JSON.parse(JSON.stringify({ errors: invalid })) };
  let result;
  try {
    result = await graphql.subscribe({
      schema,
      document,
      rootValue: transformRoot(testCase.rootValue ?? {}),
      variableValues: testCase.variables,
      operationName: testCase.operationName,
    });
  } catch (e) {
    return { response: { errors: [{ message: e.message }] } };
  }
  if (!(Symbol.asyncIterator in result)) return { response: JSON.parse(JSON.stringify(result)) };
  const responses = [];
  for await (const response of result) responses.push(JSON.parse(JSON.stringify(response)));
  return { responses };
}

function run(testCase) {
  try {
    switch (testCase.op) {
      case 'lex':
        return lex(testCase.source);
      case 'parse':
        return parse(testCase.source);
      case 'buildSchema':
        return buildSchema(testCase.source);
      case 'clientSchema':
        return clientSchema(testCase.introspection);
      case 'validateSchema':
        return validateSchema(testCase.source);
      case 'printIntrospectionSchema':
        return printIntrospectionSchema(testCase.source);
      case 'validate':
        return validate(testCase);
      case 'execute':
        return execute(testCase);
      case 'subscribe':
        return subscribe(testCase);
      default:
        return { unsupported: testCase.op };
    }
  } catch (e) {
    if (e instanceof graphql.GraphQLError) {
      return { error: { message: e.message, locations: e.locations ?? [] } };
    }
    return { crash: String(e && e.stack) };
  }
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  if (line.trim() === '') return;
  const testCase = JSON.parse(line);
  Promise.resolve(run(testCase)).then(
    (result) => process.stdout.write(JSON.stringify({ id: testCase.id, ...result }) + '\n'),
    (e) => process.stdout.write(JSON.stringify({ id: testCase.id, crash: String(e && e.stack) }) + '\n'),
  );
});
