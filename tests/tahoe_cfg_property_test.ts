/**
 * Property tests for the tahoe.cfg reader and editor on generated files
 * that use every dialect feature configparser accepts: a byte order mark,
 * LF, CRLF and mixed line endings, `#` and `;` comments, blank lines, odd
 * spacing, `=` and `:`, continuation lines, repeated sections and options,
 * upper-case option names, `%%`, `%(name)s` and `[DEFAULT]`.
 *
 * Properties: the text round trips byte for byte; every edit changes only
 * the lines it targets and reads back as intended; and on a sample, Python's
 * configparser (as Tahoe-LAFS sets it up) reads the same values as we do,
 * before and after each edit. PROPERTY_RUNS and PROPERTY_SEED work as in
 * tests/property_test.ts; ORACLE_CASES sets the sample size (default 300).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { GridManagerError } from "../lib/errors.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import { encodePublicKey } from "../lib/keys.ts";
import {
  addCertificateEntry,
  addGridManagerEntry,
  CERTIFICATES_SECTION,
  GRID_MANAGERS_SECTION,
  parseTahoeBoolean,
  removeCertificateEntry,
  removeGridManagerEntry,
} from "../lib/node_config.ts";
import {
  DEFAULT_SECTION,
  normalizeOptionName,
  parseTahoeCfg,
  removeOption,
  removeSection,
  setOption,
  type TahoeCfg,
  TahoeCfgError,
} from "../lib/tahoe_cfg.ts";
import { runPython } from "./helpers.ts";
import { check, failWithSeed, RUNS, samples } from "./property_settings.ts";

const ORACLE_CASES = Number(Deno.env.get("ORACLE_CASES") ?? 300);
const KEY = encodePublicKey(publicKeyFromSeed(new Uint8Array(32).fill(5)));

const SECTION_NAMES = [
  "node",
  "storage",
  "client",
  GRID_MANAGERS_SECTION,
  CERTIFICATES_SECTION,
  DEFAULT_SECTION,
  "Storage",
  "x y",
  "a]b",
];
const OPTION_NAMES = [
  "nickname",
  "Nickname",
  "NICKNAME",
  "enabled",
  "grid_management",
  "Grid_Management",
  "default",
  "web.port",
  "a b",
  "x%y",
  "\u03a3\u0391\u03a3",
  "\u00c4pfel",
  "k",
];
const VALUES = [
  "",
  "true",
  "false",
  "yes",
  "0",
  "50%% off",
  "%(nickname)s",
  "%(k)s and %(default)s",
  "%",
  "100%",
  "%(missing)s",
  "a # b",
  "a ; b",
  "x=y",
  "a:b",
  "\u00e9t\u00e9",
  KEY,
  "default.cert",
];
const SPACES = ["", " ", "  ", "\t", " \t", "\u00a0", "\f", "\x1c"];

/** Line endings: the file's style, sometimes varied per line. */
const endingStyle = fc.constantFrom("\n", "\r\n", "mixed");

type Line = { text: string };

const space = fc.constantFrom(...SPACES);
const blankLine = fc.constantFrom("", " ", "\t", "  ").map((text) => ({
  text,
}));
const commentLine = fc.tuple(
  fc.constantFrom("", "  ", "\t"),
  fc.constantFrom("#", ";"),
  fc.constantFrom("", " comment", " [node]", " a = b", "#;"),
).map(([indent, prefix, text]) => ({ text: indent + prefix + text }));
const optionLine = fc.tuple(
  fc.constantFrom("", "", "", " ", "\t"),
  fc.constantFrom(...OPTION_NAMES),
  space,
  fc.constantFrom("=", ":", "=", "="),
  space,
  fc.constantFrom(...VALUES),
  fc.constantFrom("", "", " ", "\t", "\r"),
).map(([indent, name, before, separator, after, value, trailing]) => ({
  text: indent + name + before + separator + after + value + trailing,
}));
const continuationLine = fc.tuple(
  fc.constantFrom("    ", "\t", "  ", "        "),
  fc.constantFrom("more", "x = y", "[not a header]", "# not a comment?", "%%"),
).map(([indent, text]) => ({ text: indent + text }));
const optionGroup = fc.tuple(
  optionLine,
  fc.array(fc.oneof(continuationLine, blankLine, commentLine), {
    maxLength: 2,
  }),
).map(([option, rest]) => [option, ...rest]);
const bodyLines: fc.Arbitrary<Line[]> = fc.oneof(
  { weight: 6, arbitrary: optionGroup },
  { weight: 1, arbitrary: blankLine.map((line) => [line]) },
  { weight: 1, arbitrary: commentLine.map((line) => [line]) },
);
const headerLine = fc.tuple(
  fc.constantFrom("", "", "", " "),
  fc.constantFrom(...SECTION_NAMES),
  fc.constantFrom("", "", " ", " ; note", "x"),
).map(([indent, name, trailing]) => ({
  text: `${indent}[${name}]${trailing}`,
}));
const section = fc.tuple(headerLine, fc.array(bodyLines, { maxLength: 4 }))
  .map(([header, body]) => [header, ...body.flat()]);
/** A line configparser rejects, added to a few files. */
const junkLine = fc.constantFrom(
  "no separator",
  "= value without name",
  "[unterminated",
  "\ufeff[node]",
);

/** Generated tahoe.cfg text. */
const tahoeCfgText: fc.Arbitrary<string> = fc.tuple(
  fc.boolean(),
  endingStyle,
  fc.array(fc.oneof(blankLine, commentLine), { maxLength: 2 }),
  fc.array(section, { maxLength: 5 }),
  fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.tuple(junkLine, fc.nat()) },
  ),
  fc.constantFrom("\n", "\r\n", ""),
  fc.infiniteStream(fc.constantFrom("\n", "\r\n")),
).map(([bom, style, preamble, sections, junk, last, endings]) => {
  const lines = [...preamble, ...sections.flat()].map((line) => line.text);
  if (junk !== null) {
    lines.splice(junk[1] % (lines.length + 1), 0, junk[0]);
  }
  const ending = () => style === "mixed" ? endings.next().value : style;
  const text = lines.map((line, index) =>
    line + (index === lines.length - 1 ? last : ending())
  ).join("");
  return (bom ? "\ufeff" : "") + text;
});

/** One edit, the option keys it may change, and what it must read after. */
interface Edit {
  readonly name: string;
  apply(text: string): string;
  /** `[section, option]` pairs and whole sections the edit may touch. */
  readonly targets: readonly [string, string | undefined][];
  /** Throws when the edited text does not read as intended. */
  verify(before: TahoeCfg, after: TahoeCfg): void;
}

function rawKey(section: string, option: string): string {
  return `${section}\u0000${option}`;
}

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(
    fc.constantFrom(...SECTION_NAMES.filter((s) => s !== DEFAULT_SECTION)),
    fc.constantFrom(...OPTION_NAMES.filter((o) => !o.includes("%"))),
    fc.constantFrom(...VALUES.filter((v) => v !== ""), "50% off", "%(k)s"),
  ).map(([section, option, value]): Edit => ({
    name: `setOption(${section}, ${option}, ${value})`,
    apply: (text: string) => setOption(text, section, option, value),
    targets: [[section, normalizeOptionName(option)]],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.equal(after.get(section, option), value);
    },
  })),
  fc.tuple(
    fc.constantFrom(...SECTION_NAMES.filter((s) => s !== DEFAULT_SECTION)),
    fc.constantFrom(...OPTION_NAMES),
  ).map(([section, option]): Edit => ({
    name: `removeOption(${section}, ${option})`,
    apply: (text: string) => removeOption(text, section, option),
    targets: [[section, normalizeOptionName(option)]],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.ok(
        !after.rawValues().has(rawKey(section, normalizeOptionName(option))),
      );
    },
  })),
  fc.constantFrom(...SECTION_NAMES.filter((s) => s !== DEFAULT_SECTION)).map(
    (section): Edit => ({
      name: `removeSection(${section})`,
      apply: (text: string) => removeSection(text, section),
      targets: [[section, undefined]],
      verify(_before: TahoeCfg, after: TahoeCfg) {
        assert.ok(!after.hasSection(section));
      },
    }),
  ),
  fc.constantFrom("default", "Default", "k", "a b").map((name): Edit => ({
    name: `addCertificateEntry(${name})`,
    apply: (text: string) => addCertificateEntry(text, name, `${name}.cert`),
    targets: [
      ["storage", "grid_management"],
      [CERTIFICATES_SECTION, normalizeOptionName(name)],
    ],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.equal(
        parseTahoeBoolean(after.get("storage", "grid_management")!),
        true,
      );
      assert.equal(after.get(CERTIFICATES_SECTION, name), `${name}.cert`);
    },
  })),
  fc.constantFrom("default", "Default", "k", "nickname").map((name): Edit => ({
    name: `removeCertificateEntry(${name})`,
    apply: (text: string) => removeCertificateEntry(text, name).text,
    targets: [
      ["storage", "grid_management"],
      [CERTIFICATES_SECTION, normalizeOptionName(name)],
    ],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.ok(
        !after.rawValues().has(
          rawKey(CERTIFICATES_SECTION, normalizeOptionName(name)),
        ),
      );
    },
  })),
  fc.constantFrom("default", "NICKNAME", "k", "a b").map((name): Edit => ({
    name: `addGridManagerEntry(${name})`,
    apply: (text: string) => addGridManagerEntry(text, name, KEY),
    targets: [[GRID_MANAGERS_SECTION, normalizeOptionName(name)]],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.equal(after.get(GRID_MANAGERS_SECTION, name), KEY);
    },
  })),
  fc.constantFrom("default", "NICKNAME", "k", "enabled").map((name): Edit => ({
    name: `removeGridManagerEntry(${name})`,
    apply: (text: string) => removeGridManagerEntry(text, name).text,
    targets: [[GRID_MANAGERS_SECTION, normalizeOptionName(name)]],
    verify(_before: TahoeCfg, after: TahoeCfg) {
      assert.ok(
        !after.rawValues().has(
          rawKey(GRID_MANAGERS_SECTION, normalizeOptionName(name)),
        ),
      );
    },
  })),
);

function tryParse(text: string): TahoeCfg | undefined {
  try {
    return parseTahoeCfg(text);
  } catch (error) {
    if (error instanceof TahoeCfgError) return undefined;
    throw error;
  }
}

/** Physical lines with their endings. */
function physicalLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Indexes of lines only in `a` and only in `b`, by longest common subsequence. */
function diffLines(a: string[], b: string[]) {
  // Common head and tail first; the table covers only the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;

  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const table = Array.from(
    { length: x.length + 1 },
    () => new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      table[i]![j] = x[i] === y[j]
        ? table[i + 1]![j + 1]! + 1
        : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }

  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (
      j >= y.length || (i < x.length && table[i + 1]![j]! >= table[i]![j + 1]!)
    ) {
      removed.push(head + i++);
    } else {
      added.push(head + j++);
    }
  }
  return { removed, added };
}

/** Returns why the edit touched a line it does not target, or undefined. */
function untargetedChange(
  edit: Edit,
  beforeText: string,
  afterText: string,
  before: TahoeCfg,
  after: TahoeCfg,
): string | undefined {
  if (beforeText.startsWith("\ufeff") !== afterText.startsWith("\ufeff")) {
    return "the byte order mark changed";
  }
  const a = physicalLines(beforeText.replace(/^\ufeff/, ""));
  const b = physicalLines(afterText.replace(/^\ufeff/, ""));
  const { removed, added } = diffLines(a, b);
  const targeted = (cfg: TahoeCfg, index: number) => {
    const line = cfg.lines[index]!;
    if (line.kind === "blank") return true;
    return edit.targets.some(([section, option]) =>
      line.section === section &&
        (option === undefined
          ? true
          : (line.kind === "option" || line.kind === "continuation") &&
            line.option === option) ||
      (line.kind === "section" && line.section === section)
    );
  };
  const last = a.at(-1) ?? "";
  const endingAdded = (line: string) =>
    !last.endsWith("\n") && (line === last + "\n" || line === last + "\r\n");
  for (const index of removed) {
    if (targeted(before, index)) continue;
    if (index === a.length - 1 && b.some(endingAdded)) continue;
    return `removed untargeted line ${JSON.stringify(a[index])}`;
  }
  for (const index of added) {
    if (targeted(after, index) || endingAdded(b[index]!)) continue;
    return `added untargeted line ${JSON.stringify(b[index])}`;
  }
  // Every option the edit does not target reads as before.
  const untouched = (key: string) =>
    !edit.targets.some(([section, option]) =>
      option === undefined
        ? key.startsWith(rawKey(section, ""))
        : key === rawKey(section, option)
    );
  const beforeValues = before.rawValues();
  const afterValues = after.rawValues();
  for (const key of new Set([...beforeValues.keys(), ...afterValues.keys()])) {
    if (untouched(key) && beforeValues.get(key) !== afterValues.get(key)) {
      return `option ${JSON.stringify(key)} changed`;
    }
  }
  return undefined;
}

Deno.test("tahoe.cfg text round trips byte for byte", () => {
  check(fc.property(tahoeCfgText, (text) => {
    const cfg = tryParse(text);
    if (cfg !== undefined) assert.equal(cfg.toString(), text);
  }));
});

Deno.test("tahoe.cfg edits change only their target and read back", () => {
  let applied = 0;
  check(fc.property(tahoeCfgText, editArbitrary, (text, edit) => {
    const before = tryParse(text);
    let result: string;
    try {
      result = edit.apply(text);
    } catch (error) {
      // An edit may raise, but only an error with a message for the user.
      if (error instanceof GridManagerError) return;
      throw error;
    }
    assert.ok(before !== undefined, `${edit.name} edited an unreadable file`);
    const after = parseTahoeCfg(result);
    edit.verify(before, after);
    const problem = untargetedChange(edit, text, result, before, after);
    if (problem) assert.fail(`${edit.name}: ${problem}`);
    if (result !== text) applied++;
  }));
  // The generator must give the editor real work, not only refusals.
  assert.ok(applied > RUNS / 4, `only ${applied} of ${RUNS} edits applied`);
});

interface PythonRead {
  configparser: {
    error?: string;
    sections?: string[];
    options?: Record<string, string[]>;
    items?: Record<string, [string, string | { error: string }][]>;
    raw?: Record<string, Record<string, string>>;
    defaults?: Record<string, string>;
  };
}

/** Returns what our reader reads, in the form tests/tahoe/check_cfg.py prints. */
function ourRead(text: string): PythonRead["configparser"] {
  const cfg = tryParse(text);
  if (cfg === undefined) return { error: "rejected" };
  const values = cfg.rawValues();
  const defaults: Record<string, string> = {};
  for (const [key, value] of values) {
    const [section, option] = key.split("\u0000") as [string, string];
    if (section === DEFAULT_SECTION) defaults[option] = value;
  }
  const sections = cfg.sections();
  const items: Record<string, [string, string | { error: string }][]> = {};
  const raw: Record<string, Record<string, string>> = {};
  for (const section of sections) {
    raw[section] = Object.fromEntries(
      cfg.options(section).map((name) => [name, cfg.getRaw(section, name)!]),
    );
    const own = cfg.options(section).filter((name) =>
      values.has(rawKey(section, name))
    );
    const names = [
      ...Object.keys(defaults),
      ...own.filter((name) => !(name in defaults)),
    ];
    items[section] = names.map((name) => {
      try {
        return [name, cfg.get(section, name)!];
      } catch (error) {
        if (!(error instanceof TahoeCfgError)) throw error;
        return [name, { error: "interpolation" }];
      }
    });
  }
  return {
    sections,
    options: Object.fromEntries(sections.map((s) => [s, cfg.options(s)])),
    items,
    raw,
    defaults,
  };
}

/** Replaces Python's error class names with one marker, as ours has none. */
function normalizePython(read: PythonRead["configparser"]) {
  if (read.error !== undefined) return { error: "rejected" };
  const items = Object.fromEntries(
    Object.entries(read.items!).map(([section, pairs]) => [
      section,
      pairs.map(([name, value]) =>
        typeof value === "string" ? [name, value] : [name, {
          error: "interpolation",
        }]
      ),
    ]),
  );
  return { ...read, items };
}

Deno.test("tahoe.cfg reads agree with configparser before and after edits", async () => {
  const cases = samples(
    fc.tuple(
      tahoeCfgText,
      fc.array(editArbitrary, { minLength: 1, maxLength: 3 }),
    ),
    ORACLE_CASES,
  );
  const texts: string[] = [];
  for (const [text, edits] of cases) {
    texts.push(text);
    for (const edit of edits) {
      try {
        texts.push(edit.apply(text));
      } catch (error) {
        if (!(error instanceof GridManagerError)) throw error;
      }
    }
  }
  const result = await runPython("check_cfg.py", [], {
    stdin: JSON.stringify(texts.map((text) => ({ text }))),
  });
  assert.equal(result.code, 0, result.stderr);
  const reads: PythonRead[] = JSON.parse(result.stdout);
  let accepted = 0;
  texts.forEach((text, index) => {
    const theirs = normalizePython(reads[index]!.configparser);
    const ours = ourRead(text);
    if (ours.error === undefined) accepted++;
    try {
      assert.deepEqual(ours, theirs);
    } catch {
      failWithSeed(
        `configparser reads ${JSON.stringify(text)} as ` +
          `${JSON.stringify(theirs)}, we read ${JSON.stringify(ours)}`,
      );
    }
  });
  assert.ok(accepted > texts.length / 2, `${accepted} of ${texts.length}`);
});
