/**
 * A reader and editor for `tahoe.cfg` that keeps the file's layout.
 *
 * Tahoe-LAFS 1.20 decodes tahoe.cfg as UTF-8 with an optional byte order
 * mark, reads it in text mode (so `\r\n`, `\r` and `\n` all end a line) and
 * parses it with Python's `configparser.ConfigParser(strict=False)` and its
 * default `BasicInterpolation`. The reader here follows the same rules:
 *
 * - a line whose stripped text starts with `#` or `;` is a comment; a `#`
 *   after a value belongs to the value;
 * - `[name]` starts a section, and section names are case-sensitive;
 *   `[DEFAULT]` holds defaults for every section;
 * - `name = value` or `name : value` sets an option, split at the first `=`
 *   or `:`; option names are lower-cased;
 * - a line indented deeper than the line that started the current option
 *   continues its value, and blank lines inside such a value are kept;
 * - a repeated section merges into the first, and the last value wins;
 * - on reading, `%%` stands for `%` and `%(name)s` for another option.
 *
 * The editor parses the file into lines it keeps, changes only the lines an
 * edit needs and returns every other byte as it was: byte order mark, line
 * endings, comments, blank lines, spacing, separators and duplicates. Every
 * edit re-reads its result and throws rather than return a file in which any
 * other option reads differently.
 *
 * @module
 */

import { GridManagerError } from "./errors.ts";

/** A tahoe.cfg that Python's configparser would reject, or an impossible edit. */
export class TahoeCfgError extends GridManagerError {}

/** What a physical line of tahoe.cfg is to configparser. */
export type TahoeCfgLineKind =
  | "blank"
  | "comment"
  | "section"
  | "option"
  | "continuation";

/** One line of tahoe.cfg, kept byte for byte. */
export interface TahoeCfgLine {
  /** The line without its line ending. */
  readonly text: string;
  /** The line ending: `"\r\n"`, `"\n"`, `"\r"`, or `""` on a last line without one. */
  readonly ending: string;
  /** What the line is to configparser. */
  readonly kind: TahoeCfgLineKind;
  /**
   * The section the line belongs to: the header's own name on a section
   * line, undefined before the first header.
   */
  readonly section?: string;
  /** The lower-cased option name on option and continuation lines. */
  readonly option?: string;
  /** On an option line, where the value starts in `text`. */
  readonly valueStart?: number;
  /** On an option line, where the value ends in `text` (trailing spaces excluded). */
  readonly valueEnd?: number;
  /** Number of characters before the first non-whitespace one. */
  readonly indent: number;
}

/** The section configparser uses for defaults. */
export const DEFAULT_SECTION = "DEFAULT";

const BYTE_ORDER_MARK = "\uFEFF";
const MAX_INTERPOLATION_DEPTH = 10;

// The characters Python's str.isspace() accepts, which str.strip() removes
// and the regular expression `\s` matches. JavaScript's trim() differs: it
// keeps U+001C..U+001F and U+0085 but removes U+FEFF.
const PYTHON_SPACE = new Set(
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004" +
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);

function isPythonSpace(char: string): boolean {
  return PYTHON_SPACE.has(char);
}

function leadingSpace(text: string): number {
  let start = 0;
  while (start < text.length && isPythonSpace(text[start]!)) start++;
  return start;
}

function trailingSpaceStart(text: string, from = 0): number {
  let end = text.length;
  while (end > from && isPythonSpace(text[end - 1]!)) end--;
  return end;
}

/** Strips whitespace from both ends as Python's `str.strip()` does. */
export function pythonStrip(text: string): string {
  const start = leadingSpace(text);
  return text.slice(start, trailingSpaceStart(text, start));
}

// Upper-case letters that Unicode added after version 14.0, the version of
// Python 3.11's str.lower(), which therefore leaves them unchanged.
const NEWER_UPPER_CASE =
  /([\u1c89\ua7cb\ua7cc\ua7da\ua7dc\u{10d50}-\u{10d65}])/u;

/** Lower-cases an option name as configparser's `optionxform` does. */
export function normalizeOptionName(name: string): string {
  // NOTE: a final sigma next to one of NEWER_UPPER_CASE may still lower-case
  // differently from Python, because the split hides its context.
  return name.split(NEWER_UPPER_CASE).map((part, index) =>
    index % 2 === 1 ? part : part.toLowerCase()
  ).join("");
}

/** Splits text into lines the way Python's universal newlines mode does. */
function splitLines(text: string): { text: string; ending: string }[] {
  const lines: { text: string; ending: string }[] = [];
  const pattern = /\r\n|\r|\n/g;
  let start = 0;
  for (const match of text.matchAll(pattern)) {
    lines.push({ text: text.slice(start, match.index), ending: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) {
    lines.push({ text: text.slice(start), ending: "" });
  }
  return lines;
}

/** An option's value as configparser stores it before joining. */
interface StoredOption {
  /** Lower-cased name. */
  readonly name: string;
  /** Value lines: the option line's value, then continuations and blanks. */
  parts: string[];
}

type SectionValues = Map<string, StoredOption>;

function describeLine(number: number, text: string): string {
  const shown = text.length > 60 ? text.slice(0, 57) + "..." : text;
  return `line ${number} (${JSON.stringify(shown)})`;
}

/**
 * A parsed tahoe.cfg: the kept lines and the values configparser reads
 * from them. Build one with {@link parseTahoeCfg}.
 */
export class TahoeCfg {
  /** Whether the text starts with a UTF-8 byte order mark. */
  readonly byteOrderMark: boolean;
  /** Every line, in order, with its line ending. */
  readonly lines: readonly TahoeCfgLine[];
  readonly #defaults: SectionValues = new Map();
  readonly #sections = new Map<string, SectionValues>();

  constructor(text: string, source = "tahoe.cfg") {
    this.byteOrderMark = text.startsWith(BYTE_ORDER_MARK);
    const body = this.byteOrderMark ? text.slice(1) : text;
    const lines: TahoeCfgLine[] = [];
    let current: SectionValues | undefined;
    let sectionName: string | undefined;
    let option: StoredOption | undefined;
    let indentLevel = 0;

    splitLines(body).forEach(({ text: lineText, ending }, index) => {
      const stripped = pythonStrip(lineText);
      const indent = leadingSpace(lineText);
      const base = { text: lineText, ending, indent, section: sectionName };
      if (stripped.startsWith("#") || stripped.startsWith(";")) {
        lines.push({ ...base, kind: "comment" });
        return;
      }
      if (stripped === "") {
        // configparser keeps blank lines inside a value; trailing ones are
        // stripped when the value is joined.
        option?.parts.push("");
        lines.push({ ...base, kind: "blank" });
        return;
      }
      if (
        current !== undefined && option !== undefined && indent > indentLevel
      ) {
        option.parts.push(stripped);
        lines.push({ ...base, kind: "continuation", option: option.name });
        return;
      }
      indentLevel = indent;
      const header = /^\[([^]+)\]/.exec(stripped);
      if (header) {
        sectionName = header[1]!;
        option = undefined;
        if (sectionName === DEFAULT_SECTION) {
          current = this.#defaults;
        } else {
          current = this.#sections.get(sectionName);
          if (current === undefined) {
            current = new Map();
            this.#sections.set(sectionName, current);
          }
        }
        lines.push({ ...base, kind: "section", section: sectionName });
        return;
      }
      if (current === undefined) {
        throw new TahoeCfgError(
          `${source}: ${
            describeLine(index + 1, lineText)
          } comes before any [section] header; put it under a section such as [node]`,
        );
      }
      const delimiter = /[=:]/.exec(stripped);
      const name = delimiter
        ? stripped.slice(
          0,
          trailingSpaceStart(stripped.slice(0, delimiter.index)),
        )
        : "";
      if (!delimiter || name === "") {
        throw new TahoeCfgError(
          `${source}: ${describeLine(index + 1, lineText)} is not ` +
            `"name = value", a [section] header, a comment or an indented continuation; fix or remove it`,
        );
      }
      const offset = indent + delimiter.index + 1;
      const valueStart = offset + leadingSpace(lineText.slice(offset));
      const valueEnd = Math.max(valueStart, trailingSpaceStart(lineText));
      const key = normalizeOptionName(name);
      option = { name: key, parts: [lineText.slice(valueStart, valueEnd)] };
      const previous = current.get(key);
      if (previous) {
        // A repeated option keeps its place in the order and takes the new value.
        previous.parts = option.parts;
        option = previous;
      } else {
        current.set(key, option);
      }
      lines.push({
        ...base,
        kind: "option",
        option: key,
        valueStart,
        valueEnd,
      });
    });
    this.lines = lines;
  }

  /** Section names in order of first appearance, without `DEFAULT`. */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  /** Whether the section exists; `DEFAULT` never does, as in configparser. */
  hasSection(section: string): boolean {
    return this.#sections.has(section);
  }

  #lookup(section: string): SectionValues | undefined {
    return section === DEFAULT_SECTION
      ? this.#defaults
      : this.#sections.get(section);
  }

  /**
   * Returns an option's value before interpolation (with `%%` still
   * doubled), falling back to `[DEFAULT]`, or undefined when the section or
   * option is missing.
   */
  getRaw(section: string, option: string): string | undefined {
    const values = this.#lookup(section);
    if (values === undefined) return undefined;
    const key = normalizeOptionName(option);
    const stored = values.get(key) ?? this.#defaults.get(key);
    return stored === undefined ? undefined : joinValue(stored.parts);
  }

  /**
   * Returns an option's value as configparser's `get` does: `%%` becomes
   * `%` and `%(name)s` is replaced. Undefined when the section or option is
   * missing.
   *
   * @throws {TahoeCfgError} when the value's `%` syntax is invalid, which
   *   stops a Tahoe node that reads it.
   */
  get(section: string, option: string): string | undefined {
    const raw = this.getRaw(section, option);
    if (raw === undefined) return undefined;
    return this.#interpolate(section, normalizeOptionName(option), raw);
  }

  /**
   * Returns the option names of a section as configparser's `options` does:
   * the section's own options in order of first appearance, then defaults.
   * Empty when the section is missing.
   */
  options(section: string): string[] {
    const values = this.#sections.get(section);
    if (values === undefined) return [];
    const names = [...values.keys()];
    for (const name of this.#defaults.keys()) {
      if (!values.has(name)) names.push(name);
    }
    return names;
  }

  /**
   * Returns `[name, value]` pairs as configparser's `items(section)` does:
   * defaults first, then the section's own options, lower-cased names,
   * interpolated values, the last value winning. Empty when the section is
   * missing.
   *
   * @throws {TahoeCfgError} when a value's `%` syntax is invalid.
   */
  items(section: string): [string, string][] {
    const values = this.#sections.get(section);
    if (values === undefined) return [];
    const names = [...this.#defaults.keys()];
    for (const name of values.keys()) {
      if (!this.#defaults.has(name)) names.push(name);
    }
    return names.map((name) => [name, this.get(section, name)!]);
  }

  #interpolate(section: string, option: string, raw: string): string {
    const output: string[] = [];
    this.#interpolateInto(section, option, raw, output, 1);
    return output.join("");
  }

  #interpolateInto(
    section: string,
    option: string,
    rest: string,
    output: string[],
    depth: number,
  ): void {
    const where = `[${section}] ${option}`;
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw new TahoeCfgError(
        `tahoe.cfg: ${where} refers to other options more than ${MAX_INTERPOLATION_DEPTH} levels deep; ` +
          `write "%" as "%%" unless it starts a %(name)s reference`,
      );
    }
    while (rest !== "") {
      const percent = rest.indexOf("%");
      if (percent < 0) {
        output.push(rest);
        return;
      }
      output.push(rest.slice(0, percent));
      rest = rest.slice(percent);
      const next = rest[1];
      if (next === "%") {
        output.push("%");
        rest = rest.slice(2);
        continue;
      }
      const reference = next === "(" ? /^%\(([^)]+)\)s/.exec(rest) : null;
      if (reference === null) {
        throw new TahoeCfgError(
          `tahoe.cfg: [${section}] ${option} has a "%" that is not followed by "%" or "(name)s"; ` +
            `write "%" as "%%"`,
        );
      }
      rest = rest.slice(reference[0].length);
      const name = normalizeOptionName(reference[1]!);
      const value = this.getRaw(section, name);
      if (value === undefined) {
        throw new TahoeCfgError(
          `tahoe.cfg: [${section}] ${option} refers to %(${
            reference[1]
          })s, which is not set in [${section}]; write "%" as "%%"`,
        );
      }
      if (value.includes("%")) {
        this.#interpolateInto(section, option, value, output, depth + 1);
      } else {
        output.push(value);
      }
    }
  }

  /** Returns the text again, byte for byte. */
  toString(): string {
    return (this.byteOrderMark ? BYTE_ORDER_MARK : "") +
      this.lines.map((line) => line.text + line.ending).join("");
  }

  /** Returns every stored raw value, for comparing two parses. */
  rawValues(): Map<string, string> {
    const all = new Map<string, string>();
    const add = (section: string, values: SectionValues) => {
      for (const [name, stored] of values) {
        all.set(`${section}\u0000${name}`, joinValue(stored.parts));
      }
    };
    add(DEFAULT_SECTION, this.#defaults);
    for (const [section, values] of this.#sections) add(section, values);
    return all;
  }
}

function joinValue(parts: readonly string[]): string {
  const joined = parts.join("\n");
  return joined.slice(0, trailingSpaceStart(joined));
}

/**
 * Parses tahoe.cfg text (already decoded from UTF-8; a leading U+FEFF is
 * the byte order mark).
 *
 * @param source names the file in error messages.
 * @throws {TahoeCfgError} on a line configparser rejects, naming its number.
 */
export function parseTahoeCfg(text: string, source = "tahoe.cfg"): TahoeCfg {
  return new TahoeCfg(text, source);
}
