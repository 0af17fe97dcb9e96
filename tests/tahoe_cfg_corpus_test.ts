/**
 * Runs every edit of the node commands on every tahoe.cfg in
 * tests/fixtures/tahoe_cfg and checks the result three ways: Python's
 * configparser reads the intended values and no other change, every other
 * line is byte-identical, and Tahoe's own read_config accepts the node,
 * loads the certificates we install and reads the Grid Manager keys we add.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { signCertificate } from "../lib/certificate.ts";
import { formatCertificateDocument } from "../lib/certificate.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import { encodePublicKey } from "../lib/keys.ts";
import {
  addCertificateEntry,
  addGridManagerEntry,
  parseTahoeBoolean,
  removeCertificateEntry,
  removeGridManagerEntry,
} from "../lib/node_config.ts";
import {
  normalizeOptionName,
  parseTahoeCfg,
  setOption,
} from "../lib/tahoe_cfg.ts";
import { ROOT, runPython } from "./helpers.ts";

const CORPUS = join(ROOT, "tests", "fixtures", "tahoe_cfg");
const corpus = [...Deno.readDirSync(CORPUS)]
  .map((entry) => entry.name)
  .filter((name) => name.endsWith(".cfg"))
  .sort()
  .map((name) => ({
    name,
    text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(
      Deno.readFileSync(join(CORPUS, name)),
    ),
  }));

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

const NODE_KEY = encodePublicKey(publicKeyFromSeed(seed(1)));
const GRID_MANAGER_KEY = encodePublicKey(publicKeyFromSeed(seed(2)));
const OTHER_GRID_MANAGER_KEY = encodePublicKey(publicKeyFromSeed(seed(3)));
// 2100-01-01T00:00:00+00:00
const CERTIFICATE = signCertificate(seed(2), NODE_KEY, 4102444800 * 1e6);
const CERTIFICATE_TEXT = formatCertificateDocument(CERTIFICATE) + "\n";
const NICKNAME = "50% off, 100%(sure)s & #1";

type RawValues = Record<string, Record<string, string>>;

interface ConfigparserRead {
  sections: string[];
  options: Record<string, string[]>;
  items: Record<string, [string, string | { error: string }][]>;
  raw: RawValues;
  error?: string;
}

interface TahoeRead {
  ok: boolean;
  error?: string;
  grid_management?: boolean;
  certificates?: { certificate: string; signature: string }[];
  grid_manager_keys?: string[];
}

interface PythonResult {
  configparser: ConfigparserRead;
  tahoe?: TahoeRead;
}

/** An edit and the raw values configparser should read after it. */
interface Edit {
  name: string;
  /** Option names (lower-cased) and sections the edit may touch. */
  options: string[];
  sections: string[];
  apply(text: string): string;
  expect(before: ConfigparserRead): ConfigparserRead;
  checkTahoe(tahoe: TahoeRead, after: ConfigparserRead): void;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function setExpected(
  read: ConfigparserRead,
  section: string,
  option: string,
  raw: string,
): void {
  if (!read.sections.includes(section)) {
    read.sections.push(section);
    read.raw[section] = {};
  }
  read.raw[section]![option] = raw;
}

function certificateFiles(after: ConfigparserRead): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [, path] of after.items.grid_manager_certificates ?? []) {
    if (typeof path === "string") files[path] = CERTIFICATE_TEXT;
  }
  return files;
}

const addCertificate: Edit = {
  name: "add certificate",
  options: ["grid_management", "default"],
  sections: ["storage", "grid_manager_certificates"],
  apply: (text) => addCertificateEntry(text, "default", "default.cert"),
  expect(before) {
    const read = clone(before);
    const current = before.raw.storage?.grid_management;
    if (current === undefined || parseTahoeBoolean(current) !== true) {
      setExpected(read, "storage", "grid_management", "true");
    }
    setExpected(read, "grid_manager_certificates", "default", "default.cert");
    return read;
  },
  checkTahoe(tahoe, after) {
    assert.equal(tahoe.grid_management, true);
    assert.equal(
      tahoe.certificates?.length,
      after.options.grid_manager_certificates!.length,
    );
    for (const certificate of tahoe.certificates ?? []) {
      assert.deepEqual(certificate, CERTIFICATE);
    }
  },
};

function removeCertificate(name: string): Edit {
  return {
    name: `remove certificate ${name}`,
    options: ["grid_management", name],
    sections: ["storage", "grid_manager_certificates"],
    apply: (text) => removeCertificateEntry(text, name).text,
    expect(before) {
      const read = clone(before);
      delete read.raw.grid_manager_certificates![name];
      if (
        Object.keys(read.raw.grid_manager_certificates!).length === 0 &&
        read.raw.storage?.grid_management !== undefined
      ) {
        read.raw.storage.grid_management = "false";
      }
      return read;
    },
    checkTahoe(tahoe, after) {
      const remaining = after.options.grid_manager_certificates!.length;
      assert.equal(tahoe.certificates?.length, remaining);
      if (remaining === 0) assert.equal(tahoe.grid_management, false);
    },
  };
}

function addGridManager(name: string, key: string): Edit {
  const option = normalizeOptionName(name);
  return {
    name: `add Grid Manager ${name}`,
    options: [option],
    sections: ["grid_managers"],
    apply: (text) => addGridManagerEntry(text, name, key),
    expect(before) {
      const read = clone(before);
      setExpected(read, "grid_managers", option, key);
      return read;
    },
    checkTahoe(tahoe, after) {
      assert.ok(tahoe.grid_manager_keys?.includes(key));
      assert.equal(
        tahoe.grid_manager_keys?.length,
        after.options.grid_managers!.length,
      );
    },
  };
}

function removeGridManager(name: string): Edit {
  return {
    name: `remove Grid Manager ${name}`,
    options: [name],
    sections: ["grid_managers"],
    apply: (text) => removeGridManagerEntry(text, name).text,
    expect(before) {
      const read = clone(before);
      delete read.raw.grid_managers![name];
      if (Object.keys(read.raw.grid_managers!).length === 0) {
        delete read.raw.grid_managers;
        read.sections = read.sections.filter((s) => s !== "grid_managers");
      }
      return read;
    },
    checkTahoe(tahoe, after) {
      assert.equal(
        tahoe.grid_manager_keys?.length,
        after.options.grid_managers?.length ?? 0,
      );
    },
  };
}

const setNickname: Edit = {
  name: "set a value with %",
  options: ["nickname"],
  sections: ["node"],
  apply: (text) => setOption(text, "node", "nickname", NICKNAME),
  expect(before) {
    const read = clone(before);
    setExpected(read, "node", "nickname", NICKNAME.replaceAll("%", "%%"));
    return read;
  },
  checkTahoe(_tahoe, after) {
    const nickname = after.items.node!.find(([name]) => name === "nickname");
    assert.deepEqual(nickname, ["nickname", NICKNAME]);
  },
};

interface Case {
  file: string;
  edit: Edit;
  before: string;
  after: string;
}

/** Splits text into lines with their endings, as configparser sees them. */
function physicalLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Lines removed from `a` and added in `b` by a longest common subsequence. */
function diffLines(a: string[], b: string[]) {
  const table = Array.from(
    { length: a.length + 1 },
    () => new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j]
        ? table[i + 1]![j + 1]! + 1
        : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (
      j >= b.length || (i < a.length && table[i + 1]![j]! >= table[i]![j + 1]!)
    ) {
      removed.push(i++);
    } else {
      added.push(j++);
    }
  }
  return { removed, added };
}

/**
 * Checks that the edit changed only lines of the options and sections it
 * names: option lines of those options, their continuation lines, headers
 * of those sections and blank lines, plus a line ending added to a last line
 * that had none.
 */
function assertOnlyEditedLines(item: Case): void {
  const bom = (text: string) => text.startsWith("\uFEFF");
  assert.equal(bom(item.after), bom(item.before), "byte order mark");
  const before = physicalLines(item.before.replace(/^\uFEFF/, ""));
  const after = physicalLines(item.after.replace(/^\uFEFF/, ""));
  const beforeCfg = parseTahoeCfg(item.before);
  const { removed, added } = diffLines(before, after);
  const isEdited = (line: string) => {
    const text = line.replace(/\r?\n$/, "");
    if (text.trim() === "") return true;
    const header = /^\s*\[(.+)\]\s*$/.exec(text);
    if (header) return item.edit.sections.includes(header[1]!);
    const option = /^\s*([^=:]+?)\s*[=:]/.exec(text);
    return option !== null &&
      item.edit.options.includes(normalizeOptionName(option[1]!));
  };
  const lastLine = before.at(-1) ?? "";
  for (const index of removed) {
    const line = before[index]!;
    const kept = beforeCfg.lines[index]!;
    const continuation = kept.kind === "continuation" &&
      item.edit.options.includes(kept.option!);
    const endingAdded = index === before.length - 1 &&
      !lastLine.endsWith("\n") &&
      after.some((candidate) => candidate.startsWith(lastLine));
    assert.ok(
      isEdited(line) || continuation || endingAdded,
      `${item.file}, ${item.edit.name}: removed ${JSON.stringify(line)}`,
    );
  }
  for (const index of added) {
    const line = after[index]!;
    const endingAdded = line === lastLine + "\n" ||
      line === lastLine + "\r\n";
    assert.ok(
      isEdited(line) || endingAdded,
      `${item.file}, ${item.edit.name}: added ${JSON.stringify(line)}`,
    );
  }
}

async function readWithPython(
  items: { text: string; node_type?: string; files?: Record<string, string> }[],
): Promise<PythonResult[]> {
  const result = await runPython("check_cfg.py", [], {
    stdin: JSON.stringify(items),
  });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

function sameRead(actual: ConfigparserRead, expected: ConfigparserRead) {
  return {
    sections: [actual.sections, expected.sections],
    raw: [actual.raw, expected.raw],
  };
}

Deno.test("tahoe.cfg corpus has at least 30 files", () => {
  assert.ok(corpus.length >= 30, `${corpus.length} files`);
});

Deno.test("parseTahoeCfg() reads the corpus as configparser does", async () => {
  const reads = await readWithPython(corpus.map(({ text }) => ({ text })));
  corpus.forEach(({ name, text }, index) => {
    const expected = reads[index]!.configparser;
    assert.equal(expected.error, undefined, `${name}: configparser failed`);
    const cfg = parseTahoeCfg(text);
    assert.equal(cfg.toString(), text, `${name}: round trip`);
    assert.deepEqual(cfg.sections(), expected.sections, `${name}: sections`);
    for (const section of expected.sections) {
      assert.deepEqual(
        cfg.options(section),
        expected.options[section],
        `${name}: options of [${section}]`,
      );
      assert.deepEqual(
        cfg.items(section),
        expected.items[section],
        `${name}: items of [${section}]`,
      );
      for (const [option, raw] of Object.entries(expected.raw[section]!)) {
        assert.equal(cfg.getRaw(section, option), raw, `${name}: ${option}`);
      }
    }
  });
});

Deno.test("node edits on the corpus read right in configparser and Tahoe", async () => {
  const cases: Case[] = [];
  for (const { name, text } of corpus) {
    const edits = [
      addCertificate,
      addGridManager("default", GRID_MANAGER_KEY),
      addGridManager("Backup", OTHER_GRID_MANAGER_KEY),
      setNickname,
    ];
    for (const edit of edits) {
      cases.push({ file: name, edit, before: text, after: edit.apply(text) });
    }
    // Removals run on the output of the additions, and on existing entries.
    const withCertificate = addCertificate.apply(text);
    const withManager = addGridManager("default", GRID_MANAGER_KEY).apply(text);
    const removals: [Edit, string][] = [
      [removeCertificate("default"), withCertificate],
      [removeGridManager("default"), withManager],
    ];
    const cfg = parseTahoeCfg(text);
    for (const option of cfg.options("grid_manager_certificates")) {
      if (option !== "default") {
        removals.push([removeCertificate(option), text]);
      }
    }
    for (const option of cfg.options("grid_managers")) {
      if (option !== "default") {
        removals.push([removeGridManager(option), text]);
      }
    }
    for (const [edit, before] of removals) {
      cases.push({ file: name, edit, before, after: edit.apply(before) });
    }
  }

  const reads = await readWithPython([
    ...cases.map(({ before }) => ({ text: before })),
    ...cases.map(({ after }) => ({ text: after })),
  ]);
  const befores = reads.slice(0, cases.length);
  const afters = reads.slice(cases.length);
  // Every certificate entry needs its file, or Tahoe fails to load it.
  const tahoeReads = await readWithPython(cases.map(({ after }, index) => ({
    text: after,
    node_type: "client",
    files: certificateFiles(afters[index]!.configparser),
  })));

  cases.forEach((item, index) => {
    const label = `${item.file}, ${item.edit.name}`;
    const before = befores[index]!.configparser;
    const after = afters[index]!.configparser;
    assert.equal(after.error, undefined, `${label}: configparser failed`);
    const expected = item.edit.expect(before);
    const compared = sameRead(after, expected);
    assert.deepEqual(compared.sections[0], compared.sections[1], label);
    assert.deepEqual(compared.raw[0], compared.raw[1], label);
    assertOnlyEditedLines(item);
    const tahoe = tahoeReads[index]!.tahoe!;
    assert.equal(tahoe.ok, true, `${label}: ${tahoe.error}`);
    item.edit.checkTahoe(tahoe, after);
  });
  assert.ok(cases.length >= 6 * corpus.length, `${cases.length} cases`);
});
