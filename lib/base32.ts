/**
 * Base32 as Tahoe-LAFS writes it: RFC 4648 alphabet in lower case, no
 * padding, and the unused low bits of the last character set to zero.
 *
 * @module
 */

import { base32nopad } from "@scure/base";

/** Lengths modulo 8 that a whole number of bytes can encode to. */
const VALID_LENGTHS_MOD_8 = new Set([0, 2, 4, 5, 7]);

const ALPHABET = /^[a-z2-7]*$/;

/** Encodes bytes as lower-case unpadded base32. */
export function encodeBase32(bytes: Uint8Array): string {
  return base32nopad.encode(bytes).toLowerCase();
}

/**
 * Decodes lower-case unpadded base32, accepting exactly the strings that
 * Tahoe-LAFS 1.20 `allmydata.util.base32.a2b` accepts.
 *
 * @throws {SyntaxError} naming the first problem found.
 */
export function decodeBase32(text: string): Uint8Array {
  if (!ALPHABET.test(text)) {
    const bad = [...text].find((c) => !/[a-z2-7]/.test(c)) ?? "";
    throw new SyntaxError(
      `character ${JSON.stringify(bad)} is not in the base32 alphabet a-z, 2-7`,
    );
  }
  if (!VALID_LENGTHS_MOD_8.has(text.length % 8)) {
    throw new SyntaxError(
      `length ${text.length} is not a valid unpadded base32 length`,
    );
  }
  try {
    return base32nopad.decode(text.toUpperCase());
  } catch {
    throw new SyntaxError(
      "the last character leaves non-zero unused bits, so the text is truncated or altered",
    );
  }
}
