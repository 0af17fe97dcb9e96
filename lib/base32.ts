/**
 * Base32 as Tahoe-LAFS writes it: RFC 4648 alphabet in lower case, no
 * padding, and the unused low bits of the last character set to zero.
 *
 * @module
 */

import { base32nopad } from "@scure/base";

/**
 * For each valid length modulo 8: the number of unused low bits in the last
 * character, and how many of them Tahoe requires to be zero. Tahoe 1.20's
 * `could_be_base32_encoded` checks one bit fewer than are unused (none for
 * length 5 mod 8), so it accepts some non-canonical encodings, which decode
 * as if the unchecked bit were zero.
 */
const TRAILING_BITS = new Map<number, { unused: number; checked: number }>([
  [0, { unused: 0, checked: 0 }],
  [2, { unused: 2, checked: 1 }],
  [4, { unused: 4, checked: 3 }],
  [5, { unused: 1, checked: 0 }],
  [7, { unused: 3, checked: 2 }],
]);

const ALPHABET_CHARS = "abcdefghijklmnopqrstuvwxyz234567";
const ALPHABET = /^[a-z2-7]*$/;

/** Encodes bytes as lower-case unpadded base32. */
export function encodeBase32(bytes: Uint8Array): string {
  return base32nopad.encode(bytes).toLowerCase();
}

/**
 * Decodes lower-case unpadded base32, accepting exactly the strings that
 * Tahoe-LAFS 1.20 `allmydata.util.base32.a2b` accepts. Those include a few
 * non-canonical strings, so re-encode the result to get the canonical form.
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
  const trailing = TRAILING_BITS.get(text.length % 8);
  if (!trailing) {
    throw new SyntaxError(
      `length ${text.length} is not a valid unpadded base32 length`,
    );
  }
  if (text.length === 0) return new Uint8Array(0);
  const last = ALPHABET_CHARS.indexOf(text.at(-1)!);
  if ((last & ((1 << trailing.checked) - 1)) !== 0) {
    throw new SyntaxError(
      "the last character leaves non-zero unused bits, so the text is truncated or altered",
    );
  }
  const canonicalLast = ALPHABET_CHARS[last & ~((1 << trailing.unused) - 1)]!;
  return base32nopad.decode(
    (text.slice(0, -1) + canonicalLast).toUpperCase(),
  );
}
