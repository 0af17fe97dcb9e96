/**
 * Tahoe-LAFS key strings: `pub-v0-` and `priv-v0-` followed by the base32 of
 * the 32 raw Ed25519 bytes (the public key, or the private seed).
 *
 * Decoding accepts exactly what Tahoe-LAFS 1.20 accepts, so a key that loads
 * here loads in a Tahoe node. Clients compare keys as strings, so every key
 * this package writes is re-encoded to its canonical form first.
 *
 * @module
 */

import { decodeBase32, encodeBase32 } from "./base32.ts";
import {
  isSmallOrderPublicKey,
  publicKeyFromSeed,
  randomSeed,
} from "./ed25519.ts";
import { InvalidKeyError } from "./errors.ts";

/** Prefix of an encoded public key. */
export const PUBLIC_KEY_PREFIX = "pub-v0-";
/** Prefix of an encoded private key. */
export const PRIVATE_KEY_PREFIX = "priv-v0-";
/** Prefix of a server id, the form a node announces its key in. */
export const SERVER_ID_PREFIX = "v0-";

const KEY_BYTES = 32;

/** An Ed25519 key pair of a Grid Manager. */
export interface KeyPair {
  /** The 32-byte seed. */
  readonly seed: Uint8Array;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
}

function describe(text: string): string {
  // A private key pasted where a public key belongs must not be echoed.
  if (text.trimStart().startsWith("priv-")) return "(a private key, not shown)";
  const shown = text.length > 80 ? text.slice(0, 77) + "..." : text;
  return JSON.stringify(shown);
}

/**
 * Decodes `prefix` + base32 of 32 bytes. `subject` names the key in error
 * messages; for a private key it must not contain the key itself.
 */
function decodeKey(text: string, prefix: string, subject: string): Uint8Array {
  const validForm =
    `a valid key is "${prefix}" followed by 52 characters of a-z and 2-7`;
  if (!text.startsWith(prefix)) {
    let fix = validForm;
    if (prefix === PUBLIC_KEY_PREFIX && text.startsWith(SERVER_ID_PREFIX)) {
      fix = `"${text.slice(0, 12)}..." is a server id, so add "pub-" in front`;
    } else if (prefix === PUBLIC_KEY_PREFIX && text.startsWith("priv-")) {
      fix = "give the public key (node.pubkey), never a private key";
    }
    throw new InvalidKeyError(
      `invalid ${subject}: it must start with "${prefix}"; ${fix}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase32(text.slice(prefix.length));
  } catch (error) {
    // The base32 message quotes the offending character, which for a
    // private key would be a piece of the secret.
    const problem = prefix === PRIVATE_KEY_PREFIX
      ? "it is not valid base32"
      : (error as Error).message;
    throw new InvalidKeyError(`invalid ${subject}: ${problem}; ${validForm}`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new InvalidKeyError(
      `invalid ${subject}: it encodes ${bytes.length} bytes, not ${KEY_BYTES}; ${validForm}`,
    );
  }
  return bytes;
}

/**
 * Decodes a `pub-v0-…` string to its 32 key bytes, accepting exactly the
 * strings Tahoe-LAFS accepts: no whitespace, upper case or padding.
 *
 * @param expected says what to give instead of a private key.
 * @throws {InvalidKeyError} naming the string and what is wrong with it,
 *   except that a `priv-v0-…` string is never repeated in the message.
 */
export function decodePublicKey(
  text: string,
  expected: string = SERVER_KEY_SOURCE,
): Uint8Array {
  // A private key pasted by mistake must not be echoed into a message.
  if (text.trimStart().startsWith(PRIVATE_KEY_PREFIX)) {
    throw new InvalidKeyError(
      `invalid public key: the value is a private key ("${PRIVATE_KEY_PREFIX}..."), ` +
        `which must stay secret; give ${expected}`,
    );
  }
  return decodeKey(text, PUBLIC_KEY_PREFIX, `public key ${describe(text)}`);
}

/** The source of a storage server's public key, named in messages. */
export const SERVER_KEY_SOURCE =
  "the contents of the server's node.pubkey file";

/** The source of a Grid Manager's public key, named in messages. */
export const GRID_MANAGER_KEY_SOURCE =
  'the output of "grid-manager public-identity" on the Grid Manager';

/** Encodes 32 public key bytes as `pub-v0-…`. */
export function encodePublicKey(bytes: Uint8Array): string {
  return PUBLIC_KEY_PREFIX + encodeBase32(bytes);
}

/**
 * Decodes a `priv-v0-…` string to its 32-byte seed. The error message never
 * contains the key itself.
 *
 * @throws {InvalidKeyError} saying what is wrong with the key.
 */
export function decodePrivateKey(text: string): Uint8Array {
  return decodeKey(text, PRIVATE_KEY_PREFIX, "private key");
}

/** Encodes a 32-byte seed as `priv-v0-…`. */
export function encodePrivateKey(seed: Uint8Array): string {
  return PRIVATE_KEY_PREFIX + encodeBase32(seed);
}

/**
 * Reads a public key as an operator pastes it: the contents of a
 * `node.pubkey` file, surrounding whitespace allowed. Returns the canonical
 * `pub-v0-…` form.
 *
 * @param expected says what to give instead of a private key.
 * @throws {InvalidKeyError} when the trimmed text is not a valid key.
 */
export function normalizePublicKey(
  text: string,
  expected: string = SERVER_KEY_SOURCE,
): string {
  return encodePublicKey(decodePublicKey(text.trim(), expected));
}

/**
 * Returns why a Grid Manager key must not be trusted, or undefined: a
 * small-order key lets anyone forge certificates that verify under it.
 */
export function weakGridManagerKeyReason(
  publicKey: string,
): string | undefined {
  if (!isSmallOrderPublicKey(decodePublicKey(publicKey.trim()))) {
    return undefined;
  }
  return `${publicKey.trim()} is a weak key: any certificate would verify under it; ` +
    `use ${GRID_MANAGER_KEY_SOURCE}`;
}

/**
 * Reads a Grid Manager public key as {@link normalizePublicKey} does, and
 * also rejects a weak (small-order) key.
 *
 * @throws {InvalidKeyError} when the key is invalid or weak.
 */
export function normalizeGridManagerKey(text: string): string {
  const key = normalizePublicKey(text, GRID_MANAGER_KEY_SOURCE);
  const weak = weakGridManagerKeyReason(key);
  if (weak) throw new InvalidKeyError(`Grid Manager key ${weak}`);
  return key;
}

/** Returns the server id (`v0-…`) that a node with this key announces. */
export function serverIdFromPublicKey(publicKey: string): string {
  return publicKey.slice("pub-".length);
}

/** Returns the `pub-v0-…` key for a server id (`v0-…`). */
export function publicKeyFromServerId(serverId: string): string {
  return "pub-" + serverId;
}

/** Makes a new random key pair. */
export function generateKeyPair(): KeyPair {
  const seed = randomSeed();
  return { seed, publicKey: publicKeyFromSeed(seed) };
}

/** Rebuilds the key pair from a seed. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  return { seed, publicKey: publicKeyFromSeed(seed) };
}
