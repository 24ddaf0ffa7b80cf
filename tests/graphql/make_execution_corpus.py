#!/usr/bin/env python3
"""Writes corpus/execution.jsonl: execution cases for the differential tests.

Each case runs graphql() in graphql-js (tests/graphql/oracle.cjs) and the C++ engine on the
same schema, document, variables and root value; root value markers are described in
oracle.cjs. Run from the repository root after changing the cases:
    python3 tests/graphql/make_execution_corpus.py "$(tools/setup.sh --print-node-dir)"
The node directory is only used to take graphql-js's own introspection query text.
"""
import json
import subprocess
import sys

cases = []


def case(schema, source, root=None, variables=None, operation=None):
    c = {"id": "execute/%03d" % (len(cases) + 1), "op": "execute", "schema": schema,
         "source": source}
    if root is not None:
        c["rootValue"] = root
    if variables is not None:
        c["variables"] = variables
    if operation is not None:
        c["operationName"] = operation
    cases.append(c)


S = """
scalar JSON
enum Color { RED GREEN BLUE }
input Point { x: Int! y: Int = 0 }
input Filter @oneOf { id: ID name: String }
input Nested { point: Point list: [Int!] color: Color deep: [[Point]] }
interface Node { id: ID! }
type User implements Node { id: ID! name: String friends: [User] best: User! tags: [String!]! }
type Bot implements Node { id: ID! model: String }
union Actor = User | Bot
type Query {
  int: Int float: Float string: String bool: Boolean id: ID color: Color json: JSON
  nnInt: Int! nnString: String!
  list: [Int] nnList: [Int]! listNn: [Int!] nnListNn: [Int!]! nested: [[Int!]] colors: [Color]
  user: User users: [User] nnUsers: [User!]! node: Node nodes: [Node] actor: Actor actors: [Actor!]
  echo(i: Int, f: Float, s: String, b: Boolean, id: ID, c: Color, p: Point, n: Nested, l: [Int],
       ll: [[Int]], o: Filter, d: Int = 42, j: JSON, cs: [Color!]): JSON
  required(x: Int!, y: String! = "dflt"): JSON
  withDefault(p: Point = {x: 1}, n: Nested = {point: {x: 2, y: 3}, list: [1]}): JSON
}
type Mutation { a: Int b: Int! c: User d(n: Int): JSON }
"""

ECHO = {"$args": True}
ROOT_ARGS = {"echo": ECHO, "required": ECHO, "withDefault": ECHO}

# Leaf serialisation of JSON values, valid and not.
for field, values in [
    ("int", [1, -7, 1.0, 1.5, 2147483647, 2147483648, -2147483649, "12", " 12 ", "0x1F", "1e3",
             "", "abc", True, False, [1], {}, None]),
    ("float", [1, 1.5, -0.25, 1e300, "1.5", "x", "", True, [], {"a": 1}]),
    ("string", ["a", "", "é\n\"q\"", 1, 1.5, 1e21, 0.000001, True, [1], {}]),
    ("bool", [True, False, 0, 2, -0.5, "true", [], {}]),
    ("id", ["a", 1, 1.5, -3, True, [], {}]),
    ("color", ["RED", "PINK", "red", 1, True]),
    ("json", [{"a": [1, {"b": None}]}, [1, "x"], "s", 1.25]),
]:
    for v in values:
        case(S, "{ %s }" % field, {field: v})

# Non-null and list completion, null propagation.
case(S, "{ nnInt int }", {"int": 1})
case(S, "{ int nnInt }", {"nnInt": {"$error": "nn failed"}, "int": 2})
case(S, "{ nnString string }", {"nnString": None, "string": "s"})
case(S, "{ list nnList listNn nnListNn }",
     {"list": [1, None, 2], "nnList": [None], "listNn": [1, 2], "nnListNn": [3]})
case(S, "{ listNn int }", {"listNn": [1, None, 3], "int": 5})
case(S, "{ nnListNn int }", {"nnListNn": [1, None], "int": 5})
case(S, "{ nnList }", {"nnList": None})
case(S, "{ list }", {"list": 5})
case(S, "{ list }", {"list": "abc"})
case(S, "{ list }", {"list": [1, "x", 2.5, 3]})
case(S, "{ listNn }", {"listNn": [1, "x", 2]})
case(S, "{ nested }", {"nested": [[1, 2], None, [3, None], [4]]})
case(S, "{ nested }", {"nested": [[1], [{"$error": "deep"}], [2]]})
case(S, "{ colors }", {"colors": ["RED", "NOPE", None, "BLUE"]})
case(S, "{ list listNn }", {"list": [{"$error": "item 0"}, 1, {"$error": "item 2"}],
                            "listNn": [1, {"$error": "nn item"}]})
case(S, "{ user { id name best { id } } }",
     {"user": {"id": "u1", "name": "A", "best": {"id": "u2"}}})
case(S, "{ user { id name best { id } } int }",
     {"user": {"id": "u1", "name": "A", "best": None}, "int": 3})
case(S, "{ user { best { id name } name } }",
     {"user": {"name": {"$error": "not reached"}, "best": {"id": None, "name": "B"}}})
case(S, "{ user { name best { id name } } }",
     {"user": {"name": {"$error": "reached first"}, "best": {"id": None}}})
case(S, "{ users { id best { id } } }",
     {"users": [{"id": "1", "best": {"id": "b1"}}, {"id": "2", "best": None},
                {"id": None, "best": {"id": "b3"}}]})
case(S, "{ nnUsers { id } int }", {"nnUsers": [{"id": "1"}, None], "int": 1})
case(S, "{ nnUsers { id } int }", {"nnUsers": [{"id": "1"}, {"id": None}], "int": 1})
case(S, "{ user { tags } }", {"user": {"tags": ["a", None]}})
case(S, "{ user { friends { name friends { name } } } }",
     {"user": {"friends": [{"name": "x", "friends": [{"name": {"$error": "ff"}}]}, None,
                           {"name": {"$error": "f2"}, "friends": None}]}})
case(S, "{ a: int b: int c: nnInt d: int }", {"int": {"$error": "each alias"}, "nnInt": 1})
case(S, "{ int string json }",
     {"int": {"$errorExt": {"message": "coded", "extensions": {"code": "FORBIDDEN", "n": 1}}},
      "string": {"$errorExt": {"message": "plain", "extensions": {}}}, "json": None})
case(S, "{ user { name } }", {"user": "not an object"})
case(S, "{ user { name } users { name } }", {"user": 5, "users": [1, True]})
case(S, "{ __typename user { __typename } }", {"user": {}})
case(S, "{ missing: int }", {})

# Abstract types.
NODES = [{"__typename": "User", "id": "u", "name": "Ann", "tags": []},
         {"__typename": "Bot", "id": "b", "model": "T-1"}]
case(S, "{ nodes { __typename id ... on User { name } ... on Bot { model } } }", {"nodes": NODES})
case(S, "{ actors { __typename ... on Node { id } ... on User { tags } } }", {"actors": NODES})
case(S, "{ actor { ... on Bot { model } } }", {"actor": {"__typename": "User", "id": "x"}})
case(S, "{ node { id } }", {"node": {"id": "no typename"}})
case(S, "{ node { id } }", {"node": {"__typename": "Nope", "id": "x"}})
case(S, "{ node { id } }", {"node": {"__typename": "Color", "id": "x"}})
case(S, "{ actor { __typename } }", {"actor": {"__typename": "Query"}})
case(S, "{ node { id } }", {"node": {"__typename": 7}})
case(S, "{ actors { __typename } int }", {"actors": [NODES[0], {"__typename": "Bad"}], "int": 1})
case(S, "fragment N on Node { id } fragment U on User { name ...N } { nodes { ...N ...U } }",
     {"nodes": NODES})
case(S, "{ node { ... on User { best { id } } id } }",
     {"node": {"__typename": "User", "id": "u", "best": {"id": "v"}}})

# Field collection: fragments, merging, aliases, @skip/@include.
case(S, "{ user { id } user { name } user { best { id } } user { best { name } } }",
     {"user": {"id": "1", "name": "n", "best": {"id": "2", "name": "m"}}})
case(S, "fragment A on User { id best { id } } fragment B on User { name best { name } }"
        " { user { ...A ...B ...A } }",
     {"user": {"id": "1", "name": "n", "best": {"id": "2", "name": "m"}}})
case(S, "{ x: int y: string x2: int }", {"int": 1, "string": "s"})
case(S, "{ int @skip(if: true) string @include(if: false) bool @skip(if: false) }",
     {"int": 1, "string": "s", "bool": True})
case(S, "query($s: Boolean!, $i: Boolean!) { int @skip(if: $s) string @include(if: $i)"
        " bool @skip(if: $s) @include(if: $i) }",
     {"int": 1, "string": "s", "bool": True}, {"s": False, "i": True})
case(S, "query($s: Boolean!, $i: Boolean!) { int @skip(if: $s) string @include(if: $i)"
        " bool @skip(if: $s) @include(if: $i) }",
     {"int": 1, "string": "s", "bool": True}, {"s": True, "i": True})
case(S, "query($s: Boolean = true) { int @skip(if: $s) string }", {"int": 1, "string": "s"})
case(S, "query($s: Boolean = true) { int @skip(if: $s) string }", {"int": 1, "string": "s"},
     {"s": False})
case(S, "{ ... @skip(if: true) { int } ... on Query @include(if: true) { string } }",
     {"int": 1, "string": "s"})
case(S, "fragment F on Query { int } { ...F @skip(if: true) string ...F @include(if: false) }",
     {"int": 1, "string": "s"})
case(S, "query($v: Boolean!) { int @include(if: $v) }", {"int": 1}, {"v": None})
case(S, "{ int string } query Q { bool }", {"int": 1, "string": "s", "bool": False})
case(S, "query A { int } query B { string }", {"int": 1, "string": "s"}, operation="B")
case(S, "query A { int } query B { string }", {"int": 1, "string": "s"})
case(S, "query A { int }", {"int": 1}, operation="C")
case(S, "query A { int }", {"int": 1}, operation="A")

# Argument coercion from literals and defaults.
for args in ['i: 1', 'f: 1', 'f: 1.5e3', 's: "x"', 's: """block\n  text"""', 'b: true', 'id: 7',
             'id: "7"', 'c: GREEN', 'p: {x: 1}', 'p: {x: 1, y: null}', 'p: {y: 2, x: 3}',
             'n: {point: {x: 1}, list: [1, 2], color: RED}', 'n: {deep: [[{x: 1}], null, [null]]}',
             'l: 1', 'l: [1, null]', 'll: 1', 'll: [1, [2]]', 'o: {id: 4}', 'o: {name: "n"}',
             'd: null', 'j: {a: [1, "b", null, RED], n: 1.5}', 'cs: RED', 'cs: [RED, BLUE]',
             'i: null, s: null, p: null', '']:
    case(S, "{ echo(%s) }" % args, ROOT_ARGS)
case(S, "{ required(x: 1) }", ROOT_ARGS)
case(S, "{ withDefault }", ROOT_ARGS)
case(S, "{ withDefault(p: {x: 9}) }", ROOT_ARGS)

# Variables: values, defaults, absence, null.
V = ("query($i: Int, $f: Float, $s: String, $b: Boolean, $id: ID, $c: Color, $p: Point,"
     " $n: Nested, $l: [Int], $o: Filter, $j: JSON) { echo(i: $i, f: $f, s: $s, b: $b, id: $id,"
     " c: $c, p: $p, n: $n, l: $l, o: $o, j: $j) }")
for variables in [
    {}, {"i": 1, "f": 2, "s": "s", "b": True, "id": 3, "c": "BLUE"},
    {"i": None, "s": None}, {"f": 1.5, "id": "x"}, {"l": 1}, {"l": [1, None, 3]},
    {"p": {"x": 1}}, {"p": {"x": 1, "y": None}}, {"n": {"point": {"x": 5}, "list": 3}},
    {"n": {"deep": [[{"x": 1, "y": 2}]]}}, {"o": {"name": "x"}}, {"j": {"any": ["thing", 1]}},
    {"i": 1.0}, {"j": None},
]:
    case(S, V, ROOT_ARGS, variables)
# Variable errors.
for variables in [
    {"i": "1"}, {"i": 1.5}, {"i": 2147483648}, {"i": True}, {"i": [1]}, {"i": {"a": 1}},
    {"f": "1.5"}, {"f": True}, {"s": 1}, {"s": ["a"]}, {"b": 0}, {"b": "true"}, {"id": 1.5},
    {"id": True}, {"id": {}}, {"c": "PINK"}, {"c": "red"}, {"c": 1}, {"c": True},
    {"p": 1}, {"p": "x"}, {"p": [1]}, {"p": {}}, {"p": {"x": None}}, {"p": {"x": "1"}},
    {"p": {"x": 1, "z": 2}}, {"p": {"x": 1, "yy": 2}}, {"p": {"y": 1, "w": 2}},
    {"n": {"point": {"y": 1}}}, {"n": {"list": [1, None]}}, {"n": {"list": ["a", 2, "b"]}},
    {"n": {"deep": [[{"x": "bad"}], [{}]]}}, {"n": {"color": "NOPE"}},
    {"l": ["a"]}, {"l": [1, "b", 3, "d"]},
    {"o": {}}, {"o": {"id": 1, "name": "x"}}, {"o": {"id": None}}, {"o": {"nope": 1}},
    {"i": "x", "f": "y", "s": 3, "c": 4},
]:
    case(S, V, ROOT_ARGS, variables)
case(S, "query($x: Int!) { required(x: $x) }", ROOT_ARGS, {})
case(S, "query($x: Int!) { required(x: $x) }", ROOT_ARGS, {"x": None})
case(S, "query($x: Int!) { required(x: $x) }", ROOT_ARGS, {"x": 3})
case(S, "query($x: Int! = 5) { required(x: $x) }", ROOT_ARGS, {})
case(S, "query($x: Int! = 5) { required(x: $x) }", ROOT_ARGS, {"x": None})
case(S, "query($x: Int = 5, $y: String) { required(x: 1, y: $y) echo(i: $x) }", ROOT_ARGS, {})
case(S, "query($y: String) { required(x: 1, y: $y) }", ROOT_ARGS, {"y": None})
case(S, "query($p: Point = {x: 7}) { echo(p: $p) }", ROOT_ARGS, {})
case(S, "query($p: Point = {x: 7}) { echo(p: $p) }", ROOT_ARGS, {"p": {"x": 1}})
case(S, "query($x: Int) { echo(p: {x: 1, y: $x}) }", ROOT_ARGS, {})
case(S, "query($x: Int) { echo(p: {x: 1, y: $x}) }", ROOT_ARGS, {"x": 4})
case(S, "query($x: Int) { echo(l: [1, $x]) }", ROOT_ARGS, {})
case(S, "query($x: Int) { echo(ll: [[$x]]) }", ROOT_ARGS, {"x": 2})
case(S, "query($x: ID) { echo(o: {id: $x}) }", ROOT_ARGS, {"x": "i"})
case(S, "query($c: [Color!]) { echo(cs: $c) }", ROOT_ARGS, {"c": ["RED", "GREEN"]})
case(S, "query($c: [Color!]) { echo(cs: $c) }", ROOT_ARGS, {"c": "RED"})
case(S, "query($c: [Color!]) { echo(cs: $c) }", ROOT_ARGS, {"c": ["RED", None]})
case(S, "query($x: Int) { int }", {"int": 1}, {"x": 1, "unused": "ignored"})

# Mutations run serially; a schema without them refuses them.
case(S, "mutation { a b c { id } d(n: 2) }",
     {"a": 1, "b": 2, "c": {"id": "c"}, "d": ECHO})
case(S, "mutation { a b x: a }", {"a": {"$error": "a failed"}, "b": None})
case(S, "mutation M { first: a second: b }", {"a": {"$async": 1}, "b": {"$async": 2}})
case("type Query { a: Int }", "mutation { a }", {})
case("type Query { a: Int }", "subscription { a }", {})

# Pending values.
case(S, "{ int string list }",
     {"int": {"$async": 1}, "string": {"$async": "s"}, "list": {"$async": [1, {"$async": 2}]}})
case(S, "{ user { id best { id } } }",
     {"user": {"$async": {"id": "1", "best": {"$async": {"id": {"$async": "2"}}}}}})
case(S, "{ user { id best { id } } int }",
     {"user": {"id": "1", "best": {"$async": None}}, "int": 1})
case(S, "{ nnInt int }", {"nnInt": {"$async": None}, "int": 1})
case(S, "{ int nnInt }", {"nnInt": {"$asyncError": "async nn"}, "int": 1})
case(S, "{ int string }", {"int": {"$asyncError": "late"}, "string": "s"})
case(S, "{ users { id best { id } } }",
     {"users": [{"id": "1", "best": {"$async": {"id": "b"}}},
                {"id": "2", "best": {"$async": None}}, {"id": {"$async": "3"}, "best": {"id": "c"}}]})
case(S, "{ listNn nnList }", {"listNn": [1, {"$async": None}, 3], "nnList": [{"$async": 4}]})
case(S, "{ user { best { name } id } }",
     {"user": {"best": {"name": {"$asyncError": "filtered"}}, "id": None}})
case(S, "{ user { name best { id } } }",
     {"user": {"name": {"$asyncError": "kept"}, "best": {"$async": {"id": None}}}})
case(S, "{ nodes { __typename id } }", {"nodes": {"$async": [{"$async": NODES[0]}, NODES[1]]}})
case(S, "{ actor { __typename } }", {"actor": {"$async": {"__typename": "Missing"}}})
case(S, "{ echo(i: 3) }", {"echo": {"$async": 9}})

# Introspection.
INTROSPECTION_SCHEMA = '''
"""The schema"""
schema { query: Root mutation: Change }
"""Root type"""
type Root implements Iface @tag {
  "field doc" a(x: Int = 1 "arg doc" y: [String!]! = ["a"], z: In @deprecated(reason: "z")): [Int!]!
  b: String @deprecated(reason: "use a")
  c: Iface
  u: Un
  e(e: En = TWO): En
}
type Change { go(in: In!): Boolean }
interface Iface { c: Iface }
union Un = Root | Change
enum En { ONE "second" TWO @deprecated THREE @deprecated(reason: "x") }
input In @oneOf { a: Int b: String @deprecated(reason: "b") }
input Plain { p: Float = 1.5 q: Plain r: [In] = [{a: 1}] s: String = """multi
line""" }
scalar Url @specifiedBy(url: "https://example.com/url")
"A directive" directive @tag(name: String! = "t", other: Plain) repeatable on FIELD_DEFINITION | OBJECT | ENUM_VALUE
directive @old(r: Int @deprecated) on QUERY
type Extra { url: Url plain(p: Plain): Int }
'''
VALIDATION_SCHEMA = open("tests/graphql/corpus/validation_schema.graphql").read()


def introspection_query(node_dir):
    script = ("const g=require(process.argv[1]); process.stdout.write(g.getIntrospectionQuery("
              "{descriptions:true,specifiedByUrl:true,directiveIsRepeatable:true,"
              "schemaDescription:true,inputValueDeprecation:true,oneOf:true}))")
    return subprocess.run(["node", "-e", script, node_dir + "/node_modules/graphql"],
                          check=True, capture_output=True, text=True).stdout


FULL = introspection_query(sys.argv[1])
with open("tests/graphql/introspection_query.graphql", "w", encoding="utf-8") as out:
    out.write(FULL)
for schema in [S, INTROSPECTION_SCHEMA, VALIDATION_SCHEMA, "type Query { a: Int }",
               "type Query { a: String } type Subscription { s: Int }"]:
    case(schema, FULL)
case(S, "{ __schema { types { name kind } } }")
case(INTROSPECTION_SCHEMA, "{ __schema { types { name } directives { name } } }")
case(INTROSPECTION_SCHEMA,
     "{ __schema { directives(includeDeprecated: true) { name isDeprecated args(includeDeprecated:"
     " true) { name isDeprecated deprecationReason } } } }")
case(INTROSPECTION_SCHEMA,
     '{ __type(name: "Root") { fields(includeDeprecated: true) { name isDeprecated'
     ' deprecationReason args(includeDeprecated: true) { name defaultValue isDeprecated } } } }')
case(INTROSPECTION_SCHEMA,
     '{ e: __type(name: "En") { enumValues { name } all: enumValues(includeDeprecated: true)'
     ' { name isDeprecated deprecationReason description } } i: __type(name: "In") { isOneOf'
     ' inputFields { name } all: inputFields(includeDeprecated: true) { name } }'
     ' p: __type(name: "Plain") { isOneOf inputFields { name defaultValue type { name kind } } } }')
case(INTROSPECTION_SCHEMA, '{ __type(name: "Nope") { name } }')
case(INTROSPECTION_SCHEMA, '{ __type(name: "Url") { name specifiedByURL kind fields { name } } }')
case(INTROSPECTION_SCHEMA, '{ __type(name: "Un") { possibleTypes { name } interfaces { name } } }')
case(INTROSPECTION_SCHEMA, '{ __type(name: "Iface") { possibleTypes { name } interfaces { name }'
     ' fields { type { name kind ofType { name } } } } }')
case(S, '{ __type(name: "Query") { name } __typename int }', {"int": 1})
case(S, 'query($n: String!) { __type(name: $n) { name kind } }', {}, {"n": "Color"})
case(S, '{ user { __typename } __schema { queryType { name } mutationType { name }'
        ' subscriptionType { name } } }', {"user": {}})

# Subscriptions: one response per source event.
SUB = """
type Query { a: Int }
type Event { id: ID! value: Int note: String }
type Subscription {
  tick: Int
  event(min: Int = 0, tag: String!): Event
  events: [Event!]!
}
"""


def subscription(source, root, variables=None, operation=None):
    c = {"id": "subscribe/%03d" % (len(cases) + 1), "op": "subscribe", "schema": SUB,
         "source": source, "rootValue": root}
    if variables is not None:
        c["variables"] = variables
    if operation is not None:
        c["operationName"] = operation
    cases.append(c)


subscription("subscription { tick }", {"tick": {"$stream": [{"tick": 1}, {"tick": 2}, {}]}})
subscription("subscription { t: tick }", {"tick": {"$stream": []}})
subscription("subscription { tick }", {"tick": {"$stream": [{"tick": "x"}, {"tick": 3}]}})
subscription('subscription { event(tag: "a") { id value note } }',
             {"event": {"$stream": [{"event": {"id": 1, "value": 2}},
                                    {"event": {"id": None, "value": 2}},
                                    {"event": {"id": "e", "note": {"$error": "no note"}}},
                                    {"event": None}]}})
subscription("subscription S($t: String!) { event(tag: $t) { id } }",
             {"event": {"$stream": [{"event": {"id": "1"}}]}}, {"t": "x"})
subscription("subscription S($t: String!) { event(tag: $t) { id } }",
             {"event": {"$stream": [{"event": {"id": "1"}}]}}, {})
subscription("subscription S($t: String!) { event(tag: $t) { id } }",
             {"event": {"$stream": [{"event": {"id": "1"}}]}}, {"t": 4})
subscription("subscription { events { id } }",
             {"events": {"$stream": [{"events": [{"id": "1"}, None]}, {"events": []}]}})
subscription("subscription { tick }", {"tick": {"$error": "cannot subscribe"}})
subscription("subscription { tick }", {})
subscription("query { a }", {"a": 1})
subscription("subscription A { tick } subscription B { t: tick }",
             {"tick": {"$stream": [{"tick": 5}]}}, None, "B")
subscription("subscription A { tick } subscription B { t: tick }",
             {"tick": {"$stream": [{"tick": 5}]}})
subscription("subscription { tick __typename }", {"tick": {"$stream": [{"tick": 1}]}})
subscription("subscription { ... on Subscription { tick } }",
             {"tick": {"$stream": [{"tick": 7}, {"tick": 8}]}})

with open("tests/graphql/corpus/execution.jsonl", "w", encoding="utf-8") as out:
    for c in cases:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases), "cases")
