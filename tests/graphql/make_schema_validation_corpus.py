#!/usr/bin/env python3
"""Writes corpus/schema_validation.jsonl: schemas for graphql-js's validateSchema rules.

Messages are compared in order (locations are not: the schema model keeps type locations
only). Run from the repository root: python3 tests/graphql/make_schema_validation_corpus.py
"""
import json

Q = "type Query { a: Int }\n"
schemas = [
    # Root types.
    "type Mutation { a: Int }",
    "schema { query: Q } input Q { a: Int }",
    "schema { query: Query mutation: In } input In { a: Int } " + Q,
    "schema { query: Query subscription: E } enum E { A } " + Q,
    "schema { query: Query mutation: Query } " + Q,
    "schema { query: Query mutation: Query subscription: Query } " + Q,
    "schema { query: Query mutation: M subscription: M } type M { a: Int } " + Q,
    Q,
    # Names reserved for introspection.
    "type Query { __a: Int b(__x: Int): Int } type __Mine { a: Int }",
    "enum E { __A B } input In { __f: Int } directive @__d(__a: Int) on FIELD " + Q,
    # Fields and arguments.
    "type Query",
    "type Query { a: In } input In { x: Int }",
    "type Query { a(x: Query): Int }",
    "type Query { a(x: Int! @deprecated): Int b(y: Int! = 1 @deprecated): Int }",
    "directive @d(x: Query, y: Int! @deprecated) on FIELD " + Q,
    "type Query { a(x: Int = \"s\", y: [Int] = [1, \"b\"], z: In = {}): Int } input In { f: Int! }",
    "type Query { a(p: In = {f: 1, g: 2}): Int } input In { f: Int }",
    "type Query { a(e: E = C, f: E = \"A\"): Int } enum E { A B }",
    "type Query { a(x: [[Int!]] = [[1, null]], o: O = {a: null}): Int } input O @oneOf { a: Int b: Int }",
    "directive @d(x: Int = 2147483648) on FIELD " + Q,
    # Interfaces.
    "interface I { a: Int } type Query implements I { b: Int }",
    "interface I { a: Int } type Query implements I { a: String }",
    "interface I { a: Node } interface Node { id: ID } type Query implements I & Node { a: Query id: ID }",
    "interface I { a: [Int] } type Query implements I { a: [Int!]! }",
    "interface I { a: Int! } type Query implements I { a: Int }",
    "interface I { a(x: Int): Int } type Query implements I { a: Int }",
    "interface I { a(x: Int): Int } type Query implements I { a(x: Int!): Int }",
    "interface I { a: Int } type Query implements I { a(y: Int!, z: Int, w: Int! = 1): Int }",
    "interface I { a: Int } type Query implements I { a: Int @deprecated }",
    "interface I { a: Int @deprecated } type Query implements I { a: Int @deprecated }",
    "type Query implements Query { a: Int }",
    "interface I implements I { a: Int } " + Q,
    "interface I { a: Int } type Query implements I & I { a: Int }",
    "interface I { a: Int } interface J implements I { a: Int } type Query implements J { a: Int }",
    "interface I implements J { a: Int } interface J implements I { a: Int } " + Q,
    "type O { a: Int } type Query implements O { a: Int }",
    "interface I { a: Int } type Query implements I { a: Int } extend type Query implements I",
    # Unions.
    "union U " + Q,
    "union U = Query | Query " + Q,
    "union U = Query | I interface I { a: Int } " + Q,
    "union U = Query | E | In enum E { A } input In { a: Int } " + Q,
    "union U = Query extend union U = Query " + Q,
    # Enums and input objects.
    "enum E " + Q,
    "input In " + Q,
    "input In { a: Query } " + Q,
    "input In { a: Int! @deprecated b: Int! = 1 @deprecated c: Int @deprecated } " + Q,
    "input O @oneOf { a: Int! b: String = \"x\" c: Int } " + Q,
    # Input objects that cannot be given a finite value.
    "input A { b: B! } input B { a: A! } " + Q,
    "input A { a: A! } " + Q,
    "input A { a: A } input B { b: [B!]! } " + Q,
    "input A { b: B! c: C! } input B { c: C! } input C { a: A! } " + Q,
    "input A { b: B! } input B { b: B! } " + Q,
    "input O @oneOf { o: O } " + Q,
    "input O @oneOf { o: O s: String } " + Q,
    "input O @oneOf { p: P } input P @oneOf { o: O } " + Q,
    "input O @oneOf { p: P } input P { o: O! } " + Q,
    # Default values that refer to themselves.
    "input A { b: B = {} } input B { a: A = {} } " + Q,
    "input A { a: A = {} } " + Q,
    "input A { a: A = {a: {}} } " + Q,
    "input A { b: [B] = [{}] } input B { c: C = {} } input C { a: A = {b: []} } " + Q,
    "input A { x: Int = 1 b: B = {} } input B { y: Int = 2 } " + Q,
    # Several problems at once, in graphql-js's order.
    "schema { query: In } input In type __T directive @d on FIELD interface I { a(x: Int): [Int] }"
    " type O implements I { a(x: String): Int } union U = In enum E input Cyc { c: Cyc! }",
]

with open("tests/graphql/corpus/schema_validation.jsonl", "w", encoding="utf-8") as out:
    for i, sdl in enumerate(schemas, 1):
        out.write(json.dumps({"id": "validateSchema/%03d" % i, "op": "validateSchema",
                              "source": sdl}, ensure_ascii=False) + "\n")
print(len(schemas), "cases")
