/**
 * Measures the one-shot wall time of Grid Manager commands: our bundle
 * (dist/grid-manager.js under `deno run`) beside Tahoe-LAFS's own
 * `grid-manager` from .venv, on a Grid Manager with 100 servers, and our
 * `list` with 10,000 servers. Each server has one certificate file.
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-env
 *          scripts/bench.ts [--runs N] [--large N] [--tahoe-large]
 *
 * Every command runs once to warm the file cache, then N times (default
 * 11), taking turns with Tahoe's. The table reports the median and the
 * fastest run in milliseconds.
 * Commands run with a scratch directory as the working directory, so no
 * deno.json is found, as for an installed tool.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  formatCertificateDocument,
  signCertificate,
} from "../lib/certificate.ts";
import {
  addServer,
  createGridManagerConfig,
  formatGridManagerConfig,
} from "../lib/grid_manager.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";
import { MICROS_PER_DAY, nowMicros } from "../lib/time.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BUNDLE = join(ROOT, "dist", "grid-manager.js");
const TAHOE_GRID_MANAGER = join(ROOT, ".venv", "bin", "grid-manager");
/** The permissions of `deno task compile` in deno.json. */
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=HOME",
  "--allow-net=127.0.0.1,localhost",
];

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "11" },
    large: { type: "string", default: "10000" },
    "tahoe-large": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const largeCount = Number(values.large);

/**
 * Writes a Grid Manager directory with `count` servers named server0000…,
 * each with one 30-day certificate as `NAME.cert.0`.
 */
function writeGridManager(directory: string, count: number): void {
  Deno.mkdirSync(directory, { mode: 0o700 });
  let config = createGridManagerConfig();
  const expires = nowMicros() + 30 * MICROS_PER_DAY;
  for (let i = 0; i < count; i++) {
    const name = `server${String(i).padStart(4, "0")}`;
    const key = encodePublicKey(generateKeyPair().publicKey);
    config = addServer(config, name, key).config;
    const document = signCertificate(config.keys.seed, key, expires);
    Deno.writeTextFileSync(
      join(directory, `${name}.cert.0`),
      formatCertificateDocument(document),
    );
  }
  Deno.writeTextFileSync(
    join(directory, "config.json"),
    formatGridManagerConfig(config),
    { mode: 0o600 },
  );
}

/** Runs `argv` once and returns its wall time in milliseconds. */
async function timeOnce(argv: string[], cwd: string): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - start;
  if (!output.success) {
    const message = new TextDecoder().decode(output.stderr);
    throw new Error(`${argv.join(" ")} failed: ${message}`);
  }
  return elapsed;
}

interface Timing {
  median: number;
  min: number;
}

function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]! };
}

/**
 * Times each command in `argvs` over `count` runs after one warm-up run,
 * and calls `after` untimed after each run. The commands take turns, so a
 * change in machine load affects them alike.
 */
async function measure(
  argvs: string[][],
  cwd: string,
  count: number,
  after: () => void = () => {},
): Promise<Timing[]> {
  const times: number[][] = argvs.map(() => []);
  for (let run = 0; run <= count; run++) {
    for (const [i, argv] of argvs.entries()) {
      const elapsed = await timeOnce(argv, cwd);
      after();
      if (run > 0) times[i]!.push(elapsed);
    }
  }
  return times.map(summarize);
}

function ours(args: string[]): string[] {
  return [Deno.execPath(), "run", ...PERMISSIONS, BUNDLE, ...args];
}

function tahoe(args: string[]): string[] {
  return [TAHOE_GRID_MANAGER, ...args];
}

function format(timing: Timing): string {
  return `${timing.median.toFixed(0)} (${timing.min.toFixed(0)})`;
}

const scratch = Deno.makeTempDirSync({ prefix: "grid-manager-bench-" });
try {
  const small = join(scratch, "gm100");
  const large = join(scratch, `gm${largeCount}`);
  writeGridManager(small, 100);
  writeGridManager(large, largeCount);
  const removeNewCertificate = () => {
    Deno.removeSync(join(small, "server0000.cert.1"));
  };

  const rows: [string, Timing, Timing | undefined][] = [];
  for (
    const [label, args, after] of [
      ["public-identity (100 servers)", ["public-identity"], undefined],
      [
        "sign NAME 30 (100 servers)",
        ["sign", "server0000", "30"],
        removeNewCertificate,
      ],
      ["list (100 servers)", ["list"], undefined],
    ] as const
  ) {
    const argv = ["--config", small, ...args];
    const [mine, theirs] = await measure(
      [ours(argv), tahoe(argv)],
      scratch,
      runs,
      after,
    );
    rows.push([label, mine!, theirs]);
  }
  const largeList = ["--config", large, "list"];
  const [mine, theirs] = values["tahoe-large"]
    ? await measure([ours(largeList), tahoe(largeList)], scratch, runs)
    : await measure([ours(largeList)], scratch, runs);
  rows.push([`list (${largeCount} servers)`, mine!, theirs]);

  console.log(`Median (fastest) wall time in ms over ${runs} runs.\n`);
  console.log("| command | grid-manager.js | Tahoe grid-manager | ratio |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [label, mine, theirs] of rows) {
    const ratio = theirs ? (mine.median / theirs.median).toFixed(2) : "";
    console.log(
      `| ${label} | ${format(mine)} | ${
        theirs ? format(theirs) : "not run"
      } | ${ratio} |`,
    );
  }
} finally {
  Deno.removeSync(scratch, { recursive: true });
}
