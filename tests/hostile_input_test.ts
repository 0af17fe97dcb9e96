/**
 * Runs every case of the hostile input corpus (tests/hostile/cases.ts)
 * against the bundled program, and checks the rules every case shares: the
 * documented exit code, at most one line on stderr (exactly one on
 * failure), no stack trace, no private key in the output, and no file
 * changed. HOSTILE_FAMILIES=PREFIX,... runs only some families.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { runGridManager } from "./helpers.ts";
import {
  FAMILIES,
  type Family,
  type HostileCase,
  PRIVATE_KEY,
} from "./hostile/cases.ts";

/** Cases run at the same time; each spawns one process. */
const PARALLEL = 4;

/** Returns path -> "mode sha256" for every entry under `directory`. */
export function snapshotDirectory(directory: string): Map<string, string> {
  const snapshot = new Map<string, string>();
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const full = join(path, entry.name);
      const info = Deno.lstatSync(full);
      const mode = (info.mode! & 0o7777).toString(8);
      let content = "";
      if (entry.isFile) {
        content = createHash("sha256").update(Deno.readFileSync(full))
          .digest("hex");
      }
      snapshot.set(relative(directory, full), `${mode} ${content}`);
      if (entry.isDirectory) walk(full);
    }
  };
  walk(directory);
  return snapshot;
}

/** Runs one case; returns the list of broken rules. */
async function runCase(
  family: Family,
  hostile: HostileCase,
  index: number,
): Promise<string[]> {
  const directory = await Deno.makeTempDir({ prefix: "grid-manager-hostile-" });
  try {
    const { args, stdin } = family.prepare(directory, hostile.input, index);
    const before = snapshotDirectory(directory);
    const result = await runGridManager(args, { stdin, cwd: directory });
    const after = snapshotDirectory(directory);
    const problems: string[] = [];
    const exitCode = family.exitCodeFor?.(hostile.name) ?? family.exitCode;
    if (result.code !== exitCode) {
      problems.push(`exit code ${result.code}, expected ${exitCode}`);
    }
    const stderrLines = result.stderr.split("\n").slice(0, -1);
    if (!result.stderr.endsWith("\n") && result.stderr !== "") {
      problems.push("stderr does not end with a newline");
    }
    if (
      exitCode !== 0 && stderrLines.length !== 1 &&
      !(family.reportsOnStdout && stderrLines.length === 0)
    ) {
      problems.push(`${stderrLines.length} lines on stderr, expected 1`);
    }
    if (stderrLines.length > 1) {
      problems.push(`${stderrLines.length} lines on stderr`);
    }
    const output = result.stdout + result.stderr;
    if (/\n\s+at |internal error|Uncaught|panicked/.test(output)) {
      problems.push("a stack trace or internal error reached the output");
    }
    if (output.includes(PRIVATE_KEY.slice("priv-v0-".length, 30))) {
      problems.push("the private key reached the output");
    }
    const changed = [...new Set([...before.keys(), ...after.keys()])]
      .filter((path) => before.get(path) !== after.get(path));
    if (changed.length > 0) problems.push(`files changed: ${changed}`);
    const extra = family.check?.(result);
    if (extra) problems.push(extra);
    return problems.map((problem) =>
      `${family.name}/${hostile.name} (${args.join(" ").slice(0, 80)}): ` +
      `${problem}; stderr: ${result.stderr.slice(0, 300)}`
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** Runs `tasks` with at most `limit` at a time. */
async function runLimited<T>(
  tasks: (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

Deno.test("hostile corpus has at least 200 cases", () => {
  const total = FAMILIES.reduce((sum, family) => sum + family.cases.length, 0);
  assert.ok(total >= 200, `only ${total} cases`);
});

Deno.test("hostile corpus case names are unique per family", () => {
  for (const family of FAMILIES) {
    const names = family.cases.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, family.name);
  }
});

// HOSTILE_FAMILIES=a,b runs only the families whose names start with a or b.
const only = Deno.env.get("HOSTILE_FAMILIES")?.split(",");

for (const family of FAMILIES) {
  if (only && !only.some((prefix) => family.name.startsWith(prefix))) continue;
  Deno.test(`hostile ${family.name} inputs fail cleanly`, async () => {
    const problems = await runLimited(
      family.cases.map((hostile, index) => () =>
        runCase(family, hostile, index)
      ),
      PARALLEL,
    );
    assert.deepEqual(problems.flat(), []);
  });
}
