import assert from "node:assert/strict";
import { encodeBase32 } from "../lib/base32.ts";
import {
  type CertificateDocument,
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signatureBytes,
  signCertificate,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { InvalidCertificateError } from "../lib/errors.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";

const GRID_MANAGER = generateKeyPair();
const SERVER_KEY = encodePublicKey(generateKeyPair().publicKey);
// 2027-01-31T12:00:00.000042Z in microseconds.
const EXPIRES = Date.UTC(2027, 0, 31, 12) * 1000 + 42;

function sample(): CertificateDocument {
  return signCertificate(GRID_MANAGER.seed, SERVER_KEY, EXPIRES);
}

Deno.test("signCertificate() writes the payload as Tahoe does", () => {
  assert.equal(
    sample().certificate,
    `{"expires":"2027-01-31T12:00:00.000042+00:00","public_key":"${SERVER_KEY}","version":1}`,
  );
});

Deno.test("signCertificate() signs with base32 of 64 bytes", () => {
  const document = sample();
  assert.match(document.signature, /^[a-z2-7]{103}$/);
  assert.equal(signatureBytes(document).length, 64);
});

Deno.test("signCertificate() is deterministic", () => {
  assert.deepEqual(sample(), sample());
});

Deno.test("signCertificate() rejects an invalid server key", () => {
  assert.throws(
    () => signCertificate(GRID_MANAGER.seed, "pub-v0-abc", EXPIRES),
    /invalid public key/,
  );
});

Deno.test("verifyCertificateSignature() accepts the signer's key", () => {
  assert.equal(
    verifyCertificateSignature(sample(), GRID_MANAGER.publicKey),
    true,
  );
});

Deno.test("verifyCertificateSignature() rejects another key", () => {
  assert.equal(
    verifyCertificateSignature(sample(), generateKeyPair().publicKey),
    false,
  );
});

Deno.test("verifyCertificateSignature() rejects a changed payload", () => {
  const document = sample();
  const changed = {
    ...document,
    certificate: document.certificate.replace("2027", "2037"),
  };
  assert.equal(
    verifyCertificateSignature(changed, GRID_MANAGER.publicKey),
    false,
  );
});

Deno.test("verifyCertificateSignature() rejects a malformed signature", () => {
  const document = sample();
  for (const signature of ["", "abc", document.signature.toUpperCase()]) {
    assert.equal(
      verifyCertificateSignature(
        { ...document, signature },
        GRID_MANAGER.publicKey,
      ),
      false,
      signature,
    );
  }
  assert.equal(
    verifyCertificateSignature(document, new Uint8Array(31)),
    false,
  );
});

Deno.test("formatCertificateDocument() indents without a final newline", () => {
  const document = { certificate: '{"a":"\u00e9"}', signature: "xy" };
  assert.equal(
    formatCertificateDocument(document),
    '{\n    "certificate": "{\\"a\\":\\"\\u00e9\\"}",\n    "signature": "xy"\n}',
  );
});

Deno.test("parseCertificateDocument() reads the formatted document", () => {
  const document = sample();
  assert.deepEqual(
    parseCertificateDocument(formatCertificateDocument(document)),
    document,
  );
});

Deno.test("parseCertificateDocument() accepts a parsed value", () => {
  const document = sample();
  assert.deepEqual(parseCertificateDocument({ ...document }), document);
});

function rejectsDocument(input: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseCertificateDocument(input, "storage0.cert"),
    (error: unknown) => {
      assert.ok(error instanceof InvalidCertificateError, String(error));
      assert.match(error.message, /^storage0\.cert/);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

Deno.test("parseCertificateDocument() rejects invalid JSON", () => {
  rejectsDocument("{", /is not valid JSON/);
});

Deno.test("parseCertificateDocument() rejects non-objects", () => {
  rejectsDocument("[]", /is an array, not a certificate object/);
  rejectsDocument("null", /is null, not a certificate object/);
  rejectsDocument('"x"', /is a string, not a certificate object/);
});

Deno.test("parseCertificateDocument() rejects an extra key", () => {
  rejectsDocument(
    JSON.stringify({ ...sample(), comment: "x" }),
    /unexpected key "comment".*Tahoe refuses to start/,
  );
});

Deno.test("parseCertificateDocument() rejects a missing key", () => {
  rejectsDocument(
    JSON.stringify({ certificate: sample().certificate }),
    /lacks the key "signature"/,
  );
});

Deno.test("parseCertificateDocument() rejects non-string values", () => {
  rejectsDocument(
    JSON.stringify({ certificate: {}, signature: sample().signature }),
    /"certificate" is an object, not a string/,
  );
});

Deno.test("parseCertificateDocument() rejects a bad signature", () => {
  rejectsDocument(
    JSON.stringify({ ...sample(), signature: "ABC" }),
    /invalid signature/,
  );
  rejectsDocument(
    JSON.stringify({
      ...sample(),
      signature: encodeBase32(new Uint8Array(63)),
    }),
    /the signature is 63 bytes, not 64/,
  );
});

Deno.test("parseCertificatePayload() reads the signed fields", () => {
  const payload = parseCertificatePayload(sample());
  assert.equal(payload.version, 1);
  assert.equal(payload.publicKey, SERVER_KEY);
  assert.equal(payload.expires, "2027-01-31T12:00:00.000042+00:00");
  assert.equal(payload.expiresMicros, EXPIRES);
  assert.equal(payload.expiresNeedsPython311, false);
});

function payloadDocument(payload: unknown): CertificateDocument {
  return { certificate: JSON.stringify(payload), signature: "" };
}

function rejectsPayload(payload: unknown, pattern: RegExp): void {
  assert.throws(
    () =>
      parseCertificatePayload(
        typeof payload === "string"
          ? { certificate: payload, signature: "" }
          : payloadDocument(payload),
        "c.cert",
      ),
    (error: unknown) => {
      assert.ok(error instanceof InvalidCertificateError, String(error));
      assert.match(error.message, /^c\.cert: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

const GOOD_PAYLOAD = {
  expires: "2027-01-31T12:00:00+00:00",
  public_key: "pub-v0-x",
  version: 1,
};

Deno.test("parseCertificatePayload() rejects invalid JSON", () => {
  rejectsPayload("{x", /signed payload is not valid JSON/);
  rejectsPayload("[1]", /signed payload is an array, not an object/);
});

Deno.test("parseCertificatePayload() rejects other versions", () => {
  rejectsPayload(
    { ...GOOD_PAYLOAD, version: 2 },
    /unsupported certificate version 2/,
  );
  rejectsPayload({ ...GOOD_PAYLOAD, version: "1" }, /version "1"/);
});

Deno.test("parseCertificatePayload() rejects a missing key field", () => {
  rejectsPayload(
    { ...GOOD_PAYLOAD, public_key: 5 },
    /"public_key" is a number/,
  );
});

Deno.test("parseCertificatePayload() rejects a bad expiry", () => {
  rejectsPayload({ ...GOOD_PAYLOAD, expires: null }, /"expires" is null/);
  rejectsPayload(
    { ...GOOD_PAYLOAD, expires: "2027-01-31T12:00:00" },
    /has no UTC offset/,
  );
});

Deno.test("parseCertificatePayload() marks Z expiries", () => {
  const payload = parseCertificatePayload(
    payloadDocument({ ...GOOD_PAYLOAD, expires: "2027-01-31T12:00:00Z" }),
  );
  assert.equal(payload.expiresNeedsPython311, true);
});
