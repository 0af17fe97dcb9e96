/**
 * The Grid Manager's private key: it appears on stdout only in the
 * stream-mode config, never on stderr or in an error message, and the
 * files holding it are private.
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

function privateKeyOf(directory: string): string {
  const config = JSON.parse(
    Deno.readTextFileSync(join(directory, "config.json")),
  );
  return config.private_key;
}

/** Whether `text` contains the key, or a 16-character piece of its body. */
function leaks(text: string, privateKey: string): boolean {
  const body = privateKey.slice("priv-v0-".length);
  for (let i = 0; i + 16 <= body.length; i += 4) {
    if (text.includes(body.slice(i, i + 16))) return true;
  }
  return false;
}

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

Deno.test("create makes a 0700 directory and a 0600 config", async () => {
  await withTempDir(async (root) => {
    const directory = join(root, "gm");
    // A permissive umask must not widen the modes.
    const child = await new Deno.Command("sh", {
      args: [
        "-c",
        'umask 000; exec "$0" run --quiet "$@"',
        Deno.execPath(),
        ...RUN_PERMISSIONS,
        BUNDLE,
        "--config",
        directory,
        "create",
      ],
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).output();
    assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
    assert.equal(mode(directory), 0o700);
    assert.equal(mode(join(directory, "config.json")), 0o600);
  });
});

Deno.test("a readable config earns a warning and keeps working", async () => {
  await withTempDir(async (root) => {
    const directory = join(root, "gm");
    await runGridManager(["--config", directory, "create"]);
    const config = join(directory, "config.json");
    for (const readable of [0o640, 0o604, 0o644, 0o666]) {
      Deno.chmodSync(config, readable);
      const result = await runGridManager([
        "--config",
        directory,
        "public-identity",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /warning: .*readable by other users/);
      assert.match(result.stderr, /chmod 600/);
    }
    Deno.chmodSync(config, 0o600);
    const quiet = await runGridManager([
      "--config",
      directory,
      "public-identity",
    ]);
    assert.equal(quiet.stderr, "");
  });
});

Deno.test("add restores mode 0600 on a readable config", async () => {
  await withTempDir(async (root) => {
    const directory = join(root, "gm");
    await runGridManager(["--config", directory, "create"]);
    const config = join(directory, "config.json");
    Deno.chmodSync(config, 0o644);
    const result = await runGridManager([
      "--config",
      directory,
      "add",
      "s1",
      SERVER_KEY,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(mode(config), 0o600);
  });
});

Deno.test("no command prints the private key in directory mode", async () => {
  await withTempDir(async (root) => {
    const directory = join(root, "gm");
    const created = await runGridManager(["--config", directory, "create"]);
    const privateKey = privateKeyOf(directory);
    const runs = [
      created,
      await runGridManager(["--config", directory, "public-identity"]),
      await runGridManager(["--config", directory, "add", "s1", SERVER_KEY]),
      await runGridManager(["--config", directory, "add", "s1", SERVER_KEY]),
      await runGridManager(["--config", directory, "add", "s2", privateKey]),
      await runGridManager([
        "--config",
        directory,
        "add",
        "s3",
        ` ${privateKey}`,
      ]),
      await runGridManager(["--config", directory, "sign", "s1", "3"]),
      await runGridManager(["--config", directory, "sign", "nobody"]),
      await runGridManager(["--config", directory, "sign", "s1", "0"]),
      await runGridManager(["--config", directory, "list"]),
      await runGridManager(["--config", directory, "list", "--json"]),
      await runGridManager(["--config", directory, "remove", "nobody"]),
      await runGridManager(["--config", directory, "remove", "s1"]),
      await runGridManager(["--config", directory, "create"]),
      await runGridManager(["--config", directory, "bogus"]),
    ];
    for (const [i, run] of runs.entries()) {
      assert.ok(!leaks(run.stdout, privateKey), `run ${i} stdout`);
      assert.ok(!leaks(run.stderr, privateKey), `run ${i} stderr`);
    }
  });
});

Deno.test("errors about a damaged private key do not show it", async () => {
  await withTempDir(async (root) => {
    const directory = join(root, "gm");
    await runGridManager(["--config", directory, "create"]);
    const config = join(directory, "config.json");
    const original = Deno.readTextFileSync(config);
    const privateKey = privateKeyOf(directory);
    const damaged = [
      privateKey.slice(0, -1),
      privateKey + "a",
      privateKey.slice(0, 30) + "1" + privateKey.slice(31),
      privateKey.slice(0, 30) + "A" + privateKey.slice(31),
      privateKey.slice(0, 30) + " " + privateKey.slice(31),
      privateKey.toUpperCase(),
      privateKey.replace("priv-v0-", "priv-v1-"),
      privateKey.replace("priv-v0-", "pub-v0-"),
    ];
    for (const key of damaged) {
      Deno.writeTextFileSync(config, original.replace(privateKey, key));
      const result = await runGridManager([
        "--config",
        directory,
        "public-identity",
      ]);
      assert.equal(result.code, 1, key);
      assert.ok(!leaks(result.stderr, privateKey), result.stderr);
    }
    // A syntax error next to the key must not quote it either.
    for (
      const text of [
        original.replace(`"${privateKey}"`, privateKey),
        original.replace(/\n}\n$/, ', "x": tru}\n'),
        original.replace(`"${privateKey}"`, `"${privateKey}`),
        original.replace(`"${privateKey}"`, `'${privateKey}'`),
      ]
    ) {
      Deno.writeTextFileSync(config, text);
      const result = await runGridManager([
        "--config",
        directory,
        "list",
      ]);
      assert.equal(result.code, 1, text);
      assert.ok(!leaks(result.stderr, privateKey), result.stderr);
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    }
  });
});

Deno.test("stream mode prints the key only in the config", async () => {
  const created = await runGridManager(["--config", "-", "create"]);
  assert.equal(created.code, 0);
  const privateKey = JSON.parse(created.stdout).private_key;
  assert.ok(!leaks(created.stderr, privateKey));

  const added = await runGridManager(
    ["--config", "-", "add", "s1", SERVER_KEY],
    { stdin: created.stdout },
  );
  assert.equal(added.code, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).private_key, privateKey);
  assert.ok(!leaks(added.stderr, privateKey));

  for (
    const args of [
      ["public-identity"],
      ["list"],
      ["list", "--json"],
      ["sign", "s1", "5"],
      ["sign", "missing"],
    ]
  ) {
    const result = await runGridManager(["--config", "-", ...args], {
      stdin: added.stdout,
    });
    assert.ok(!leaks(result.stdout, privateKey), args.join(" "));
    assert.ok(!leaks(result.stderr, privateKey), args.join(" "));
  }
});
