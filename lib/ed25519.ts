/**
 * Ed25519 signing and verification, configured once for this package.
 *
 * Verification accepts exactly the signatures that Tahoe-LAFS 1.20 accepts
 * through `cryptography` and OpenSSL, as the compatibility tests check on
 * crafted cases. S must be below the group order. The public key is decoded
 * leniently: any y below 2^255 and small-order points are allowed. R must
 * equal [S]B - [k]A in its canonical encoding (the cofactorless equation).
 * @noble/ed25519's own verify differs in both of its modes, so only its
 * point arithmetic is used here.
 *
 * @module
 */

import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

/** Returns a new random 32-byte Ed25519 seed (the private key). */
export function randomSeed(): Uint8Array {
  return ed.utils.randomSecretKey();
}

/** Derives the 32-byte public key from a 32-byte seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

/** Signs `message` with the key whose seed is `seed`. */
export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, seed);
}

// The order of the base point.
const GROUP_ORDER = ed.Point.CURVE().n;

function bytesToNumberLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    value = (value << 8n) | BigInt(bytes[i]!);
  }
  return value;
}

function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length &&
    left.every((byte, i) => byte === right[i]);
}

/**
 * Checks an Ed25519 signature as OpenSSL does; returns false for any
 * malformed input instead of throwing.
 */
export function verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const s = bytesToNumberLittleEndian(signature.subarray(32));
  if (s >= GROUP_ORDER) return false;
  let key: ed.Point;
  try {
    // The lenient decoding that OpenSSL applies to public keys.
    key = ed.Point.fromBytes(publicKey, true);
  } catch {
    return false;
  }
  const r = signature.subarray(0, 32);
  const k = ed.etc.mod(
    bytesToNumberLittleEndian(
      sha512(ed.etc.concatBytes(r, publicKey, message)),
    ),
    GROUP_ORDER,
  );
  // R must equal [S]B - [k]A exactly, in its canonical encoding.
  const expectedR = ed.Point.BASE.multiply(s, false).subtract(
    key.multiply(k, false),
  );
  return equalBytes(expectedR.toBytes(), r);
}

/**
 * Returns whether 32 bytes encode a point of small order (one of the eight
 * points whose multiples by 8 are the identity), in any encoding. OpenSSL,
 * whose rules Tahoe-LAFS's verifier follows, accepts forged signatures
 * under such a public key, so it must never be trusted as a signer.
 */
export function isSmallOrderPublicKey(bytes: Uint8Array): boolean {
  let point: ed.Point;
  try {
    // ZIP-215 decoding also takes non-canonical encodings of these points.
    point = ed.Point.fromBytes(bytes, true);
  } catch {
    return false;
  }
  return point.isSmallOrder();
}
