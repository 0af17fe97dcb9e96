/**
 * Command-line tests of the Grid Manager commands, run against the bundle
 * (dist/grid-manager.js) the way a user runs it.
 */

import { escapeLineForTerminal } from "../lib/terminal_text.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signCertificate,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { parseGridManagerConfig } from "../lib/grid_manager.ts";
import {
  decodePublicKey,
  encodePublicKey,
  generateKeyPair,
} from "../lib/keys.ts";
import { formatIsoTime } from "../lib/time.ts";
import {
  BUNDLE,
  RUN_PERMISSIONS,
  runGridManager,
  type RunResult,
  withTempDir,
} from "./helpers.ts";

const KEY_A = encodePublicKey(generateKeyPair().publicKey);
const KEY_B = encodePublicKey(generateKeyPair().publicKey);
const DAY_MICROS = 86_400_000_000;

function assertExit(result: RunResult, code: number, context = ""): void {
  assert.equal(
    result.code,
    code,
    `${context} exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
}

/** Asserts exit 1 or 2 with one error line and nothing on stdout. */
function assertFailure(result: RunResult, code: number, pattern: RegExp): void {
  assertExit(result, code);
  assert.equal(result.stdout, "", "stdout must stay empty on failure");
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /^grid-manager: /);
  assert.doesNotMatch(result.stderr, /\n {4}at |Error:|Traceback/);
}

/** Creates a Grid Manager directory `gm` inside `dir` and returns its path. */
async function createGridManager(dir: string): Promise<string> {
  const gm = join(dir, "gm");
  assertExit(await runGridManager(["--config", gm, "create"]), 0, "create");
  return gm;
}

async function privateKeyOf(gm: string): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(gm, "config.json")));
  return config.private_key;
}

/** Returns the mode and content of every file in a directory, by name. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    const mode = ((await Deno.stat(path)).mode! & 0o777).toString(8);
    result[entry.name] = `${mode} ${await Deno.readTextFile(path)}`;
  }
  return result;
}

async function createStreamConfig(): Promise<string> {
  const result = await runGridManager(["--config", "-", "create"]);
  assertExit(result, 0, "create -");
  return result.stdout;
}

// --- create -----------------------------------------------------------------

Deno.test("create makes a 0700 directory and 0600 config", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    const result = await runGridManager(["--config", gm, "create"]);
    assertExit(result, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /created a Grid Manager in /);
    assert.equal((await Deno.stat(gm)).mode! & 0o777, 0o700);
    const configPath = join(gm, "config.json");
    assert.equal((await Deno.stat(configPath)).mode! & 0o777, 0o600);
    const text = await Deno.readTextFile(configPath);
    assert.match(
      text,
      /^\{\n {4}"grid_manager_config_version": 0,\n {4}"private_key": "priv-v0-[a-z2-7]{52}"\n\}\n$/,
    );
    assert.deepEqual([...Deno.readDirSync(gm)].map((e) => e.name), [
      "config.json",
    ]);
  });
});

Deno.test("create makes missing parent directories", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "a", "b", "gm");
    assertExit(await runGridManager(["-c", gm, "create"]), 0);
    assert.ok((await Deno.stat(join(gm, "config.json"))).isFile);
  });
});

Deno.test("create rejects an existing directory", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const before = await snapshot(gm);
    const result = await runGridManager(["--config", gm, "create"]);
    assertFailure(result, 1, /already exists; give --config a new directory/);
    assert.deepEqual(await snapshot(gm), before);
  });
});

Deno.test("create rejects an existing empty directory or file", async () => {
  await withTempDir(async (dir) => {
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    assertFailure(
      await runGridManager(["--config", empty, "create"]),
      1,
      /already exists/,
    );
    assert.deepEqual([...Deno.readDirSync(empty)], []);
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    assertFailure(
      await runGridManager(["--config", file, "create"]),
      1,
      /already exists/,
    );
    assert.equal(await Deno.readTextFile(file), "x");
  });
});

Deno.test("create - prints a config that loads", async () => {
  const text = await createStreamConfig();
  assert.match(text, /"private_key": "priv-v0-[a-z2-7]{52}"\n\}\n$/);
  const config = parseGridManagerConfig(text, "stdout");
  assert.equal(config.servers.length, 0);
});

Deno.test("create - makes a different key each time", async () => {
  assert.notEqual(await createStreamConfig(), await createStreamConfig());
});

// --- public-identity --------------------------------------------------------

Deno.test("public-identity prints only the public key", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const result = await runGridManager(["--config", gm, "public-identity"]);
    assertExit(result, 0);
    assert.match(result.stdout, /^pub-v0-[a-z2-7]{52}\n$/);
    assert.equal(result.stderr, "");
    const config = parseGridManagerConfig(
      await Deno.readTextFile(join(gm, "config.json")),
      "x",
    );
    assert.equal(
      result.stdout.trim(),
      encodePublicKey(config.keys.publicKey),
    );
  });
});

Deno.test("public-identity - reads the config on stdin", async () => {
  const text = await createStreamConfig();
  const result = await runGridManager(["-c", "-", "public-identity"], {
    stdin: text,
  });
  assertExit(result, 0);
  const config = parseGridManagerConfig(text, "x");
  assert.equal(result.stdout, encodePublicKey(config.keys.publicKey) + "\n");
});

// --- add ----------------------------------------------------------------------

Deno.test("add stores the server in canonical form", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const result = await runGridManager([
      "--config",
      gm,
      "add",
      "storage0",
      `  ${KEY_A}\n`,
    ]);
    assertExit(result, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /added storage server "storage0"/);
    const text = await Deno.readTextFile(join(gm, "config.json"));
    assert.ok(
      text.endsWith(
        `    "storage_servers": {\n        "storage0": {\n` +
          `            "public_key": "${KEY_A}"\n        }\n    }\n}\n`,
      ),
      text,
    );
    assert.equal(
      (await Deno.stat(join(gm, "config.json"))).mode! & 0o777,
      0o600,
    );
  });
});

Deno.test("concurrent adds lose no server", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const names = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const results = await Promise.all(
      names.map((name) => runGridManager(["-c", gm, "add", name, KEY_A])),
    );
    for (const result of results) assertExit(result, 0);
    const config = parseGridManagerConfig(
      await Deno.readTextFile(join(gm, "config.json")),
      "x",
    );
    assert.deepEqual(config.servers.map((s) => s.name).sort(), names);
    assert.deepEqual([...Deno.readDirSync(gm)].map((e) => e.name), [
      "config.json",
    ]);
  });
});

Deno.test("add rejects a duplicate name and changes nothing", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const before = await snapshot(gm);
    const result = await runGridManager(["-c", gm, "add", "s", KEY_B]);
    assertFailure(
      result,
      1,
      /a storage server called "s" already exists; choose another name/,
    );
    assert.deepEqual(await snapshot(gm), before);
  });
});

Deno.test("add warns when the key is already registered", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "one", KEY_A]), 0);
    const result = await runGridManager(["-c", gm, "add", "two", KEY_A]);
    assertExit(result, 0);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(`warning: ${KEY_A} is also registered as "one"`),
    );
    const config = parseGridManagerConfig(
      await Deno.readTextFile(join(gm, "config.json")),
      "x",
    );
    assert.deepEqual(config.servers.map((s) => s.name), ["one", "two"]);
  });
});

const INVALID_KEYS: [string, string, RegExp][] = [
  ["upper case", KEY_A.toUpperCase(), /must start with "pub-v0-"/],
  [
    "upper-case body",
    "pub-v0-" + KEY_A.slice(7).toUpperCase(),
    /not in the base32 alphabet/,
  ],
  ["padding", KEY_A + "====", /character "="/],
  [
    "inner whitespace",
    KEY_A.slice(0, 20) + " " + KEY_A.slice(20),
    /character " "/,
  ],
  ["short", KEY_A.slice(0, -3) + "a", /encodes 31 bytes, not 32/],
  ["long", KEY_A + "aaaa", /not a valid unpadded base32 length|not 32/],
  [
    "non-zero final bits",
    KEY_A.slice(0, -1) + (KEY_A.endsWith("b") ? "c" : "b"),
    /non-zero unused bits/,
  ],
  ["server id", KEY_A.slice(4), /is a server id, so add "pub-" in front/],
  ["private key", "priv-v0-" + KEY_A.slice(7), /the value is a private key/],
  ["empty", "", /must start with "pub-v0-"/],
  ["non-ASCII", KEY_A.slice(0, -1) + "é", /not in the base32 alphabet/],
];

Deno.test("add rejects each kind of invalid key", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const before = await snapshot(gm);
    for (const [kind, key, pattern] of INVALID_KEYS) {
      const result = await runGridManager(["-c", gm, "add", "s", key]);
      assertExit(result, 1, kind);
      assert.equal(result.stdout, "", kind);
      assert.match(result.stderr, /^grid-manager: invalid public key\b/, kind);
      assert.match(result.stderr, pattern, kind);
      assert.match(
        result.stderr,
        /a valid key is "pub-v0-"|add "pub-"|node\.pubkey file/,
        kind,
      );
      assert.equal(result.stderr.split("\n").length, 2, kind);
    }
    assert.deepEqual(await snapshot(gm), before);
  });
});

const INVALID_NAMES: [string, RegExp][] = [
  ["a/b", /path separator/],
  ["../escape", /path separator/],
  ["/abs", /path separator/],
  ["a\\b", /path separator/],
  ["nul\u0000", /control character/],
  ["line\nbreak", /control character/],
  ["esc\u001b", /control character/],
  ["del\u007f", /control character/],
  [".", /names a directory/],
  ["..", /names a directory/],
  ["", /it is empty/],
];

Deno.test("add rejects names that leave the directory", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const before = await snapshot(gm);
    for (const [name, pattern] of INVALID_NAMES) {
      if (name.includes("\u0000")) continue; // an argument cannot hold NUL
      const result = await runGridManager(["-c", gm, "add", name, KEY_A]);
      assertFailure(result, 2, pattern);
      assert.ok(
        result.stderr.includes(
          `invalid server name ${escapeLineForTerminal(JSON.stringify(name))}`,
        ),
        result.stderr,
      );
    }
    assert.deepEqual(await snapshot(gm), before);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["gm"]);
  });
});

Deno.test("add - rejects bad names and NUL", async () => {
  const config = await createStreamConfig();
  for (const [name, pattern] of INVALID_NAMES) {
    if (name.includes("\u0000")) continue;
    const result = await runGridManager(["-c", "-", "add", name, KEY_A], {
      stdin: config,
    });
    assertFailure(result, 2, pattern);
  }
  // NUL cannot be passed as an argument, but a config can contain it.
  const parsed = JSON.parse(config);
  parsed.storage_servers = { "nul\u0000": { public_key: KEY_A } };
  const result = await runGridManager(["-c", "-", "list"], {
    stdin: JSON.stringify(parsed),
  });
  assertFailure(
    result,
    1,
    /storage server name "nul\\u0000" is unusable \(it contains a control character\); rename it in config\.json/,
  );
});

Deno.test("add - prints the new config", async () => {
  const config = await createStreamConfig();
  const result = await runGridManager(["-c", "-", "add", "s", KEY_A], {
    stdin: config,
  });
  assertExit(result, 0);
  assert.equal(result.stderr, "");
  assert.equal(
    result.stdout,
    config.slice(0, -3) +
      `,\n    "storage_servers": {\n        "s": {\n` +
      `            "public_key": "${KEY_A}"\n        }\n    }\n}\n`,
  );
});

Deno.test("add - rejects a duplicate with empty stdout", async () => {
  const config = await createStreamConfig();
  const added = await runGridManager(["-c", "-", "add", "s", KEY_A], {
    stdin: config,
  });
  const result = await runGridManager(["-c", "-", "add", "s", KEY_B], {
    stdin: added.stdout,
  });
  assertFailure(result, 1, /already exists/);
});

// --- remove -------------------------------------------------------------------

Deno.test("remove drops the server and only its certificates", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    for (const name of ["s", "s1", "s.cert"]) {
      assertExit(await runGridManager(["-c", gm, "add", name, KEY_A]), 0);
    }
    for (const name of ["s", "s", "s1", "s.cert"]) {
      assertExit(await runGridManager(["-c", gm, "sign", name, "5"]), 0);
    }
    const result = await runGridManager(["-c", gm, "remove", "s"]);
    assertExit(result, 0);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /removed storage server "s" and 2 certificate files/,
    );
    const names = [...Deno.readDirSync(gm)].map((e) => e.name).sort();
    assert.deepEqual(names, ["config.json", "s.cert.cert.0", "s1.cert.0"]);
    const config = parseGridManagerConfig(
      await Deno.readTextFile(join(gm, "config.json")),
      "x",
    );
    assert.deepEqual(config.servers.map((s) => s.name), ["s1", "s.cert"]);
  });
});

Deno.test("remove rejects an unknown name and changes nothing", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const before = await snapshot(gm);
    const result = await runGridManager(["-c", gm, "remove", "nope"]);
    assertFailure(result, 1, /no storage server called "nope"/);
    assert.deepEqual(await snapshot(gm), before);
  });
});

Deno.test("remove - prints the new config", async () => {
  const config = await createStreamConfig();
  const added = await runGridManager(["-c", "-", "add", "s", KEY_A], {
    stdin: config,
  });
  const result = await runGridManager(["-c", "-", "remove", "s"], {
    stdin: added.stdout,
  });
  assertExit(result, 0);
  assert.equal(result.stdout, config);
  assert.equal(result.stderr, "");
});

// --- sign ---------------------------------------------------------------------

Deno.test("sign prints and stores the certificate", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const before = Date.now() * 1000;
    const result = await runGridManager(["-c", gm, "sign", "s", "10"]);
    const after = Date.now() * 1000;
    assertExit(result, 0);
    assert.match(result.stderr, /stored the certificate as .*s\.cert\.0\n$/);
    assert.ok(result.stdout.endsWith("}\n"));
    const path = join(gm, "s.cert.0");
    assert.equal(await Deno.readTextFile(path), result.stdout.slice(0, -1));
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o644);

    const document = parseCertificateDocument(result.stdout);
    assert.equal(formatCertificateDocument(document) + "\n", result.stdout);
    const payload = parseCertificatePayload(document);
    assert.equal(payload.publicKey, KEY_A);
    assert.ok(payload.expiresMicros >= before + 10 * DAY_MICROS);
    assert.ok(payload.expiresMicros <= after + 10 * DAY_MICROS);
    const identity = await runGridManager(["-c", gm, "public-identity"]);
    assert.equal(
      verifyCertificateSignature(
        document,
        decodePublicKey(identity.stdout.trim()),
      ),
      true,
    );
  });
});

Deno.test("sign takes the lowest free certificate number", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    for (let i = 0; i < 3; i++) {
      assertExit(await runGridManager(["-c", gm, "sign", "s", "1"]), 0);
    }
    await Deno.remove(join(gm, "s.cert.1"));
    const result = await runGridManager(["-c", gm, "sign", "s", "1"]);
    assert.match(result.stderr, /s\.cert\.1\n$/);
    const names = [...Deno.readDirSync(gm)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "config.json",
      "s.cert.0",
      "s.cert.1",
      "s.cert.2",
    ]);
  });
});

Deno.test("concurrent signs each take their own file", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const results = await Promise.all(
      Array.from(
        { length: 6 },
        () => runGridManager(["-c", gm, "sign", "s", "3"]),
      ),
    );
    const stored = new Set<string>();
    for (const result of results) {
      assertExit(result, 0);
      const path = /stored the certificate as (.*)\n/.exec(result.stderr)![1]!;
      stored.add(path);
      assert.equal(await Deno.readTextFile(path), result.stdout.slice(0, -1));
    }
    assert.equal(stored.size, 6);
    const names = [...Deno.readDirSync(gm)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "config.json",
      ...Array.from({ length: 6 }, (_, i) => `s.cert.${i}`),
    ]);
  });
});

Deno.test("sign defaults to 30 days and says so", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const before = Date.now() * 1000;
    const result = await runGridManager(["-c", gm, "sign", "s"]);
    assertExit(result, 0);
    const payload = parseCertificatePayload(
      parseCertificateDocument(result.stdout),
    );
    assert.ok(payload.expiresMicros >= before + 30 * DAY_MICROS);
    assert.ok(payload.expiresMicros < before + 31 * DAY_MICROS);
    assert.ok(
      result.stderr.includes(
        `the certificate expires ${
          formatIsoTime(payload.expiresMicros)
        } (30 days, the default; give DAYS to change it)`,
      ),
      result.stderr,
    );
  });
});

Deno.test("sign accepts DAYS from 1 to 1825", async () => {
  const config = await createStreamConfig();
  const added = await runGridManager(["-c", "-", "add", "s", KEY_A], {
    stdin: config,
  });
  for (const days of ["1", "1825", "0030"]) {
    const result = await runGridManager(["-c", "-", "sign", "s", days], {
      stdin: added.stdout,
    });
    assertExit(result, 0, days);
    assert.equal(result.stderr, "", days);
    const payload = parseCertificatePayload(
      parseCertificateDocument(result.stdout),
    );
    const expected = Date.now() * 1000 + Number(days) * DAY_MICROS;
    assert.ok(Math.abs(payload.expiresMicros - expected) < 60_000_000, days);
  }
});

Deno.test("sign rejects DAYS out of range or not a number", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const before = await snapshot(gm);
    for (
      const days of [
        "0",
        "1826",
        "99999999999999999999",
        "abc",
        "1.5",
        "1e3",
        " 5",
        "",
      ]
    ) {
      const result = await runGridManager(["-c", gm, "sign", "s", days]);
      assertFailure(
        result,
        2,
        /invalid DAYS .*: give a whole number of days from 1 to 1825/,
      );
    }
    const negative = await runGridManager(["-c", gm, "sign", "s", "--", "-1"]);
    assertFailure(negative, 2, /invalid DAYS "-1"/);
    assert.deepEqual(await snapshot(gm), before);
  });
});

Deno.test("sign rejects an unknown server", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const before = await snapshot(gm);
    const result = await runGridManager(["-c", gm, "sign", "nope", "5"]);
    assertFailure(result, 1, /no storage server called "nope"; add it first/);
    assert.deepEqual(await snapshot(gm), before);
  });
});

Deno.test("sign - prints only the certificate", async () => {
  const config = await createStreamConfig();
  const added = await runGridManager(["-c", "-", "add", "s", KEY_A], {
    stdin: config,
  });
  const result = await runGridManager(["-c", "-", "sign", "s", "7"], {
    stdin: added.stdout,
  });
  assertExit(result, 0);
  assert.equal(result.stderr, "");
  const document = parseCertificateDocument(result.stdout);
  assert.equal(formatCertificateDocument(document) + "\n", result.stdout);
  assert.equal(parseCertificatePayload(document).publicKey, KEY_A);
});

// --- list ---------------------------------------------------------------------

Deno.test("list shows servers and certificates in Tahoe's layout", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "zed", KEY_B]), 0);
    assertExit(await runGridManager(["-c", gm, "add", "alpha", KEY_A]), 0);
    assertExit(await runGridManager(["-c", gm, "sign", "alpha", "10"]), 0);
    // An expired certificate, written as `sign` would have written it.
    const config = parseGridManagerConfig(
      await Deno.readTextFile(join(gm, "config.json")),
      "x",
    );
    const expired = signCertificate(
      config.keys.seed,
      KEY_A,
      Date.now() * 1000 - 3 * DAY_MICROS,
    );
    await Deno.writeTextFile(
      join(gm, "alpha.cert.1"),
      formatCertificateDocument(expired),
    );
    const expiredAt = formatIsoTime(
      parseCertificatePayload(expired).expiresMicros,
      " ",
    );

    const result = await runGridManager(["-c", gm, "list"]);
    assertExit(result, 0);
    assert.equal(result.stderr, "");
    const lines = result.stdout.split("\n");
    assert.equal(lines.length, 5);
    assert.equal(lines[0], `alpha: ${KEY_A}`);
    assert.match(
      lines[1]!,
      /^ {7}cert 0: valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00 \((9|10) days in the future\)$/,
    );
    assert.equal(lines[2], `       cert 1: expired ${expiredAt} (3 days ago)`);
    assert.equal(lines[3], `zed: ${KEY_B}`);
    assert.equal(lines[4], "");
  });
});

Deno.test("list --json describes certificates", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    assertExit(await runGridManager(["-c", gm, "sign", "s", "3"]), 0);
    await Deno.writeTextFile(join(gm, "s.cert.1"), "not json");
    const result = await runGridManager(["-c", gm, "list", "--json"]);
    assertExit(result, 0);
    const listing = JSON.parse(result.stdout);
    assert.equal(listing.storage_servers.length, 1);
    const server = listing.storage_servers[0];
    assert.equal(server.name, "s");
    assert.equal(server.public_key, KEY_A);
    assert.equal(server.certificates.length, 2);
    assert.equal(server.certificates[0].index, 0);
    assert.equal(server.certificates[0].expired, false);
    assert.equal(server.certificates[0].for_this_server, true);
    assert.match(server.certificates[0].expires, /\+00:00$/);
    assert.match(server.certificates[1].error, /not valid JSON/);
  });
});

Deno.test("list reports an unreadable certificate in place", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    await Deno.writeTextFile(join(gm, "s.cert.0"), "{}");
    const result = await runGridManager(["-c", gm, "list"]);
    assertExit(result, 0);
    assert.match(
      result.stdout,
      /^s: .*\n {3}cert 0: unreadable: .*lacks the key/,
    );
  });
});

Deno.test("list - shows servers without certificates", async () => {
  const config = await createStreamConfig();
  const added = await runGridManager(["-c", "-", "add", "b", KEY_A], {
    stdin: config,
  });
  const twice = await runGridManager(["-c", "-", "add", "a", KEY_B], {
    stdin: added.stdout,
  });
  const result = await runGridManager(["-c", "-", "list"], {
    stdin: twice.stdout,
  });
  assertExit(result, 0);
  assert.equal(result.stdout, `a: ${KEY_B}\nb: ${KEY_A}\n`);
  assert.equal(result.stderr, "");
});

Deno.test("list of an empty Grid Manager prints nothing", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const result = await runGridManager(["-c", gm, "list"]);
    assertExit(result, 0);
    assert.equal(result.stdout, "");
  });
});

// --- errors shared by every command ------------------------------------------

const COMMANDS: [string, string[]][] = [
  ["public-identity", []],
  ["add", ["s", KEY_A]],
  ["remove", ["s"]],
  ["list", []],
  ["sign", ["s", "5"]],
];

Deno.test("every command reports a missing directory", async () => {
  await withTempDir(async (dir) => {
    const missing = join(dir, "missing");
    for (const [command, args] of COMMANDS) {
      const result = await runGridManager(["-c", missing, command, ...args]);
      assertFailure(
        result,
        1,
        /Grid Manager directory .*missing not found; check --config, or run/,
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("every command reports a directory without config.json", async () => {
  await withTempDir(async (dir) => {
    for (const [command, args] of COMMANDS) {
      const result = await runGridManager(["-c", dir, command, ...args]);
      assertFailure(result, 1, /Grid Manager config .*config\.json not found/);
    }
  });
});

Deno.test("every command rejects empty or invalid stdin", async () => {
  for (const [command, args] of COMMANDS) {
    assertFailure(
      await runGridManager(["-c", "-", command, ...args], { stdin: "" }),
      1,
      /standard input is empty; expected a Grid Manager config/,
    );
    assertFailure(
      await runGridManager(["-c", "-", command, ...args], { stdin: "{" }),
      1,
      /invalid Grid Manager config in standard input: the text is not valid JSON/,
    );
  }
});

Deno.test("every command takes options after the command", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    assertExit(await runGridManager(["create", "--config", gm]), 0);
    assertExit(await runGridManager(["add", "s", KEY_A, "-c", gm]), 0);
    assertExit(await runGridManager(["sign", "-c", gm, "s", "2"]), 0);
    const list = await runGridManager(["list", `--config=${gm}`]);
    assertExit(list, 0);
    assert.match(list.stdout, /^s: /);
    const identity = await runGridManager(["public-identity", "-c", gm]);
    assert.match(identity.stdout, /^pub-v0-/);
    assertExit(await runGridManager(["remove", "s", "--config", gm]), 0);
  });
});

Deno.test("every command has --help", async () => {
  for (const command of ["create", ...COMMANDS.map(([name]) => name)]) {
    for (const flag of ["--help", "-h"]) {
      const result = await runGridManager([command, flag]);
      assertExit(result, 0, command);
      assert.equal(result.stderr, "", command);
      assert.ok(
        result.stdout.startsWith(`Usage: grid-manager ${command} [OPTIONS]`),
        result.stdout,
      );
      assert.match(result.stdout, /-c, --config DIR\|- /);
      assert.match(result.stdout, /-h, --help /);
    }
  }
});

Deno.test("--help lists the commands and exit codes", async () => {
  const result = await runGridManager(["--help"]);
  assertExit(result, 0);
  for (const command of ["create", ...COMMANDS.map(([name]) => name)]) {
    assert.match(result.stdout, new RegExp(`^  ${command} `, "m"));
  }
  assert.match(
    result.stdout,
    /Exit codes: 0 success, 1 failure, 2 usage error/,
  );
});

Deno.test("usage errors exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command; give one of: create, /],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["list"], /missing --config/],
    [["-c", "x", "list", "--bogus"], /unknown option --bogus for "list"/],
    [["-c", "x", "list", "-z"], /unknown option -z for "list"/],
    [
      ["-c", "x", "add", "--json", "s", KEY_A],
      /option --json does not apply to "add"/,
    ],
    [
      ["-c", "x", "add", "s"],
      /missing argument for "add"; usage: grid-manager add NAME PUBKEY/,
    ],
    [["-c", "x", "remove"], /missing argument for "remove"/],
    [["-c", "x", "sign"], /missing argument for "sign"/],
    [["-c", "x", "list", "extra"], /unexpected argument "extra" for "list"/],
    [["-c", "x", "sign", "s", "5", "6"], /unexpected argument "6" for "sign"/],
    [["-c", "x", "create", "y"], /unexpected argument "y" for "create"/],
    [["list", "--config"], /option --config needs a value/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runGridManager(args);
    assertFailure(result, 2, pattern);
    assert.equal(result.stderr.split("\n").length, 2, "one line");
    assert.match(result.stderr, /see "grid-manager [a-z -]*--help"\n$/);
  }
});

Deno.test("a config with an unusable name loads with a clear error", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const configPath = join(gm, "config.json");
    const config = JSON.parse(await Deno.readTextFile(configPath));
    config.storage_servers = { "../evil": { public_key: KEY_A } };
    await Deno.writeTextFile(configPath, JSON.stringify(config));
    for (const [command, args] of COMMANDS) {
      const result = await runGridManager(["-c", gm, command, ...args]);
      assertFailure(
        result,
        1,
        /storage server name "\.\.\/evil" is unusable \(it contains a path separator\); rename it in config\.json/,
      );
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["gm"]);
  });
});

Deno.test("a world-readable config draws a warning", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    await Deno.chmod(join(gm, "config.json"), 0o644);
    const result = await runGridManager(["-c", gm, "public-identity"]);
    assertExit(result, 0);
    assert.match(
      result.stderr,
      /warning: .*config\.json is readable by other users \(mode 644\).*chmod 600/,
    );
  });
});

Deno.test("the private key never reaches stderr", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const secret = await privateKeyOf(gm);
    const body = secret.slice("priv-v0-".length);
    const stderr: string[] = [];
    const run = async (args: string[], stdin?: string) => {
      const result = await runGridManager(args, { stdin });
      stderr.push(result.stderr);
      return result;
    };
    await run(["-c", gm, "add", "s", KEY_A]);
    await run(["-c", gm, "add", "s", KEY_A]);
    await run(["-c", gm, "add", "t", secret]);
    await run(["-c", gm, "sign", "s"]);
    await run(["-c", gm, "list"]);
    await run(["-c", gm, "remove", "s"]);
    const configPath = join(gm, "config.json");
    const good = await Deno.readTextFile(configPath);
    // Damaged private keys: each error must describe the key, not show it.
    for (
      const damaged of [secret + "a", secret.slice(0, -1), secret.toUpperCase()]
    ) {
      await Deno.writeTextFile(configPath, good.replace(secret, damaged));
      const result = await run(["-c", gm, "list"]);
      assertFailure(result, 1, /invalid private key/);
      const streamed = await run(
        ["-c", "-", "list"],
        good.replace(secret, damaged),
      );
      assertFailure(streamed, 1, /invalid private key/);
    }
    for (const text of stderr) {
      assert.ok(!text.includes(body), text);
      assert.ok(!text.toLowerCase().includes(body.slice(0, 20)), text);
    }
  });
});

Deno.test("directory commands print no data but their own", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    const results = [
      await runGridManager(["-c", gm, "create"]),
      await runGridManager(["-c", gm, "add", "s", KEY_A]),
      await runGridManager(["-c", gm, "remove", "s"]),
    ];
    for (const result of results) {
      assertExit(result, 0);
      assert.equal(result.stdout, "");
    }
  });
});

Deno.test("add through a linked config.json updates its target", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const store = join(dir, "store");
    await Deno.mkdir(store);
    await Deno.rename(join(gm, "config.json"), join(store, "config.json"));
    await Deno.symlink("../store/config.json", join(gm, "config.json"));
    assertExit(await runGridManager(["-c", gm, "add", "x", KEY_A]), 0);
    const link = await Deno.lstat(join(gm, "config.json"));
    assert.equal(link.isSymlink, true);
    const stored = await Deno.readTextFile(join(store, "config.json"));
    assert.match(stored, /"x"/);
  });
});

Deno.test("list reports a damaged certificate on one line", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    await Deno.writeTextFile(join(gm, "s.cert.1"), "garbage\nmore\n");
    const result = await runGridManager(["-c", gm, "list"]);
    assertExit(result, 0);
    const lines = result.stdout.split("\n");
    assert.equal(lines.length, 3, result.stdout);
    assert.match(lines[1]!, /cert 1: unreadable: .*not valid JSON at line 1/);
    assert.doesNotMatch(result.stdout, /give the output of/);
  });
});

Deno.test("a private key given as the config is not quoted", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const key = await privateKeyOf(gm);
    for (const input of [key + "\n", `{"a": "${key}\n`, `{"${key}" 1}`]) {
      const result = await runGridManager(["-c", "-", "public-identity"], {
        stdin: input,
      });
      assertFailure(result, 1, /is not valid JSON at line \d+ column \d+/);
      assert.doesNotMatch(result.stderr, /"p"|priv-v0-./);
    }
  });
});

Deno.test("add rejects hidden and over-long names, keeps odd visible ones", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    for (
      const [name, pattern] of [
        ["a\u0085b", /control character/],
        ["a\u2028b", /line separator/],
        ["abc\u202Egpj", /format character U\+202E/],
        ["a\u200Bb", /format character U\+200B/],
        ["x".repeat(300), /300 bytes long/],
      ] as const
    ) {
      const result = await runGridManager(["-c", gm, "add", name, KEY_A]);
      assertFailure(result, 2, pattern);
      assert.match(result.stderr, /without "\/", "\\", control/);
    }
    const ok = await runGridManager(["-c", gm, "add", "with space", KEY_A]);
    assertExit(ok, 0);
  });
});

Deno.test("add warns about a name that differs only in normalization", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const nfc = "caf\u00e9";
    const nfd = "cafe\u0301";
    assertExit(await runGridManager(["-c", gm, "add", nfc, KEY_A]), 0);
    const result = await runGridManager(["-c", gm, "add", nfd, KEY_B]);
    assertExit(result, 0);
    assert.match(result.stderr, /warning: .*looks the same as the registered/);
  });
});

Deno.test("option errors name the option and the way out", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["-c", "x", "add", "-dash", KEY_A],
      /unknown option -d for "add" \(in "-dash"\); put -- before arguments that start with "-"/,
    ],
    [
      ["-c", "x", "list", "--expiring", "-x"],
      /option --expiring needs a value; to give one that starts with "-", write --expiring=VALUE/,
    ],
    [
      ["-c", "x", "list", "--json=yes"],
      /option --json takes no value; write --json alone/,
    ],
    [["-c"], /option --config needs a value/],
    [["list", "-c"], /option --config needs a value/],
    [["-c", "", "list"], /--config is empty; give the Grid Manager directory/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runGridManager(args);
    assertFailure(result, 2, pattern);
    assert.equal(result.stderr.split("\n").length, 2, "one line");
  }
});

Deno.test("remove counts certificate files in proper English", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    assertExit(await runGridManager(["-c", gm, "sign", "s", "5"]), 0);
    const result = await runGridManager(["-c", gm, "remove", "s"]);
    assertExit(result, 0);
    assert.match(result.stderr, /and 1 certificate file\n/);
  });
});

Deno.test("suggested commands carry the --config they need", async () => {
  const config = await createStreamConfig();
  const stream = await runGridManager(["-c", "-", "sign", "my node"], {
    stdin: config,
  });
  assertFailure(
    stream,
    1,
    /add it first with "grid-manager --config - add 'my node' PUBKEY"/,
  );
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    const removed = await runGridManager(["-c", gm, "remove", "x"]);
    assertFailure(
      removed,
      1,
      new RegExp(`"grid-manager --config ${gm} list" shows the registered`),
    );
  });
});

Deno.test("--config naming a file says it must be a directory", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "storage0.cert");
    await Deno.writeTextFile(file, "{}");
    for (const args of [["list"], ["add", "s", KEY_A], ["sign", "s"]]) {
      const result = await runGridManager(["-c", file, ...args]);
      assertFailure(
        result,
        1,
        /--config must be a Grid Manager directory \(or -\), and .*storage0\.cert is a file$/m,
      );
    }
  });
});

Deno.test("a NAME of the wrong form exits 2 in add and sign, like DAYS", async () => {
  await withTempDir(async (dir) => {
    const gm = await createGridManager(dir);
    assertFailure(
      await runGridManager(["-c", gm, "add", "a/b", KEY_A]),
      2,
      /invalid server name/,
    );
    assertFailure(
      await runGridManager(["-c", gm, "sign", "s", "0"]),
      2,
      /invalid DAYS/,
    );
    assertFailure(
      await runGridManager(["-c", gm, "add", "s", "pub-v0-x"]),
      1,
      /pub-v0-x/,
    );
  });
});

const RUNNING_AS_ROOT = new TextDecoder().decode(
  (await new Deno.Command("id", { args: ["-u"] }).output()).stdout,
).trim() === "0";

Deno.test("sign in a read-only directory names the directory", async () => {
  await withTempDir(async (dir) => {
    Deno.chmodSync(dir, 0o755);
    const gm = await createGridManager(dir);
    assertExit(await runGridManager(["-c", gm, "add", "s", KEY_A]), 0);
    const args = ["--config", gm, "sign", "s"];
    let result: RunResult;
    if (RUNNING_AS_ROOT) {
      // root may write anywhere, so the command runs as nobody.
      const home = join(dir, "home");
      Deno.mkdirSync(home);
      for (const path of [gm, join(gm, "config.json"), home]) {
        Deno.chownSync(path, 65534, 65534);
      }
      Deno.chmodSync(gm, 0o500);
      const output = await new Deno.Command("setpriv", {
        args: [
          "--reuid=nobody",
          "--regid=nogroup",
          "--clear-groups",
          Deno.execPath(),
          "run",
          "--quiet",
          ...RUN_PERMISSIONS,
          BUNDLE,
          ...args,
        ],
        env: { DENO_DIR: home, HOME: home, DENO_NO_UPDATE_CHECK: "1" },
      }).output();
      const decoder = new TextDecoder();
      result = {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
    } else {
      Deno.chmodSync(gm, 0o500);
      result = await runGridManager(args);
    }
    Deno.chmodSync(gm, 0o700);
    assertFailure(
      result,
      1,
      new RegExp(
        `cannot create files in ${gm}: permission denied; the directory must be writable`,
      ),
    );
  });
});
