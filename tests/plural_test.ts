import assert from "node:assert/strict";
import { countOf } from "../lib/plural.ts";

Deno.test("countOf() uses the singular for one", () => {
  assert.equal(countOf(1, "certificate file"), "1 certificate file");
});

Deno.test("countOf() uses the plural for zero and many", () => {
  assert.equal(countOf(0, "server"), "0 servers");
  assert.equal(countOf(2, "Grid Manager"), "2 Grid Managers");
});
