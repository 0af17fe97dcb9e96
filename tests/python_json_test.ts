import assert from "node:assert/strict";
import {
  comparePythonStrings,
  describeJsonSyntaxError,
  dumpPythonJson,
  quotePythonJsonString,
} from "../lib/python_json.ts";

Deno.test("quotePythonJsonString() keeps printable ASCII", () => {
  assert.equal(quotePythonJsonString("a-Z 0~/"), '"a-Z 0~/"');
});

Deno.test("quotePythonJsonString() escapes quote and backslash", () => {
  assert.equal(quotePythonJsonString('a"b\\c'), '"a\\"b\\\\c"');
});

Deno.test("quotePythonJsonString() uses short escapes", () => {
  assert.equal(quotePythonJsonString("\n\r\t\b\f"), '"\\n\\r\\t\\b\\f"');
});

Deno.test("quotePythonJsonString() escapes other control characters", () => {
  assert.equal(quotePythonJsonString("\u0000\u001f"), '"\\u0000\\u001f"');
  assert.equal(quotePythonJsonString("\u007f"), '"\\u007f"');
});

Deno.test("quotePythonJsonString() escapes non-ASCII in lower case", () => {
  assert.equal(quotePythonJsonString("é"), '"\\u00e9"');
  assert.equal(
    quotePythonJsonString("\u00a0\u2028\uffff"),
    '"\\u00a0\\u2028\\uffff"',
  );
});

Deno.test("quotePythonJsonString() writes astral characters as pairs", () => {
  assert.equal(quotePythonJsonString("😀"), '"\\ud83d\\ude00"');
});

Deno.test("quotePythonJsonString() keeps lone surrogates", () => {
  assert.equal(quotePythonJsonString("\ud800x"), '"\\ud800x"');
});

Deno.test("dumpPythonJson() uses Python's default separators", () => {
  assert.equal(
    dumpPythonJson({ a: [1, 2], b: null, c: true, d: false }),
    '{"a": [1, 2], "b": null, "c": true, "d": false}',
  );
});

Deno.test("dumpPythonJson() writes compact separators", () => {
  assert.equal(
    dumpPythonJson({ a: [1, "x"], b: {} }, { compact: true }),
    '{"a":[1,"x"],"b":{}}',
  );
});

Deno.test("dumpPythonJson() indents as Python's indent=4", () => {
  assert.equal(
    dumpPythonJson({ a: { b: [1, {}], c: [] }, d: "e" }, { indent: 4 }),
    '{\n    "a": {\n        "b": [\n            1,\n            {}\n        ],\n' +
      '        "c": []\n    },\n    "d": "e"\n}',
  );
});

Deno.test("dumpPythonJson() sorts keys by code point", () => {
  assert.equal(
    dumpPythonJson({ b: 1, a: 2, "😀": 3, "\uffff": 4, B: 5 }, {
      sortKeys: true,
      compact: true,
    }),
    '{"B":5,"a":2,"b":1,"\\uffff":4,"\\ud83d\\ude00":3}',
  );
});

Deno.test("dumpPythonJson() keeps insertion order unsorted", () => {
  assert.equal(dumpPythonJson({ b: 1, a: 2 }), '{"b": 1, "a": 2}');
});

Deno.test("dumpPythonJson() rejects non-integers", () => {
  assert.throws(() => dumpPythonJson(1.5), TypeError);
  assert.throws(() => dumpPythonJson([Number.NaN]), TypeError);
});

Deno.test("dumpPythonJson() writes negative integers", () => {
  assert.equal(dumpPythonJson([-1, 0]), "[-1, 0]");
});

Deno.test("comparePythonStrings() orders by code point", () => {
  const sorted = ["\u{1f600}", "b", "\uffff", "\ue000", "a", "ab", ""].sort(
    comparePythonStrings,
  );
  assert.deepEqual(sorted, [
    "",
    "a",
    "ab",
    "b",
    "\ue000",
    "\uffff",
    "\u{1f600}",
  ]);
});

Deno.test("comparePythonStrings() returns zero for equal strings", () => {
  assert.equal(comparePythonStrings("\u{1f600}x", "\u{1f600}x"), 0);
});

Deno.test("dumpPythonJson() writes a Map in insertion order", () => {
  const map = new Map<string, number>([["b", 1], ["10", 2], ["9", 3]]);
  assert.equal(dumpPythonJson(map), '{"b": 1, "10": 2, "9": 3}');
  assert.equal(
    dumpPythonJson(map, { sortKeys: true, compact: true }),
    '{"10":2,"9":3,"b":1}',
  );
});

Deno.test("describeJsonSyntaxError() gives the place and never the text", () => {
  const cases: [string, string][] = [
    ["priv-v0-secret", "is not valid JSON at line 1 column 1"],
    ['{\n  "a": 1,\n  x}', "is not valid JSON at line 3 column 3"],
    ['{"a": 1} trailing', "is not valid JSON at line 1 column 10"],
    ['{"a": ', "is not valid JSON (it ends too early)"],
    ["  ", "is not valid JSON (it is empty)"],
  ];
  for (const [text, expected] of cases) {
    let error: unknown;
    try {
      JSON.parse(text);
    } catch (caught) {
      error = caught;
    }
    assert.equal(describeJsonSyntaxError(error, text), expected, text);
  }
});
