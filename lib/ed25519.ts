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
 */
export function verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
