import assert from "node:assert/strict";
import { join } from "node:path";
import { readClientSettings } from "../lib/client_settings.ts";
import { parseTahoeCfg } from "../lib/tahoe_cfg.ts";
import { runPython, withTempDir } from "./helpers.ts";

const KEY_A = "pub-v0-ob4nec75pvg4cc3uo65ccvclsmimp3olhaocbvd6ddjpdjkyipga";
const KEY_B = "pub-v0-hreujgunvifoxuxkvnxebdvfzaez53e6lec6qn6jdto47jzwyfba";

/** tahoe.cfg texts whose settings are compared with Tahoe's reading. */
const CASES: Record<string, string> = {
  "no client section": "[node]\nnickname = c\n",
  "share counts": "[client]\nshares.needed = 2\nshares.happy = 4\n" +
    "shares.total = 6\n",
  "signed and spaced counts": "[client]\nshares.happy =   +4  \n",
  "underscore in count": "[client]\nshares.total = 1_0\n",
  "count not a number": "[client]\nshares.happy = seven\n",
  "two Grid Managers": `[grid_managers]\nalpha = ${KEY_A}\nbeta = ${KEY_B}\n`,
  "repeated name": `[grid_managers]\nalpha = ${KEY_A}\nalpha = ${KEY_B}\n`,
  "upper-case name": `[grid_managers]\nAlpha = ${KEY_A}\n`,
  "interpolated key":
    `[DEFAULT]\nbase = ${KEY_A}\n\n[grid_managers]\nalpha = %(base)s\n`,
  "continued key": `[grid_managers]\nalpha =\n  ${KEY_A}\n`,
  "empty section": "[grid_managers]\n",
  "invalid key": "[grid_managers]\nalpha = pub-v0-abc\n",
  "upper-case key": `[grid_managers]\nalpha = ${KEY_A.toUpperCase()}\n`,
  "server id as key": `[grid_managers]\nalpha = ${KEY_A.slice(4)}\n`,
};

for (const [name, text] of Object.entries(CASES)) {
  Deno.test(`readClientSettings() matches Tahoe: ${name}`, async () => {
    await withTempDir(async (dir) => {
      Deno.writeTextFileSync(join(dir, "tahoe.cfg"), text);
      const result = await runPython("client_settings.py", [dir]);
      assert.equal(result.code, 0, result.stderr);
      const tahoe = JSON.parse(result.stdout);
      let ours;
      try {
        ours = readClientSettings(parseTahoeCfg(text));
      } catch (error) {
        assert.ok(tahoe.error, `Tahoe reads it, but: ${error}`);
        return;
      }
      assert.equal(tahoe.error, undefined);
      assert.deepEqual(
        ours.gridManagers.map((gm) => [gm.name, gm.publicKey]),
        tahoe.grid_managers,
      );
      assert.equal(ours.sharesNeeded, tahoe.needed);
      assert.equal(ours.sharesHappy, tahoe.happy);
      assert.equal(ours.sharesTotal, tahoe.total);
    });
  });
}
