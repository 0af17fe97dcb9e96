import assert from "node:assert/strict";
import { InvalidKeyError } from "../lib/errors.ts";
import {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  keyPairFromSeed,
  normalizePublicKey,
  publicKeyFromServerId,
  serverIdFromPublicKey,
} from "../lib/keys.ts";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
}

// RFC 8032 section 7.1, test 1.
const SEED = hex(
  "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
);
const PUBLIC = hex(
  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
);
const PUBLIC_TEXT = encodePublicKey(PUBLIC);
const PRIVATE_TEXT = encodePrivateKey(SEED);

Deno.test("encodePublicKey() writes pub-v0- and 52 characters", () => {
  assert.match(PUBLIC_TEXT, /^pub-v0-[a-z2-7]{52}$/);
});

Deno.test("encodePrivateKey() writes priv-v0- and 52 characters", () => {
  assert.match(PRIVATE_TEXT, /^priv-v0-[a-z2-7]{52}$/);
});

Deno.test("decodePublicKey() round-trips", () => {
  assert.deepEqual(decodePublicKey(PUBLIC_TEXT), PUBLIC);
});

Deno.test("decodePrivateKey() round-trips", () => {
  assert.deepEqual(decodePrivateKey(PRIVATE_TEXT), SEED);
});

Deno.test("keyPairFromSeed() derives the RFC 8032 key", () => {
  assert.deepEqual(keyPairFromSeed(SEED).publicKey, PUBLIC);
});

Deno.test("generateKeyPair() makes a matching pair", () => {
  const pair = generateKeyPair();
  assert.equal(pair.seed.length, 32);
  assert.deepEqual(keyPairFromSeed(pair.seed).publicKey, pair.publicKey);
  assert.notDeepEqual(generateKeyPair().seed, pair.seed);
});

function rejectsPublic(text: string, pattern: RegExp): void {
  assert.throws(
    () => decodePublicKey(text),
    (error: unknown) => {
      assert.ok(error instanceof InvalidKeyError, String(error));
      assert.match(error.message, pattern);
      assert.match(error.message, /a valid key is "pub-v0-" followed by 52/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
    text,
  );
}

Deno.test("decodePublicKey() rejects upper case", () => {
  rejectsPublic(PUBLIC_TEXT.toUpperCase(), /must start with "pub-v0-"/);
  rejectsPublic(
    "pub-v0-" + PUBLIC_TEXT.slice(7).toUpperCase(),
    /not in the base32 alphabet/,
  );
});

Deno.test("decodePublicKey() rejects padding", () => {
  rejectsPublic(PUBLIC_TEXT + "====", /character "="/);
});

Deno.test("decodePublicKey() rejects whitespace", () => {
  rejectsPublic(PUBLIC_TEXT + "\n", /character "\\n"/);
  rejectsPublic(" " + PUBLIC_TEXT, /must start with/);
  rejectsPublic(PUBLIC_TEXT.slice(0, 20) + " " + PUBLIC_TEXT.slice(20), /" "/);
});

Deno.test("decodePublicKey() rejects wrong lengths", () => {
  rejectsPublic(PUBLIC_TEXT.slice(0, -1), /not a valid unpadded base32 length/);
  rejectsPublic(PUBLIC_TEXT.slice(0, -2), /encodes 31 bytes, not 32/);
  rejectsPublic(PUBLIC_TEXT + "aaa", /encodes 34 bytes, not 32/);
  rejectsPublic("pub-v0-", /encodes 0 bytes, not 32/);
});

Deno.test("decodePublicKey() rejects non-zero unused bits", () => {
  // 52 characters carry 260 bits, so the last character's low 4 bits are unused.
  const last = PUBLIC_TEXT.at(-1)!;
  const altered = PUBLIC_TEXT.slice(0, -1) + (last === "b" ? "c" : "b");
  rejectsPublic(altered, /non-zero unused bits/);
});

Deno.test("decodePublicKey() explains the server id form", () => {
  assert.throws(
    () => decodePublicKey(serverIdFromPublicKey(PUBLIC_TEXT)),
    /must start with "pub-v0-"; "v0-.{9}\.\.\." is a server id, so add "pub-" in front$/,
  );
});

Deno.test("decodePrivateKey() never shows the key", () => {
  const bad = [
    PRIVATE_TEXT.slice(0, -1),
    PRIVATE_TEXT + "q",
    PRIVATE_TEXT.toUpperCase(),
    PRIVATE_TEXT.slice(1),
  ];
  for (const text of bad) {
    assert.throws(
      () => decodePrivateKey(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidKeyError);
        assert.match(error.message, /^invalid private key: /);
        assert.ok(!error.message.includes(PRIVATE_TEXT.slice(8, 30)));
        return true;
      },
    );
  }
});

Deno.test("decodePrivateKey() rejects a public key", () => {
  assert.throws(
    () => decodePrivateKey(PUBLIC_TEXT),
    /must start with "priv-v0-"/,
  );
});

Deno.test("normalizePublicKey() trims surrounding whitespace", () => {
  assert.equal(normalizePublicKey(`  ${PUBLIC_TEXT}\r\n`), PUBLIC_TEXT);
  assert.equal(normalizePublicKey(`\t${PUBLIC_TEXT}\n`), PUBLIC_TEXT);
});

Deno.test("normalizePublicKey() rejects inner whitespace", () => {
  assert.throws(
    () =>
      normalizePublicKey(
        PUBLIC_TEXT.slice(0, 10) + "\n" + PUBLIC_TEXT.slice(10),
      ),
    InvalidKeyError,
  );
});

Deno.test("decodePublicKey() truncates a long value in messages", () => {
  assert.throws(
    () => decodePublicKey("x".repeat(500)),
    (error: unknown) => (error as Error).message.length < 300,
  );
});

Deno.test("serverIdFromPublicKey() and back", () => {
  const serverId = serverIdFromPublicKey(PUBLIC_TEXT);
  assert.match(serverId, /^v0-[a-z2-7]{52}$/);
  assert.equal(publicKeyFromServerId(serverId), PUBLIC_TEXT);
});

Deno.test("decodePublicKey() never shows a private key", () => {
  for (const text of [PRIVATE_TEXT, ` ${PRIVATE_TEXT}\n`, PRIVATE_TEXT + "x"]) {
    assert.throws(
      () => decodePublicKey(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidKeyError);
        assert.match(error.message, /the value is a private key/);
        assert.ok(!error.message.includes(PRIVATE_TEXT.slice(8)));
        return true;
      },
    );
  }
});
