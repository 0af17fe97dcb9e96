import assert from "node:assert/strict";
import {
  normalizeOptionName,
  parseTahoeCfg,
  pythonStrip,
  removeOption,
  removeSection,
  setOption,
  TahoeCfgError,
} from "../lib/tahoe_cfg.ts";

Deno.test("parseTahoeCfg() reads values as configparser does", () => {
  const cfg = parseTahoeCfg(
    "\uFEFF# comment\r\n[node]\r\nNickname = a%%b\r\n\r\n" +
      "[client]\nshares.happy: 7\n[node]\nweb.port=%(nickname)s c\n",
  );
  assert.deepEqual(cfg.sections(), ["node", "client"]);
  assert.equal(cfg.get("node", "NICKNAME"), "a%b");
  assert.equal(cfg.getRaw("node", "nickname"), "a%%b");
  assert.equal(cfg.get("node", "web.port"), "a%b c");
  assert.equal(cfg.get("client", "shares.happy"), "7");
  assert.equal(cfg.get("client", "missing"), undefined);
  assert.equal(cfg.get("missing", "x"), undefined);
  assert.equal(cfg.hasSection("Node"), false);
});

Deno.test("parseTahoeCfg() lists items with the last value winning", () => {
  const cfg = parseTahoeCfg(
    "[grid_managers]\nA = one\nb = two\n[grid_managers]\na = three\n",
  );
  assert.deepEqual(cfg.items("grid_managers"), [["a", "three"], [
    "b",
    "two",
  ]]);
});

Deno.test("parseTahoeCfg() rejects an option before any section", () => {
  assert.throws(() => parseTahoeCfg("a = b\n"), TahoeCfgError);
});

Deno.test("parseTahoeCfg() reads CR as whitespace, not a line break", () => {
  const cfg = parseTahoeCfg("[node]\r\nnickname = a\rb\r\n");
  assert.equal(cfg.get("node", "nickname"), "a\rb");
  assert.equal(cfg.lines[1]!.ending, "\r\n");
});

Deno.test("parseTahoeCfg() keeps blank lines inside a continued value", () => {
  const cfg = parseTahoeCfg("[s]\na = 1\n\n  2\n\nb = 3\n");
  assert.equal(cfg.get("s", "a"), "1\n\n2");
  assert.equal(cfg.get("s", "b"), "3");
});

Deno.test("parseTahoeCfg() falls back to [DEFAULT]", () => {
  const cfg = parseTahoeCfg("[DEFAULT]\nbase = /srv\n[s]\ndir = %(base)s/x\n");
  assert.equal(cfg.get("s", "dir"), "/srv/x");
  assert.equal(cfg.get("s", "base"), "/srv");
  assert.deepEqual(cfg.sections(), ["s"]);
  assert.equal(cfg.hasSection("DEFAULT"), false);
});

Deno.test("get() rejects a lone percent sign", () => {
  const cfg = parseTahoeCfg("[s]\na = 50%\n");
  assert.equal(cfg.getRaw("s", "a"), "50%");
  assert.throws(() => cfg.get("s", "a"), TahoeCfgError);
});

Deno.test("parseTahoeCfg() rejects a line without a separator", () => {
  assert.throws(
    () => parseTahoeCfg("[s]\njust words\n"),
    /line 2 \("just words"\)/,
  );
});

Deno.test("setOption() replaces a value in place", () => {
  const text = "# top\n[storage]\n  Grid_Management :  False  \n# end\n";
  assert.equal(
    setOption(text, "storage", "grid_management", "true"),
    "# top\n[storage]\n  Grid_Management :  true  \n# end\n",
  );
});

Deno.test("setOption() replaces the last of repeated options", () => {
  const text = "[s]\na = 1\n[t]\nx = 0\n[s]\nA = 2\n";
  assert.equal(
    setOption(text, "s", "a", "3"),
    "[s]\na = 1\n[t]\nx = 0\n[s]\nA = 3\n",
  );
});

Deno.test("setOption() drops the continuation lines of a value", () => {
  const text = "[s]\na = 1\n  2\n# note\n  3\nb = 4\n";
  assert.equal(setOption(text, "s", "a", "x"), "[s]\na = x\n# note\nb = 4\n");
});

Deno.test("setOption() adds after the last option of the section", () => {
  const text = "[s]\na = 1\n  more\n\n# next\n[t]\nb = 2\n";
  assert.equal(
    setOption(text, "s", "c", "3"),
    "[s]\na = 1\n  more\nc = 3\n\n# next\n[t]\nb = 2\n",
  );
});

Deno.test("setOption() adds a section at the end with the file's endings", () => {
  assert.equal(
    setOption("\uFEFF[s]\r\na = 1", "t", "b", "2"),
    "\uFEFF[s]\r\na = 1\r\n\r\n[t]\r\nb = 2",
  );
  assert.equal(setOption("", "t", "b", "2"), "[t]\nb = 2\n");
});

Deno.test("setOption() writes % as %%", () => {
  const text = setOption("[s]\n", "s", "a", "100%");
  assert.equal(text, "[s]\na = 100%%\n");
  assert.equal(parseTahoeCfg(text).get("s", "a"), "100%");
});

Deno.test("setOption() returns the text unchanged for the same value", () => {
  const text = "[s]\na=1   \n";
  assert.equal(setOption(text, "s", "A", "1"), text);
});

Deno.test("setOption() rejects names and values it cannot write", () => {
  assert.throws(() => setOption("", "s", "a=b", "1"), TahoeCfgError);
  assert.throws(() => setOption("", "s", "#a", "1"), TahoeCfgError);
  assert.throws(() => setOption("", "s", " a", "1"), TahoeCfgError);
  assert.throws(() => setOption("", "s", "a", "1\n2"), TahoeCfgError);
  assert.throws(() => setOption("", "s", "a", " 1"), TahoeCfgError);
  assert.throws(() => setOption("", "DEFAULT", "a", "1"), TahoeCfgError);
  assert.throws(() => setOption("", "", "a", "1"), TahoeCfgError);
});

Deno.test("removeOption() removes every occurrence and its continuations", () => {
  const text = "[s]\na = 1\n  2\nb = 3\n[s]\nA = 4\n# kept\n";
  assert.equal(removeOption(text, "s", "a"), "[s]\nb = 3\n[s]\n# kept\n");
  assert.equal(removeOption(text, "s", "missing"), text);
});

Deno.test("removeSection() removes headers and options but not trailing comments", () => {
  const text = "[a]\nx = 1\n\n[b]\n# about y\ny = 2\n\n# about c\n[c]\nz = 3\n";
  assert.equal(
    removeSection(text, "b"),
    "[a]\nx = 1\n\n# about c\n[c]\nz = 3\n",
  );
});

Deno.test("removeSection() rejects an edit that changes other lines", () => {
  // Without [b], the indented [c] would continue the value of x.
  const text = "[a]\nx = 1\n[b]\n    [c]\n    y = 2\n";
  assert.throws(() => removeSection(text, "b"), /make the change by hand/);
});

Deno.test("normalizeOptionName() keeps letters newer than Python's Unicode", () => {
  assert.equal(normalizeOptionName("ABC"), "abc");
  assert.equal(normalizeOptionName("\u1c89"), "\u1c89");
  assert.equal(normalizeOptionName("A\u{10d50}B"), "a\u{10d50}b");
});

Deno.test("pythonStrip() strips what Python's str.strip() strips", () => {
  assert.equal(pythonStrip("\x1c\x85 a \u3000\r"), "a");
  assert.equal(pythonStrip("\uFEFFa"), "\uFEFFa");
});
