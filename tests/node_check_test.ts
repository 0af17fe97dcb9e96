import assert from "node:assert/strict";
import { checkNode, validSections } from "../lib/node_check.ts";
import { runPython } from "./helpers.ts";

function findings(cfgText: string | undefined, nodeType = "client" as const) {
  return checkNode({
    cfgText,
    nodeType,
    readCertificate: () => undefined,
    now: 0,
  });
}

Deno.test("validSections() matches Tahoe's validators", async () => {
  const result = await runPython("valid_sections.py", []);
  assert.equal(result.code, 0, result.stderr);
  const tahoe = JSON.parse(result.stdout);
  for (const nodeType of ["client", "introducer"] as const) {
    const ours = Object.fromEntries(
      Object.entries(validSections(nodeType)).map((
        [section, options],
      ) => [section, [...new Set(options)].sort()]),
    );
    assert.deepEqual(ours, tahoe[nodeType], nodeType);
  }
  for (const [section, accepted] of Object.entries(tahoe.dynamic)) {
    const rejected = findings(`[${section}]\n`).some((finding) =>
      /unknown section/.test(finding.message)
    );
    assert.equal(!rejected, accepted, section);
  }
});

Deno.test("checkNode() reports a missing tahoe.cfg", () => {
  const [finding] = findings(undefined);
  assert.equal(finding?.severity, "problem");
  assert.match(finding!.message, /tahoe\.cfg not found/);
});

Deno.test("checkNode() reports [DEFAULT] options in fixed sections", async () => {
  const text = "[DEFAULT]\nextra = 1\n[node]\nnickname = n\n";
  const [finding] = findings(text);
  assert.equal(finding?.severity, "fatal");
  assert.match(finding!.message, /unknown option extra in \[node\]/);
  const result = await runPython("check_cfg.py", [], {
    stdin: JSON.stringify([{ text, node_type: "client" }]),
  });
  assert.equal(JSON.parse(result.stdout)[0].tahoe.ok, false);
});

Deno.test("checkNode() reports a value with a broken % escape", () => {
  const [finding] = findings("[node]\nnickname = 100%\n");
  assert.equal(finding?.severity, "fatal");
  assert.match(finding!.message, /write "%" as "%%"/);
});

Deno.test("checkNode() finds nothing wrong in an empty tahoe.cfg", () => {
  assert.deepEqual(findings(""), []);
});
