/**
 * Measures `grid-manager status` over a client that has heard from many
 * storage servers, and `grid-manager renew` over a Grid Manager with many
 * registered servers. Runs the bundle (`deno task bundle` first) the way a
 * user runs it and prints wall-clock times.
 *
 * Usage: deno run -A scripts/bench_status.ts [STATUS_SERVERS] [RENEW_SERVERS]
 *
 * It also times the steps of `status` in its own process, which shows
 * where the time goes.
 *
 * @module
 */

import { join } from "node:path";
import { dump as dumpYaml } from "js-yaml";
import {
  formatCertificateDocument,
  signCertificate,
} from "../lib/certificate.ts";
import {
  createGridManagerConfig,
  formatGridManagerConfig,
  type GridManagerConfig,
} from "../lib/grid_manager.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";
import {
  mergeAnnouncements,
  parseIntroducerCache,
} from "../lib/announcements.ts";
import { readClientSettings } from "../lib/client_settings.ts";
import { buildStatusReport } from "../lib/status.ts";
import { parseTahoeCfg } from "../lib/tahoe_cfg.ts";
import { MICROS_PER_DAY, nowMicros } from "../lib/time.ts";
import { BUNDLE, RUN_PERMISSIONS } from "../tests/helpers.ts";

const statusServers = Number(Deno.args[0] ?? 1000);
const renewServers = Number(Deno.args[1] ?? 10000);
const RUNS = 5;

async function timeRun(
  args: string[],
  stdin?: string,
): Promise<
  { seconds: number; code: number; stdoutBytes: number; stderr: string }
> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_PERMISSIONS, BUNDLE, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  return {
    seconds: (performance.now() - started) / 1000,
    code: output.code,
    stdoutBytes: output.stdout.length,
    stderr: new TextDecoder().decode(output.stderr),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Builds a client whose cache announces `count` servers, one in ten expired. */
function makeClient(dir: string, count: number): string {
  const gridManager = generateKeyPair();
  const now = nowMicros();
  const entries = [];
  for (let i = 0; i < count; i++) {
    const key = encodePublicKey(generateKeyPair().publicKey);
    const days = i % 10 === 0 ? -1 : 30;
    entries.push({
      ann: {
        nickname: `storage${i}`,
        "service-name": "storage",
        "grid-manager-certificates": [
          signCertificate(gridManager.seed, key, now + days * MICROS_PER_DAY),
        ],
      },
      key_s: key.slice("pub-".length),
    });
  }
  const client = join(dir, "client");
  Deno.mkdirSync(join(client, "private"), { recursive: true });
  Deno.writeTextFileSync(
    join(client, "tahoe.cfg"),
    `[client]\nshares.happy = 7\n\n[grid_managers]\nalpha = ${
      encodePublicKey(gridManager.publicKey)
    }\n`,
  );
  Deno.writeTextFileSync(
    join(client, "private", "introducer_default_cache.yaml"),
    dumpYaml(entries),
  );
  return client;
}

/**
 * Builds a Grid Manager directory with `count` servers: half have a
 * certificate ending in 3 days, a quarter one ending in 60 days, and a
 * quarter none.
 */
function makeGridManager(dir: string, count: number): {
  path: string;
  config: GridManagerConfig;
} {
  const path = join(dir, "gm");
  Deno.mkdirSync(path, { mode: 0o700 });
  const now = nowMicros();
  const servers = [];
  for (let i = 0; i < count; i++) {
    servers.push({
      name: `storage${i}`,
      publicKey: encodePublicKey(generateKeyPair().publicKey),
    });
  }
  // Built in one step: addServer copies the list per call, which is
  // quadratic over 10,000 servers.
  const config = { ...createGridManagerConfig(), servers };
  for (const [i, server] of servers.entries()) {
    if (i % 4 === 3) continue;
    const days = i % 2 === 0 ? 3 : 60;
    const document = signCertificate(
      config.keys.seed,
      server.publicKey,
      now + days * MICROS_PER_DAY,
    );
    Deno.writeTextFileSync(
      join(path, `${server.name}.cert.0`),
      formatCertificateDocument(document),
    );
  }
  Deno.writeTextFileSync(
    join(path, "config.json"),
    formatGridManagerConfig(config),
    { mode: 0o600 },
  );
  return { path, config };
}

/** Times the steps of `status` in this process, to show where time goes. */
function measureStatusSteps(client: string): void {
  const cacheText = Deno.readTextFileSync(
    join(client, "private", "introducer_default_cache.yaml"),
  );
  let started = performance.now();
  const set = parseIntroducerCache(cacheText, "cache");
  const parseSeconds = (performance.now() - started) / 1000;
  const settings = readClientSettings(
    parseTahoeCfg(Deno.readTextFileSync(join(client, "tahoe.cfg"))),
  );
  started = performance.now();
  buildStatusReport(mergeAnnouncements([set]), [], settings, nowMicros());
  const checkSeconds = (performance.now() - started) / 1000;
  console.log(
    `  in process: YAML parse ${parseSeconds.toFixed(3)} s, verdicts ` +
      `(one Ed25519 verification per certificate) ${checkSeconds.toFixed(3)} s`,
  );
}

const dir = await Deno.makeTempDir({ prefix: "grid-manager-bench-" });
try {
  const client = makeClient(dir, statusServers);
  const statusTimes = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await timeRun(["status", "-d", client, "--json"]);
    if (result.code !== 0) throw new Error(`status exited ${result.code}`);
    statusTimes.push(result.seconds);
  }
  console.log(
    `status, ${statusServers} servers: median ${
      median(statusTimes).toFixed(3)
    } s over ${RUNS} runs (min ${Math.min(...statusTimes).toFixed(3)} s)`,
  );

  const baseline = await timeRun(["--version"]);
  console.log(`startup alone (--version): ${baseline.seconds.toFixed(3)} s`);
  measureStatusSteps(client);

  const { path, config } = makeGridManager(dir, renewServers);
  const renew = await timeRun(["renew", "--config", path, "--within", "7"]);
  if (renew.code !== 0) throw new Error(`renew exited ${renew.code}`);
  const renewed = Number(/renewed (\d+) of/.exec(renew.stderr)?.[1]);
  console.log(
    `renew (directory), ${renewServers} servers, ${renewed} renewed: ${
      renew.seconds.toFixed(3)
    } s, ${(renew.seconds / renewed * 1000).toFixed(3)} ms per renewed server`,
  );

  const stream = await timeRun(
    ["renew", "--config", "-", "--within", "7"],
    formatGridManagerConfig(config),
  );
  if (stream.code !== 0) throw new Error(`renew - exited ${stream.code}`);
  console.log(
    `renew (--config -), ${renewServers} servers, all renewed: ${
      stream.seconds.toFixed(3)
    } s, ${
      (stream.seconds / renewServers * 1000).toFixed(3)
    } ms per server, ${stream.stdoutBytes} bytes of JSON lines`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
