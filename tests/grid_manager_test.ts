import assert from "node:assert/strict";
import {
  parseCertificatePayload,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { InvalidConfigError, InvalidKeyError } from "../lib/errors.ts";
import {
  addServer,
  createGridManagerConfig,
  findServer,
  formatGridManagerConfig,
  type GridManagerConfig,
  parseGridManagerConfig,
  publicIdentity,
  removeServer,
  signForServer,
} from "../lib/grid_manager.ts";
import {
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  keyPairFromSeed,
} from "../lib/keys.ts";

const SEED = new Uint8Array(32).fill(7);
const PRIVATE = encodePrivateKey(SEED);
const KEY_A = encodePublicKey(generateKeyPair().publicKey);
const KEY_B = encodePublicKey(generateKeyPair().publicKey);

function emptyConfig(): GridManagerConfig {
  return { keys: keyPairFromSeed(SEED), servers: [] };
}

Deno.test("formatGridManagerConfig() leaves out an empty server list", () => {
  assert.equal(
    formatGridManagerConfig(emptyConfig()),
    `{\n    "grid_manager_config_version": 0,\n    "private_key": "${PRIVATE}"\n}\n`,
  );
});

Deno.test("formatGridManagerConfig() writes servers in added order", () => {
  let config = emptyConfig();
  config = addServer(config, "zeta", KEY_A).config;
  config = addServer(config, "\u00e9t\u00e9", KEY_B).config;
  assert.equal(
    formatGridManagerConfig(config),
    "{\n" +
      '    "grid_manager_config_version": 0,\n' +
      `    "private_key": "${PRIVATE}",\n` +
      '    "storage_servers": {\n' +
      '        "zeta": {\n' +
      `            "public_key": "${KEY_A}"\n` +
      "        },\n" +
      '        "\\u00e9t\\u00e9": {\n' +
      `            "public_key": "${KEY_B}"\n` +
      "        }\n" +
      "    }\n" +
      "}\n",
  );
});

Deno.test("parseGridManagerConfig() reads what format writes", () => {
  let config = emptyConfig();
  config = addServer(config, "b", KEY_A).config;
  config = addServer(config, "a", KEY_B).config;
  const parsed = parseGridManagerConfig(formatGridManagerConfig(config), "x");
  assert.deepEqual(parsed.keys.seed, SEED);
  assert.deepEqual(parsed.servers, config.servers);
});

Deno.test("parseGridManagerConfig() accepts compact JSON", () => {
  const text = JSON.stringify({
    private_key: PRIVATE,
    grid_manager_config_version: 0,
    storage_servers: { s: { public_key: KEY_A, extra: 1 } },
  });
  const parsed = parseGridManagerConfig(text, "x");
  assert.deepEqual(parsed.servers, [{ name: "s", publicKey: KEY_A }]);
});

function rejectsConfig(value: unknown, pattern: RegExp): void {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  assert.throws(
    () => parseGridManagerConfig(text, "gm/config.json"),
    (error: unknown) => {
      assert.ok(error instanceof InvalidConfigError, String(error));
      assert.match(
        error.message,
        /^invalid Grid Manager config in gm\/config\.json: /,
      );
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes(PRIVATE.slice(8)));
      return true;
    },
  );
}

const GOOD = { grid_manager_config_version: 0, private_key: PRIVATE };

Deno.test("parseGridManagerConfig() rejects invalid JSON", () => {
  rejectsConfig("{", /not valid JSON/);
  rejectsConfig("[]", /top level is not a JSON object/);
});

Deno.test("parseGridManagerConfig() rejects other versions", () => {
  rejectsConfig(
    { ...GOOD, grid_manager_config_version: 1 },
    /is 1, expected 0/,
  );
  rejectsConfig({ private_key: PRIVATE }, /is missing, expected 0/);
});

Deno.test("parseGridManagerConfig() rejects a bad private key", () => {
  rejectsConfig({ grid_manager_config_version: 0 }, /"private_key" is missing/);
  rejectsConfig(
    { ...GOOD, private_key: PRIVATE.slice(0, -1) },
    /invalid private key/,
  );
  rejectsConfig({ ...GOOD, private_key: PRIVATE + "a" }, /invalid private key/);
});

Deno.test("parseGridManagerConfig() rejects a bad server list", () => {
  rejectsConfig({ ...GOOD, storage_servers: [] }, /"storage_servers" is not/);
  rejectsConfig(
    { ...GOOD, storage_servers: { s: {} } },
    /"s" has no "public_key"/,
  );
  rejectsConfig(
    { ...GOOD, storage_servers: { s: null } },
    /"s" has no "public_key"/,
  );
  rejectsConfig(
    { ...GOOD, storage_servers: { s: { public_key: "pub-v0-a" } } },
    /storage server "s": invalid public key/,
  );
});

Deno.test("parseGridManagerConfig() names an unusable server name", () => {
  for (const name of ["a/b", "..", "", "x\u0000y", "a\\b", "\n"]) {
    const text = JSON.stringify({
      ...GOOD,
      storage_servers: { [name]: { public_key: KEY_A } },
    });
    assert.throws(
      () => parseGridManagerConfig(text, "gm/config.json"),
      (error: unknown) => {
        assert.ok(error instanceof InvalidConfigError);
        assert.ok(
          error.message.includes(
            `storage server name ${JSON.stringify(name)} is unusable`,
          ),
          error.message,
        );
        assert.match(error.message, /rename it in config\.json$/);
        return true;
      },
      JSON.stringify(name),
    );
  }
});

Deno.test("addServer() stores the canonical key", () => {
  const { config, sameKeyNames } = addServer(emptyConfig(), "s", KEY_A);
  assert.deepEqual(config.servers, [{ name: "s", publicKey: KEY_A }]);
  assert.deepEqual(sameKeyNames, []);
});

Deno.test("addServer() leaves the input unchanged", () => {
  const before = emptyConfig();
  addServer(before, "s", KEY_A);
  assert.equal(before.servers.length, 0);
});

Deno.test("addServer() rejects a taken name", () => {
  const config = addServer(emptyConfig(), "s", KEY_A).config;
  assert.throws(() => addServer(config, "s", KEY_B), /"s" already exists/);
});

Deno.test("addServer() reports names with the same key", () => {
  let config = addServer(emptyConfig(), "one", KEY_A).config;
  config = addServer(config, "two", KEY_A).config;
  assert.deepEqual(addServer(config, "three", KEY_A).sameKeyNames, [
    "one",
    "two",
  ]);
});

Deno.test("addServer() rejects invalid names and keys", () => {
  assert.throws(
    () => addServer(emptyConfig(), "a/b", KEY_A),
    InvalidConfigError,
  );
  assert.throws(
    () => addServer(emptyConfig(), "s", KEY_A + " "),
    InvalidKeyError,
  );
});

Deno.test("removeServer() drops only the named server", () => {
  let config = addServer(emptyConfig(), "a", KEY_A).config;
  config = addServer(config, "b", KEY_B).config;
  assert.deepEqual(removeServer(config, "a").servers, [{
    name: "b",
    publicKey: KEY_B,
  }]);
});

Deno.test("removeServer() rejects an unknown name", () => {
  assert.throws(
    () => removeServer(emptyConfig(), "a"),
    /no storage server called "a"/,
  );
});

Deno.test("findServer() finds by exact name", () => {
  const config = addServer(emptyConfig(), "a", KEY_A).config;
  assert.equal(findServer(config, "a")?.publicKey, KEY_A);
  assert.equal(findServer(config, "A"), undefined);
});

Deno.test("signForServer() signs for the server's key", () => {
  const config = addServer(createGridManagerConfig(), "a", KEY_A).config;
  const { document, text } = signForServer(config, "a", 86_400_000_000);
  assert.equal(parseCertificatePayload(document).publicKey, KEY_A);
  assert.equal(
    verifyCertificateSignature(
      document,
      decodePublicKey(publicIdentity(config)),
    ),
    true,
  );
  assert.ok(text.startsWith('{\n    "certificate": '), text);
});

Deno.test("signForServer() rejects an unknown name", () => {
  assert.throws(
    () => signForServer(emptyConfig(), "a", 0),
    /no storage server called "a"; add it first/,
  );
});

Deno.test("publicIdentity() matches the private key", () => {
  assert.equal(
    publicIdentity(emptyConfig()),
    encodePublicKey(keyPairFromSeed(SEED).publicKey),
  );
});

Deno.test("parseGridManagerConfig() keeps integer-like names in order", () => {
  const text = JSON.stringify({
    ...GOOD,
    storage_servers: { b: { public_key: KEY_A } },
  }).replace(
    '"b":',
    `"10": {"public_key": "${KEY_B}"}, "9": {"public_key": "${KEY_A}"}, "b":`,
  );
  const config = parseGridManagerConfig(text, "x");
  assert.deepEqual(config.servers.map((s) => s.name), ["10", "9", "b"]);
  assert.equal(config.servers[0]!.publicKey, KEY_B);
});

Deno.test("parseGridManagerConfig() reads a repeated name as Python does", () => {
  // Python's json keeps the first position of a repeated key and its last
  // value, as JSON.parse does.
  const text =
    `{"grid_manager_config_version": 0, "private_key": "${PRIVATE}",` +
    ` "storage_servers": {"7": {"public_key": "${KEY_A}"},` +
    ` "a": {"public_key": "${KEY_A}"}, "7": {"public_key": "${KEY_B}"}}}`;
  const config = parseGridManagerConfig(text, "x");
  assert.deepEqual(config.servers, [
    { name: "7", publicKey: KEY_B },
    { name: "a", publicKey: KEY_A },
  ]);
});

Deno.test("formatGridManagerConfig() keeps integer-like names in order", () => {
  let config = emptyConfig();
  for (const name of ["b", "10", "9"]) {
    config = addServer(config, name, KEY_A).config;
  }
  const text = formatGridManagerConfig(config);
  assert.ok(text.indexOf('"b"') < text.indexOf('"10"'), text);
  assert.ok(text.indexOf('"10"') < text.indexOf('"9"'), text);
  assert.deepEqual(
    parseGridManagerConfig(text, "x").servers.map((s) => s.name),
    ["b", "10", "9"],
  );
});
