/**
 * Names that an operator gives to storage servers, certificates and Grid
 * Managers. A name becomes part of a file name (`NAME.cert.0`, `NAME.cert`)
 * or an option name in tahoe.cfg, so it must never be able to name a path
 * outside its directory or break the file it goes into.
 *
 * @module
 */

import { GridManagerError } from "./errors.ts";

/**
 * Start of the names of the temporary files that writes go through. A
 * command removes such files when no live writer has them locked, so no name
 * may start with it.
 */
export const TEMPORARY_FILE_PREFIX = ".grid-manager-tmp-";

/**
 * Returns why `name` cannot name a file inside a directory, or undefined
 * when it can: empty, `.` or `..`, the temporary file prefix, an unpaired
 * surrogate, or containing `/`, `\`, NUL or another control character.
 */
export function invalidFileNameReason(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return `"${name}" names a directory`;
  if (name.includes("/") || name.includes("\\")) {
    return "it contains a path separator";
  }
  if (name.startsWith(TEMPORARY_FILE_PREFIX)) {
    return `it starts with "${TEMPORARY_FILE_PREFIX}", which marks temporary files`;
  }
  if (!name.isWellFormed()) {
    return "it contains an unpaired UTF-16 surrogate, which no file name can hold";
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return "it contains a control character";
  }
  return undefined;
}

/**
 * Checks a name that will become part of a file name.
 *
 * @param kind what the name names, for the message ("server name").
 * @throws {GridManagerError} (exit code 2 when `usage` is set) naming the
 *   value and what to use instead.
 */
export function checkFileName(
  name: string,
  kind: string,
  exitCode?: number,
): string {
  const reason = invalidFileNameReason(name);
  if (reason) {
    throw new GridManagerError(
      `invalid ${kind} ${JSON.stringify(name)}: ${reason}; ` +
        `use letters, digits, "-", "_" or "."`,
      exitCode,
    );
  }
  return name;
}
