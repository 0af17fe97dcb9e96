/**
 * The file and stream operations every command shares: atomic writes,
 * exclusive creates, directory locks and the standard streams. This is the
 * I/O edge of the package; everything else in `lib/` works on strings.
 *
 * @module
 */

import { escapeLineForTerminal } from "./terminal_text.ts";
import { basename, dirname, join } from "node:path";
import { GridManagerError } from "./errors.ts";
import { TEMPORARY_FILE_PREFIX } from "./names.ts";

const encoder = new TextEncoder();
const TEMP_PREFIX = TEMPORARY_FILE_PREFIX;

/** Writes all of `text` to stdout. */
export function writeStdout(text: string): void {
  writeAll(Deno.stdout, encoder.encode(text), "standard output");
}

/**
 * Writes one message line to stderr, prefixed with the program name. Control
 * and text-direction characters in it, which may come from input files, are
 * escaped, so the message stays one line and cannot act on a terminal.
 */
export function printMessage(message: string): void {
  try {
    writeAll(
      Deno.stderr,
      encoder.encode(`grid-manager: ${escapeLineForTerminal(message)}\n`),
      "standard error",
    );
  } catch {
    // A closed stderr leaves nowhere to report to, but the exit code remains.
  }
}

/** Writes a warning line to stderr. */
export function printWarning(message: string): void {
  printMessage(`warning: ${message}`);
}

function writeAll(
  stream: { writeSync(data: Uint8Array): number },
  data: Uint8Array,
  name: string,
): void {
  let offset = 0;
  try {
    while (offset < data.length) {
      offset += stream.writeSync(data.subarray(offset));
    }
  } catch (error) {
    throw new GridManagerError(
      `cannot write to ${name}: ${(error as Error).message}; ` +
        `check where the output is redirected`,
    );
  }
}

/** Maximum bytes read from stdin: far above any config or certificate. */
export const MAX_STDIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads all of stdin as UTF-8 text.
 *
 * @param what names the expected input in messages ("Grid Manager config").
 * @throws {GridManagerError} when stdin is empty, closed or too large.
 */
export async function readStdinText(what: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of Deno.stdin.readable) {
      total += chunk.length;
      if (total > MAX_STDIN_BYTES) {
        throw new GridManagerError(
          `standard input is larger than ${MAX_STDIN_BYTES} bytes; expected a ${what}`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof GridManagerError) throw error;
    throw new GridManagerError(
      `cannot read the ${what} from standard input: ${
        (error as Error).message
      }`,
    );
  }
  if (total === 0) {
    throw new GridManagerError(
      `standard input is empty; expected a ${what} there (pipe it in, or give a file)`,
    );
  }
  return decodeUtf8(concat(chunks, total), "standard input");
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Decodes UTF-8, rejecting invalid bytes.
 *
 * @throws {GridManagerError} naming `source`.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes,
    );
  } catch {
    throw new GridManagerError(
      `${source} is not valid UTF-8 text; check that it is the right file`,
    );
  }
}

/**
 * Reads a text file.
 *
 * @param what names the file's role in messages ("Grid Manager config").
 * @throws {GridManagerError} when it is missing or unreadable.
 */
export function readTextFile(path: string, what: string): string {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (error) {
    throw fileError(error, path, what);
  }
  return decodeUtf8(bytes, path);
}

/** Turns a Deno file-system error into a one-line user message. */
export function fileError(
  error: unknown,
  path: string,
  what: string,
): GridManagerError {
  if (error instanceof Deno.errors.NotFound) {
    return new GridManagerError(`${what} ${path} not found; check the path`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new GridManagerError(
      `permission denied for ${what} ${path}; run as its owner or fix its mode`,
    );
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new GridManagerError(`${what} ${path} is a directory, not a file`);
  }
  return new GridManagerError(
    `cannot access ${what} ${path}: ${(error as Error).message}`,
  );
}

/** Returns whether a path exists (without following a final symlink). */
export function pathExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function tempPathFor(path: string): string {
  const random = crypto.randomUUID().slice(0, 8);
  return join(
    dirname(path),
    `${TEMP_PREFIX}${Deno.pid}-${random}-${basename(path)}`,
  );
}

/** A temporary file, written and synced, still open and locked. */
interface LockedTempFile {
  readonly file: Deno.FsFile;
  readonly path: string;
}

/**
 * Writes `data` to a new temporary file beside `target` and returns it
 * still open and locked. The caller moves it into place and then closes
 * it; until then the lock shows {@link removeStaleTempFiles} that its
 * writer is alive. On failure nothing is left behind.
 */
function writeLockedTempFile(
  target: string,
  data: Uint8Array,
  mode: number,
): LockedTempFile {
  for (let attempt = 0;; attempt++) {
    const path = tempPathFor(target);
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { write: true, createNew: true, mode });
    } catch (error) {
      // Creating a file needs write permission on its directory, not on
      // the file, so the message names the directory.
      if (error instanceof Deno.errors.PermissionDenied) {
        throw new GridManagerError(
          `cannot create files in ${dirname(target)}: permission denied; ` +
            `the directory must be writable by this user (run as its owner or fix its mode)`,
        );
      }
      throw error;
    }
    try {
      file.lockSync(true);
      // A cleaner may have locked and removed the file between its
      // creation and our lock; then start over with a new name.
      if (file.statSync().nlink === 0 && attempt < 10) {
        file.close();
        continue;
      }
      let offset = 0;
      while (offset < data.length) {
        offset += file.writeSync(data.subarray(offset));
      }
      file.syncSync();
      Deno.chmodSync(path, mode);
    } catch (error) {
      file.close();
      removeQuietly(path);
      throw error;
    }
    return { file, path };
  }
}

function syncDirectory(directory: string): void {
  try {
    const handle = Deno.openSync(directory, { read: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
  } catch {
    // Some file systems cannot sync a directory; the rename is still atomic.
  }
}

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * File mode. Defaults to the mode of the file being replaced, or 0o644 for
   * a new file.
   */
  mode?: number;
}

/**
 * Replaces `path` with `text` so that a reader, or a crash at any moment,
 * sees either the old file or the new one: the data goes to a temporary
 * file in the same directory, is synced, and is renamed over `path`.
 *
 * @param what names the file's role in messages.
 */
export function writeFileAtomic(
  path: string,
  text: string,
  what: string,
  options: AtomicWriteOptions = {},
): void {
  let existing: Deno.FileInfo | undefined;
  try {
    existing = Deno.statSync(path);
  } catch {
    // A new file.
  }
  const mode = options.mode ??
    (existing ? existing.mode! & 0o7777 : 0o644);
  let temp: LockedTempFile | undefined;
  try {
    temp = writeLockedTempFile(path, encoder.encode(text), mode);
    keepOwnership(temp.path, existing ?? Deno.statSync(dirname(path)));
    Deno.renameSync(temp.path, path);
  } catch (error) {
    if (temp) removeQuietly(temp.path);
    if (error instanceof GridManagerError) throw error;
    throw fileError(error, path, what);
  } finally {
    temp?.file.close();
  }
  syncDirectory(dirname(path));
}

/**
 * Creates `path` with `text` only if it does not exist yet, complete or not
 * at all: the data is written to a temporary file and hard-linked into
 * place, which fails when the name is taken.
 *
 * @returns false when `path` already exists.
 */
export function createFileExclusive(
  path: string,
  text: string,
  what: string,
  mode = 0o644,
): boolean {
  let temp: LockedTempFile | undefined;
  try {
    temp = writeLockedTempFile(path, encoder.encode(text), mode);
    keepOwnership(temp.path, Deno.statSync(dirname(path)));
    Deno.linkSync(temp.path, path);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    if (error instanceof GridManagerError) throw error;
    throw fileError(error, path, what);
  } finally {
    if (temp) {
      removeQuietly(temp.path);
      temp.file.close();
    }
  }
  syncDirectory(dirname(path));
  return true;
}

/**
 * Gives `temp` the owner and group of `like`: the file it replaces, or the
 * directory a new file goes into. Run as root on a node directory, this
 * keeps the node's files readable by the node's own user. Only root may
 * give a file away, so for other users a failed change is ignored.
 */
function keepOwnership(temp: string, like: Deno.FileInfo): void {
  if (like.uid === null || like.gid === null) return;
  const own = Deno.statSync(temp);
  if (own.uid === like.uid && own.gid === like.gid) return;
  try {
    Deno.chownSync(temp, like.uid, like.gid);
  } catch {
    // Not root: the file stays the user's own.
  }
}

/** Removes a file, ignoring one that is already gone. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone, or never created.
  }
}

/**
 * Removes a temporary file if its writer died. A live writer holds a lock
 * on its file from creation until the file is in place, so a file that can
 * be locked is stale. It is removed while locked, and a writer that locks
 * its new file only after such a removal sees it gone and starts over.
 */
function removeIfStale(path: string): void {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch {
    return;
  }
  try {
    if (file.tryLockSync(true)) removeQuietly(path);
  } finally {
    file.close();
  }
}

/**
 * Removes temporary files that an interrupted command left in `directory`.
 * Files that a running command is still writing are kept.
 */
export function removeStaleTempFiles(directory: string): void {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(directory);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.startsWith(TEMP_PREFIX)) continue;
    removeIfStale(join(directory, entry.name));
  }
}

/**
 * Runs `action` while holding an exclusive lock on `directory`, so that
 * commands changing the same directory run one after another. The
 * operating system drops the lock if the process dies.
 */
export async function withDirectoryLock<T>(
  directory: string,
  what: string,
  action: () => T | Promise<T>,
): Promise<T> {
  let handle: Deno.FsFile;
  try {
    handle = Deno.openSync(directory, { read: true });
  } catch (error) {
    throw fileError(error, directory, what);
  }
  try {
    await handle.lock(true);
    removeStaleTempFiles(directory);
    return await action();
  } finally {
    handle.close();
  }
}
