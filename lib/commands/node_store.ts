/**
 * A Tahoe-LAFS node directory as the node commands see it: `tahoe.cfg`,
 * `node.pubkey`, the `.tac` file that names the node type, and certificate
 * files named in `[grid_manager_certificates]`.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { GridManagerError, UsageError } from "../errors.ts";
import { fileError, readTextFile, writeFileAtomic } from "../io.ts";
import { publicKeyFromSeed } from "../ed25519.ts";
import {
  decodePrivateKey,
  encodePublicKey,
  normalizePublicKey,
} from "../keys.ts";
import type { NodeType } from "../node_config.ts";

/** The file name of a node's configuration. */
export const CFG_FILE = "tahoe.cfg";

function homeDirectory(need: string): string {
  const home = Deno.env.get("HOME");
  if (!home) {
    throw new UsageError(
      `HOME is not set, so ${need}; give the path with -d DIR`,
    );
  }
  return home;
}

/**
 * Returns the node directory: the `--node-directory` value with a leading
 * `~` expanded as Tahoe expands it, or `~/.tahoe` as Tahoe uses. Throws
 * when the value is empty (a script's unset variable must not select the
 * default node) or not a directory.
 */
export function nodeDirectory(value: string | boolean | undefined): string {
  let directory: string;
  if (value === "") {
    throw new UsageError(
      "the node directory given with -d is empty; give the node's directory, " +
        "or leave out -d for ~/.tahoe",
    );
  } else if (typeof value === "string") {
    directory = value === "~" || value.startsWith("~/")
      ? join(homeDirectory(`${value} cannot be expanded`), value.slice(1))
      : value;
  } else {
    directory = join(
      homeDirectory("there is no default node directory"),
      ".tahoe",
    );
  }
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(directory);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new GridManagerError(
        `node directory ${directory} not found; give the node's directory with -d DIR`,
      );
    }
    throw fileError(error, directory, "node directory");
  }
  if (!info.isDirectory) {
    throw new GridManagerError(
      `${directory} is not a directory; give the node's directory with -d DIR`,
    );
  }
  return directory;
}

/** Returns the path of the node's tahoe.cfg. */
export function cfgPath(directory: string): string {
  return join(directory, CFG_FILE);
}

/** Reads tahoe.cfg, or returns undefined when it is missing. */
export function readCfgIfPresent(directory: string): string | undefined {
  const path = cfgPath(directory);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw fileError(error, path, CFG_FILE);
  }
  requireRegularFile(path, info, CFG_FILE);
  return readTextFile(path, CFG_FILE);
}

/**
 * Rejects a FIFO, device or directory: reading a FIFO blocks until a writer
 * comes, and reading `/dev/zero` never ends.
 */
function requireRegularFile(
  path: string,
  info: Deno.FileInfo,
  what: string,
): void {
  if (!info.isFile) {
    throw new GridManagerError(
      `${what} ${path} is not a regular file; replace it with a file`,
    );
  }
}

/**
 * Reads tahoe.cfg for an edit.
 *
 * @throws {GridManagerError} when it is missing: the directory is then
 *   probably not a node directory, and an edit would create a stray file.
 */
export function readCfg(directory: string): string {
  const text = readCfgIfPresent(directory);
  if (text === undefined) {
    throw new GridManagerError(
      `${
        cfgPath(directory)
      } not found; give a Tahoe node directory with -d DIR ` +
        `(create one with "tahoe create-node")`,
    );
  }
  return text;
}

/**
 * Replaces tahoe.cfg atomically, keeping its file mode. When tahoe.cfg is
 * a symbolic link, the file it points to is replaced and the link stays.
 */
export function writeCfg(directory: string, text: string): void {
  let path = cfgPath(directory);
  try {
    path = Deno.realPathSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw fileError(error, path, CFG_FILE);
    }
  }
  writeFileAtomic(path, text, CFG_FILE);
}

/**
 * Throws unless the node takes Grid Manager settings: an introducer rejects
 * `[grid_managers]` and `[grid_manager_certificates]` and would not start.
 */
export function requireClientNode(directory: string): void {
  if (readNodeType(directory) === "introducer") {
    throw new GridManagerError(
      `${directory} is an introducer, which does not take Grid Manager settings ` +
        `and would not start with them; give a storage or client node directory with -d DIR`,
    );
  }
}

/** The node's own public key, as read from the node directory. */
export interface NodeKey {
  /** The node's key, `pub-v0-…`, or undefined when it cannot be known. */
  readonly key?: string;
  /** Problems in finding it, each with its fix, one line each. */
  readonly warnings: readonly string[];
  /** Whether the node has no key file at all: it has never started. */
  readonly neverStarted?: boolean;
}

const NO_KEY_YET =
  `start the node once ("tahoe run"), which creates its key, and then check again`;

/**
 * Reads the node's own key from `node.pubkey`. Tahoe writes that file at
 * each start from `private/node.privkey`, so when it is missing or invalid
 * the key is derived from the private key, which is never shown. A node
 * that has not started yet has neither file.
 */
export function readNodeKey(directory: string): NodeKey {
  const path = join(directory, "node.pubkey");
  let problem: string | undefined;
  try {
    return {
      key: normalizePublicKey(Deno.readTextFileSync(path)),
      warnings: [],
    };
  } catch (error) {
    if (error instanceof GridManagerError) {
      problem = `${path} contains no valid node key (${error.message})`;
    } else if (!(error instanceof Deno.errors.NotFound)) {
      throw fileError(error, path, "node key file");
    }
  }
  const privatePath = join(directory, "private", "node.privkey");
  let privateText: string;
  try {
    privateText = Deno.readTextFileSync(privatePath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw fileError(error, privatePath, "node private key file");
    }
    return {
      neverStarted: problem === undefined,
      warnings: [
        `${
          problem ?? "the node has no key yet"
        }, so grid-manager could not check ` +
        `that the certificate is for this node; ${NO_KEY_YET}`,
      ],
    };
  }
  let key: string;
  try {
    key = encodePublicKey(
      publicKeyFromSeed(decodePrivateKey(privateText.trim())),
    );
  } catch {
    // The message of a private key error is not shown: it is never needed
    // to fix a file that only Tahoe writes.
    return {
      warnings: [
        `${privatePath} contains no valid private key, so grid-manager could not ` +
        `check that the certificate is for this node; ` +
        `restore the node's private directory from a backup`,
      ],
    };
  }
  return {
    key,
    warnings: problem === undefined ? [] : [
      `${problem}; used the key in private/node.privkey instead; ` +
      `restart the node, which writes node.pubkey again`,
    ],
  };
}

/**
 * Returns the node type as Tahoe's `tahoe run` decides it: from the name
 * of the `.tac` file in the directory. A directory without one is taken
 * for a client, the kind that takes certificates and Grid Manager keys.
 */
export function readNodeType(directory: string): NodeType {
  try {
    for (const entry of Deno.readDirSync(directory)) {
      if (entry.name.endsWith(".tac")) {
        return entry.name.includes("introducer") &&
            !entry.name.includes("client")
          ? "introducer"
          : "client";
      }
    }
  } catch (error) {
    throw fileError(error, directory, "node directory");
  }
  return "client";
}

/**
 * Returns the absolute path of a file named in tahoe.cfg: relative paths
 * are relative to the node directory, as Tahoe resolves them.
 */
export function nodeFilePath(directory: string, path: string): string {
  return resolve(directory, path);
}

/**
 * Reads a certificate file named in tahoe.cfg, or returns undefined when it
 * is missing.
 */
export function readCertificateFile(
  directory: string,
  path: string,
): string | undefined {
  const full = nodeFilePath(directory, path);
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.statSync(full);
  } catch {
    // readTextFile below names the problem.
  }
  if (info !== undefined) requireRegularFile(full, info, "certificate file");
  try {
    return readTextFile(full, "certificate file");
  } catch (error) {
    try {
      Deno.statSync(full);
    } catch (statError) {
      if (statError instanceof Deno.errors.NotFound) return undefined;
    }
    throw error;
  }
}
