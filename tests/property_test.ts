/**
 * Property tests for every parser and serializer in lib/: round trips,
 * canonical re-encoding, and agreement with Tahoe-LAFS's own code on
 * thousands of generated inputs.
 *
 * PROPERTY_RUNS sets the runs per property (default 10,000). A failure
 * prints fast-check's seed and path; PROPERTY_SEED replays a seed.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBase32, encodeBase32 } from "../lib/base32.ts";
import {
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signCertificate,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import {
  addServer,
  formatGridManagerConfig,
  type GridManagerConfig,
  parseGridManagerConfig,
} from "../lib/grid_manager.ts";
import {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  keyPairFromSeed,
  normalizePublicKey,
} from "../lib/keys.ts";
import {
  dumpPythonJson,
  type JsonValue,
  parseJson,
} from "../lib/python_json.ts";
import { formatIsoTime, parseIsoTime } from "../lib/time.ts";
import { invalidFileNameReason } from "../lib/names.ts";
import { runPython } from "./helpers.ts";

const RUNS = Number(Deno.env.get("PROPERTY_RUNS") ?? 10_000);
const SEED_TEXT = Deno.env.get("PROPERTY_SEED");
const SEED = SEED_TEXT === undefined
  ? Date.now() ^ (Math.random() * 2 ** 31)
  : Number(SEED_TEXT);

/** fast-check parameters: the run count, and a seed it prints on failure. */
const PARAMETERS: fc.Parameters<unknown> = { numRuns: RUNS, seed: SEED };

function check<T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>) {
  fc.assert(property, PARAMETERS as fc.Parameters<T>);
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const base32Text = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567"),
  maxLength: 120,
});
/** Base32-like text with the mistakes people make: case, padding, digits. */
const nearBase32Text = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567AZ018=- "),
  maxLength: 60,
});

/** Asks tests/tahoe/oracle.py one question per request. */
async function askTahoe(
  requests: unknown[],
): Promise<Record<string, unknown>[]> {
  const result = await runPython("oracle.py", [], {
    stdin: requests.map((request) => JSON.stringify(request) + "\n").join(""),
  });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
}

/** Draws `RUNS` values of `arbitrary` with the printed seed. */
function samples<T>(arbitrary: fc.Arbitrary<T>): T[] {
  return fc.sample(arbitrary, { numRuns: RUNS, seed: SEED });
}

/** Fails with the seed, the input and both results of the first mismatch. */
function assertAllAgree<T>(
  inputs: T[],
  ours: (input: T) => unknown,
  theirs: unknown[],
) {
  for (let i = 0; i < inputs.length; i++) {
    const mine = ours(inputs[i]!);
    if (JSON.stringify(mine) !== JSON.stringify(theirs[i])) {
      assert.fail(
        `disagreement with Tahoe (PROPERTY_SEED=${SEED}) on ` +
          `${JSON.stringify(inputs[i])}: ours ${JSON.stringify(mine)}, ` +
          `Tahoe ${JSON.stringify(theirs[i])}`,
      );
    }
  }
}

Deno.test("base32 round trips bytes", () => {
  check(fc.property(fc.uint8Array({ maxLength: 80 }), (data) => {
    assert.deepEqual(decodeBase32(encodeBase32(data)), data);
  }));
});

Deno.test("base32 canonical text re-encodes to itself", () => {
  check(fc.property(base32Text, (text) => {
    let data: Uint8Array;
    try {
      data = decodeBase32(text);
    } catch (error) {
      assert.ok(error instanceof SyntaxError);
      return;
    }
    const canonical = encodeBase32(data);
    assert.equal(encodeBase32(decodeBase32(canonical)), canonical);
    assert.deepEqual(decodeBase32(canonical), data);
    // A non-canonical text differs only in its last character.
    assert.equal(canonical.slice(0, -1), text.slice(0, -1));
  }));
});

Deno.test("base32 decoding agrees with Tahoe's a2b", async () => {
  const inputs = samples(fc.oneof(base32Text, nearBase32Text));
  const answers = await askTahoe(
    inputs.map((text) => ({ op: "a2b", text })),
  );
  const ours = (text: string) => {
    try {
      return {
        hex: Array.from(
          decodeBase32(text),
          (b) => b.toString(16).padStart(2, "0"),
        ).join(""),
      };
    } catch {
      return "error";
    }
  };
  assertAllAgree(
    inputs,
    ours,
    answers.map((answer) => ("error" in answer ? "error" : answer)),
  );
});

Deno.test("public keys round trip and stay canonical", () => {
  check(fc.property(bytes32, (key) => {
    const text = encodePublicKey(key);
    assert.deepEqual(decodePublicKey(text), key);
    assert.equal(normalizePublicKey(` ${text}\n`), text);
  }));
});

Deno.test("private keys round trip", () => {
  check(fc.property(bytes32, (seed) => {
    assert.deepEqual(decodePrivateKey(encodePrivateKey(seed)), seed);
  }));
});

Deno.test("accepted key strings re-encode canonically", () => {
  check(fc.property(fc.oneof(base32Text, nearBase32Text), (body) => {
    for (
      const [prefix, decode, encode] of [
        ["pub-v0-", decodePublicKey, encodePublicKey],
        ["priv-v0-", decodePrivateKey, encodePrivateKey],
      ] as const
    ) {
      let key: Uint8Array;
      try {
        key = decode(prefix + body);
      } catch {
        continue;
      }
      const canonical = encode(key);
      assert.deepEqual(decode(canonical), key);
      assert.equal(canonical.slice(0, -1), prefix + body.slice(0, -1));
    }
  }));
});

Deno.test("private key errors never contain the key", () => {
  check(fc.property(bytes32, nearBase32Text, (seed, noise) => {
    const key = encodePrivateKey(seed);
    const broken = key.slice(0, 20) + noise + key.slice(20);
    try {
      decodePrivateKey(broken);
    } catch (error) {
      const message = (error as Error).message;
      assert.ok(!message.includes(key.slice(8, 20)), message);
    }
  }));
});

/** JSON values the Python layout handles: safe integers, no floats. */
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.string({ unit: "binary" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
  ),
})).value as fc.Arbitrary<JsonValue>;

const dumpOptions = fc.record({
  indent: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  compact: fc.boolean(),
  sortKeys: fc.boolean(),
});

Deno.test("Python-style JSON parses back to the value", () => {
  check(fc.property(jsonValue, dumpOptions, (value, options) => {
    assert.deepEqual(parseJson(dumpPythonJson(value, options)), value);
  }));
});

Deno.test("Python-style JSON matches Python's json.dumps", async () => {
  const inputs = samples(fc.tuple(jsonValue, dumpOptions));
  const answers = await askTahoe(inputs.map(([value, options]) => ({
    op: "dumps",
    value,
    indent: options.indent ?? null,
    compact: options.compact,
    sort_keys: options.sortKeys,
  })));
  assertAllAgree(
    inputs,
    ([value, options]) => ({ text: dumpPythonJson(value, options) }),
    answers,
  );
});

/** Microseconds from year 1685 to 2255, where a number holds them exactly. */
const micros = fc.integer({
  min: -Number.MAX_SAFE_INTEGER,
  max: Number.MAX_SAFE_INTEGER,
});

Deno.test("time format parses back to the same microsecond", () => {
  check(fc.property(micros, fc.constantFrom("T", " "), (time, separator) => {
    const text = formatIsoTime(time, separator);
    const parsed = parseIsoTime(text);
    assert.equal(parsed.micros, time);
    assert.equal(parsed.needsPython311, false);
  }));
});

/** ISO-like times: mostly valid fields, sometimes out of range. */
const isoLikeTime = fc.tuple(
  fc.integer({ min: 1, max: 2255 }),
  fc.integer({ min: 0, max: 13 }),
  fc.integer({ min: 0, max: 32 }),
  fc.integer({ min: 0, max: 24 }),
  fc.integer({ min: 0, max: 60 }),
  fc.integer({ min: 0, max: 60 }),
  fc.constantFrom("", ".123", ".123456", ".5", ".1234567"),
  fc.constantFrom("+00:00", "-05:30", "+23:59", "+24:00", "Z", "", "+0100"),
  fc.constantFrom("T", " "),
).map(([y, mo, d, h, mi, s, fraction, offset, separator]) => {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(y, 4)}-${p(mo)}-${p(d)}${separator}${p(h)}:${p(mi)}:${p(s)}` +
    `${fraction}${offset}`;
});

Deno.test("time parsing agrees with Python's fromisoformat", async () => {
  const inputs = samples(isoLikeTime);
  const answers = await askTahoe(
    inputs.map((text) => ({ op: "fromisoformat", text })),
  );
  // We reject a time without an offset (Tahoe cannot compare it).
  const inputsToCompare: string[] = [];
  const expected: Record<string, unknown>[] = [];
  inputs.forEach((text, i) => {
    const answer = answers[i]!;
    if ("naive" in answer) return;
    inputsToCompare.push(text);
    expected.push("error" in answer ? { error: true } : answer);
  });
  assertAllAgree(inputsToCompare, (text) => {
    try {
      return { micros: parseIsoTime(text).micros };
    } catch {
      return { error: true };
    }
  }, expected);
});

/** Seconds before 2255 in microseconds, as certificate expiry times. */
const expiry = fc.integer({ min: 0, max: 9_000_000_000_000_000 });

Deno.test("certificates sign, parse and verify", () => {
  check(fc.property(bytes32, bytes32, expiry, (seed, serverKey, expires) => {
    const server = encodePublicKey(serverKey);
    const document = signCertificate(seed, server, expires);
    const text = formatCertificateDocument(document);
    const parsed = parseCertificateDocument(text, "generated");
    assert.deepEqual(parsed, document);
    const payload = parseCertificatePayload(parsed);
    assert.equal(payload.publicKey, server);
    assert.equal(payload.expiresMicros, expires);
    assert.ok(verifyCertificateSignature(parsed, publicKeyFromSeed(seed)));
  }));
});

Deno.test("certificates fail to verify after any bit flip", () => {
  const seed = new Uint8Array(32).fill(3);
  const gridManagerKey = publicKeyFromSeed(seed);
  check(fc.property(bytes32, expiry, fc.nat(), (serverKey, expires, bit) => {
    const document = signCertificate(seed, encodePublicKey(serverKey), expires);
    const signature = decodeBase32(document.signature);
    const index = bit % (signature.length * 8);
    signature[index >> 3]! ^= 1 << (index & 7);
    const flippedSignature = {
      ...document,
      signature: encodeBase32(signature),
    };
    assert.equal(
      verifyCertificateSignature(flippedSignature, gridManagerKey),
      false,
    );
    const payload = new TextEncoder().encode(document.certificate);
    const at = bit % payload.length;
    const flippedPayload = {
      ...document,
      certificate: document.certificate.slice(0, at) +
        String.fromCharCode(payload[at]! ^ 1) +
        document.certificate.slice(at + 1),
    };
    assert.equal(
      verifyCertificateSignature(flippedPayload, gridManagerKey),
      false,
    );
  }));
});

/** Server names a config can hold: any well-formed text but paths. */
const serverName = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((name) => invalidFileNameReason(name) === undefined);

const gridManagerConfig: fc.Arbitrary<GridManagerConfig> = fc.tuple(
  bytes32,
  fc.uniqueArray(fc.tuple(serverName, bytes32), {
    maxLength: 6,
    selector: ([name]) => name,
  }),
).map(([seed, servers]) => {
  let config: GridManagerConfig = { keys: keyPairFromSeed(seed), servers: [] };
  for (const [name, key] of servers) {
    config = addServer(config, name, encodePublicKey(key)).config;
  }
  return config;
});

Deno.test("config parse(format(x)) round trips", () => {
  check(fc.property(gridManagerConfig, (config) => {
    const text = formatGridManagerConfig(config);
    const parsed = parseGridManagerConfig(text, "generated");
    assert.deepEqual(parsed.keys, config.keys);
    // Objects list integer-like names first, so compare by name.
    const byName = (c: GridManagerConfig) =>
      [...c.servers].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(byName(parsed), byName(config));
    assert.equal(formatGridManagerConfig(parsed), text);
  }));
});
