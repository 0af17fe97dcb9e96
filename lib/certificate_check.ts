/**
 * Checks of a single certificate document, for `inspect` and `verify`:
 * decoding without any key, and the client's acceptance rules for one Grid
 * Manager key and, optionally, one server key.
 *
 * Unlike {@link parseCertificatePayload}, these read a payload of any
 * version, because a Tahoe-LAFS 1.20 client never looks at the version.
 *
 * @module
 */

import {
  type CertificateDocument,
  parseCertificateDocument,
  signatureBytes,
  verifyCertificateSignature,
} from "./certificate.ts";
import { InvalidCertificateError } from "./errors.ts";
import { decodePublicKey, encodePublicKey } from "./keys.ts";
import { describeJsonSyntaxError } from "./python_json.ts";
import { formatDisplayTime, MICROS_PER_DAY, parseIsoTime } from "./time.ts";
import { parseJson } from "./python_json.ts";

/** A certificate decoded without checking its signature. */
export interface DecodedCertificate {
  /** The document. */
  readonly document: CertificateDocument;
  /** The payload's `version`, whatever its type. */
  readonly version: unknown;
  /** The key the payload names, `pub-v0-…`. */
  readonly publicKey: string;
  /** The payload's `expires`, as written. */
  readonly expires: string;
  /** The expiry in microseconds since the epoch. */
  readonly expiresMicros: number;
  /** Facts worth knowing, such as an unusual version. */
  readonly notes: readonly string[];
}

/**
 * Decodes a certificate document and its payload of any version.
 *
 * @param source names the input in messages.
 * @throws {InvalidCertificateError} when the document, its signature
 *   encoding or a payload field is malformed.
 */
export function decodeCertificate(
  input: string,
  source = "certificate",
): DecodedCertificate {
  const document = parseCertificateDocument(input, source);
  signatureBytes(document, source);
  let payload: unknown;
  try {
    payload = parseJson(document.certificate);
  } catch (error) {
    throw new InvalidCertificateError(
      `${source}: the signed payload ${
        describeJsonSyntaxError(error, document.certificate)
      }`,
    );
  }
  if (
    typeof payload !== "object" || payload === null || Array.isArray(payload)
  ) {
    throw new InvalidCertificateError(
      `${source}: the signed payload is not a JSON object`,
    );
  }
  const record = payload as Record<string, unknown>;
  if (typeof record.public_key !== "string") {
    throw new InvalidCertificateError(
      `${source}: the payload's "public_key" is missing or not a string`,
    );
  }
  if (typeof record.expires !== "string") {
    throw new InvalidCertificateError(
      `${source}: the payload's "expires" is missing or not a string`,
    );
  }
  let expiresMicros: number;
  const notes: string[] = [];
  try {
    const parsed = parseIsoTime(record.expires);
    expiresMicros = parsed.micros;
    if (parsed.needsPython311) {
      notes.push(
        "clients on Python 3.10 and older cannot read this expiry",
      );
    }
  } catch (error) {
    throw new InvalidCertificateError(`${source}: ${(error as Error).message}`);
  }
  if (record.version !== 1) {
    notes.push(
      `version ${
        JSON.stringify(record.version) ?? "missing"
      }: Tahoe-LAFS 1.20 does not check the version, so it treats this like version 1`,
    );
  }
  return {
    document,
    version: record.version,
    publicKey: record.public_key,
    expires: record.expires,
    expiresMicros,
    notes,
  };
}

/**
 * Whether `text` is a public key as Tahoe writes one (canonical
 * `pub-v0-…`), the only form the client's string comparison can match.
 */
function isServerKey(text: string): boolean {
  try {
    return encodePublicKey(decodePublicKey(text)) === text;
  } catch {
    return false;
  }
}

/** The outcome of {@link verifyCertificate}. */
export type VerifyResult =
  | { readonly status: "valid"; readonly certificate: DecodedCertificate }
  | { readonly status: "expiring"; readonly certificate: DecodedCertificate }
  | { readonly status: "invalid"; readonly reason: string };

/** The keys and time {@link verifyCertificate} checks against. */
export interface VerifyOptions {
  /** The Grid Manager's 32 public key bytes. */
  readonly gridManagerKey: Uint8Array;
  /** The server key (`pub-v0-…`) the certificate must name, if any. */
  readonly serverKey?: string;
  /** The current time in microseconds since the epoch. */
  readonly now: number;
  /** Report `expiring` when at most this many days remain. */
  readonly warnDays?: number;
}

/**
 * Checks a certificate as a Tahoe-LAFS 1.20 client does: the signature
 * verifies under the Grid Manager key, `public_key` equals the server key
 * as a string, and the expiry is later than now. The version is not
 * checked, as the client does not check it.
 */
export function verifyCertificate(
  input: string,
  options: VerifyOptions,
  source = "certificate",
): VerifyResult {
  let certificate: DecodedCertificate;
  try {
    certificate = decodeCertificate(input, source);
  } catch (error) {
    return { status: "invalid", reason: (error as Error).message };
  }
  if (
    !verifyCertificateSignature(certificate.document, options.gridManagerKey)
  ) {
    return {
      status: "invalid",
      reason:
        `${source}: the signature does not verify under the Grid Manager key; ` +
        `it was signed by another Grid Manager or altered`,
    };
  }
  if (!isServerKey(certificate.publicKey)) {
    // The client compares public_key with each server's key as a string,
    // so a certificate naming something else never lets a server in.
    return {
      status: "invalid",
      reason:
        `${source} names ${
          JSON.stringify(certificate.publicKey)
        }, which is not a server key, so no server can use it; ` +
        `sign a new one for the server's node.pubkey`,
    };
  }
  if (
    options.serverKey !== undefined &&
    certificate.publicKey !== options.serverKey
  ) {
    return {
      status: "invalid",
      reason:
        `${source} is for ${certificate.publicKey}, not ${options.serverKey}; ` +
        `give the certificate signed for this server`,
    };
  }
  if (certificate.expiresMicros <= options.now) {
    return {
      status: "invalid",
      reason: `${source} expired ${
        formatDisplayTime(certificate.expiresMicros)
      }; ask the Grid Manager for a new one`,
    };
  }
  if (
    options.warnDays !== undefined &&
    certificate.expiresMicros - options.now <= options.warnDays * MICROS_PER_DAY
  ) {
    return { status: "expiring", certificate };
  }
  return { status: "valid", certificate };
}
