/**
 * Crash safety: mutating commands (add, remove, sign, renew and, on a
 * storage node, add-grid-manager-cert) killed with SIGKILL at random
 * moments. After each kill, config.json and tahoe.cfg must equal the state
 * before or after the command, every certificate file must be complete,
 * and once a command has completed no temporary file may remain.
 *
 * CRASH_RUNS sets the number of kills (default 1,000; runs that exit
 * before their kill do not count), CRASH_SEED replays a sequence; both are
 * printed on failure.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signCertificate,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import {
  addServer,
  formatGridManagerConfig,
  parseGridManagerConfig,
  removeServer,
} from "../lib/grid_manager.ts";
import { encodePublicKey } from "../lib/keys.ts";
import { BUNDLE, RUN_PERMISSIONS, runGridManager } from "./helpers.ts";

const RUNS = Number(Deno.env.get("CRASH_RUNS") ?? 1000);
const SEED = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 2 ** 31);
/** Grid Manager directories killed in parallel; each has one worker. */
const WORKERS = 4;
const TEMP_PREFIX = ".grid-manager-tmp-";

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function keyFor(index: number): string {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint32(0, index + 1);
  // Not every 32-byte string is a curve point, but keys are only stored
  // and signed over, never used to verify.
  return encodePublicKey(bytes);
}

/** Outcome counts, for the report. */
interface Tally {
  byCommand: Record<string, number>;
  /** Killed with config.json or tahoe.cfg unchanged (all sign kills count here). */
  killedBefore: number;
  /** Killed after config.json was replaced. */
  killedAfter: number;
  completed: number;
  tempFilesLeftByKill: number;
}

function readConfig(directory: string): string {
  return Deno.readTextFileSync(join(directory, "config.json"));
}

function tempFiles(directory: string): string[] {
  return [...Deno.readDirSync(directory)]
    .map((entry) => entry.name)
    .filter((name) => name.startsWith(TEMP_PREFIX));
}

function certificateFiles(directory: string): string[] {
  return [...Deno.readDirSync(directory)]
    .map((entry) => entry.name)
    .filter((name) =>
      /\.cert\.\d+$/.test(name) && !name.startsWith(TEMP_PREFIX)
    )
    .sort();
}

/** Checks that every certificate file is complete and signed by the key. */
function checkCertificates(
  directory: string,
  gridManagerKey: Uint8Array,
): string[] {
  const problems: string[] = [];
  for (const name of certificateFiles(directory)) {
    const text = Deno.readTextFileSync(join(directory, name));
    try {
      const document = parseCertificateDocument(text, name);
      parseCertificatePayload(document, name);
      if (!verifyCertificateSignature(document, gridManagerKey)) {
        problems.push(`${name} does not verify`);
      }
    } catch (error) {
      problems.push(`${name} is damaged: ${(error as Error).message}`);
    }
  }
  return problems;
}

async function worker(
  id: number,
  runs: number,
  medianMillis: number,
  tally: Tally,
): Promise<string[]> {
  const next = random(SEED + id);
  const root = await Deno.makeTempDir({ prefix: "grid-manager-crash-" });
  const directory = join(root, "gm");
  const created = await runGridManager(["--config", directory, "create"]);
  assert.equal(created.code, 0, created.stderr);
  const problems: string[] = [];
  let nextName = 0;
  let estimate = medianMillis * 2;
  let kills = 0;

  for (
    let run = 0;
    kills < runs && run < 3 * runs && problems.length === 0;
    run++
  ) {
    const beforeText = readConfig(directory);
    const before = parseGridManagerConfig(beforeText, "before");
    const names = before.servers.map((server) => server.name);
    const choice = next();
    let args: string[];
    let afterText = beforeText;
    if (names.length < 3 || choice < 0.4) {
      const name = `s${nextName++}`;
      args = ["add", name, keyFor(nextName)];
      afterText = formatGridManagerConfig(
        addServer(before, name, keyFor(nextName)).config,
      );
    } else if (choice < 0.6) {
      const name = names[Math.floor(next() * names.length)]!;
      args = ["remove", name];
      afterText = formatGridManagerConfig(removeServer(before, name));
    } else if (choice < 0.7) {
      args = ["renew", "--within", "400", "--days", "30"];
    } else {
      args = ["sign", names[Math.floor(next() * names.length)]!, "30"];
    }

    // A quarter of the kills spread over the whole run, the rest near its
    // end, where the files are written.
    const delay = next() < 0.25
      ? next() * estimate * 1.1
      : estimate * (0.7 + next() * 0.45);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...RUN_PERMISSIONS,
        BUNDLE,
        "--config",
        directory,
        ...args,
      ],
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    const status = await child.status;
    // Steer the delay so that about 75% of runs are killed: a completed
    // run shortens the next delay, a kill lengthens it.
    if (status.signal === null) estimate *= 0.94;
    else {
      estimate *= 1.02;
      kills++;
    }

    const label = `run ${run} of worker ${id} (CRASH_SEED=${SEED}): ` +
      `${args.join(" ")} killed after ${delay.toFixed(0)} ms`;
    const nowText = readConfig(directory);
    if (nowText !== beforeText && nowText !== afterText) {
      problems.push(`${label}: config.json is neither before nor after`);
    }
    tally.byCommand[args[0]!] = (tally.byCommand[args[0]!] ?? 0) + 1;
    if (status.signal === null) tally.completed++;
    else if (nowText === beforeText) tally.killedBefore++;
    else tally.killedAfter++;
    for (const problem of checkCertificates(directory, before.keys.publicKey)) {
      problems.push(`${label}: ${problem}`);
    }
    if (status.signal === null) {
      const left = tempFiles(directory);
      if (left.length > 0) {
        problems.push(`${label}: completed, but left ${left.join(", ")}`);
      }
    } else if (tempFiles(directory).length > 0) {
      tally.tempFilesLeftByKill++;
    }
  }

  // The next command that runs to completion clears what kills left.
  const last = await runGridManager(["--config", directory, "sign", "s0", "1"])
    .then(() =>
      runGridManager(["--config", directory, "add", "final", keyFor(0)])
    );
  if (last.code !== 0) problems.push(`final add failed: ${last.stderr}`);
  const left = tempFiles(directory);
  if (left.length > 0) {
    problems.push(`temporary files left after the final add: ${left}`);
  }
  await Deno.remove(root, { recursive: true });
  return problems;
}

/** Starts the program with `args` and sends SIGKILL after `delay` ms. */
async function runAndKill(
  args: string[],
  delay: number,
): Promise<Deno.CommandStatus> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_PERMISSIONS, BUNDLE, ...args],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((resolve) => setTimeout(resolve, delay));
  try {
    child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  return await child.status;
}

function copyFlatDirectory(from: string, to: string): void {
  Deno.mkdirSync(to);
  for (const entry of Deno.readDirSync(from)) {
    if (entry.isFile) {
      Deno.copyFileSync(join(from, entry.name), join(to, entry.name));
    }
  }
}

/**
 * Kills add-grid-manager-cert --replace on a storage node. The state after
 * a run is taken from an uninterrupted run of the same command on a copy.
 */
async function nodeWorker(
  id: number,
  runs: number,
  medianMillis: number,
  tally: Tally,
): Promise<string[]> {
  const next = random(SEED + 100 + id);
  const root = await Deno.makeTempDir({ prefix: "grid-manager-crash-" });
  const node = join(root, "node");
  Deno.mkdirSync(node);
  Deno.writeTextFileSync(
    join(node, "tahoe.cfg"),
    "# storage node\n[node]\nnickname = storage\n\n[storage]\nenabled = true\n",
  );
  const serverKey = encodePublicKey(
    publicKeyFromSeed(new Uint8Array(32).fill(7)),
  );
  Deno.writeTextFileSync(join(node, "node.pubkey"), serverKey + "\n");
  const gridManagerSeed = new Uint8Array(32).fill(8);
  const certificates = [30, 60, 90].map((days, i) => {
    const path = join(root, `input${i}.cert`);
    const document = signCertificate(
      gridManagerSeed,
      serverKey,
      Date.now() * 1000 + days * 86_400_000_000,
    );
    Deno.writeTextFileSync(path, formatCertificateDocument(document));
    return path;
  });
  const problems: string[] = [];
  let estimate = medianMillis * 2;
  let kills = 0;

  for (
    let run = 0;
    kills < runs && run < 3 * runs && problems.length === 0;
    run++
  ) {
    const name = `gm${Math.floor(next() * 3)}`;
    const input = certificates[Math.floor(next() * 3)]!;
    const command = [
      "add-grid-manager-cert",
      "--name",
      name,
      "--replace",
      "-f",
      input,
    ];
    const beforeText = Deno.readTextFileSync(join(node, "tahoe.cfg"));
    const copy = join(root, "copy");
    copyFlatDirectory(node, copy);
    const reference = await runGridManager(["-d", copy, ...command]);
    if (reference.code !== 0) {
      problems.push(`uninterrupted run failed: ${reference.stderr}`);
      break;
    }
    const afterText = Deno.readTextFileSync(join(copy, "tahoe.cfg"));
    await Deno.remove(copy, { recursive: true });

    const delay = next() < 0.25
      ? next() * estimate * 1.1
      : estimate * (0.7 + next() * 0.45);
    const status = await runAndKill(["-d", node, ...command], delay);
    if (status.signal === null) estimate *= 0.94;
    else {
      estimate *= 1.02;
      kills++;
    }

    const label = `node run ${run} of worker ${id} (CRASH_SEED=${SEED}): ` +
      `${command.join(" ")} killed after ${delay.toFixed(0)} ms`;
    const nowText = Deno.readTextFileSync(join(node, "tahoe.cfg"));
    if (nowText !== beforeText && nowText !== afterText) {
      problems.push(`${label}: tahoe.cfg is neither before nor after`);
    }
    tally.byCommand["add-grid-manager-cert"] =
      (tally.byCommand["add-grid-manager-cert"] ?? 0) + 1;
    if (status.signal === null) tally.completed++;
    else if (nowText === beforeText) tally.killedBefore++;
    else tally.killedAfter++;
    for (const file of certificateFiles(node)) {
      try {
        parseCertificateDocument(Deno.readTextFileSync(join(node, file)), file);
      } catch (error) {
        problems.push(
          `${label}: ${file} is damaged: ${(error as Error).message}`,
        );
      }
    }
    if (status.signal === null) {
      const left = tempFiles(node);
      if (left.length > 0) {
        problems.push(`${label}: completed, but left ${left.join(", ")}`);
      }
    } else if (tempFiles(node).length > 0) {
      tally.tempFilesLeftByKill++;
    }
  }
  const last = await runGridManager([
    "-d",
    node,
    "add-grid-manager-cert",
    "--name",
    "final",
    "-f",
    certificates[0]!,
  ]);
  if (last.code !== 0) problems.push(`final install failed: ${last.stderr}`);
  const left = tempFiles(node);
  if (left.length > 0) {
    problems.push(`temporary files left after the final install: ${left}`);
  }
  await Deno.remove(root, { recursive: true });
  return problems;
}

Deno.test(`SIGKILL during mutating commands (${RUNS} kills)`, async () => {
  // Time a complete run, so kills land across the command's whole life.
  const probe = await Deno.makeTempDir({ prefix: "grid-manager-crash-" });
  const durations: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await runGridManager(["--config", join(probe, "gm"), "create"]);
    durations.push(performance.now() - start);
    await Deno.remove(join(probe, "gm"), { recursive: true });
  }
  await Deno.remove(probe, { recursive: true });
  const median = durations.sort((a, b) => a - b)[1]!;

  const tally: Tally = {
    byCommand: {},
    killedBefore: 0,
    killedAfter: 0,
    completed: 0,
    tempFilesLeftByKill: 0,
  };
  const perWorker = Math.ceil(RUNS / WORKERS);
  // The last worker kills add-grid-manager-cert on a storage node.
  const problems = await Promise.all(
    Array.from(
      { length: WORKERS },
      (_, id) =>
        id === WORKERS - 1
          ? nodeWorker(id, perWorker, median, tally)
          : worker(id, perWorker, median, tally),
    ),
  );
  console.log(
    `crash: runs ${JSON.stringify(tally.byCommand)}, ` +
      `median run ${median.toFixed(0)} ms, ` +
      `killed with the config unchanged ${tally.killedBefore}, ` +
      `killed with the config replaced ${tally.killedAfter}, ` +
      `completed ${tally.completed}, ` +
      `temporary files left by a kill ${tally.tempFilesLeftByKill}`,
  );
  assert.deepEqual(problems.flat(), []);
  // The kills must have hit both sides of the write, or the test proves
  // nothing.
  assert.ok(tally.killedBefore > 0);
  assert.ok(tally.killedAfter > 0);
  assert.ok(tally.killedBefore + tally.killedAfter >= perWorker * WORKERS);
});
