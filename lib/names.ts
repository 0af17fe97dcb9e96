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
 * Most UTF-8 bytes a name may have: `NAME.cert.NNNN` must fit the 255 bytes
 * most file systems allow for one file name.
 */
export const MAX_NAME_BYTES = 255 - ".cert.NNNN".length;

/** What a name may be, for the end of every message that rejects one. */
export const NAME_RULE =
  `a name is any text of at most ${MAX_NAME_BYTES} UTF-8 bytes, other than "." and "..", ` +
  `without "/", "\\", control, line separator or invisible format characters`;

const encoder = new TextEncoder();

/**
 * Returns why `name` cannot name a file inside a directory, or undefined
 * when it can: empty, `.` or `..`, the temporary file prefix, an unpaired
 * surrogate, too long for `NAME.cert.NNNN`, or containing `/`, `\`, a C0
 * or C1 control character, U+2028 or U+2029, or an invisible format
 * character (Unicode category Cf, such as a bidi override or a zero-width
 * space), which would hide in listings.
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
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return "it contains a control character";
  }
  if (/[\u2028\u2029]/.test(name)) return "it contains a line separator";
  const format = /\p{Cf}/u.exec(name);
  if (format) {
    const code = format[0].codePointAt(0)!.toString(16).toUpperCase();
    return `it contains the invisible format character U+${
      code.padStart(4, "0")
    }`;
  }
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_NAME_BYTES) {
    return `it is ${bytes} bytes long, too long for the file name NAME.cert.N`;
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
      `invalid ${kind} ${JSON.stringify(name)}: ${reason}; ${NAME_RULE}`,
      exitCode,
    );
  }
  return name;
}

/**
 * Quotes a word for a POSIX shell, so that a command suggested in a
 * message works when pasted: plain words stay as they are, others go in
 * single quotes.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.\/:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
