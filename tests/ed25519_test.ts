import assert from "node:assert/strict";
import { publicKeyFromSeed, randomSeed, sign, verify } from "../lib/ed25519.ts";

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

// RFC 8032 section 7.1, test 2: a one-byte message.
const SEED = hex(
  "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
);
const PUBLIC = hex(
  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
);
const MESSAGE = hex("72");
const SIGNATURE = hex(
  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
);
const IDENTITY = hex("01" + "00".repeat(31));

Deno.test("publicKeyFromSeed() matches RFC 8032", () => {
  assert.deepEqual(publicKeyFromSeed(SEED), PUBLIC);
});

Deno.test("sign() matches RFC 8032", () => {
  assert.deepEqual(sign(SEED, MESSAGE), SIGNATURE);
});

Deno.test("verify() accepts the RFC 8032 signature", () => {
  assert.equal(verify(PUBLIC, SIGNATURE, MESSAGE), true);
});

Deno.test("verify() accepts fresh signatures", () => {
  const seed = randomSeed();
  const message = new TextEncoder().encode("payload");
  assert.equal(
    verify(publicKeyFromSeed(seed), sign(seed, message), message),
    true,
  );
});

Deno.test("verify() rejects another message", () => {
  assert.equal(verify(PUBLIC, SIGNATURE, hex("73")), false);
});

Deno.test("verify() rejects wrong lengths", () => {
  assert.equal(verify(PUBLIC.subarray(1), SIGNATURE, MESSAGE), false);
  assert.equal(verify(PUBLIC, SIGNATURE.subarray(1), MESSAGE), false);
  assert.equal(
    verify(PUBLIC, new Uint8Array([...SIGNATURE, 0]), MESSAGE),
    false,
  );
});

Deno.test("verify() rejects S at or above the group order", () => {
  const signature = new Uint8Array(SIGNATURE);
  signature.fill(0xff, 32);
  assert.equal(verify(PUBLIC, signature, MESSAGE), false);
});

Deno.test("verify() rejects a key that is not a point", () => {
  // y = 2 has no x on the curve.
  const notAPoint = hex("02" + "00".repeat(31));
  assert.equal(verify(notAPoint, SIGNATURE, MESSAGE), false);
});

Deno.test("verify() accepts a small-order key as OpenSSL does", () => {
  // With the identity as key and R, and S = 0, the equation holds for any
  // message; OpenSSL, and so Tahoe, accepts it.
  const signature = new Uint8Array([...IDENTITY, ...new Uint8Array(32)]);
  assert.equal(verify(IDENTITY, signature, MESSAGE), true);
});

Deno.test("verify() rejects a non-canonical R", () => {
  const identityAsPPlus1 = hex("ee" + "ff".repeat(30) + "7f");
  const signature = new Uint8Array([
    ...identityAsPPlus1,
    ...new Uint8Array(32),
  ]);
  assert.equal(verify(IDENTITY, signature, MESSAGE), false);
});
