import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./helpers.ts";

/** Runs scripts/demo.ts with `args`; option errors end it before any node. */
async function runDemo(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-net=127.0.0.1",
      join(ROOT, "scripts", "demo.ts"),
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("demo --help prints the usage and exits 0", async () => {
  const result = await runDemo(["--help"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^usage: scripts\/demo \[--keep\]/);
});

Deno.test("demo rejects --days 0 before starting any node", async () => {
  const result = await runDemo(["--days", "0"]);
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^demo: invalid --days "0": give a whole number of days from 1 to 1825$/m,
  );
  assert.doesNotMatch(result.stderr, /Step 1/);
});

Deno.test("an interrupted grid removes its directory unless kept", async () => {
  for (const keep of [false, true]) {
    const code = `
      import { Grid } from ${JSON.stringify(join(ROOT, "scripts", "grid.ts"))};
      const grid = await Grid.create({ keepOnInterrupt: ${keep} });
      console.log(grid.dir);
      await new Promise(() => {});
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", code],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    const dir = new TextDecoder().decode(value).trim();
    assert.ok(Deno.statSync(dir).isDirectory);
    child.kill("SIGINT");
    reader.releaseLock();
    const output = await child.output();
    assert.equal(output.code, 130);
    const exists = (() => {
      try {
        Deno.statSync(dir);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(exists, keep, `keepOnInterrupt: ${keep}`);
    if (keep) Deno.removeSync(dir, { recursive: true });
  }
});
