import assert from "node:assert/strict";
import { decodeBase32, encodeBase32 } from "../lib/base32.ts";

const encoder = new TextEncoder();

// RFC 4648 section 10 test vectors, in Tahoe's lower case without padding.
const VECTORS: [string, string][] = [
  ["", ""],
  ["f", "my"],
  ["fo", "mzxq"],
  ["foo", "mzxw6"],
  ["foob", "mzxw6yq"],
  ["fooba", "mzxw6ytb"],
  ["foobar", "mzxw6ytboi"],
];

Deno.test("encodeBase32() matches the RFC 4648 vectors", () => {
  for (const [plain, encoded] of VECTORS) {
    assert.equal(encodeBase32(encoder.encode(plain)), encoded, plain);
  }
});

Deno.test("decodeBase32() matches the RFC 4648 vectors", () => {
  for (const [plain, encoded] of VECTORS) {
    assert.deepEqual(decodeBase32(encoded), encoder.encode(plain), encoded);
  }
});

Deno.test("decodeBase32() round-trips every byte value", () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let length = 0; length <= 40; length++) {
    const slice = bytes.subarray(length, length * 2 + 3);
    assert.deepEqual(decodeBase32(encodeBase32(slice)), slice);
  }
});

Deno.test("decodeBase32() rejects upper case", () => {
  assert.throws(() => decodeBase32("MZXW6"), /character "M"/);
});

Deno.test("decodeBase32() rejects padding", () => {
  assert.throws(() => decodeBase32("my======"), /character "="/);
});

Deno.test("decodeBase32() rejects whitespace", () => {
  assert.throws(() => decodeBase32("mzx w6"), /character " "/);
  assert.throws(() => decodeBase32("mzxw6\n"), /character "\\n"/);
});

Deno.test("decodeBase32() rejects digits outside 2-7", () => {
  assert.throws(() => decodeBase32("mzxw1"), /not in the base32 alphabet/);
  assert.throws(() => decodeBase32("mzxw8"), /not in the base32 alphabet/);
});

Deno.test("decodeBase32() rejects impossible lengths", () => {
  for (const text of ["m", "mzx", "mzxw6y", "mzxw6ytbo"]) {
    assert.throws(
      () => decodeBase32(text),
      /not a valid unpadded base32 length/,
      text,
    );
  }
});

Deno.test("decodeBase32() rejects non-zero unused bits", () => {
  // "my" is "f"; in "mz" the last character sets one of the two unused bits.
  assert.throws(() => decodeBase32("mz"), /non-zero unused bits/);
  assert.throws(() => decodeBase32("mzxw6yr"), /non-zero unused bits/);
});
