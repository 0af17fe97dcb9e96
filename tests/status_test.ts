import assert from "node:assert/strict";
import { join } from "node:path";
import { dump as dumpYaml } from "js-yaml";
import {
  mergeAnnouncements,
  parseIntroducerCache,
  parseStaticServers,
} from "../lib/announcements.ts";
import { encodeBase32 } from "../lib/base32.ts";
import { signCertificate } from "../lib/certificate.ts";
import { sign } from "../lib/ed25519.ts";
import { encodePublicKey, generateKeyPair, type KeyPair } from "../lib/keys.ts";
import {
  type ClientSettings,
  readClientSettings,
  type TahoeConfigReader,
} from "../lib/client_settings.ts";
import {
  buildStatusReport,
  checkServer,
  type ServerVerdict,
} from "../lib/status.ts";
import { formatStatusReport } from "../lib/status_format.ts";
import { parseTahoeCfg } from "../lib/tahoe_cfg.ts";
import { MICROS_PER_DAY, parseIsoTime } from "../lib/time.ts";
import { ROOT, runPython, withTempDir } from "./helpers.ts";

const NOW_TEXT = "2027-03-01T12:00:00+00:00";
const NOW = parseIsoTime(NOW_TEXT).micros;
const alpha = generateKeyPair();
const beta = generateKeyPair();
const foreign = generateKeyPair();

function serverId(): string {
  return encodePublicKey(generateKeyPair().publicKey).slice("pub-".length);
}

/** Signs any payload text, as a Grid Manager with unusual software might. */
function signRaw(keys: KeyPair, payload: string) {
  return {
    certificate: payload,
    signature: encodeBase32(sign(keys.seed, new TextEncoder().encode(payload))),
  };
}

function certificateFor(keys: KeyPair, id: string, days: number) {
  return signCertificate(keys.seed, "pub-" + id, NOW + days * MICROS_PER_DAY);
}

function settingsWith(
  names: Record<string, KeyPair>,
  happy = 7,
): ClientSettings {
  const items = Object.entries(names).map((
    [name, keys],
  ) => [name, encodePublicKey(keys.publicKey)] as const);
  const reader: TahoeConfigReader = {
    get: (section, option) => {
      if (section === "client" && option === "shares.happy") {
        return String(happy);
      }
      if (section !== "grid_managers") return undefined;
      return items.find(([name]) => name === option)?.[1];
    },
    options: (section) =>
      section === "grid_managers" ? items.map(([name]) => name) : [],
  };
  return readClientSettings(reader);
}

interface Case {
  name: string;
  certificates: unknown;
  expected: ServerVerdict;
}

/** Announcement cases; each becomes one server in a generated cache. */
function buildCases(): { id: string; entry: Case }[] {
  const cases: { id: string; entry: Case }[] = [];
  const add = (
    name: string,
    expected: ServerVerdict,
    certificates: (id: string) => unknown,
  ) => {
    const id = serverId();
    cases.push({
      id,
      entry: { name, certificates: certificates(id), expected },
    });
  };
  add("valid", "allowed", (id) => [certificateFor(alpha, id, 10)]);
  add("signed by second key", "allowed", (id) => [certificateFor(beta, id, 1)]);
  add("expired", "refused", (id) => [certificateFor(alpha, id, -1)]);
  add(
    "wrongly keyed",
    "refused",
    () => [certificateFor(alpha, serverId(), 10)],
  );
  add("foreign-signed", "refused", (id) => [certificateFor(foreign, id, 10)]);
  add("no certificate", "refused", () => undefined);
  add("empty list", "refused", () => []);
  add("duplicated valid", "allowed", (id) => {
    const certificate = certificateFor(alpha, id, 5);
    return [certificate, certificate];
  });
  add("expired then valid", "allowed", (id) => [
    certificateFor(alpha, id, -3),
    certificateFor(alpha, id, 3),
  ]);
  add("version 2", "allowed", (id) => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "2027-04-01T00:00:00+00:00",
        public_key: "pub-" + id,
        version: 2,
      }),
    ),
  ]);
  add("zulu expiry", "allowed", (id) => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "2027-04-01T00:00:00Z",
        public_key: "pub-" + id,
        version: 1,
      }),
    ),
  ]);
  for (
    const expires of [
      "2027-04-01T00:00:00.5+00:00",
      "20270401T000000+00:00",
      "2027-04-01T00:00:00+0000",
      "2027-W14-1T00+00",
      "9999-12-31T23:59:59.999999+00:00",
      "9999-12-31T23:59:59-01:00",
    ]
  ) {
    add(`expiry ${expires}`, "allowed", (id) => [
      signRaw(
        alpha,
        JSON.stringify({ expires, public_key: "pub-" + id, version: 1 }),
      ),
    ]);
  }
  add("expiry before year 1 in UTC", "refused", (id) => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "0001-01-01T00:30:00+01:00",
        public_key: "pub-" + id,
        version: 1,
      }),
    ),
  ]);
  add("extra key ignored", "allowed", (id) => [
    { ...certificateFor(alpha, id, 2), comment: "hello" },
  ]);
  add("signature not base32", "dropped", (id) => [
    { ...certificateFor(alpha, id, 10), signature: "NOT-BASE32" },
  ]);
  add("bad signature after valid", "dropped", (id) => [
    certificateFor(alpha, id, 10),
    { ...certificateFor(alpha, id, 10), signature: "1" },
  ]);
  add("missing signature", "dropped", (id) => [
    { certificate: certificateFor(alpha, id, 10).certificate },
  ]);
  add("certificate not a mapping", "dropped", () => ["text"]);
  add("list is null", "dropped", () => null);
  add("short signature", "refused", (id) => [
    {
      ...certificateFor(alpha, id, 10),
      signature: encodeBase32(new Uint8Array(63)),
    },
  ]);
  add("signed payload not JSON", "dropped", () => [signRaw(alpha, "not json")]);
  add("foreign payload not JSON", "refused", () => [
    signRaw(foreign, "not json"),
  ]);
  add("naive expiry for this server", "breaks-uploads", (id) => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "2027-04-01T00:00:00",
        public_key: "pub-" + id,
        version: 1,
      }),
    ),
  ]);
  add("naive expiry for another key", "refused", () => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "2027-04-01T00:00:00",
        public_key: "pub-" + serverId(),
        version: 1,
      }),
    ),
  ]);
  for (
    const [expires, expected] of [
      ["2027-04-01", "breaks-uploads"],
      ["20270401T1000", "breaks-uploads"],
      ["2027-04-01 10:00:00,5", "breaks-uploads"],
      ["2027-02-30", "breaks-uploads"],
      ["2027-04-01T24:00", "breaks-uploads"],
      ["2027-04-01T10:0000", "breaks-uploads"],
    ] as const
  ) {
    add(`naive expiry ${expires} for this server`, expected, (id) => [
      signRaw(
        alpha,
        JSON.stringify({ expires, public_key: "pub-" + id, version: 1 }),
      ),
    ]);
    // Python reads a valid naive time before it compares keys, and the
    // comparison with now, which raises, is skipped for another key.
    add(
      `naive expiry ${expires} for another key`,
      ["2027-02-30", "2027-04-01T24:00", "2027-04-01T10:0000"].includes(
          expires,
        )
        ? "breaks-uploads"
        : "refused",
      () => [
        signRaw(
          alpha,
          JSON.stringify({
            expires,
            public_key: "pub-" + serverId(),
            version: 1,
          }),
        ),
      ],
    );
  }
  add("unreadable expiry", "breaks-uploads", (id) => [
    signRaw(
      alpha,
      JSON.stringify({
        expires: "next tuesday",
        public_key: "pub-" + id,
        version: 1,
      }),
    ),
  ]);
  add("missing public_key", "breaks-uploads", () => [
    signRaw(
      alpha,
      JSON.stringify({ expires: "2027-04-01T00:00:00+00:00", version: 1 }),
    ),
  ]);
  add("valid before faulty", "allowed", (id) => [
    certificateFor(alpha, id, 10),
    signRaw(alpha, JSON.stringify({ version: 1 })),
  ]);
  add("payload is a list", "breaks-uploads", () => [signRaw(alpha, "[1, 2]")]);
  return cases;
}

function cacheYaml(cases: { id: string; entry: Case }[]): string {
  return dumpYaml(cases.map(({ id, entry }) => ({
    ann: {
      nickname: entry.name,
      "service-name": "storage",
      ...(entry.certificates === undefined
        ? {}
        : { "grid-manager-certificates": entry.certificates }),
    },
    key_s: id,
  })));
}

async function tahoeVerdicts(
  now: string,
  keys: KeyPair[],
  files: string[],
): Promise<Record<string, string>> {
  const result = await runPython("grid_manager_verdicts.py", [
    now,
    ...keys.flatMap((keys) => ["--key", encodePublicKey(keys.publicKey)]),
    ...files,
  ]);
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
  return JSON.parse(result.stdout);
}

Deno.test("checkServer() matches Tahoe's verifier on generated caches", async () => {
  const cases = buildCases();
  await withTempDir(async (dir) => {
    const path = join(dir, "introducer_default_cache.yaml");
    const text = cacheYaml(cases);
    Deno.writeTextFileSync(path, text);
    const tahoe = await tahoeVerdicts(NOW_TEXT, [alpha, beta], [path]);
    const settings = settingsWith({ alpha, beta });
    const servers = mergeAnnouncements([parseIntroducerCache(text, path)]);
    assert.equal(servers.length, cases.length);
    for (const server of servers) {
      const ours = checkServer(server, settings, NOW);
      const entry = cases.find((c) => c.id === server.announcement.serverId)!
        .entry;
      assert.equal(
        ours.verdict,
        tahoe[server.announcement.serverId],
        `Tahoe disagrees on "${entry.name}": ${ours.reason}`,
      );
      assert.equal(ours.verdict, entry.expected, `case "${entry.name}"`);
    }
  });
});

Deno.test("checkServer() matches Tahoe with no Grid Manager configured", async () => {
  const cases = buildCases();
  await withTempDir(async (dir) => {
    const path = join(dir, "introducer_default_cache.yaml");
    const text = cacheYaml(cases);
    Deno.writeTextFileSync(path, text);
    const tahoe = await tahoeVerdicts(NOW_TEXT, [], [path]);
    const settings = settingsWith({});
    for (
      const server of mergeAnnouncements([parseIntroducerCache(text, path)])
    ) {
      const ours = checkServer(server, settings, NOW);
      assert.equal(ours.verdict, tahoe[server.announcement.serverId]);
    }
    const verdicts = Object.values(tahoe);
    assert.ok(verdicts.includes("dropped"));
    assert.ok(!verdicts.includes("refused"));
  });
});

Deno.test("checkServer() judges expiry at the exact microsecond like Tahoe", async () => {
  const id = serverId();
  const expires = "2027-03-01T12:00:00.000001+00:00";
  const cases = [{
    id,
    entry: {
      name: "edge",
      expected: "refused" as const,
      certificates: [
        signCertificate(
          alpha.seed,
          "pub-" + id,
          parseIsoTime(expires).micros,
        ),
      ],
    },
  }];
  await withTempDir(async (dir) => {
    const path = join(dir, "introducer_x_cache.yaml");
    const text = cacheYaml(cases);
    Deno.writeTextFileSync(path, text);
    const settings = settingsWith({ alpha });
    const [server] = mergeAnnouncements([parseIntroducerCache(text, path)]);
    for (const now of [NOW_TEXT, "2027-03-01T12:00:00.000002+00:00"]) {
      const tahoe = await tahoeVerdicts(now, [alpha], [path]);
      const ours = checkServer(server!, settings, parseIsoTime(now).micros);
      assert.equal(ours.verdict, tahoe[id], `at ${now}`);
    }
  });
});

Deno.test("static servers hide introducer announcements as in Tahoe", async () => {
  const id = serverId();
  const expired = [{
    id,
    entry: {
      name: "from introducer",
      expected: "refused" as const,
      certificates: [certificateFor(alpha, id, -1)],
    },
  }];
  const staticText = dumpYaml({
    storage: {
      [id]: {
        ann: {
          nickname: "static",
          "grid-manager-certificates": [certificateFor(alpha, id, 1)],
        },
      },
    },
  });
  await withTempDir(async (dir) => {
    const cachePath = join(dir, "introducer_a_cache.yaml");
    const staticPath = join(dir, "servers.yaml");
    Deno.writeTextFileSync(cachePath, cacheYaml(expired));
    Deno.writeTextFileSync(staticPath, staticText);
    const tahoe = await tahoeVerdicts(NOW_TEXT, [alpha], [
      cachePath,
      staticPath,
    ]);
    const [server, ...rest] = mergeAnnouncements([
      parseIntroducerCache(cacheYaml(expired), cachePath),
      parseStaticServers(staticText, staticPath),
    ]);
    assert.equal(rest.length, 0);
    assert.equal(server!.announcement.isStatic, true);
    assert.deepEqual(server!.sources, [cachePath, staticPath]);
    const ours = checkServer(server!, settingsWith({ alpha }), NOW);
    assert.equal(ours.verdict, tahoe[id]);
    assert.equal(ours.verdict, "allowed");
  });
});

Deno.test("checkServer() matches Tahoe on the cache a real client wrote", async () => {
  const fixtures = join(ROOT, "tests", "fixtures", "status");
  const path = join(fixtures, "tahoe_introducer_cache.yaml");
  const text = Deno.readTextFileSync(path);
  const cfg = Deno.readTextFileSync(join(fixtures, "tahoe_client.cfg"));
  const configured = readClientSettings(parseTahoeCfg(cfg));
  const key = configured.gridManagers[0]!.publicKey;
  const [server] = mergeAnnouncements([parseIntroducerCache(text, path)]);
  assert.equal(server!.announcement.ann.nickname, "store0");
  for (
    const now of ["2026-12-05T00:00:00+00:00", "2026-12-15T00:00:00+00:00"]
  ) {
    const result = await runPython("grid_manager_verdicts.py", [
      now,
      "--key",
      key,
      path,
    ]);
    const tahoe = JSON.parse(result.stdout);
    const ours = checkServer(server!, configured, parseIsoTime(now).micros);
    assert.equal(ours.verdict, tahoe[server!.announcement.serverId], now);
  }
});

Deno.test("parseIntroducerCache() reports malformed entries", () => {
  const text = dumpYaml([
    "not a mapping",
    { ann: { "service-name": "storage" }, key_s: "bad-id" },
    { ann: { "service-name": "other" }, key_s: "v0-aaaa" },
    { ann: { "service-name": "storage", nickname: "ok" }, key_s: "v0-bbbb" },
    { key_s: "v0-cccc" },
    { ann: { "service-name": "storage" }, key_s: "v0-dddd" },
  ]);
  const set = parseIntroducerCache(text, "cache.yaml");
  assert.deepEqual(set.announcements.map((a) => a.serverId), ["v0-bbbb"]);
  assert.equal(set.problems.length, 3);
  assert.match(set.problems[0]!.message, /entry 1 is not a mapping/);
  assert.match(set.problems[1]!.message, /"bad-id" does not start with "v0-"/);
  assert.match(set.problems[2]!.message, /entry 5 .*stops reading.*1 later/);
});

Deno.test("parseIntroducerCache() reports invalid YAML", () => {
  const set = parseIntroducerCache("- ann: [unclosed", "cache.yaml");
  assert.equal(set.announcements.length, 0);
  assert.match(set.problems[0]!.message, /^cache\.yaml is not valid YAML/);
});

Deno.test("parseIntroducerCache() reads an empty file as no servers", () => {
  const set = parseIntroducerCache("", "cache.yaml");
  assert.equal(set.announcements.length, 0);
  assert.equal(set.problems.length, 0);
});

Deno.test("parseStaticServers() reports a server without ann", () => {
  const set = parseStaticServers(
    "storage:\n  v0-aaaa:\n    nickname: x\n  v0-bbbb:\n    ann: {nickname: y}\n",
    "servers.yaml",
  );
  assert.deepEqual(set.announcements.map((a) => a.serverId), ["v0-bbbb"]);
  assert.match(set.problems[0]!.message, /v0-aaaa has no "ann"/);
});

Deno.test("readClientSettings() uses Tahoe's share defaults", () => {
  const settings = readClientSettings({
    get: () => undefined,
    options: () => [],
  });
  assert.equal(settings.sharesNeeded, 3);
  assert.equal(settings.sharesHappy, 7);
  assert.equal(settings.sharesTotal, 10);
  assert.equal(settings.gridManagers.length, 0);
});

Deno.test("readClientSettings() rejects an invalid Grid Manager key", () => {
  assert.throws(
    () =>
      readClientSettings({
        get: (section) =>
          section === "grid_managers" ? "pub-v0-short" : undefined,
        options: () => ["alpha"],
      }, "c/tahoe.cfg"),
    /c\/tahoe\.cfg: \[grid_managers\] alpha: .*client does not start/,
  );
});

Deno.test("buildStatusReport() compares allowed servers with shares.happy", () => {
  const ids = [serverId(), serverId(), serverId()];
  const cache = cacheYaml(ids.map((id, i) => ({
    id,
    entry: {
      name: `s${i}`,
      expected: "allowed" as const,
      certificates: [certificateFor(alpha, id, i === 2 ? -4 : 4)],
    },
  })));
  const servers = mergeAnnouncements([parseIntroducerCache(cache, "c")]);
  const enough = buildStatusReport(
    servers,
    [],
    settingsWith({ alpha }, 2),
    NOW,
  );
  assert.equal(enough.allowedCount, 2);
  assert.equal(enough.uploadsCanSucceed, true);
  const short = buildStatusReport(servers, [], settingsWith({ alpha }, 3), NOW);
  assert.equal(short.uploadsCanSucceed, false);
  assert.match(short.summary, /2 of 3 servers may receive uploads/);
  assert.match(
    short.summary,
    /shares\.happy = 3 needs 1 more allowed server\./,
  );
  const text = formatStatusReport(short);
  assert.match(text, /expired .* \(4 days ago\)/);
  assert.match(text, /expires .* \(in 4 days\)/);
});

Deno.test("buildStatusReport() counts only connected servers with web data", () => {
  const ids = [serverId(), serverId()];
  const cache = cacheYaml(ids.map((id, i) => ({
    id,
    entry: {
      name: `s${i}`,
      expected: "allowed" as const,
      certificates: [certificateFor(alpha, id, 4)],
    },
  })));
  const servers = mergeAnnouncements([parseIntroducerCache(cache, "c")]);
  const connections = new Map([[ids[0]!, "connected"], [
    ids[1]!,
    "Trying to connect",
  ]]);
  const report = buildStatusReport(
    servers,
    [],
    settingsWith({ alpha }, 2),
    NOW,
    connections,
  );
  assert.equal(report.allowedCount, 2);
  assert.equal(report.connectedAllowedCount, 1);
  assert.equal(report.uploadsCanSucceed, false);
});

Deno.test("buildStatusReport() says every server is used without Grid Managers", () => {
  const id = serverId();
  const servers = mergeAnnouncements([
    parseIntroducerCache(
      cacheYaml([{
        id,
        entry: { name: "n", expected: "allowed", certificates: undefined },
      }]),
      "c",
    ),
  ]);
  const report = buildStatusReport(servers, [], settingsWith({}, 1), NOW);
  assert.match(
    report.summary,
    /^No Grid Manager is configured, so every server is used/,
  );
  assert.equal(report.uploadsCanSucceed, true);
});

Deno.test("checkServer() notes a version 2 certificate", () => {
  const id = serverId();
  const servers = mergeAnnouncements([
    parseIntroducerCache(
      cacheYaml([{
        id,
        entry: {
          name: "v2",
          expected: "allowed",
          certificates: [
            signRaw(
              alpha,
              JSON.stringify({
                expires: "2027-04-01T00:00:00+00:00",
                public_key: "pub-" + id,
                version: 2,
              }),
            ),
          ],
        },
      }]),
      "c",
    ),
  ]);
  const report = checkServer(servers[0]!, settingsWith({ alpha }), NOW);
  assert.equal(report.verdict, "allowed");
  assert.match(
    report.certificates[0]!.notes[0]!,
    /version 2: .*does not check/,
  );
});

Deno.test("mergeAnnouncements() keeps the highest seqnum", () => {
  const newer = dumpYaml([{
    key_s: "v0-aaaa",
    ann: { "service-name": "storage", nickname: "newer", seqnum: 5 },
  }]);
  const older = dumpYaml([{
    key_s: "v0-aaaa",
    ann: { "service-name": "storage", nickname: "older", seqnum: 4 },
  }]);
  const [server, ...rest] = mergeAnnouncements([
    parseIntroducerCache(newer, "introducer_a_cache.yaml"),
    parseIntroducerCache(older, "introducer_b_cache.yaml"),
  ]);
  assert.equal(rest.length, 0);
  assert.equal(server!.announcement.ann.nickname, "newer");
  assert.deepEqual(server!.sources, [
    "introducer_a_cache.yaml",
    "introducer_b_cache.yaml",
  ]);
});

Deno.test("buildStatusReport() reports a connected server without announcement", () => {
  const report = buildStatusReport(
    [],
    [],
    settingsWith({ alpha }, 1),
    NOW,
    new Map([["v0-zzzz", "connected"]]),
  );
  assert.equal(report.problems.length, 1);
  assert.match(
    report.problems[0]!.message,
    /server v0-zzzz \(connected\) is known to the running client but in no announcement file/,
  );
});

Deno.test("unloadable static entry falls back to the introducer as in Tahoe", async () => {
  const id = serverId();
  const introduced = [{
    id,
    entry: {
      name: "from introducer",
      expected: "allowed" as const,
      certificates: [certificateFor(alpha, id, 5)],
    },
  }];
  const staticText = dumpYaml({
    storage: {
      [id]: {
        ann: {
          nickname: "static",
          "grid-manager-certificates": [{
            ...certificateFor(alpha, id, 5),
            signature: "!",
          }],
        },
      },
    },
  });
  await withTempDir(async (dir) => {
    const cachePath = join(dir, "introducer_a_cache.yaml");
    const staticPath = join(dir, "servers.yaml");
    Deno.writeTextFileSync(cachePath, cacheYaml(introduced));
    Deno.writeTextFileSync(staticPath, staticText);
    const tahoe = await tahoeVerdicts(NOW_TEXT, [alpha], [
      staticPath,
      cachePath,
    ]);
    const report = buildStatusReport(
      mergeAnnouncements([
        parseIntroducerCache(cacheYaml(introduced), cachePath),
        parseStaticServers(staticText, staticPath),
      ]),
      [],
      settingsWith({ alpha }, 1),
      NOW,
    );
    assert.equal(report.servers.length, 1);
    assert.equal(report.servers[0]!.verdict, tahoe[id]);
    assert.equal(report.servers[0]!.verdict, "allowed");
    assert.equal(report.servers[0]!.nickname, "from introducer");
    assert.match(report.servers[0]!.reason, /static entry .* cannot be loaded/);
  });
});

Deno.test("buildStatusReport() explains an empty server list", () => {
  const report = buildStatusReport([], [], settingsWith({ alpha }, 1), NOW);
  assert.equal(report.uploadsCanSucceed, false);
  assert.match(report.summary, /The client has no storage announcements yet/);
});
