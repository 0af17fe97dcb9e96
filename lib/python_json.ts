/**
 * JSON text laid out the way Python's `json.dumps` lays it out, so files we
 * write are byte-identical to the ones Tahoe-LAFS writes.
 *
 * @module
 */

/**
 * Parses JSON text like `JSON.parse`, but with an error message that never
 * quotes the input. V8's messages for some errors repeat the whole text,
 * which for a Grid Manager config includes the private key and may span
 * several lines.
 *
 * @throws {SyntaxError} saying what is wrong and, where V8 reports it, where.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (text.charCodeAt(0) === 0xfeff) {
      throw new SyntaxError(
        "the text starts with a byte order mark (U+FEFF); save it as UTF-8 without one",
      );
    }
    // "Unexpected token 'x', "<input>" is not valid JSON": keep the token,
    // which is never inside a string literal, and drop the quoted input.
    const message = (error as Error).message
      .replace(/^Unexpected token '(.)', .*$/s, (_, token: string) => {
        const code = token.charCodeAt(0);
        const shown = code > 0x20 && code < 0x7f
          ? JSON.stringify(token)
          : "U+" + code.toString(16).toUpperCase().padStart(4, "0");
        return `unexpected character ${shown}`;
      })
      .replace(/\s+/g, " ");
    throw new SyntaxError(message);
  }
}

/**
 * A JSON value this serializer handles: no floats, no undefined. A Map is
 * an object whose keys keep their insertion order, which a plain object
 * does not for integer-like keys such as "10".
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | Map<string, JsonValue>
  | { [key: string]: JsonValue };

/**
 * Quotes a string as Python's `json.dumps` does with `ensure_ascii=True`:
 * everything outside printable ASCII becomes `\uXXXX`, astral characters as
 * surrogate pairs.
 */
export function quotePythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const char = text[i]!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) {
      out += "\\u" + code.toString(16).padStart(4, "0");
    } else out += char;
  }
  return out + '"';
}

/** Options of {@link dumpPythonJson}. */
export interface DumpOptions {
  /** Spaces per level, as Python's `indent`; omit for one line. */
  indent?: number;
  /** Compact separators `,` and `:` as Python's `separators=(',', ':')`. */
  compact?: boolean;
  /** Sort object keys, as Python's `sort_keys=True`. */
  sortKeys?: boolean;
}

/**
 * Serializes `value` as Python's `json.dumps` would with the same options.
 * Integers only: a non-integer number throws a TypeError, because Python's
 * float formatting differs from JavaScript's.
 */
export function dumpPythonJson(
  value: JsonValue,
  options: DumpOptions = {},
): string {
  const indent = options.indent;
  const itemSeparator = indent !== undefined || options.compact ? "," : ", ";
  const keySeparator = options.compact ? ":" : ": ";

  function write(node: JsonValue, depth: number): string {
    if (node === null) return "null";
    if (typeof node === "boolean") return node ? "true" : "false";
    if (typeof node === "number") {
      if (!Number.isInteger(node)) {
        throw new TypeError(
          `cannot serialize non-integer ${node} as Python does`,
        );
      }
      return String(node);
    }
    if (typeof node === "string") return quotePythonJsonString(node);

    const open = Array.isArray(node) ? "[" : "{";
    const close = Array.isArray(node) ? "]" : "}";
    let items: string[];
    if (Array.isArray(node)) {
      items = node.map((item) => write(item, depth + 1));
    } else {
      const entries = node instanceof Map
        ? new Map(node)
        : new Map(Object.entries(node));
      items = orderedKeys([...entries.keys()]).map((key) =>
        quotePythonJsonString(key) + keySeparator +
        write(entries.get(key)!, depth + 1)
      );
    }
    if (items.length === 0) return open + close;
    if (indent === undefined) return open + items.join(itemSeparator) + close;

    const inner = "\n" + " ".repeat(indent * (depth + 1));
    const outer = "\n" + " ".repeat(indent * depth);
    return open + inner + items.join(itemSeparator + inner) + outer + close;
  }

  function orderedKeys(keys: string[]): string[] {
    return options.sortKeys ? keys.sort(comparePythonStrings) : keys;
  }

  return write(value, 0);
}

/**
 * Orders strings by code point, as Python's `sorted` does. JavaScript's `<`
 * compares UTF-16 units instead, which puts astral characters (surrogates,
 * 0xD800-0xDFFF) before U+E000-U+FFFF.
 */
export function comparePythonStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const left = a.charCodeAt(i);
    const right = b.charCodeAt(i);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
}

// Moves surrogates above U+E000-U+FFFF, so units compare as code points do.
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1) + 1;
  return `at line ${line} column ${column}`;
}

/**
 * Says that `text` is not valid JSON and where `JSON.parse` failed, as
 * "is not valid JSON at line L column C", without quoting the text: it may
 * be a private key given as the wrong file.
 */
export function describeJsonSyntaxError(error: unknown, text: string): string {
  const where = locateJsonSyntaxError(error, text);
  return where === "" ? "is not valid JSON" : `is not valid JSON ${where}`;
}

function locateJsonSyntaxError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : "";
  const located = /\(line (\d+) column (\d+)\)/.exec(message);
  if (located) return `at line ${located[1]} column ${located[2]}`;
  const position = /at position (\d+)/.exec(message);
  if (position) return lineAndColumn(text, Number(position[1]));
  const start = text.search(/\S/);
  if (start === -1) return "(it is empty)";
  if (/end of JSON input/.test(message)) return "(it ends too early)";
  // A first character that starts no JSON value is where parsing stopped.
  if (!/[{["\-0-9tfn]/.test(text[start]!)) return lineAndColumn(text, start);
  return "";
}
