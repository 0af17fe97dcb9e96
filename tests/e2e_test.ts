/**
 * The managed-grid story on a real Tahoe-LAFS 1.20 grid (an introducer,
 * three storage nodes and a client, all on 127.0.0.1), with every Grid
 * Manager and enrollment step done by the `grid-manager` bundle and a check
 * after every step. The narration of a failed run is printed, and its node
 * directories are kept; set GRID_KEEP=1 to keep them after a passing run.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  type CachedAnnouncement,
  CLIENT,
  type CommandOutput,
  ENCODING,
  Grid,
  redactAnnouncementCache,
  STORAGE_NODES,
} from "../scripts/grid.ts";
import { type PutResult, Story } from "../scripts/story.ts";
import { ROOT } from "./helpers.ts";

/** Runs one step of the story; a failed step ends the story. */
async function step(
  t: Deno.TestContext,
  name: string,
  fn: () => void | Promise<void>,
  options: { ignore?: boolean } = {},
): Promise<void> {
  // The grid's processes outlive each step and are stopped at the end of
  // the whole test, which checks for leaks itself.
  const passed = await t.step({
    name,
    fn,
    ignore: options.ignore,
    sanitizeOps: false,
    sanitizeResources: false,
  });
  if (!passed && !options.ignore) {
    throw new Error(`the story stopped at: ${name}`);
  }
}

/** Maps each server's nickname to its verdict in `status --json` output. */
function verdicts(
  status: { servers: { nickname: string; verdict: string }[] },
): Record<string, string> {
  return Object.fromEntries(
    status.servers.map((server) => [server.nickname, server.verdict]),
  );
}

Deno.test("managed grid story runs on real Tahoe nodes", async (t) => {
  const narration: string[] = [];
  const narrate = (line: string) => narration.push(line);
  const grid = await Grid.create({
    log: (line) => narrate(`  · ${line}`),
    warn: (line) => console.error(line),
  });
  const story = new Story(grid, { narrate });
  let passed = false;
  let first: PutResult | undefined;
  let storage2Before: string[] = [];
  const hasStatus = await story.hasStatusCommand();
  let statusTwoCertified: CommandOutput | undefined;
  let statusAllCertified: CommandOutput | undefined;
  try {
    await step(t, "1. grid-manager create makes a Grid Manager", async () => {
      const [create, identity] = await story.createGridManager();
      assert.equal(create!.code, 0, create!.stderr);
      assert.equal(identity!.code, 0, identity!.stderr);
      assert.match(story.gridManagerKey, /^pub-v0-[a-z2-7]{52}$/);
    });

    await step(t, "2. the grid starts on 127.0.0.1 only", async () => {
      await grid.startNodes();
      const listeners = await grid.listeners();
      for (const name of [...STORAGE_NODES, CLIENT, "introducer"]) {
        for (const port of grid.configuredPorts(name)) {
          const found = listeners.filter((listener) =>
            listener.node === name && listener.port === port
          );
          assert.deepEqual(
            found.map((listener) => listener.address),
            ["127.0.0.1"],
            `${name} port ${port}`,
          );
        }
      }
      if (grid.isolated) {
        // Tahoe's log ports listen on 0.0.0.0; loopback is all there is.
        assert.deepEqual(await grid.interfaces(), ["lo"]);
      } else {
        const others = listeners.filter((listener) =>
          listener.address !== "127.0.0.1"
        );
        console.error(
          `warning: not isolated; listeners off loopback: ${
            others.map((l) => `${l.node} ${l.address}:${l.port}`).join(", ")
          }`,
        );
      }
      const servers = await grid.waitForConnectedServers(STORAGE_NODES.length);
      assert.equal(servers.length, STORAGE_NODES.length);
      // Every address a node announces, fURLs and NURLs, is on loopback.
      const urls = (await grid.announcementCache()).match(/pb:\/\/\S+/g);
      assert.equal(urls?.length, 2 * STORAGE_NODES.length);
      for (const url of urls!) {
        assert.match(url, /^pb:\/\/[^@]+@(tcp:)?127\.0\.0\.1:\d+\//);
      }
    });

    await step(t, "3. tahoe put stores a share on storage2", async () => {
      first = await story.put("before.txt");
      assert.equal(first.output.code, 0, first.output.stderr);
      assert.match(first.cap!, /^URI:CHK:/);
      const index = await grid.storageIndex(first.cap!);
      storage2Before = await grid.storageIndexes("storage2");
      assert.ok(
        storage2Before.includes(index),
        `storage2/storage/shares has no share of ${index}`,
      );
    });

    await step(t, "4. storage0 and storage1 get certificates", async () => {
      const viaFile = await story.enrollStorage("storage0", { pipe: false });
      const viaPipe = await story.enrollStorage("storage1", { pipe: true });
      for (const enrollment of [viaFile, viaPipe]) {
        assert.equal(enrollment.add.code, 0, enrollment.add.stderr);
        assert.equal(enrollment.sign.code, 0, enrollment.sign.stderr);
        assert.equal(enrollment.import.code, 0, enrollment.import.stderr);
      }
      await story.restart(["storage0", "storage1"]);
      const certified = await grid.waitForCertifiedAnnouncements([
        "storage0",
        "storage1",
      ]);
      assert.deepEqual(story.certifiedServers(certified), [
        "storage0",
        "storage1",
      ]);
      const storage0 = certified.find((entry) =>
        entry.ann.nickname === "storage0"
      )!;
      assert.equal(storage0.key_s, viaFile.publicKey.replace(/^pub-/, ""));
      assert.deepEqual(
        storage0.ann["grid-manager-certificates"],
        [JSON.parse(viaFile.sign.stdout)],
      );
    });

    await step(t, "5. alice trusts the Grid Manager", async () => {
      const added = await story.enrollClient();
      assert.equal(added.code, 0, added.stderr);
      await story.restart([CLIENT]);
      const servers = await grid.waitForConnectedServers(STORAGE_NODES.length);
      assert.equal(servers.length, STORAGE_NODES.length);
      if (hasStatus) statusTwoCertified = await story.status({ json: true });
    });

    await step(t, "6. tahoe put fails: only 2 servers qualify", async () => {
      const refused = await story.put("refused.txt");
      assert.notEqual(refused.output.code, 0);
      assert.match(refused.output.stderr, /UploadUnhappinessError/);
      assert.match(
        refused.output.stderr,
        new RegExp(
          `shares could be placed on only 2 server\\(s\\).*` +
            `at least ${ENCODING.happy} such servers`,
        ),
      );
      assert.deepEqual(await grid.storageIndexes("storage2"), storage2Before);
    });

    await step(t, "7. tahoe get still downloads the first file", async () => {
      const download = await story.get(first!.cap!);
      assert.equal(download.code, 0, download.stderr);
      assert.equal(download.stdout, await Deno.readTextFile(first!.path));
    });

    await step(t, "8. with storage2 certified, put succeeds", async () => {
      const enrollment = await story.enrollStorage("storage2", {
        pipe: false,
      });
      assert.equal(enrollment.import.code, 0, enrollment.import.stderr);
      await story.restart(["storage2"]);
      const certified = await grid.waitForCertifiedAnnouncements(
        STORAGE_NODES,
      );
      await grid.waitForConnectedServers(STORAGE_NODES.length);
      const last = await story.put("after.txt");
      assert.equal(last.output.code, 0, last.output.stderr);
      const holders = await story.holders(last.cap!);
      assert.deepEqual(holders, [...STORAGE_NODES]);
      const certifiedNames = story.certifiedServers(certified);
      for (const holder of holders) {
        assert.ok(certifiedNames.includes(holder), `${holder} has no cert`);
      }
      if (hasStatus) statusAllCertified = await story.status({ json: true });
    });

    await step(t, "9. grid-manager status shows alice's view", () => {
      // Exit 1 means uploads cannot reach shares.happy, exit 0 that they
      // can: what Tahoe itself did in steps 6 and 8.
      assert.equal(statusTwoCertified!.code, 1, statusTwoCertified!.stderr);
      assert.equal(statusAllCertified!.code, 0, statusAllCertified!.stderr);
      const twoCertified = JSON.parse(statusTwoCertified!.stdout);
      const allCertified = JSON.parse(statusAllCertified!.stdout);
      assert.equal(twoCertified.uploads_can_succeed, false);
      assert.equal(allCertified.uploads_can_succeed, true);
      assert.deepEqual(verdicts(twoCertified), {
        storage0: "allowed",
        storage1: "allowed",
        storage2: "refused",
      });
      assert.deepEqual(verdicts(allCertified), {
        storage0: "allowed",
        storage1: "allowed",
        storage2: "allowed",
      });
    }, { ignore: !hasStatus });

    passed = true;
  } finally {
    if (!passed) console.error(narration.join("\n"));
    await grid.close({ keep: !passed || Deno.env.get("GRID_KEEP") === "1" });
  }
});

Deno.test("redactAnnouncementCache() replaces fURLs and NURLs", () => {
  const cache = [
    "- ann:",
    "    anonymous-storage-FURL: pb://abc@tcp:127.0.0.1:41102/swiss",
    "    anonymous-storage-NURLs:",
    "    - pb://Xy-_z@127.0.0.1:41102/swiss#v=1",
    "    nickname: storage2",
    "  key_s: v0-knfx",
    "",
  ].join("\n");
  const redacted = redactAnnouncementCache(cache);
  assert.doesNotMatch(redacted, /127\.0\.0\.1|swiss\b|abc|Xy-_z/);
  assert.match(redacted, /^ {4}- pb:\/\/\S+#v=1$/m);
  assert.match(redacted, /nickname: storage2\n {2}key_s: v0-knfx\n$/);
});

Deno.test("client fixtures hold no real fURL or address", async () => {
  const fixtures = join(ROOT, "tests", "fixtures", "managed-grid");
  for await (const client of Deno.readDir(fixtures)) {
    if (!client.isDirectory) continue;
    const path = join(
      fixtures,
      client.name,
      "private",
      "introducer_default_cache.yaml",
    );
    const text = await Deno.readTextFile(path);
    assert.equal(redactAnnouncementCache(text), text, path);
    assert.doesNotMatch(text, /127\.0\.0\.1/, path);
  }
});

Deno.test("client fixtures certify the servers they name", async () => {
  const fixtures = join(ROOT, "tests", "fixtures", "managed-grid");
  const expected = [
    ["alice-two-certified", ["storage0", "storage1"]],
    ["alice-all-certified", ["storage0", "storage1", "storage2"]],
  ] as const;
  for (const [client, certified] of expected) {
    const text = await Deno.readTextFile(
      join(fixtures, client, "private", "introducer_default_cache.yaml"),
    );
    const announcements = yaml.load(text) as CachedAnnouncement[];
    assert.equal(announcements.length, STORAGE_NODES.length, client);
    const names = announcements
      .filter((entry) =>
        (entry.ann["grid-manager-certificates"] ?? []).length > 0
      )
      .map((entry) => entry.ann.nickname)
      .sort();
    assert.deepEqual(names, [...certified], client);
  }
});
