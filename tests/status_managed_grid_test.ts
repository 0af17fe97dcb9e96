import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  mergeAnnouncements,
  parseIntroducerCache,
} from "../lib/announcements.ts";
import { readClientSettings } from "../lib/client_settings.ts";
import { checkServer } from "../lib/status.ts";
import { parseTahoeCfg } from "../lib/tahoe_cfg.ts";
import { parseIsoTime } from "../lib/time.ts";
import { ROOT, runGridManager, runPython } from "./helpers.ts";

// Client directories captured from a real managed grid by the end-to-end
// demo; see tests/fixtures/managed-grid/README.md. Their certificates
// expire on 2031-12-03.
const FIXTURES = join(ROOT, "tests", "fixtures", "managed-grid");
const NOW = "2027-01-01T00:00:00+00:00";
const CASES = [
  { client: "alice-two-certified", allowed: 2, code: 1 },
  { client: "alice-all-certified", allowed: 3, code: 0 },
];

for (const { client, allowed, code } of CASES) {
  const directory = join(FIXTURES, client);
  Deno.test({
    name: `status matches Tahoe on managed grid: ${client}`,
    ignore: !existsSync(directory),
    async fn() {
      const cachePath = join(
        directory,
        "private",
        "introducer_default_cache.yaml",
      );
      const settings = readClientSettings(
        parseTahoeCfg(Deno.readTextFileSync(join(directory, "tahoe.cfg"))),
      );
      const tahoe = await runPython("grid_manager_verdicts.py", [
        NOW,
        ...settings.gridManagers.flatMap((gm) => ["--key", gm.publicKey]),
        cachePath,
      ]);
      assert.equal(tahoe.code, 0, tahoe.stderr);
      const verdicts = JSON.parse(tahoe.stdout);
      const servers = mergeAnnouncements([
        parseIntroducerCache(Deno.readTextFileSync(cachePath), cachePath),
      ]);
      assert.equal(servers.length, 3);
      for (const server of servers) {
        const report = checkServer(server, settings, parseIsoTime(NOW).micros);
        assert.equal(
          report.verdict,
          verdicts[server.announcement.serverId],
          `${report.nickname}: ${report.reason}`,
        );
      }

      const result = await runGridManager([
        "status",
        "-d",
        directory,
        "--json",
        "--now",
        NOW,
      ]);
      assert.equal(result.code, code, result.stderr);
      assert.equal(JSON.parse(result.stdout).allowed, allowed);
    },
  });
}
