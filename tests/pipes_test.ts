/**
 * Broken pipes, closed and empty stdin, and stdout on a full device: each
 * gives one clean error line and exit code 1.
 *
 * When `sign` in directory mode cannot print, the stored certificate stays
 * and the error names it: the file is the record that the certificate was
 * issued, and part of it may have reached the reader.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { encodePublicKey } from "../lib/keys.ts";
import {
  BUNDLE,
  RUN_PERMISSIONS,
  runGridManager,
  withTempDir,
} from "./helpers.ts";

const SERVER_KEY = encodePublicKey(new Uint8Array(32).fill(2));
const decoder = new TextDecoder();

async function gridManagerWithServer(root: string): Promise<string> {
  const directory = join(root, "gm");
  await runGridManager(["--config", directory, "create"]);
  const added = await runGridManager([
    "--config",
    directory,
    "add",
    "s1",
    SERVER_KEY,
  ]);
  assert.equal(added.code, 0, added.stderr);
  return directory;
}

/** Runs the program through `sh -c SCRIPT`, where "$@" is the program. */
async function runInShell(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("sh", {
    args: [
      "-c",
      script,
      "sh",
      Deno.execPath(),
      "run",
      "--quiet",
      ...RUN_PERMISSIONS,
      BUNDLE,
      ...args,
    ],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Runs the program with its stdout a pipe whose reading end is already
 * closed, so its first write fails with EPIPE.
 */
async function runWithBrokenPipe(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_PERMISSIONS, BUNDLE, ...args],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await child.stdout.cancel();
  if (stdin !== undefined) {
    // The program reads all of stdin before it writes, so the pipe is
    // closed by the time it prints.
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, stderr };
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "");
}

Deno.test("sign into a closed pipe keeps the file and says so", async () => {
  await withTempDir(async (root) => {
    const directory = await gridManagerWithServer(root);
    const result = await runWithBrokenPipe([
      "--config",
      directory,
      "sign",
      "s1",
      "5",
    ]);
    assert.equal(result.code, 1, result.stderr);
    const lines = errorLines(result.stderr);
    assert.match(lines.at(-1)!, /cannot write to standard output: .*pipe/i);
    assert.match(lines.at(-1)!, /the certificate is kept as .*s1\.cert\.0/);
    assert.ok(!/\n\s+at /.test(result.stderr));
    assert.ok(Deno.statSync(join(directory, "s1.cert.0")).isFile);
  });
});

Deno.test("sign | head -c1 exits 0 or fails cleanly", async () => {
  await withTempDir(async (root) => {
    const directory = await gridManagerWithServer(root);
    const result = await runInShell(
      '"$@" | head -c1 >/dev/null; exit 0',
      ["--config", directory, "sign", "s1", "5"],
    );
    assert.equal(result.code, 0);
    // head may exit before or after the write: either the whole text fit
    // into the pipe, or the error is the one-line broken pipe message.
    const lines = errorLines(result.stderr);
    assert.ok(lines.every((line) => line.startsWith("grid-manager: ")));
    assert.ok(!/\n\s+at /.test(result.stderr));
  });
});

Deno.test("stream-mode add into a closed pipe fails cleanly", async () => {
  const created = await runGridManager(["--config", "-", "create"]);
  const result = await runWithBrokenPipe(
    ["--config", "-", "add", "s1", SERVER_KEY],
    created.stdout,
  );
  assert.equal(result.code, 1);
  assert.deepEqual(errorLines(result.stderr).length, 1, result.stderr);
  assert.match(result.stderr, /cannot write to standard output/);
});

Deno.test("stdout on /dev/full fails cleanly for every printer", async () => {
  await withTempDir(async (root) => {
    const directory = await gridManagerWithServer(root);
    for (
      const args of [
        ["public-identity"],
        ["list"],
        ["list", "--json"],
        ["sign", "s1", "5"],
        ["--help"],
        ["--version"],
      ]
    ) {
      const result = await runInShell('exec "$@" >/dev/full', [
        "--config",
        directory,
        ...args,
      ]);
      assert.equal(result.code, 1, args.join(" "));
      const lines = errorLines(result.stderr);
      assert.match(lines.at(-1)!, /cannot write to standard output: /);
      assert.ok(!/\n\s+at /.test(result.stderr));
    }
    const created = await runInShell('exec "$@" >/dev/full', [
      "--config",
      "-",
      "create",
    ]);
    assert.equal(created.code, 1);
    assert.equal(errorLines(created.stderr).length, 1, created.stderr);
  });
});

Deno.test("--config - with empty, closed or unreadable stdin", async () => {
  for (
    const [name, script] of [
      ["empty", 'exec "$@" </dev/null'],
      ["closed", 'exec "$@" <&-'],
      ["a directory", 'exec "$@" </'],
    ] as const
  ) {
    for (const command of [["public-identity"], ["add", "s1", SERVER_KEY]]) {
      const result = await runInShell(script, [
        "--config",
        "-",
        ...command,
      ]);
      assert.equal(result.code, 1, `${name} stdin: ${result.stderr}`);
      assert.equal(
        errorLines(result.stderr).length,
        1,
        `${name} stdin: ${result.stderr}`,
      );
      assert.match(result.stderr, /standard input/, name);
      assert.equal(result.stdout, "", name);
    }
  }
});

Deno.test("closed stderr still gives the exit code", async () => {
  const result = await runInShell('exec "$@" 2>&-', [
    "--config",
    "-",
    "public-identity",
  ]);
  assert.equal(result.code, 1);
});
