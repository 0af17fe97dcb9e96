/**
 * Compatibility with Tahoe-LAFS 1.20: Tahoe's own code (from .venv) loads
 * what we write and accepts our certificates, and we load, list and sign on
 * what Tahoe's `grid-manager` writes.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  formatCertificateDocument,
  signCertificate,
} from "../lib/certificate.ts";
import {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
} from "../lib/keys.ts";
import { publicKeyFromSeed, sign, verify } from "../lib/ed25519.ts";
import { dumpPythonJson, type JsonValue } from "../lib/python_json.ts";
import { formatIsoTime, parseIsoTime } from "../lib/time.ts";
import {
  runGridManager,
  runPython,
  type RunResult,
  runTahoe,
  withTempDir,
} from "./helpers.ts";

const KEY_A = encodePublicKey(generateKeyPair().publicKey);
const KEY_B = encodePublicKey(generateKeyPair().publicKey);
// Names that Tahoe writes as \u escapes, and one outside the BMP.
const NAMES = ["storage0", "st\u00f8rage \u00e9t\u00e9", "\u{1f600}-node"];

function assertOk(result: RunResult, context: string): string {
  assert.equal(
    result.code,
    0,
    `${context} exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
  );
  return result.stdout;
}

async function ours(args: string[], stdin?: string): Promise<string> {
  return assertOk(await runGridManager(args, { stdin }), args.join(" "));
}

async function tahoe(args: string[], stdin?: string): Promise<string> {
  return assertOk(
    await runTahoe("grid-manager", args, { stdin }),
    `tahoe grid-manager ${args.join(" ")}`,
  );
}

interface TahoeView {
  public_identity: string;
  storage_servers: Record<string, {
    public_key: string;
    certificates: { index: number; expires: string; public_key: string }[];
  }>;
}

async function tahoeLoad(location: string, stdin?: string): Promise<TahoeView> {
  const result = await runPython("load_grid_manager.py", [location], { stdin });
  return JSON.parse(assertOk(result, `load_grid_manager ${location}`));
}

/** Builds a Grid Manager directory with our tool: NAMES, each signed once. */
async function ourDirectory(dir: string): Promise<string> {
  const gm = join(dir, "ours");
  await ours(["--config", gm, "create"]);
  await ours(["--config", gm, "add", NAMES[0]!, KEY_A]);
  await ours(["--config", gm, "add", NAMES[1]!, KEY_B]);
  await ours(["--config", gm, "add", NAMES[2]!, KEY_A]);
  for (const name of NAMES) await ours(["--config", gm, "sign", name, "10"]);
  await ours(["--config", gm, "sign", NAMES[0]!, "20"]);
  return gm;
}

// --- Tahoe reads what we write ----------------------------------------------

Deno.test("Tahoe loads our Grid Manager directory", async () => {
  await withTempDir(async (dir) => {
    const gm = await ourDirectory(dir);
    const view = await tahoeLoad(gm);
    assert.equal(
      view.public_identity,
      (await ours(["-c", gm, "public-identity"])).trim(),
    );
    assert.deepEqual(Object.keys(view.storage_servers), NAMES);
    assert.equal(view.storage_servers[NAMES[1]!]!.public_key, KEY_B);
    const first = view.storage_servers[NAMES[0]!]!.certificates;
    assert.deepEqual(first.map((c) => c.index), [0, 1]);
    assert.equal(first[0]!.public_key, KEY_A);
    for (const name of NAMES) {
      const [certificate] = view.storage_servers[name]!.certificates;
      const text = await Deno.readTextFile(join(gm, `${name}.cert.0`));
      const payload = JSON.parse(JSON.parse(text).certificate);
      assert.equal(certificate!.expires, payload.expires, name);
    }
  });
});

Deno.test("Tahoe loads our stream-mode configs", async () => {
  const created = await ours(["--config", "-", "create"]);
  let config = created;
  assert.equal(
    (await tahoeLoad("-", config)).storage_servers.constructor,
    Object,
  );
  for (const [i, name] of NAMES.entries()) {
    config = await ours(
      ["-c", "-", "add", name, i === 1 ? KEY_B : KEY_A],
      config,
    );
    const view = await tahoeLoad("-", config);
    assert.deepEqual(Object.keys(view.storage_servers), NAMES.slice(0, i + 1));
  }
  config = await ours(["-c", "-", "remove", NAMES[1]!], config);
  const view = await tahoeLoad("-", config);
  assert.deepEqual(Object.keys(view.storage_servers), [NAMES[0], NAMES[2]]);
  assert.equal(
    view.public_identity,
    (await ours(["-c", "-", "public-identity"], created)).trim(),
  );
});

Deno.test("Tahoe saves our config byte for byte the same", async () => {
  await withTempDir(async (dir) => {
    const gm = await ourDirectory(dir);
    await ours(["-c", gm, "add", "second", KEY_B]);
    const target = join(dir, "tahoe");
    assertOk(await runPython("save_grid_manager.py", [gm, target]), "save");
    assert.equal(
      await Deno.readTextFile(join(gm, "config.json")),
      await Deno.readTextFile(join(target, "config.json")),
    );
  });
});

Deno.test("we keep the order of numeric server names", async () => {
  // JavaScript objects put integer-like keys first; Tahoe keeps the order
  // in which servers were added.
  const names = ["b", "10", "9", "a", "0", "01", "4294967295"];
  let mine = await ours(["--config", "-", "create"]);
  let theirs = mine;
  for (const name of names) {
    mine = await ours(["-c", "-", "add", name, KEY_A], mine);
    theirs = (await tahoe(["-c", "-", "add", name, KEY_A], theirs)).slice(
      0,
      -1,
    );
    assert.equal(mine, theirs, name);
  }
  const removed = await ours(["-c", "-", "remove", "b"], theirs);
  assert.equal(
    removed,
    (await tahoe(["-c", "-", "remove", "b"], theirs)).slice(0, -1),
  );
  const view = await tahoeLoad("-", removed);
  assert.deepEqual(Object.keys(view.storage_servers).length, names.length - 1);
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    await ours(["--config", gm, "create"]);
    for (const name of names) await ours(["-c", gm, "add", name, KEY_B]);
    const target = join(dir, "tahoe");
    assertOk(await runPython("save_grid_manager.py", [gm, target]), "save");
    assert.equal(
      await Deno.readTextFile(join(gm, "config.json")),
      await Deno.readTextFile(join(target, "config.json")),
    );
  });
});

Deno.test("our stream output matches Tahoe's but for one blank line", async () => {
  let config = await ours(["--config", "-", "create"]);
  for (const name of NAMES) {
    const mine = await ours(["-c", "-", "add", name, KEY_A], config);
    const theirs = await tahoe(["--config", "-", "add", name, KEY_A], config);
    // Tahoe prints the config with print("{}\n"), so one more newline.
    assert.equal(theirs, mine + "\n", name);
    config = mine;
  }
  const mine = await ours(["-c", "-", "remove", NAMES[0]!], config);
  const theirs = await tahoe(["-c", "-", "remove", NAMES[0]!], config);
  assert.equal(theirs, mine + "\n");
});

Deno.test("Tahoe's grid-manager lists and signs on our directory", async () => {
  await withTempDir(async (dir) => {
    const gm = await ourDirectory(dir);
    assert.equal(
      await tahoe(["--config", gm, "public-identity"]),
      await ours(["--config", gm, "public-identity"]),
    );
    assert.equal(
      await tahoe(["--config", gm, "list"]),
      await ours(["--config", gm, "list"]),
    );
    const signed = await tahoe(["--config", gm, "sign", NAMES[1]!, "15"]);
    assert.equal(
      await Deno.readTextFile(join(gm, `${NAMES[1]}.cert.1`)),
      signed.slice(0, -1),
    );
    assert.equal(
      await tahoe(["--config", gm, "list"]),
      await ours(["--config", gm, "list"]),
    );
  });
});

Deno.test("our list sorts names as Tahoe's does", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    await ours(["--config", gm, "create"]);
    // UTF-16 order and code point order disagree on these.
    for (const name of ["\u{1f600}", "\uffff", "\ue000", "b", "B", "10", "9"]) {
      await ours(["--config", gm, "add", name, KEY_A]);
    }
    await ours(["--config", gm, "sign", "\u{1f600}", "10"]);
    assert.equal(
      await ours(["--config", gm, "list"]),
      await tahoe(["--config", gm, "list"]),
    );
  });
});

// --- the client verifier accepts our certificates -----------------------------

async function tahoeVerify(
  gridManagerKey: string,
  serverKey: string,
  certFile: string,
  now: string,
): Promise<{ valid: boolean; bad_signatures: number }> {
  const result = await runPython("verify_certificate.py", [
    gridManagerKey,
    serverKey,
    certFile,
    now,
  ]);
  return JSON.parse(assertOk(result, "verify_certificate"));
}

Deno.test("Tahoe's verifier checks our certificates", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "gm");
    await ours(["-c", gm, "create"]);
    await ours(["-c", gm, "add", "s", KEY_A]);
    await ours(["-c", gm, "sign", "s", "10"]);
    const identity = (await ours(["-c", gm, "public-identity"])).trim();
    const certFile = join(gm, "s.cert.0");
    const payload = JSON.parse(
      JSON.parse(await Deno.readTextFile(certFile)).certificate,
    );
    const expires = parseIsoTime(payload.expires).micros;
    const now = formatIsoTime(Date.now() * 1000);

    const right = await tahoeVerify(identity, KEY_A, certFile, now);
    assert.equal(right.valid, true);
    assert.equal(right.bad_signatures, 0);

    const otherServer = await tahoeVerify(identity, KEY_B, certFile, now);
    assert.equal(otherServer.valid, false);

    const otherManager = await tahoeVerify(KEY_B, KEY_A, certFile, now);
    assert.equal(otherManager.valid, false);
    assert.equal(otherManager.bad_signatures, 1);

    const lastMoment = formatIsoTime(expires - 1);
    assert.equal(
      (await tahoeVerify(identity, KEY_A, certFile, lastMoment)).valid,
      true,
    );
    const atExpiry = formatIsoTime(expires);
    assert.equal(
      (await tahoeVerify(identity, KEY_A, certFile, atExpiry)).valid,
      false,
    );
    const later = formatIsoTime(expires + 86_400_000_000);
    assert.equal(
      (await tahoeVerify(identity, KEY_A, certFile, later)).valid,
      false,
    );
  });
});

Deno.test("our certificate is byte-identical to Tahoe's", async () => {
  await withTempDir(async (dir) => {
    const gridManager = generateKeyPair();
    const privateKey = encodePrivateKey(gridManager.seed);
    for (
      const now of [
        "2026-12-04T16:05:09.123456+00:00",
        "2026-12-04T16:05:09+00:00",
      ]
    ) {
      const theirs = assertOk(
        await runPython("sign_certificate.py", [privateKey, KEY_A, now, "30"]),
        "sign_certificate",
      );
      const expires = parseIsoTime(now).micros + 30 * 86_400_000_000;
      const mine = formatCertificateDocument(
        signCertificate(gridManager.seed, KEY_A, expires),
      );
      assert.equal(mine, theirs, now);
    }
    assert.ok(dir);
  });
});

// --- we read what Tahoe writes --------------------------------------------------

Deno.test("we load, list and sign on Tahoe's Grid Manager", async () => {
  await withTempDir(async (dir) => {
    const gm = join(dir, "tahoe");
    await tahoe(["--config", gm, "create"]);
    await tahoe(["--config", gm, "add", NAMES[0]!, KEY_A]);
    await tahoe(["--config", gm, "add", NAMES[1]!, KEY_B]);
    await tahoe(["--config", gm, "add", "zz", KEY_B]);
    await tahoe(["--config", gm, "sign", NAMES[0]!, "10"]);
    await tahoe(["--config", gm, "sign", NAMES[0]!, "400"]);
    await tahoe(["--config", gm, "sign", NAMES[1]!, "1825"]);

    assert.equal(
      await ours(["--config", gm, "public-identity"]),
      await tahoe(["--config", gm, "public-identity"]),
    );
    // Lifetimes of whole days keep the relative part ("9 days in the
    // future") the same a few seconds apart, so the text must match exactly.
    assert.equal(
      await ours(["--config", gm, "list"]),
      await tahoe(["--config", gm, "list"]),
    );

    const signed = await runGridManager([
      "--config",
      gm,
      "sign",
      NAMES[1]!,
      "5",
    ]);
    assertOk(signed, "our sign");
    // Tahoe's config.json is 0644, which we point out.
    assert.match(signed.stderr, /readable by other users/);
    assert.equal(
      await Deno.readTextFile(join(gm, `${NAMES[1]}.cert.1`)),
      signed.stdout.slice(0, -1),
    );
    const view = await tahoeLoad(gm);
    assert.equal(view.storage_servers[NAMES[1]!]!.certificates.length, 2);
    assert.equal(
      await ours(["--config", gm, "list"]),
      await tahoe(["--config", gm, "list"]),
    );

    await ours(["--config", gm, "remove", "zz"]);
    await ours(["--config", gm, "add", "new", KEY_A]);
    assert.deepEqual(Object.keys((await tahoeLoad(gm)).storage_servers), [
      NAMES[0],
      NAMES[1],
      "new",
    ]);
  });
});

Deno.test("we read Tahoe's stream config with its blank line", async () => {
  const created = await tahoe(["--config", "-", "create"]);
  assert.ok(created.endsWith("}\n\n"));
  const identity = await ours(["-c", "-", "public-identity"], created);
  assert.equal(identity, await tahoe(["-c", "-", "public-identity"], created));
  const added = await ours(["-c", "-", "add", NAMES[2]!, KEY_A], created);
  assert.equal(
    added,
    (await tahoe(["-c", "-", "add", NAMES[2]!, KEY_A], created)).slice(0, -1),
  );
  const signed = await ours(["-c", "-", "sign", NAMES[2]!, "3"], added);
  assert.match(signed, /^\{\n {4}"certificate": /);
});

// --- key decoding agrees with Tahoe's ---------------------------------------------

Deno.test("our key decoder agrees with Tahoe's", async () => {
  const pair = generateKeyPair();
  const pub = encodePublicKey(pair.publicKey);
  const priv = encodePrivateKey(pair.seed);
  const body = pub.slice("pub-v0-".length);
  const last = body.at(-1)!;
  // The last of 52 characters carries 1 data bit and 4 unused bits.
  const lastWithUnusedBit = String.fromCharCode(last.charCodeAt(0) + 1);
  const zeros = "pub-v0-" + "a".repeat(52);
  const cases = [
    pub,
    priv,
    zeros,
    "pub-v0-" + "7".repeat(51) + "q",
    "pub-v0-" + "7".repeat(52),
    pub.toUpperCase(),
    "pub-v0-" + body.toUpperCase(),
    "PUB-v0-" + body,
    "pub-V0-" + body,
    pub + "====",
    pub + "=",
    pub + "\n",
    " " + pub,
    pub + " ",
    "\t" + pub,
    pub.slice(0, 30) + " " + pub.slice(30),
    pub.slice(0, 30) + "\n" + pub.slice(30),
    pub.slice(0, -1),
    pub.slice(0, -2),
    pub.slice(0, -3) + "a",
    pub + "a",
    pub + "aa",
    pub + "aaa",
    pub + "aaaa",
    "pub-v0-" + body.slice(0, -1) + lastWithUnusedBit,
    "pub-v0-" + body.slice(0, -1) + "b",
    body.slice(0, 0) + "v0-" + body,
    body,
    "pub-v1-" + body,
    "pub-" + body,
    "pub-v0-",
    "",
    "pub-v0-" + body.slice(0, -1) + "é",
    "pub-v0-" + "\u0430" + body.slice(1),
    "pub-v0-" + body.slice(0, -1) + "1",
    "pub-v0-" + body.slice(0, -1) + "8",
    "pub-v0-" + body.slice(0, -1) + "0",
    "pub-v0-" + body.replace(/./, "-"),
    "priv-v0-" + body,
    "priv-v0-" + priv.slice(8).toUpperCase(),
    priv + "\n",
    priv.slice(0, -1),
    "priv-v0-" + "a".repeat(52),
    "priv-v0-" + body.slice(0, -1) + lastWithUnusedBit,
    "pub-v0-" + "a".repeat(56),
    "pub-v0-" + "a".repeat(103),
  ];
  assert.ok(cases.length >= 30);
  const result = await runPython("decode_keys.py", [], {
    stdin: JSON.stringify(cases),
  });
  const tahoeResults: { public: boolean; private: boolean }[] = JSON.parse(
    assertOk(result, "decode_keys"),
  );
  let accepted = 0;
  let rejected = 0;
  for (const [i, text] of cases.entries()) {
    const publicOk = succeeds(() => decodePublicKey(text));
    const privateOk = succeeds(() => decodePrivateKey(text));
    assert.equal(
      publicOk,
      tahoeResults[i]!.public,
      `public ${JSON.stringify(text)}`,
    );
    assert.equal(
      privateOk,
      tahoeResults[i]!.private,
      `private ${JSON.stringify(text)}`,
    );
    if (publicOk || privateOk) accepted++;
    else rejected++;
  }
  // The table must exercise both outcomes to prove anything.
  assert.ok(accepted >= 5, `accepted ${accepted}`);
  assert.ok(rejected >= 25, `rejected ${rejected}`);
});

function succeeds(action: () => unknown): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

// --- signature checks agree with Tahoe's -----------------------------------------

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

function littleEndian(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  return bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index >> 3]! ^= 1 << (index & 7);
  return copy;
}

Deno.test("verify() agrees with Tahoe's verify_signature", async () => {
  // The order of the Ed25519 base point, and points of small order.
  const order = (1n << 252n) + 27742317777372353535851937790883648493n;
  const identity = unhex("01" + "00".repeat(31));
  const identityNegativeZero = unhex("01" + "00".repeat(30) + "80");
  const identityAsPPlus1 = unhex("ee" + "ff".repeat(30) + "7f");
  const orderTwo = unhex("ec" + "ff".repeat(30) + "7f");
  const yZeroAsP = unhex("ed" + "ff".repeat(30) + "7f");
  const zero = new Uint8Array(32);

  const seed = unhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
  );
  const key = publicKeyFromSeed(seed);
  const message = new TextEncoder().encode('{"expires":"x"}');
  const signature = sign(seed, message);
  const sPlusOrder = new Uint8Array(signature);
  sPlusOrder.set(
    littleEndian(fromLittleEndian(signature.subarray(32)) + order),
    32,
  );
  const withR = (r: Uint8Array, s: Uint8Array) => new Uint8Array([...r, ...s]);

  const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [
    ["valid", key, signature, message],
    ["empty message", key, sign(seed, new Uint8Array()), new Uint8Array()],
    ["R changed", key, flipBit(signature, 3), message],
    ["S changed", key, flipBit(signature, 300), message],
    ["message changed", key, signature, flipBit(message, 0)],
    ["key changed", flipBit(key, 0), signature, message],
    ["S plus the group order", key, sPlusOrder, message],
    ["all-zero signature", key, new Uint8Array(64), message],
    ["short signature", key, signature.subarray(0, 63), message],
    ["identity key, R identity, S 0", identity, withR(identity, zero), message],
    [
      "identity key as negative zero",
      identityNegativeZero,
      withR(identity, zero),
      message,
    ],
    ["identity key as p+1", identityAsPPlus1, withR(identity, zero), message],
    ["R identity as p+1", identity, withR(identityAsPPlus1, zero), message],
    ["order-2 key", orderTwo, withR(identity, zero), message],
    [
      "order-2 key, other message",
      orderTwo,
      withR(identity, zero),
      flipBit(message, 9),
    ],
    ["order-4 key as y = p", yZeroAsP, withR(identity, zero), message],
    ["order-2 key, real signature", orderTwo, signature, message],
  ];
  const result = await runPython("verify_signatures.py", [], {
    stdin: JSON.stringify(
      cases.map((
        [, publicKey, sig, text],
      ) => [hex(publicKey), hex(sig), hex(text)]),
    ),
  });
  const expected: boolean[] = JSON.parse(assertOk(result, "verify_signatures"));
  for (const [i, [label, publicKey, sig, text]] of cases.entries()) {
    assert.equal(verify(publicKey, sig, text), expected[i], label);
  }
  assert.equal(expected[0], true);
});

// --- the text formats agree with Python's ------------------------------------------

Deno.test("dumpPythonJson() matches Python's json.dumps", async () => {
  const strings = [
    "plain",
    'quote " and \\ backslash / slash',
    "\u0000\u0001\u001f\u007f\b\f\n\r\t",
    "\u00e9\u00ff\u0100\u2028\u2029\ufeff\uffff",
    "\u{1f600}\u{10ffff}\u{10000}",
    "\ud800 lone \udfff",
  ];
  const value: JsonValue = {
    strings,
    nested: { b: [1, -2, 0, []], a: {}, "\u00e9": null, "\u{1f600}": true },
    z: false,
  };
  const cases: [
    JsonValue,
    { indent?: number; compact?: boolean; sort_keys?: boolean },
  ][] = [
    [value, {}],
    [value, { indent: 4 }],
    [value, { indent: 2, sort_keys: true }],
    [value, { compact: true, sort_keys: true }],
    [[], { indent: 4 }],
    [{}, {}],
  ];
  const result = await runPython("python_json.py", [], {
    stdin: JSON.stringify(cases),
  });
  const expected: string[] = JSON.parse(assertOk(result, "python_json"));
  for (const [i, [input, options]] of cases.entries()) {
    const mine = dumpPythonJson(input, {
      indent: options.indent,
      compact: options.compact,
      sortKeys: options.sort_keys,
    });
    assert.equal(mine, expected[i], JSON.stringify(options));
  }
});

function parseOrNull(text: string): number | null {
  try {
    return parseIsoTime(text).micros;
  } catch {
    return null;
  }
}

async function pythonParseTimes(cases: string[]): Promise<(number | null)[]> {
  const result = await runPython("parse_times.py", [], {
    stdin: JSON.stringify(cases),
  });
  return JSON.parse(assertOk(result, "parse_times"));
}

Deno.test("parseIsoTime() agrees with Python's fromisoformat", async () => {
  const cases = [
    "2027-01-31T12:00:00+00:00",
    "2027-01-31T12:00:00.123456+00:00",
    "2027-01-31T12:00:00.123+00:00",
    "2027-01-31 12:00:00+00:00",
    "2027-01-31T14:30:00+02:30",
    "2027-01-31T04:00:00-08:00",
    "2027-01-31T12:00:00-00:00",
    "2027-01-31T12:00:00+00:00:30",
    "2027-01-31T12:00:00+00:00:30.000001",
    "2027-01-31T12:00+00:00",
    "2027-01-31T12+00:00",
    "2027-01-31T12:00:00Z",
    "2027-01-31T12:00:00.5Z",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59.999999+00:00",
    "2028-02-29T00:00:00+00:00",
    "2027-02-29T00:00:00+00:00",
    "2027-01-31T24:00:00+00:00",
    "2027-01-31T12:60:00+00:00",
    "2027-01-31T12:00:00+24:00",
    "2027-01-31T12:00:00.5z",
    "2027-01-31T12:00:00",
    "2027-01-31 12:00:00.123456",
    "2027-01-31",
    "",
    "tomorrow",
  ];
  const expected = await pythonParseTimes(cases);
  for (const [i, text] of cases.entries()) {
    assert.equal(parseOrNull(text), expected[i], JSON.stringify(text));
  }
});

Deno.test("parseIsoTime() reads what Python 3.11 reads, flagged", async () => {
  // Python 3.11 widened fromisoformat; Tahoe on Python 3.9 and 3.10 rejects
  // these, so they parse with needsPython311 set.
  const cases = [
    "2027-01-31T12:00:00.1234+00:00",
    "2027-01-31T12:00:00,5+00:00",
    "2027-01-31T12:00:00+0000",
    "2027-01-31T12:00:00+00",
    "20270131T120000+0000",
    "20270201T000000+00:00",
    "2027-W05-7T12:00:00+00:00",
    "2027-01-31T12:00:00+00:00:30.5",
    "2027-02-01T00:00:00.5+00:00",
    "2027-01-31T12:00:00Z",
  ];
  const python = await pythonParseTimes(cases);
  for (const [i, text] of cases.entries()) {
    assert.notEqual(python[i], null, `Python 3.11 reads ${text}`);
    const parsed = parseIsoTime(text);
    assert.equal(parsed.micros, python[i], text);
    assert.equal(parsed.needsPython311, true, text);
  }
});

Deno.test("parseIsoTime() agrees with Python 3.11 on lenient forms", async () => {
  const cases = [
    "2027-02-01X00:00:00+00:00",
    "2027-02-01\n00:00:00+00:00",
    "2027-02-01\u{1F600}00:00+00",
    "2027-W05T00+00",
    "2027W05T00+00",
    "2027W057T00+00",
    "2027-W057T00+00",
    "2027W05-7T00+00",
    "2027-W53-1T00+00",
    "2026-W53-1T00+00",
    "2027-W00-1T00+00",
    "2027-W05-8T00+00",
    "0001-W01-1T00+00",
    "9999-W52-6T00+00",
    "2027-02-01T0000+00",
    "2027-02-01T00:0000+00",
    "2027-02-01T0000:00+00",
    "2027-02-01T000000.5+00",
    "2027-02-01T0000001+00",
    "2027-02-01T00:00:00:5+00",
    "2027-02-01T00.5+00",
    "2027-02-01T00:00:00.123456789+00",
    "2027-02-01T00:00:00.1234567x+00",
    "2027-02-01T00:00:00.12x+00",
    "2027-02-01T00:00:00.+00",
    "2027-02-01T001+00",
    "2027-02-01T1+00",
    "2027-02-01T00:00:00 +00",
    "2027-02-01T00:00:00.5 +00",
    "2027-02-01T00:00:00\u0660+00",
    "2027-02-01T00:00:00.\uFF15+00",
    "2027-02-01T00:00:00+00:60",
    "2027-02-01T00:00:00+00:00:00.5",
    "2027-02-01T00:00:00+00:00:01.5",
    "2027-02-01T00:00:00-23:59:59.999999",
    "2027-02-01T00:00:00+24",
    "2027-02-01T00:00:00+1",
    "2027-02-01T00:00:00+123",
    "2027-02-01T00:00:00+00Z",
    "2027-02-01T00:00:00z",
    "2027-02-01TZ",
    "2027-02-01T+00",
    "2027-02-01T",
    "20270201 000000Z",
    "2027-0201T00+00",
    "9999-12-31T23:59:59.999999-01:00",
    "0001-01-01T00:30:00+01:00",
    "20270201",
    "2027W05",
  ];
  const expected = await pythonParseTimes(cases);
  for (const [i, text] of cases.entries()) {
    assert.equal(parseOrNull(text), expected[i], JSON.stringify(text));
  }
});
