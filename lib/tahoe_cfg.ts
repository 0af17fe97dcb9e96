/**
 * A reader and editor for `tahoe.cfg` that keeps the file's layout.
 *
 * Tahoe-LAFS 1.20 reads tahoe.cfg as bytes, decodes them as UTF-8 with an
 * optional byte order mark, and parses the text with Python's
 * `configparser.ConfigParser(strict=False)` and its default
 * `BasicInterpolation`. The reader here follows the same rules:
 *
 * - only `\n` ends a line, so a `\r` before it (CRLF files) or elsewhere is
 *   whitespace like any other;
 * - a line whose stripped text starts with `#` or `;` is a comment; a `#`
 *   after a value belongs to the value;
 * - `[name]` starts a section, and section names are case-sensitive;
 *   `[DEFAULT]` contains defaults for every section;
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

/** Kind of a physical line of tahoe.cfg, as configparser reads it. */
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
  /** The line ending: `"\r\n"`, `"\n"`, or `""` on a last line without one. */
  readonly ending: string;
  /** The line's kind. */
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

/**
 * Splits text into lines as Python's `io.StringIO` does for configparser:
 * at `\n` only. A `\r` right before it is kept apart as part of the line
 * ending, so CRLF files keep their endings on lines an edit adds.
 */
function splitLines(text: string): { text: string; ending: string }[] {
  const lines: { text: string; ending: string }[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) {
      lines.push({ text: text.slice(start), ending: "" });
      break;
    }
    const crlf = newline > start && text[newline - 1] === "\r";
    lines.push({
      text: text.slice(start, crlf ? newline - 1 : newline),
      ending: crlf ? "\r\n" : "\n",
    });
    start = newline + 1;
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

  /**
   * Parses `text`; {@link parseTahoeCfg} does the same.
   *
   * @param source names the file in error messages.
   * @throws {TahoeCfgError} on a line configparser rejects.
   */
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

  /** Returns whether the section exists; `DEFAULT` never does, as in configparser. */
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

// ---------------------------------------------------------------------------
// Editing

interface EditableLine {
  text: string;
  ending: string;
}

function dominantEnding(cfg: TahoeCfg): string {
  return cfg.lines.find((line) => line.ending !== "")?.ending ?? "\n";
}

function checkSectionName(section: string): void {
  if (section === "" || /[\r\n]/.test(section)) {
    throw new TahoeCfgError(
      `invalid section name ${
        JSON.stringify(section)
      }: it must be non-empty and on one line`,
    );
  }
  if (section === DEFAULT_SECTION) {
    throw new TahoeCfgError(
      `cannot edit [${DEFAULT_SECTION}]: its options apply to every section; edit tahoe.cfg by hand`,
    );
  }
}

/**
 * Returns why `option` cannot be written as an option name in tahoe.cfg, or
 * undefined when it can.
 */
export function invalidOptionNameReason(option: string): string | undefined {
  if (option === "") return "it is empty";
  if (/[\r\n]/.test(option)) return "it contains a line break";
  if (/[=:]/.test(option)) {
    return `it contains "=" or ":", which end an option name`;
  }
  if (pythonStrip(option) !== option) {
    return "it starts or ends with whitespace";
  }
  if (/^[#;[]/.test(option)) {
    return `it starts with "#", ";" or "[", which make a comment or a section header`;
  }
  return undefined;
}

function checkOptionName(option: string): void {
  const problem = invalidOptionNameReason(option);
  if (problem) {
    throw new TahoeCfgError(
      `invalid option name ${JSON.stringify(option)}: ${problem}`,
    );
  }
}

function checkValue(option: string, value: string): void {
  const problem = /[\r\n]/.test(value)
    ? "it contains a line break"
    : pythonStrip(value) !== value
    ? "it starts or ends with whitespace, which tahoe.cfg does not keep"
    : undefined;
  if (problem) {
    throw new TahoeCfgError(
      `invalid value ${JSON.stringify(value)} for ${option}: ${problem}`,
    );
  }
}

/** Escapes a value for tahoe.cfg: `%` is written `%%`. */
export function escapeTahoeCfgValue(value: string): string {
  return value.replaceAll("%", "%%");
}

function render(cfg: TahoeCfg, lines: readonly EditableLine[]): string {
  return (cfg.byteOrderMark ? BYTE_ORDER_MARK : "") +
    lines.map((line) => line.text + line.ending).join("");
}

/** Index of the last line of the value that starts on the option line `index`. */
function endOfValue(cfg: TahoeCfg, index: number): number {
  let end = index;
  for (let i = index + 1; i < cfg.lines.length; i++) {
    const kind = cfg.lines[i]!.kind;
    if (kind === "option" || kind === "section") break;
    if (kind === "continuation") end = i;
  }
  return end;
}

function sameValues(
  actual: Map<string, string>,
  expected: Map<string, string>,
): boolean {
  if (actual.size !== expected.size) return false;
  for (const [key, value] of expected) {
    if (actual.get(key) !== value) return false;
  }
  return true;
}

/**
 * Re-reads an edited text and throws unless it contains exactly the expected
 * sections and raw values, so that no edit can change an option it did not
 * mean to change.
 */
function verifyEdit(
  text: string,
  sections: readonly string[],
  values: Map<string, string>,
  what: string,
): string {
  let after: TahoeCfg | undefined;
  try {
    after = parseTahoeCfg(text);
  } catch (error) {
    if (!(error instanceof TahoeCfgError)) throw error;
  }
  if (
    after === undefined ||
    after.sections().join("\u0000") !== sections.join("\u0000") ||
    !sameValues(after.rawValues(), values)
  ) {
    throw new TahoeCfgError(
      `cannot ${what} without changing how other lines of tahoe.cfg read, ` +
        `because of their indentation; make the change by hand`,
    );
  }
  return text;
}

function valueKey(section: string, option: string): string {
  return `${section}\u0000${option}`;
}

/**
 * Sets `option` in `section` to `value` and returns the new text. An
 * existing option (compared case-insensitively; the last one when repeated)
 * gets the new value in place, keeping its name, separator and spacing,
 * and loses any continuation lines. A new option goes after the last
 * option of the section, with that option's indentation; a new section goes
 * at the end of the file. `%` is written as `%%`, so
 * `parseTahoeCfg(result).get(section, option)` returns `value`. Returns
 * `text` unchanged when the option already has this value.
 *
 * @throws {TahoeCfgError} when `text` does not parse, when a name or the
 *   value cannot be written, or when the edit would change another option.
 */
export function setOption(
  text: string,
  section: string,
  option: string,
  value: string,
): string {
  checkSectionName(section);
  checkOptionName(option);
  checkValue(option, value);
  const cfg = parseTahoeCfg(text);
  const key = normalizeOptionName(option);
  const escaped = escapeTahoeCfgValue(value);
  const lines: EditableLine[] = cfg.lines.map(({ text, ending }) => ({
    text,
    ending,
  }));
  const ending = dominantEnding(cfg);
  const sectionLines = cfg.lines.flatMap((line, index) =>
    line.section === section && line.kind === "option" ? [index] : []
  );
  const existing = sectionLines.filter((index) =>
    cfg.lines[index]!.option === key
  );

  const expectedSections = cfg.sections();
  const expectedValues = cfg.rawValues();
  expectedValues.set(valueKey(section, key), escaped);

  if (existing.length > 0) {
    const index = existing[existing.length - 1]!;
    const line = cfg.lines[index]!;
    const end = endOfValue(cfg, index);
    if (cfg.getRaw(section, key) === escaped && end === index) return text;
    let before = line.text.slice(0, line.valueStart);
    // "name =" with no value becomes "name = value", not "name =value".
    if (
      line.valueStart === line.valueEnd && /\s[=:]$/.test(before)
    ) {
      before += " ";
    }
    lines[index]!.text = before + escaped + line.text.slice(line.valueEnd);
    for (let i = end; i > index; i--) {
      if (cfg.lines[i]!.kind === "continuation") lines.splice(i, 1);
    }
  } else if (cfg.hasSection(section)) {
    let after: number;
    let prefix: string;
    if (sectionLines.length > 0) {
      const last = sectionLines[sectionLines.length - 1]!;
      after = endOfValue(cfg, last);
      // The same indentation leaves every later line reading as before.
      prefix = cfg.lines[last]!.text.slice(0, cfg.lines[last]!.indent);
    } else {
      after = cfg.lines.findLastIndex((line) =>
        line.kind === "section" && line.section === section
      );
      const header = cfg.lines[after]!;
      const next = cfg.lines.slice(after + 1).find((line) =>
        line.kind === "section"
      );
      // The next header must not be indented deeper than the new option,
      // or it would read as a continuation of its value.
      const model = next && next.indent > header.indent ? next : header;
      prefix = model.text.slice(0, model.indent);
    }
    const newLine = { text: `${prefix}${option} = ${escaped}`, ending };
    if (lines[after]!.ending === "") {
      lines[after]!.ending = ending;
      newLine.ending = "";
    }
    lines.splice(after + 1, 0, newLine);
  } else {
    expectedSections.push(section);
    const added: EditableLine[] = [];
    const last = lines[lines.length - 1];
    if (last !== undefined) {
      const finalNewline = last.ending !== "";
      if (!finalNewline) last.ending = ending;
      if (cfg.lines[cfg.lines.length - 1]!.kind !== "blank") {
        added.push({ text: "", ending });
      }
      added.push({ text: `[${section}]`, ending });
      added.push({
        text: `${option} = ${escaped}`,
        ending: finalNewline ? ending : "",
      });
    } else {
      added.push({ text: `[${section}]`, ending });
      added.push({ text: `${option} = ${escaped}`, ending });
    }
    lines.push(...added);
  }
  return verifyEdit(
    render(cfg, lines),
    expectedSections,
    expectedValues,
    `set [${section}] ${option}`,
  );
}

/**
 * Removes every occurrence of `option` (compared case-insensitively) from
 * `section`, with its continuation lines, and returns the new text.
 * Comments and blank lines stay. Returns `text` unchanged when the option
 * is not there.
 *
 * @throws {TahoeCfgError} when `text` does not parse, or when the edit would
 *   change another option.
 */
export function removeOption(
  text: string,
  section: string,
  option: string,
): string {
  checkSectionName(section);
  const cfg = parseTahoeCfg(text);
  const key = normalizeOptionName(option);
  const remove = new Set<number>();
  cfg.lines.forEach((line, index) => {
    if (
      line.kind === "option" && line.section === section && line.option === key
    ) {
      const end = endOfValue(cfg, index);
      for (let i = index; i <= end; i++) {
        if (i === index || cfg.lines[i]!.kind === "continuation") {
          remove.add(i);
        }
      }
    }
  });
  if (remove.size === 0) return text;
  const lines = cfg.lines.filter((_, index) => !remove.has(index));
  const expectedValues = cfg.rawValues();
  expectedValues.delete(valueKey(section, key));
  return verifyEdit(
    render(cfg, lines),
    cfg.sections(),
    expectedValues,
    `remove [${section}] ${option}`,
  );
}

/**
 * Removes every occurrence of `section`: its header and its options with
 * their continuation lines, together with comments between them. Comments
 * and blank lines after the section's last option stay, since they usually
 * introduce what follows. Returns `text` unchanged when the section is not
 * there.
 *
 * @throws {TahoeCfgError} when `text` does not parse, or when the edit would
 *   change another option.
 */
export function removeSection(text: string, section: string): string {
  checkSectionName(section);
  const cfg = parseTahoeCfg(text);
  if (!cfg.hasSection(section)) return text;
  const remove = new Set<number>();
  cfg.lines.forEach((line, index) => {
    if (line.kind !== "section" || line.section !== section) return;
    let end = index;
    for (let i = index + 1; i < cfg.lines.length; i++) {
      const kind = cfg.lines[i]!.kind;
      if (kind === "section") break;
      if (kind === "option" || kind === "continuation") end = i;
    }
    for (let i = index; i <= end; i++) remove.add(i);
    // Drop one blank line after the section when one also precedes it, so
    // the gap between its neighbours stays a single blank line.
    const before = cfg.lines[index - 1];
    const after = cfg.lines[end + 1];
    if (
      after?.kind === "blank" &&
      (before === undefined || before.kind === "blank")
    ) {
      remove.add(end + 1);
    }
  });
  const lines = cfg.lines.filter((_, index) => !remove.has(index));
  const expectedValues = new Map(
    [...cfg.rawValues()].filter(([key]) =>
      !key.startsWith(valueKey(section, ""))
    ),
  );
  return verifyEdit(
    render(cfg, lines),
    cfg.sections().filter((name) => name !== section),
    expectedValues,
    `remove [${section}]`,
  );
}
