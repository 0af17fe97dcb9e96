/**
 * Ed25519 edge cases: our verifier (lib/ed25519.ts) against Tahoe's, which
 * is OpenSSL through Python's `cryptography`. Cases cover non-canonical S,
 * small-order and mixed-order keys and R, non-canonical point encodings,
 * flipped bits and wrong lengths.
 */

import assert from "node:assert/strict";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { encodeBase32 } from "../lib/base32.ts";
import { verifyCertificateSignature } from "../lib/certificate.ts";
import {
  isSmallOrderPublicKey,
  publicKeyFromSeed,
  sign,
  verify,
} from "../lib/ed25519.ts";
import { runPython } from "./helpers.ts";

const { n: L } = ed.Point.CURVE();

/** One verification question. */
interface Vector {
  readonly name: string;
  readonly key: Uint8Array;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) =>
  Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));

function toLittleEndian(value: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    value = (value << 8n) | BigInt(bytes[i]!);
  }
  return value;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The eight small-order points in canonical encoding. */
const SMALL_ORDER = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
].map(fromHex);

/** Non-canonical encodings: y >= p, or x = 0 with the sign bit set. */
const NON_CANONICAL = [
  "0100000000000000000000000000000000000000000000000000000000000080",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map(fromHex);

/**
 * Signs `message` for an arbitrary key point `key` with secret scalar `a`,
 * as a signer who knows `a` but publishes a key with a small-order part.
 */
function signWithScalar(
  a: bigint,
  key: Uint8Array,
  message: Uint8Array,
  r: bigint,
): Uint8Array {
  const R = ed.Point.BASE.multiply(r).toBytes();
  const k = ed.etc.mod(fromLittleEndian(sha512(concat(R, key, message))), L);
  const s = ed.etc.mod(r + k * a, L);
  return concat(R, toLittleEndian(s));
}

function buildVectors(): Vector[] {
  const vectors: Vector[] = [];
  const message = new TextEncoder().encode(
    '{"expires":"2030-01-01T00:00:00+00:00","public_key":"pub-v0-x","version":1}',
  );
  const seed = new Uint8Array(32).fill(5);
  const key = publicKeyFromSeed(seed);
  const good = sign(seed, message);
  const R = good.subarray(0, 32);
  const S = fromLittleEndian(good.subarray(32));
  const withS = (s: bigint) => concat(R, toLittleEndian(s));

  vectors.push({ name: "valid", key, signature: good, message });
  vectors.push({
    name: "empty-message",
    key,
    signature: sign(seed, new Uint8Array()),
    message: new Uint8Array(),
  });
  vectors.push({ name: "s-plus-l", key, signature: withS(S + L), message });
  vectors.push({
    name: "s-plus-2l",
    key,
    signature: withS(S + 2n * L),
    message,
  });
  vectors.push({ name: "s-equals-l", key, signature: withS(L), message });
  vectors.push({ name: "s-zero", key, signature: withS(0n), message });
  vectors.push({
    name: "s-max",
    key,
    signature: withS(2n ** 256n - 1n),
    message,
  });
  vectors.push({
    name: "s-high-bit",
    key,
    signature: withS(S | (1n << 255n)),
    message,
  });

  // Flipped bits in signature, key and message.
  for (let bit = 0; bit < 512; bit += 7) {
    const signature = good.slice();
    signature[bit >> 3]! ^= 1 << (bit & 7);
    vectors.push({ name: `flip-signature-${bit}`, key, signature, message });
  }
  for (let bit = 0; bit < 256; bit += 5) {
    const flipped = key.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    vectors.push({
      name: `flip-key-${bit}`,
      key: flipped,
      signature: good,
      message,
    });
  }
  for (let bit = 0; bit < message.length * 8; bit += 13) {
    const flipped = message.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    vectors.push({
      name: `flip-message-${bit}`,
      key,
      signature: good,
      message: flipped,
    });
  }

  // Wrong lengths.
  for (const length of [0, 1, 31, 63, 65, 128]) {
    const signature = new Uint8Array(length);
    signature.set(good.subarray(0, Math.min(length, 64)));
    vectors.push({
      name: `signature-length-${length}`,
      key,
      signature,
      message,
    });
  }
  for (const length of [0, 31, 33, 64]) {
    const wrongKey = new Uint8Array(length);
    wrongKey.set(key.subarray(0, Math.min(length, 32)));
    vectors.push({
      name: `key-length-${length}`,
      key: wrongKey,
      signature: good,
      message,
    });
  }

  // Small-order keys and R: with S = 0 and R = identity, the equation
  // [S]B = R + [k]A holds for the identity key and every message.
  SMALL_ORDER.forEach((point, i) => {
    SMALL_ORDER.forEach((r, j) => {
      vectors.push({
        name: `small-order-key-${i}-r-${j}-s-0`,
        key: point,
        signature: concat(r, new Uint8Array(32)),
        message,
      });
    });
    vectors.push({
      name: `small-order-key-${i}-valid-r`,
      key: point,
      signature: good,
      message,
    });
    vectors.push({
      name: `small-order-r-${i}-good-key`,
      key,
      signature: concat(point, good.subarray(32)),
      message,
    });
  });

  // Non-canonical encodings of the key and of R.
  NON_CANONICAL.forEach((point, i) => {
    vectors.push({
      name: `non-canonical-key-${i}`,
      key: point,
      signature: concat(SMALL_ORDER[0]!, new Uint8Array(32)),
      message,
    });
    vectors.push({
      name: `non-canonical-r-${i}`,
      key,
      signature: concat(point, good.subarray(32)),
      message,
    });
  });
  // A non-canonical R for the same point as a valid signature's R: y + p.
  const yPlusP = (fromLittleEndian(R) & ((1n << 255n) - 1n)) +
    ed.Point.CURVE().p;
  if (yPlusP < 1n << 255n) {
    const encoded = toLittleEndian(
      yPlusP | (fromLittleEndian(R) & (1n << 255n)),
    );
    vectors.push({
      name: "r-plus-p",
      key,
      signature: concat(encoded, good.subarray(32)),
      message,
    });
  }

  // Mixed-order keys: a real key plus a small-order point. The signer knows
  // the scalar, so the cofactored equation holds for every message, and the
  // cofactorless one only when 8 divides the hash (1 time in 8).
  const a = 0x1234567890abcdefn * 7919n % L;
  for (let t = 1; t < SMALL_ORDER.length; t++) {
    const torsion = ed.Point.fromBytes(SMALL_ORDER[t]!);
    const mixed = ed.Point.BASE.multiply(a).add(torsion).toBytes();
    for (let i = 0; i < 8; i++) {
      const text = concat(message, new Uint8Array([t, i]));
      vectors.push({
        name: `mixed-order-key-${t}-${i}`,
        key: mixed,
        signature: signWithScalar(a, mixed, text, 1000n + BigInt(i)),
        message: text,
      });
    }
  }
  return vectors;
}

async function tahoeVerdicts(vectors: Vector[]): Promise<boolean[]> {
  const requests = vectors.map((v) =>
    JSON.stringify({
      op: "verify",
      key: hex(v.key),
      signature: hex(v.signature),
      message: hex(v.message),
    }) + "\n"
  ).join("");
  const result = await runPython("oracle.py", [], { stdin: requests });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trimEnd().split("\n").map((line) => {
    const answer = JSON.parse(line);
    return answer.valid === true;
  });
}

Deno.test("Ed25519 verify agrees with Tahoe on edge cases", async () => {
  const vectors = buildVectors();
  const theirs = await tahoeVerdicts(vectors);
  const disagreements: string[] = [];
  vectors.forEach((vector, i) => {
    const ours = verify(vector.key, vector.signature, vector.message);
    if (ours !== theirs[i]) {
      disagreements.push(`${vector.name}: ours ${ours}, Tahoe ${theirs[i]}`);
    }
  });
  assert.deepEqual(disagreements, []);
});

Deno.test("Ed25519 vectors include accepted and rejected ones", async () => {
  const vectors = buildVectors();
  const theirs = await tahoeVerdicts(vectors);
  assert.ok(vectors.length >= 200, `${vectors.length} vectors`);
  assert.ok(theirs.filter(Boolean).length >= 2);
  assert.ok(theirs.filter((valid) => !valid).length >= 100);
});

Deno.test("verifyCertificateSignature() rejects an S + L signature", () => {
  const seed = new Uint8Array(32).fill(6);
  const certificate = '{"expires":"2030-01-01T00:00:00+00:00","version":1}';
  const good = sign(seed, new TextEncoder().encode(certificate));
  const s = fromLittleEndian(good.subarray(32)) + L;
  const signature = concat(good.subarray(0, 32), toLittleEndian(s));
  const key = publicKeyFromSeed(seed);
  assert.equal(
    verifyCertificateSignature(
      { certificate, signature: encodeBase32(good) },
      key,
    ),
    true,
  );
  assert.equal(
    verifyCertificateSignature(
      { certificate, signature: encodeBase32(signature) },
      key,
    ),
    false,
  );
});

Deno.test("isSmallOrderPublicKey() flags the eight small-order points", () => {
  for (const point of SMALL_ORDER) {
    assert.equal(isSmallOrderPublicKey(point), true);
  }
});

Deno.test("isSmallOrderPublicKey() passes a real key", () => {
  assert.equal(
    isSmallOrderPublicKey(publicKeyFromSeed(new Uint8Array(32))),
    false,
  );
});
