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

function run(testCase) {
  try {
    switch (testCase.op) {
      case 'lex':
        return lex(testCase.source);
      case 'parse':
        return parse(testCase.source);
      case 'buildSchema':
        return buildSchema(testCase.source);
      case 'printIntrospectionSchema':
        return printIntrospectionSchema(testCase.source);
      case 'validate':
        return validate(testCase);
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
  process.stdout.write(JSON.stringify({ id: testCase.id, ...run(testCase) }) + '\n');
});
