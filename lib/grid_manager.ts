/**
 * The Grid Manager configuration: its private key and the storage servers it
 * has registered, stored as `config.json` in the layout Tahoe-LAFS 1.20
 * writes (4-space indented JSON, non-ASCII as `\uXXXX`, a final newline).
 *
 * Functions here are pure: they turn text into a {@link GridManagerConfig}
 * and back, and return changed copies. Reading and writing files is the
 * caller's job.
 *
 * @module
 */

import {
  type CertificateDocument,
  formatCertificateDocument,
  signCertificate,
} from "./certificate.ts";
import { InvalidConfigError, type InvalidKeyError } from "./errors.ts";
import {
  decodePrivateKey,
  decodePublicKey,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  type KeyPair,
  keyPairFromSeed,
} from "./keys.ts";
import { invalidFileNameReason, NAME_RULE, shellQuote } from "./names.ts";
import {
  describeJsonSyntaxError,
  dumpPythonJson,
  type JsonValue,
  parseJson,
} from "./python_json.ts";
import { parseTree } from "jsonc-parser";

/** The only configuration version Tahoe-LAFS 1.20 reads and writes. */
export const CONFIG_VERSION = 0;

/** Lowest and highest certificate lifetime `sign` accepts, in days. */
export const MIN_CERTIFICATE_DAYS = 1;
/** Tahoe-LAFS 1.20 accepts at most five years of 365 days. */
export const MAX_CERTIFICATE_DAYS = 1825;

/** A storage server registered with a Grid Manager. */
export interface StorageServer {
  /** The operator's name for the server; unique within the config. */
  readonly name: string;
  /** The server's key in canonical `pub-v0-…` form. */
  readonly publicKey: string;
}

/** A loaded Grid Manager configuration. */
export interface GridManagerConfig {
  /** The signing key pair. */
  readonly keys: KeyPair;
  /** Registered servers, in the order they were added. */
  readonly servers: readonly StorageServer[];
}

/** Creates a configuration with a fresh random key and no servers. */
export function createGridManagerConfig(): GridManagerConfig {
  return { keys: generateKeyPair(), servers: [] };
}

/** Returns the Grid Manager's public key, `pub-v0-…`. */
export function publicIdentity(config: GridManagerConfig): string {
  return encodePublicKey(config.keys.publicKey);
}

/**
 * Parses `config.json` text. Accepts every configuration Tahoe-LAFS 1.20
 * loads, and rejects with a clear message the ones it would crash on or
 * could not load again, such as a server name that is a path.
 *
 * @param source names the input in messages, such as a path or "stdin".
 * @throws {InvalidConfigError} naming `source` and what is wrong.
 */
export function parseGridManagerConfig(
  text: string,
  source: string,
): GridManagerConfig {
  const fail = (problem: string): never => {
    throw new InvalidConfigError(
      `invalid Grid Manager config in ${source}: ${problem}`,
    );
  };

  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    // The text may be a private key given as the wrong input, so the
    // message says where parsing stopped and never quotes the text.
    const problem = text.charCodeAt(0) === 0xfeff
      ? (error as Error).message
      : `the text ${describeJsonSyntaxError(error, text)}`;
    return fail(
      `${problem}; give the config.json that "grid-manager create" wrote`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("the top level is not a JSON object");
  }
  const record = value as Record<string, unknown>;

  if (record.grid_manager_config_version !== CONFIG_VERSION) {
    fail(
      `"grid_manager_config_version" is ${
        JSON.stringify(record.grid_manager_config_version) ?? "missing"
      }, expected ${CONFIG_VERSION}`,
    );
  }
  if (typeof record.private_key !== "string") {
    fail(`"private_key" is missing or not a string`);
  }
  let seed: Uint8Array;
  try {
    seed = decodePrivateKey(record.private_key as string);
  } catch (error) {
    return fail((error as InvalidKeyError).message);
  }

  const servers: StorageServer[] = [];
  // A missing "storage_servers" means none; null is an error, as Tahoe
  // crashes on it.
  const entries = "storage_servers" in record ? record.storage_servers : {};
  if (
    typeof entries !== "object" || entries === null || Array.isArray(entries)
  ) {
    fail(
      `"storage_servers" is not a JSON object of name to {"public_key": ...}`,
    );
  }
  const byName = entries as Record<string, unknown>;
  for (const name of serverNamesInTextOrder(text, Object.keys(byName))) {
    const entry = byName[name];
    const reason = invalidFileNameReason(name);
    if (reason) {
      fail(
        `storage server name ${
          JSON.stringify(name)
        } is unusable (${reason}); ` +
          `rename it in config.json`,
      );
    }
    const publicKey = (entry as Record<string, unknown> | null)?.public_key;
    if (typeof entry !== "object" || typeof publicKey !== "string") {
      fail(`storage server ${JSON.stringify(name)} has no "public_key" string`);
    }
    let keyBytes: Uint8Array;
    try {
      keyBytes = decodePublicKey(publicKey as string);
    } catch (error) {
      return fail(
        `storage server ${JSON.stringify(name)}: ${(error as Error).message}`,
      );
    }
    // Tahoe accepts a few non-canonical keys and writes them back
    // canonical, so comparisons and the saved file use the canonical form.
    servers.push({ name, publicKey: encodePublicKey(keyBytes) });
  }
  return { keys: keyPairFromSeed(seed), servers };
}

// Names that JavaScript objects list first, in numeric order: array indexes
// (this pattern also matches a few larger numbers, which is harmless).
const INTEGER_LIKE_NAME = /^(?:0|[1-9][0-9]*)$/;

/**
 * Returns the storage server names in the order `text` has them, as Python
 * reads them: a repeated name keeps its first place. `names` is the order
 * of the parsed object, which is right unless some name is integer-like.
 */
function serverNamesInTextOrder(text: string, names: string[]): string[] {
  if (!names.some((name) => INTEGER_LIKE_NAME.test(name))) return names;
  // A repeated "storage_servers" key takes its last value, as in JSON.parse.
  const property = parseTree(text)?.children?.findLast((node) =>
    node.children?.[0]?.value === "storage_servers"
  );
  const ordered = new Set(
    property?.children?.[1]?.children?.map((node) =>
      String(node.children?.[0]?.value)
    ),
  );
  const same = ordered.size === names.length &&
    names.every((name) => ordered.has(name));
  return same ? [...ordered] : names;
}

/**
 * Formats a configuration as Tahoe-LAFS writes `config.json`, including the
 * final newline. The text contains the private key.
 */
export function formatGridManagerConfig(config: GridManagerConfig): string {
  const data: { [key: string]: JsonValue } = {
    grid_manager_config_version: CONFIG_VERSION,
    private_key: encodePrivateKey(config.keys.seed),
  };
  if (config.servers.length > 0) {
    const servers = new Map<string, JsonValue>();
    for (const server of config.servers) {
      servers.set(server.name, { public_key: server.publicKey });
    }
    data.storage_servers = servers;
  }
  return dumpPythonJson(data, { indent: 4 }) + "\n";
}

/** Finds a registered server by name. */
export function findServer(
  config: GridManagerConfig,
  name: string,
): StorageServer | undefined {
  return config.servers.find((server) => server.name === name);
}

/** Result of {@link addServer}. */
export interface AddServerResult {
  /** The configuration with the server added. */
  readonly config: GridManagerConfig;
  /** Names already registered with the same key. */
  readonly sameKeyNames: readonly string[];
  /**
   * Names already registered that differ from the new one only in Unicode
   * normalization (NFC against NFD), so they look the same in a listing.
   */
  readonly lookAlikeNames: readonly string[];
}

/**
 * Registers a server. The key is stored in canonical form.
 *
 * @throws {InvalidConfigError} when the name is taken or unusable.
 * @throws {InvalidKeyError} when the key is invalid.
 */
export function addServer(
  config: GridManagerConfig,
  name: string,
  publicKey: string,
): AddServerResult {
  const reason = invalidFileNameReason(name);
  if (reason) {
    throw new InvalidConfigError(
      `invalid server name ${JSON.stringify(name)}: ${reason}; ${NAME_RULE}`,
    );
  }
  const canonicalKey = encodePublicKey(decodePublicKey(publicKey));
  if (findServer(config, name)) {
    throw new InvalidConfigError(
      `a storage server called ${JSON.stringify(name)} already exists; ` +
        `choose another name, or "remove" it first`,
    );
  }
  const sameKeyNames = config.servers
    .filter((server) => server.publicKey === canonicalKey)
    .map((server) => server.name);
  const normalized = name.normalize("NFC");
  const lookAlikeNames = config.servers
    .filter((server) => server.name.normalize("NFC") === normalized)
    .map((server) => server.name);
  return {
    config: {
      ...config,
      servers: [...config.servers, { name, publicKey: canonicalKey }],
    },
    sameKeyNames,
    lookAlikeNames,
  };
}

/**
 * Removes a registered server.
 *
 * @param program the command line that reaches this Grid Manager, for
 *   suggestions in messages, such as `grid-manager --config gm`.
 * @throws {InvalidConfigError} when no server has that name.
 */
export function removeServer(
  config: GridManagerConfig,
  name: string,
  program = "grid-manager",
): GridManagerConfig {
  if (!findServer(config, name)) {
    throw new InvalidConfigError(
      `no storage server called ${JSON.stringify(name)}; ` +
        `"${program} list" shows the registered names`,
    );
  }
  return {
    ...config,
    servers: config.servers.filter((server) => server.name !== name),
  };
}

/**
 * Signs a certificate for the server `name` that expires `days` days after
 * `nowMicros`.
 *
 * @param program the command line that reaches this Grid Manager, for
 *   suggestions in messages, such as `grid-manager --config gm`.
 * @throws {InvalidConfigError} when no server has that name.
 */
export function signForServer(
  config: GridManagerConfig,
  name: string,
  expiresMicros: number,
  program = "grid-manager",
): { document: CertificateDocument; text: string } {
  const server = findServer(config, name);
  if (!server) {
    throw new InvalidConfigError(
      `no storage server called ${JSON.stringify(name)}; ` +
        `add it first with "${program} add ${shellQuote(name)} PUBKEY"`,
    );
  }
  const document = signCertificate(
    config.keys.seed,
    server.publicKey,
    expiresMicros,
  );
  return { document, text: formatCertificateDocument(document) };
}
