import assert from "node:assert/strict";
import { parseTahoeCfg, TahoeCfgError } from "../lib/tahoe_cfg.ts";

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
