/**
 * Ed25519 signing and verification, configured once for this package.
 *
 * Verification follows RFC 8032 strictly (`zip215: false`), which is closer
 * to the OpenSSL verifier that Tahoe-LAFS uses through `cryptography`.
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

/**
 * Checks an Ed25519 signature; returns false for any malformed input
 * instead of throwing.
 *
 * Accepts only what OpenSSL (Tahoe's verifier, through `cryptography`)
 * accepts, and also rejects small-order public keys, for which anyone can
 * forge a signature that OpenSSL accepts.
 */
export function verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false }) &&
      cofactorlessEquationHolds(publicKey, signature, message);
  } catch {
    return false;
  }
}

function littleEndianToNumber(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    value = (value << 8n) | BigInt(bytes[i]!);
  }
  return value;
}

/**
 * Checks RFC 8032's cofactorless equation R = [S]B - [k]A on the encoded
 * points, as OpenSSL does. noble checks the cofactored equation, which also
 * holds when the key has a small-order component, so noble alone accepts
 * signatures that OpenSSL rejects. Call only after `ed.verify` passed,
 * which guarantees S < L and valid, canonical points.
 */
function cofactorlessEquationHolds(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  const order = ed.Point.CURVE().n;
  const r = signature.subarray(0, 32);
  const s = littleEndianToNumber(signature.subarray(32));
  const k = ed.etc.mod(
    littleEndianToNumber(sha512(ed.etc.concatBytes(r, publicKey, message))),
    order,
  );
  const key = ed.Point.fromBytes(publicKey);
  const expected = ed.Point.BASE.multiply(s, false)
    .subtract(key.multiply(k, false))
    .toBytes();
  return expected.every((byte, i) => byte === r[i]);
}
