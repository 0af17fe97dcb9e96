/**
 * Enrollment of Tahoe-LAFS nodes in a managed grid, as pure functions over
 * tahoe.cfg text and certificate text.
 *
 * A storage server announces the certificates listed under
 * `[grid_manager_certificates]` (`name = file`, relative to the node
 * directory) when `[storage] grid_management` is true. A client uploads only
 * to servers certified by one of the keys under `[grid_managers]`
 * (`name = pub-v0-…`), or to every server when that section is empty or
 * missing. Tahoe-LAFS 1.20 refuses to start on an unknown section, an
 * unknown option in a fixed section, a missing or malformed certificate file
 * (when grid management is on) and an invalid Grid Manager key.
 *
 * @module
 */

import {
  type CertificateDocument,
  type CertificatePayload,
  parseCertificateDocument,
  parseCertificatePayload,
  verifyCertificateSignature,
} from "./certificate.ts";
import { GridManagerError, InvalidCertificateError } from "./errors.ts";
import { decodePublicKey, encodePublicKey } from "./keys.ts";
import { invalidFileNameReason, NAME_RULE } from "./names.ts";
import {
  invalidOptionNameReason,
  normalizeOptionName,
  parseTahoeCfg,
  removeOption,
  removeSection,
  setOption,
  type TahoeCfg,
} from "./tahoe_cfg.ts";
import { formatDisplayTime, MICROS_PER_DAY } from "./time.ts";

/** The section listing a storage server's certificate files. */
export const CERTIFICATES_SECTION = "grid_manager_certificates";
/** The section listing a client's Grid Manager public keys. */
export const GRID_MANAGERS_SECTION = "grid_managers";
/** The name used when the operator gives none. */
export const DEFAULT_ENTRY_NAME = "default";
/** A certificate with less time left than this draws a warning. */
export const EXPIRY_WARNING_MICROS = 7 * MICROS_PER_DAY;

/** The kind of Tahoe node, which decides the sections it accepts. */
export type NodeType = "client" | "introducer";

/**
 * Checks a certificate or Grid Manager name: it becomes an option name in
 * tahoe.cfg and, for a certificate, part of the file name `NAME.cert`.
 *
 * @throws {GridManagerError} with exit code 2, naming the value.
 */
export function checkEntryName(name: string, kind: string): string {
  const reason = invalidOptionNameReason(name) ?? invalidFileNameReason(name);
  if (reason) {
    throw new GridManagerError(
      `invalid ${kind} ${JSON.stringify(name)}: ${reason}; ${NAME_RULE}`,
      2,
    );
  }
  return name;
}

/** Returns the file name, in the node directory, of the certificate `name`. */
export function certificateFileName(name: string): string {
  return `${name}.cert`;
}

/**
 * Parses a boolean as configparser's `getboolean` does, or returns
 * undefined for a value it rejects.
 */
export function parseTahoeBoolean(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  if (["1", "yes", "true", "on"].includes(lower)) return true;
  if (["0", "no", "false", "off"].includes(lower)) return false;
  return undefined;
}

/** One `name = value` line of a grid section, as configparser reads it. */
export interface ConfigEntry {
  /** The lower-cased option name. */
  readonly name: string;
  /** The value: a file path or a `pub-v0-…` key. */
  readonly value: string;
}

function entries(cfg: TahoeCfg, section: string): ConfigEntry[] {
  return cfg.items(section).map(([name, value]) => ({ name, value }));
}

/**
 * Returns `[storage] enabled`, which Tahoe takes as true when it is
 * missing, or undefined when it is invalid.
 */
export function storageEnabled(cfg: TahoeCfg): boolean | undefined {
  const value = cfg.get("storage", "enabled");
  return value === undefined ? true : parseTahoeBoolean(value);
}

/** Lists `[grid_manager_certificates]`: certificate names and file paths. */
export function listCertificateEntries(cfg: TahoeCfg): ConfigEntry[] {
  return entries(cfg, CERTIFICATES_SECTION);
}

/** Lists `[grid_managers]`: Grid Manager names and keys as written. */
export function listGridManagerEntries(cfg: TahoeCfg): ConfigEntry[] {
  return entries(cfg, GRID_MANAGERS_SECTION);
}

/** Returns `[storage] grid_management`, or undefined when it is invalid. */
export function gridManagementEnabled(cfg: TahoeCfg): boolean | undefined {
  const value = cfg.get("storage", "grid_management");
  return value === undefined ? false : parseTahoeBoolean(value);
}

/** Inputs of {@link checkCertificateForNode} besides the certificate. */
export interface CertificateCheckOptions {
  /** The node's own key (its `node.pubkey`), when known. */
  readonly nodePublicKey?: string;
  /** A Grid Manager key (`pub-v0-…`) the signature must verify under. */
  readonly gridManagerKey?: string;
  /** The current time in microseconds since the epoch. */
  readonly now: number;
  /** Names the certificate in messages, such as a file name. */
  readonly source?: string;
}

/** A certificate that passed {@link checkCertificateForNode}. */
export interface CheckedCertificate {
  /** The document, to be stored. */
  readonly document: CertificateDocument;
  /** Its decoded payload. */
  readonly payload: CertificatePayload;
  /** Problems that do not stop the import, one line each. */
  readonly warnings: readonly string[];
}

/**
 * Checks a certificate before it is installed on a storage node. The
 * document must have exactly `certificate` and `signature`, and the payload
 * must be version 1, name the node's key and not have expired. When a Grid
 * Manager key is given, the signature must verify under it.
 *
 * @throws {InvalidCertificateError} naming the first check that failed.
 */
export function checkCertificateForNode(
  text: string,
  options: CertificateCheckOptions,
): CheckedCertificate {
  const source = options.source ?? "certificate";
  const document = parseCertificateDocument(text, source);
  const payload = parseCertificatePayload(document, source);
  const warnings: string[] = [];
  const expires = formatDisplayTime(payload.expiresMicros);
  if (
    options.nodePublicKey !== undefined &&
    payload.publicKey !== options.nodePublicKey
  ) {
    throw new InvalidCertificateError(
      `${source} is for ${payload.publicKey}, not for this node (its key is ${options.nodePublicKey}); ` +
        `ask the Grid Manager to sign a certificate for this node's key`,
    );
  }
  if (payload.expiresMicros <= options.now) {
    throw new InvalidCertificateError(
      `${source} expired at ${expires}; ask the Grid Manager for a new one`,
    );
  }
  if (options.gridManagerKey !== undefined) {
    const key = decodePublicKey(options.gridManagerKey.trim());
    if (!verifyCertificateSignature(document, key)) {
      throw new InvalidCertificateError(
        `${source} is not signed by Grid Manager ${options.gridManagerKey.trim()}; ` +
          `check the key with "grid-manager public-identity" on the Grid Manager`,
      );
    }
  }
  if (payload.expiresMicros - options.now < EXPIRY_WARNING_MICROS) {
    warnings.push(
      `${source} expires at ${expires}, in less than 7 days; ask the Grid Manager for a new one soon`,
    );
  }
  if (payload.expiresNeedsPython311) {
    warnings.push(
      `${source} writes its expiry time as ${
        JSON.stringify(payload.expires)
      }, which Tahoe on Python 3.9 and 3.10 cannot read`,
    );
  }
  return { document, payload, warnings };
}

/**
 * Installs a certificate entry: sets `[storage] grid_management = true`
 * (unless it is already true) and `name = fileName` under
 * `[grid_manager_certificates]`. Returns the new tahoe.cfg text.
 *
 * @throws {TahoeCfgError} when the text does not parse or the edit would
 *   change other options.
 */
export function addCertificateEntry(
  cfgText: string,
  name: string,
  fileName: string,
): string {
  let text = cfgText;
  if (gridManagementEnabled(parseTahoeCfg(text)) !== true) {
    text = setOption(text, "storage", "grid_management", "true");
  }
  return setOption(text, CERTIFICATES_SECTION, name, fileName);
}

/** The result of removing an entry from tahoe.cfg. */
export interface RemovedEntry {
  /** The new tahoe.cfg text. */
  readonly text: string;
  /** The value the removed entry had. */
  readonly value: string;
  /** How many entries remain in the section. */
  readonly remaining: number;
}

function findEntry(
  cfg: TahoeCfg,
  section: string,
  name: string,
  what: string,
): ConfigEntry {
  const lower = normalizeOptionName(name);
  const found = entries(cfg, section).find((entry) => entry.name === lower);
  if (found === undefined) {
    const names = entries(cfg, section).map((entry) => entry.name);
    throw new GridManagerError(
      `no ${what} named ${JSON.stringify(name)} in [${section}]; ` +
        (names.length > 0
          ? `the names are: ${names.join(", ")}`
          : "the section is empty or missing"),
    );
  }
  return found;
}

/**
 * Throws when another option of `section` refers to `entry` with
 * `%(name)s`: removing the entry would leave that reference dangling, and
 * configparser would then reject the section.
 */
function checkNotReferenced(
  cfg: TahoeCfg,
  section: string,
  entry: ConfigEntry,
): void {
  for (const option of cfg.options(section)) {
    if (option === entry.name) continue;
    const raw = (cfg.getRaw(section, option) ?? "").replaceAll("\n", "\\n");
    const refers = [...raw.matchAll(/%\(([^)]+)\)s/g)].some((match) =>
      normalizeOptionName(match[1]!) === entry.name
    );
    if (refers) {
      throw new GridManagerError(
        `cannot remove ${entry.name}: [${section}] ${option} = ${raw} refers to ${entry.name}; ` +
          `remove or edit ${option} first`,
      );
    }
  }
}

/**
 * Removes the certificate entry `name`. When it was the last one, also sets
 * `[storage] grid_management = false`, because a node that announces no
 * certificate gets no uploads from managed clients anyway.
 *
 * @throws {GridManagerError} when there is no such entry.
 */
export function removeCertificateEntry(
  cfgText: string,
  name: string,
): RemovedEntry {
  const cfg = parseTahoeCfg(cfgText);
  const entry = findEntry(cfg, CERTIFICATES_SECTION, name, "certificate");
  checkNotReferenced(cfg, CERTIFICATES_SECTION, entry);
  let text = removeOption(cfgText, CERTIFICATES_SECTION, entry.name);
  const remaining = listCertificateEntries(parseTahoeCfg(text)).length;
  if (remaining === 0 && cfg.get("storage", "grid_management") !== undefined) {
    text = setOption(text, "storage", "grid_management", "false");
  }
  return { text, value: entry.value, remaining };
}

/**
 * Adds `name = publicKey` under `[grid_managers]`, writing the key in
 * canonical form, and returns the new tahoe.cfg text. An existing entry of
 * that name gets the new key in place.
 *
 * @throws {InvalidKeyError} when the key is invalid.
 */
export function addGridManagerEntry(
  cfgText: string,
  name: string,
  publicKey: string,
): string {
  const canonical = encodePublicKey(decodePublicKey(publicKey.trim()));
  return setOption(cfgText, GRID_MANAGERS_SECTION, name, canonical);
}

/**
 * Removes the Grid Manager entry `name`, and the `[grid_managers]` section
 * with it when it was the last one, because an empty section reads as a
 * mistake.
 *
 * @throws {GridManagerError} when there is no such entry.
 */
export function removeGridManagerEntry(
  cfgText: string,
  name: string,
): RemovedEntry {
  const cfg = parseTahoeCfg(cfgText);
  const entry = findEntry(cfg, GRID_MANAGERS_SECTION, name, "Grid Manager");
  checkNotReferenced(cfg, GRID_MANAGERS_SECTION, entry);
  let text = removeOption(cfgText, GRID_MANAGERS_SECTION, entry.name);
  const remaining = listGridManagerEntries(parseTahoeCfg(text)).length;
  if (remaining === 0) text = removeSection(text, GRID_MANAGERS_SECTION);
  return { text, value: entry.value, remaining };
}
