/**
 * Text from files and the network, made safe to print on a terminal.
 *
 * Nicknames, certificate fields and server names come from other people's
 * machines. Printed raw, an escape sequence in one can clear the screen,
 * retitle the window or hide the rest of a line, and a right-to-left
 * override can make one key read as another. JSON output needs none of
 * this: JSON.stringify escapes control characters.
 *
 * @module
 */

// C0 controls other than the line feed, DEL, C1 controls, and the Unicode
// controls that reorder text or separate lines.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Replaces every character that could act on a terminal with a visible
 * escape: `\x1b` for ESC, `\u202e` for a right-to-left override. Line feeds
 * stay, so a multi-line report keeps its lines.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    return code < 0x100
      ? "\\x" + code.toString(16).padStart(2, "0")
      : "\\u" + code.toString(16).padStart(4, "0");
  });
}

/**
 * Like {@link escapeForTerminal}, and escapes line feeds too, for a value
 * printed inside one line.
 */
export function escapeLineForTerminal(text: string): string {
  return escapeForTerminal(text).replaceAll("\n", "\\x0a");
}
