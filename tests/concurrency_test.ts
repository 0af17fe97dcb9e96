/**
 * Concurrent commands on one Grid Manager directory: simultaneous sign runs
 * each store their own certificate, and simultaneous add runs never lose
 * each other's update.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  parseCertificateDocument,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { parseGridManagerConfig } from "../lib/grid_manager.ts";
import { encodePublicKey } from "../lib/keys.ts";
import { runGridManager, withTempDir } from "./helpers.ts";

function keyFor(index: number): string {
  return encodePublicKey(new Uint8Array(32).fill(index + 1));
}

async function createGridManager(root: string): Promise<string> {
  const directory = join(root, "gm");
  const created = await runGridManager(["--config", directory, "create"]);
  assert.equal(created.code, 0, created.stderr);
  return directory;
}

function loadConfig(directory: string) {
  return parseGridManagerConfig(
    Deno.readTextFileSync(join(directory, "config.json")),
    "config.json",
  );
}

Deno.test("20 simultaneous sign runs store 20 valid certificates", async () => {
  await withTempDir(async (root) => {
    const directory = await createGridManager(root);
    const added = await runGridManager([
      "--config",
      directory,
      "add",
      "s1",
      keyFor(1),
    ]);
    assert.equal(added.code, 0, added.stderr);

    const results = await Promise.all(
      Array.from(
        { length: 20 },
        () => runGridManager(["--config", directory, "sign", "s1", "7"]),
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);

    const files = [...Deno.readDirSync(directory)]
      .map((entry) => entry.name)
      .filter((name) => name.startsWith("s1.cert."))
      .sort();
    assert.deepEqual(
      files,
      Array.from({ length: 20 }, (_, i) => `s1.cert.${i}`).sort(),
    );
    const stored = results.map((result) =>
      /stored the certificate as (\S+)/.exec(result.stderr)?.[1]
    );
    assert.equal(new Set(stored).size, 20, "each run names its own file");

    const key = loadConfig(directory).keys.publicKey;
    for (const [i, path] of stored.entries()) {
      const text = Deno.readTextFileSync(path!);
      assert.equal(results[i]!.stdout, text + "\n");
      const document = parseCertificateDocument(text, path);
      assert.ok(verifyCertificateSignature(document, key), path);
    }
  });
});

Deno.test("20 simultaneous add runs of distinct names all land", async () => {
  await withTempDir(async (root) => {
    const directory = await createGridManager(root);
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          runGridManager(["--config", directory, "add", `n${i}`, keyFor(i)]),
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const names = loadConfig(directory).servers.map((server) => server.name);
    assert.deepEqual(
      names.sort(),
      Array.from({ length: 20 }, (_, i) => `n${i}`).sort(),
    );
  });
});

Deno.test("simultaneous add of one name: one wins, one fails", async () => {
  await withTempDir(async (root) => {
    const directory = await createGridManager(root);
    for (let round = 0; round < 10; round++) {
      const name = `same${round}`;
      const results = await Promise.all([
        runGridManager(["--config", directory, "add", name, keyFor(1)]),
        runGridManager(["--config", directory, "add", name, keyFor(2)]),
      ]);
      const codes = results.map((result) => result.code).sort();
      assert.deepEqual(codes, [0, 1], `round ${round}`);
      const loser = results.find((result) => result.code === 1)!;
      assert.match(loser.stderr, /already exists/);
      assert.equal(loser.stderr.split("\n").length, 2, loser.stderr);
      const winner = results.findIndex((result) => result.code === 0);
      const server = loadConfig(directory).servers.find((s) => s.name === name);
      assert.equal(server?.publicKey, keyFor(winner === 0 ? 1 : 2));
    }
    assert.equal(loadConfig(directory).servers.length, 10);
  });
});

Deno.test("simultaneous add and remove keep both changes", async () => {
  await withTempDir(async (root) => {
    const directory = await createGridManager(root);
    for (let i = 0; i < 10; i++) {
      const added = await runGridManager([
        "--config",
        directory,
        "add",
        `old${i}`,
        keyFor(i),
      ]);
      assert.equal(added.code, 0, added.stderr);
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        runGridManager(["--config", directory, "remove", `old${i}`]),
        runGridManager(["--config", directory, "add", `new${i}`, keyFor(i)]),
      ]).flat(),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const names = loadConfig(directory).servers.map((server) => server.name);
    assert.deepEqual(
      names.sort(),
      Array.from({ length: 10 }, (_, i) => `new${i}`).sort(),
    );
  });
});

Deno.test("sign runs during add runs all succeed", async () => {
  await withTempDir(async (root) => {
    const directory = await createGridManager(root);
    const added = await runGridManager([
      "--config",
      directory,
      "add",
      "s1",
      keyFor(1),
    ]);
    assert.equal(added.code, 0, added.stderr);
    // add clears stale temporary files; it must leave those of a sign run
    // that is still writing.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        runGridManager(["--config", directory, "sign", "s1", "7"]),
        runGridManager(["--config", directory, "add", `n${i}`, keyFor(i)]),
      ]).flat(),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const certificates = [...Deno.readDirSync(directory)]
      .filter((entry) => entry.name.startsWith("s1.cert."));
    assert.equal(certificates.length, 10);
  });
});
