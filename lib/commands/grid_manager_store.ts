/**
 * Storage of a Grid Manager configuration: a directory that contains
 * `config.json` and the issued `NAME.cert.N` files, or standard input and
 * output (`--config -`), where nothing is kept.
 *
 * @module
 */

import { join } from "node:path";
import {
  parseCertificateDocument,
  parseCertificatePayload,
  verifyCertificateSignature,
} from "../certificate.ts";
import { GridManagerError, UsageError } from "../errors.ts";
import {
  formatGridManagerConfig,
  type GridManagerConfig,
  parseGridManagerConfig,
} from "../grid_manager.ts";
import {
  createFileExclusive,
  fileError,
  pathExists,
  printWarning,
  readStdinText,
  readTextFile,
  removeQuietly,
  removeStaleTempFiles,
  withDirectoryLock,
  writeFileAtomic,
  writeStdout,
} from "../io.ts";
import { shellQuote } from "../names.ts";

/** File mode of `config.json`: it holds the private key. */
export const CONFIG_FILE_MODE = 0o600;
/** File mode of the Grid Manager directory. */
export const CONFIG_DIRECTORY_MODE = 0o700;
/** File mode of issued certificates, as Tahoe-LAFS writes them. */
export const CERTIFICATE_FILE_MODE = 0o644;

const CONFIG_WHAT = "Grid Manager config";

/** A certificate file found beside `config.json`. */
export interface StoredCertificate {
  /** The N of `NAME.cert.N`. */
  readonly index: number;
  /** The file's path. */
  readonly path: string;
  /** Expiry in microseconds since the epoch, or undefined when unreadable. */
  readonly expiresMicros?: number;
  /** The key the certificate names, as written. */
  readonly publicKey?: string;
  /**
   * Whether the signature verifies under the Grid Manager key given to
   * {@link readStoredCertificate}; undefined when no key was given.
   */
  readonly signatureValid?: boolean;
  /** The reason the file could not be read as a certificate. */
  readonly error?: string;
}

/** Returns the `--config` value, or throws a usage error when it is missing. */
export function requireConfigOption(
  value: string | boolean | undefined,
): string {
  if (value === "") {
    throw new UsageError(
      `--config is empty; give the Grid Manager directory, or "--config -" to read the config on stdin`,
    );
  }
  if (typeof value !== "string") {
    throw new UsageError(
      `missing --config; give the Grid Manager directory, or "--config -" to read the config on stdin`,
    );
  }
  return value;
}

/** Returns whether `--config` selects stream mode. */
export function isStreamMode(location: string): boolean {
  return location === "-";
}

function configPath(directory: string): string {
  return join(directory, "config.json");
}

function warnIfReadableByOthers(path: string): void {
  try {
    const mode = Deno.statSync(path).mode;
    if (mode !== null && (mode & 0o077) !== 0) {
      printWarning(
        `${path} is readable by other users (mode ${
          (mode & 0o777).toString(8)
        }) ` +
          `and holds the private key; run "chmod 600 ${path}"`,
      );
    }
  } catch {
    // The read that follows reports a missing file.
  }
}

function requireGridManagerDirectory(location: string): void {
  if (!pathExists(location)) {
    throw new GridManagerError(
      `Grid Manager directory ${location} not found; check --config, or run "grid-manager --config ${
        shellQuote(location)
      } create"`,
    );
  }
  let isDirectory = true;
  try {
    isDirectory = Deno.statSync(location).isDirectory;
  } catch {
    // A broken link or unreadable entry: reading config.json reports it.
  }
  if (!isDirectory) {
    throw new GridManagerError(
      `--config must be a Grid Manager directory (or -), and ${location} is a file`,
    );
  }
}

/**
 * Rejects a config.json that is a FIFO, device or directory: reading one
 * could block forever (a FIFO) or never end (`/dev/zero`).
 */
function requireRegularFile(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    throw fileError(error, path, CONFIG_WHAT);
  }
  if (!info.isFile) {
    throw new GridManagerError(
      `${CONFIG_WHAT} ${path} is not a regular file; ` +
        `replace it with the config.json that "grid-manager create" wrote`,
    );
  }
}

/**
 * Returns the file a symbolic link points to, or `path` itself when it is
 * no link, so that replacing a linked config.json updates the file the
 * link names and the link stays.
 */
function resolveLink(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch (error) {
    throw fileError(error, path, CONFIG_WHAT);
  }
}

/** Loads the configuration from a directory or, for "-", from stdin. */
export async function loadConfig(location: string): Promise<GridManagerConfig> {
  if (isStreamMode(location)) {
    return parseGridManagerConfig(
      await readStdinText(CONFIG_WHAT),
      "standard input",
    );
  }
  const path = configPath(location);
  requireGridManagerDirectory(location);
  requireRegularFile(path);
  warnIfReadableByOthers(path);
  return parseGridManagerConfig(readTextFile(path, CONFIG_WHAT), path);
}

/**
 * Writes a new Grid Manager directory, or prints the config for "-".
 * The directory must not exist; on failure nothing is left behind.
 */
export function createConfig(
  location: string,
  config: GridManagerConfig,
): void {
  const text = formatGridManagerConfig(config);
  if (isStreamMode(location)) {
    writeStdout(text);
    return;
  }
  if (pathExists(location)) {
    throw new GridManagerError(
      `${location} already exists; give --config a new directory name, so no Grid Manager is overwritten`,
    );
  }
  const parent = join(location, "..");
  try {
    Deno.mkdirSync(parent, { recursive: true });
    Deno.mkdirSync(location, { mode: CONFIG_DIRECTORY_MODE });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new GridManagerError(
        `${location} already exists; give --config a new directory name, so no Grid Manager is overwritten`,
      );
    }
    throw fileError(error, location, "Grid Manager directory");
  }
  try {
    Deno.chmodSync(location, CONFIG_DIRECTORY_MODE);
    writeFileAtomic(configPath(location), text, CONFIG_WHAT, {
      mode: CONFIG_FILE_MODE,
    });
  } catch (error) {
    Deno.removeSync(location, { recursive: true });
    throw error;
  }
}

/**
 * Loads, changes and saves the configuration as one step. In directory
 * mode the directory is locked meanwhile, so concurrent changes never lose
 * each other's updates; in stream mode the new config is printed.
 *
 * @param change returns the new configuration, and may throw to abort.
 * @param afterSave runs in directory mode after the config is saved, still
 *   under the lock.
 */
export async function updateConfig(
  location: string,
  change: (config: GridManagerConfig) => GridManagerConfig,
  afterSave?: (directory: string) => void,
): Promise<GridManagerConfig> {
  if (isStreamMode(location)) {
    const updated = change(await loadConfig(location));
    writeStdout(formatGridManagerConfig(updated));
    return updated;
  }
  requireGridManagerDirectory(location);
  return await withDirectoryLock(
    location,
    "Grid Manager directory",
    async () => {
      const current = await loadConfig(location);
      const updated = change(current);
      writeFileAtomic(
        resolveLink(configPath(location)),
        formatGridManagerConfig(updated),
        CONFIG_WHAT,
        {
          mode: CONFIG_FILE_MODE,
        },
      );
      afterSave?.(location);
      return updated;
    },
  );
}

const CERTIFICATE_FILE = /^(.*)\.cert\.(0|[1-9][0-9]*)$/;

/**
 * Lists the certificate files in a Grid Manager directory, grouped by
 * server name and ordered by index. Reads the directory once, so it stays
 * fast with thousands of servers.
 */
export function listCertificateFiles(
  directory: string,
): Map<string, { index: number; path: string }[]> {
  const byName = new Map<string, { index: number; path: string }[]>();
  for (const entry of Deno.readDirSync(directory)) {
    const match = CERTIFICATE_FILE.exec(entry.name);
    if (!match || !entry.isFile) continue;
    const files = byName.get(match[1]!) ?? [];
    files.push({ index: Number(match[2]), path: join(directory, entry.name) });
    byName.set(match[1]!, files);
  }
  for (const files of byName.values()) files.sort((a, b) => a.index - b.index);
  return byName;
}

/** Reads one stored certificate; a bad file is reported, not thrown. */
export function readStoredCertificate(
  file: { index: number; path: string },
  gridManagerKey?: Uint8Array,
): StoredCertificate {
  try {
    const document = parseCertificateDocument(
      readTextFile(file.path, "certificate"),
      file.path,
    );
    const payload = parseCertificatePayload(document, file.path);
    return {
      ...file,
      expiresMicros: payload.expiresMicros,
      publicKey: payload.publicKey,
      ...(gridManagerKey === undefined ? {} : {
        signatureValid: verifyCertificateSignature(document, gridManagerKey),
      }),
    };
  } catch (error) {
    // The advice meant for a certificate given as input does not fit a
    // file the Grid Manager stored itself.
    const problem = (error as Error).message
      .replace(/; give the output of "grid-manager sign".*$/, "")
      .replace(/\s+/g, " ");
    return {
      ...file,
      error: `${problem}; remove the file, or sign a new certificate`,
    };
  }
}

/** Removes every `NAME.cert.N` file of one server. */
export function removeCertificateFiles(
  directory: string,
  name: string,
): number {
  const files = listCertificateFiles(directory).get(name) ?? [];
  for (const file of files) removeQuietly(file.path);
  return files.length;
}

/**
 * Stores a certificate as the lowest free `NAME.cert.N`. The exclusive
 * create makes concurrent `sign` runs each take a different N.
 *
 * @returns the path written.
 */
export function storeCertificate(
  directory: string,
  name: string,
  text: string,
): string {
  // sign takes no lock, so it clears what a killed run left here itself;
  // files of running processes are kept.
  removeStaleTempFiles(directory);
  const taken = new Set(
    (listCertificateFiles(directory).get(name) ?? []).map((f) => f.index),
  );
  for (let index = 0;; index++) {
    if (taken.has(index)) continue;
    const path = join(directory, `${name}.cert.${index}`);
    if (
      createFileExclusive(path, text, "certificate file", CERTIFICATE_FILE_MODE)
    ) return path;
  }
}

/**
 * Stores a certificate as the lowest `NAME.cert.N` not in `takenIndexes`,
 * for callers that already listed the directory: storing for many servers
 * then reads the directory once instead of once per server. The exclusive
 * create still skips an N that another process took meanwhile.
 *
 * @returns the path written and the index used.
 */
export function storeCertificateAfterListing(
  directory: string,
  name: string,
  text: string,
  takenIndexes: Iterable<number>,
): { path: string; index: number } {
  const taken = new Set(takenIndexes);
  for (let index = 0;; index++) {
    if (taken.has(index)) continue;
    const path = join(directory, `${name}.cert.${index}`);
    if (
      createFileExclusive(path, text, "certificate file", CERTIFICATE_FILE_MODE)
    ) return { path, index };
  }
}
