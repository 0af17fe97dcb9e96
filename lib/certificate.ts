/**
 * Grid Manager certificates: a signed statement that a storage server (by
 * its public key) may receive uploads until a given time.
 *
 * The payload is compact JSON with sorted keys,
 * `{"expires":"<time>","public_key":"pub-v0-…","version":1}`, signed with
 * Ed25519 over its UTF-8 bytes. The document is a JSON object with exactly
 * the keys `certificate` (the payload text) and `signature` (base32 of the
 * 64-byte signature); Tahoe-LAFS 1.20 refuses to start with any other key.
 *
 * @module
 */

import { decodeBase32, encodeBase32 } from "./base32.ts";
import { sign, verify } from "./ed25519.ts";
import { InvalidCertificateError } from "./errors.ts";
import { decodePublicKey, encodePublicKey } from "./keys.ts";
import { describeJsonSyntaxError, dumpPythonJson } from "./python_json.ts";
import { formatIsoTime, parseIsoTime } from "./time.ts";

/** A certificate document, as stored in a `.cert` file or announced. */
export interface CertificateDocument {
  /** The signed payload: compact JSON text. */
  readonly certificate: string;
  /** Base32 of the Ed25519 signature over the payload's UTF-8 bytes. */
  readonly signature: string;
}

/** The decoded payload of a version 1 certificate. */
export interface CertificatePayload {
  /** Always 1. */
  readonly version: 1;
  /** The certified storage server's key, `pub-v0-…`, as written. */
  readonly publicKey: string;
  /** The expiry time, as written. */
  readonly expires: string;
  /** The expiry in microseconds since the epoch. */
  readonly expiresMicros: number;
  /** Whether `expires` needs Python 3.11 or later to parse. */
  readonly expiresNeedsPython311: boolean;
}

const encoder = new TextEncoder();

/**
 * Signs a certificate for the server `serverPublicKey` (`pub-v0-…`) that
 * expires at `expiresMicros`, with the Grid Manager seed `seed`.
 */
export function signCertificate(
  seed: Uint8Array,
  serverPublicKey: string,
  expiresMicros: number,
): CertificateDocument {
  const canonicalKey = encodePublicKey(decodePublicKey(serverPublicKey));
  const certificate = dumpPythonJson({
    expires: formatIsoTime(expiresMicros),
    public_key: canonicalKey,
    version: 1,
  }, { compact: true, sortKeys: true });
  const signature = sign(seed, encoder.encode(certificate));
  return { certificate, signature: encodeBase32(signature) };
}

/**
 * Formats a certificate document as Tahoe's `grid-manager sign` prints it:
 * 4-space indented JSON, with no final newline.
 */
export function formatCertificateDocument(
  document: CertificateDocument,
): string {
  return dumpPythonJson({
    certificate: document.certificate,
    signature: document.signature,
  }, { indent: 4 });
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Parses a certificate document from JSON text (or an already parsed
 * value), with the checks a Tahoe storage node applies when it loads one,
 * plus a check that the signature is base32.
 *
 * @param source names the input in error messages, such as a file name.
 * @throws {InvalidCertificateError} naming `source` and what is wrong.
 */
export function parseCertificateDocument(
  input: string | unknown,
  source = "certificate",
): CertificateDocument {
  let value: unknown = input;
  if (typeof input === "string") {
    // Python's json module rejects a byte order mark too.
    if (input.startsWith("\ufeff")) {
      throw new InvalidCertificateError(
        `${source} starts with a UTF-8 byte order mark; remove it`,
      );
    }
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new InvalidCertificateError(
        `${source} ${
          describeJsonSyntaxError(error, input)
        }; give the output of "grid-manager sign"`,
      );
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidCertificateError(
      `${source} is ${describeType(value)}, not a certificate object; ` +
        `give the output of "grid-manager sign"`,
    );
  }
  const keys = Object.keys(value).sort();
  if (
    keys.length !== 2 || keys[0] !== "certificate" || keys[1] !== "signature"
  ) {
    const extra = keys.filter((key) =>
      key !== "certificate" && key !== "signature"
    );
    const missing = ["certificate", "signature"].filter((key) =>
      !keys.includes(key)
    );
    const quote = (names: string[]) =>
      names.map((k) => JSON.stringify(k)).join(", ");
    const problem = [
      extra.length
        ? `has the unexpected key${extra.length === 1 ? "" : "s"} ${
          quote(extra)
        }`
        : "",
      missing.length
        ? `lacks the key${missing.length === 1 ? "" : "s"} ${quote(missing)}`
        : "",
    ].filter(Boolean).join(" and ");
    throw new InvalidCertificateError(
      `${source} ${problem}; a certificate has exactly "certificate" and "signature", ` +
        `and Tahoe refuses to start with any other key`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const key of ["certificate", "signature"]) {
    if (typeof record[key] !== "string") {
      throw new InvalidCertificateError(
        `${source}: "${key}" is ${describeType(record[key])}, not a string; ` +
          `give the output of "grid-manager sign"`,
      );
    }
  }
  const document = {
    certificate: record.certificate as string,
    signature: record.signature as string,
  };
  signatureBytes(document, source);
  return document;
}

/**
 * Decodes the signature of `document`.
 *
 * @throws {InvalidCertificateError} when it is not base32 of 64 bytes.
 */
export function signatureBytes(
  document: CertificateDocument,
  source = "certificate",
): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase32(document.signature);
  } catch (error) {
    throw new InvalidCertificateError(
      `${source}: invalid signature: ${(error as Error).message}; ` +
        `the certificate was damaged, so ask the Grid Manager for a new one`,
    );
  }
  if (bytes.length !== 64) {
    throw new InvalidCertificateError(
      `${source}: the signature is ${bytes.length} bytes, not 64; ` +
        `the certificate was damaged, so ask the Grid Manager for a new one`,
    );
  }
  return bytes;
}

/**
 * Parses the payload of a certificate. Accepts what Tahoe's client accepts:
 * version 1, a `public_key` string and an `expires` time with an offset.
 *
 * @throws {InvalidCertificateError} naming `source` and what is wrong.
 */
export function parseCertificatePayload(
  document: CertificateDocument,
  source = "certificate",
): CertificatePayload {
  let value: unknown;
  try {
    value = JSON.parse(document.certificate);
  } catch (error) {
    throw new InvalidCertificateError(
      `${source}: the signed payload ${
        describeJsonSyntaxError(error, document.certificate)
      }`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidCertificateError(
      `${source}: the signed payload is ${describeType(value)}, not an object`,
    );
  }
  const payload = value as Record<string, unknown>;
  if (payload.version !== 1) {
    throw new InvalidCertificateError(
      `${source}: unsupported certificate version ${
        JSON.stringify(payload.version)
      }; ` +
        `Tahoe-LAFS 1.20 knows only version 1, so ask the Grid Manager for a version 1 certificate`,
    );
  }
  if (typeof payload.public_key !== "string") {
    throw new InvalidCertificateError(
      `${source}: the payload's "public_key" is ${
        describeType(payload.public_key)
      }, not a string`,
    );
  }
  if (typeof payload.expires !== "string") {
    throw new InvalidCertificateError(
      `${source}: the payload's "expires" is ${
        describeType(payload.expires)
      }, not a string`,
    );
  }
  let parsed;
  try {
    parsed = parseIsoTime(payload.expires);
  } catch (error) {
    throw new InvalidCertificateError(`${source}: ${(error as Error).message}`);
  }
  return {
    version: 1,
    publicKey: payload.public_key,
    expires: payload.expires,
    expiresMicros: parsed.micros,
    expiresNeedsPython311: parsed.needsPython311,
  };
}

/**
 * Checks the signature of `document` against a Grid Manager public key
 * (32 bytes). Returns false for any signature that is malformed or does not
 * verify; never throws.
 */
export function verifyCertificateSignature(
  document: CertificateDocument,
  gridManagerKey: Uint8Array,
): boolean {
  let signature: Uint8Array;
  try {
    signature = signatureBytes(document);
  } catch {
    return false;
  }
  return verify(
    gridManagerKey,
    signature,
    encoder.encode(document.certificate),
  );
}
