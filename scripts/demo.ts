/**
 * The managed-grid story on a real Tahoe-LAFS 1.20 grid, narrated on
 * standard error for a person to watch. `scripts/demo` builds the bundle
 * and runs this file.
 *
 * Options: `--keep` keeps the node directories (their path is printed;
 * without it they are removed at the end and on Ctrl-C), `--help`,
 * `--days N` sets how long certificates are valid (default 30), and
 * `--save-fixtures DIR` writes alice's redacted configuration and
 * announcement cache after steps 5 and 8 into `DIR`.
 *
 * Exits 0 when every step behaved as the story expects, 1 otherwise (the node
 * directories are then kept), and 130 on Ctrl-C.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  CLIENT,
  type CommandOutput,
  ENCODING,
  Grid,
  seconds,
  STORAGE_NODES,
} from "./grid.ts";
import { type StorageEnrollment, Story } from "./story.ts";
import {
  MAX_CERTIFICATE_DAYS,
  MIN_CERTIFICATE_DAYS,
} from "../lib/grid_manager.ts";
import { parseDayCount } from "../lib/time.ts";

const USAGE = "usage: scripts/demo [--keep] [--days N] [--save-fixtures DIR]";

/** Reads and checks every option before anything starts. */
function parseOptions() {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        help: { type: "boolean", short: "h", default: false },
        keep: { type: "boolean", default: false },
        days: { type: "string", default: "30" },
        "save-fixtures": { type: "string" },
      },
    });
    if (values.help) {
      console.log(
        `${USAGE}\n\n` +
          "Runs the managed-grid story on a real Tahoe-LAFS grid on this machine.\n" +
          "  --keep               keep the node directories (also on Ctrl-C)\n" +
          `  --days N             certificates last N days (${MIN_CERTIFICATE_DAYS} to ${MAX_CERTIFICATE_DAYS}, default 30)\n` +
          "  --save-fixtures DIR  save alice's redacted configuration after steps 5 and 8",
      );
      Deno.exit(0);
    }
    const days = parseDayCount(
      values.days,
      "--days",
      MIN_CERTIFICATE_DAYS,
      MAX_CERTIFICATE_DAYS,
    );
    return { ...values, days };
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    console.error(USAGE);
    Deno.exit(2);
  }
}

const values = parseOptions();

const started = Date.now();
const stamp = () => `[${seconds(Date.now() - started).padStart(6)}]`;
const say = (line: string) => console.error(line);
let stepNumber = 0;

function step(title: string): void {
  stepNumber += 1;
  say("");
  say(`${stamp()} Step ${stepNumber}: ${title}`);
}

/** Stops the story with a message when Tahoe did not do what it should. */
function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`unexpected: ${message}`);
}

/** Stops the story when one of our commands failed. */
function expectSuccess(results: CommandOutput[], what: string): void {
  expect(results.every((result) => result.code === 0), `${what} failed`);
}

/** Stops the story when enrolling a storage node failed. */
function expectEnrolled(enrollment: StorageEnrollment, name: string): void {
  expectSuccess(
    [enrollment.add, enrollment.sign, enrollment.import],
    `enrolling ${name}`,
  );
}

const grid = await Grid.create({
  log: (line) => say(`  · ${line}`),
  keepOnInterrupt: values.keep,
});
const story = new Story(grid, { narrate: say, days: values.days });
const hasStatus = await story.hasStatusCommand();
let failed = false;

/** Shows alice's view; `when` gives it a header outside step 9. */
async function showStatus(when?: string): Promise<void> {
  if (!hasStatus) return;
  if (when !== undefined) say(`${stamp()} Alice's view of the grid ${when}:`);
  await story.status();
}

async function saveFixture(name: string): Promise<void> {
  const dir = values["save-fixtures"];
  if (dir === undefined) return;
  await story.saveClientSnapshot(join(dir, name));
  say(`  · saved alice's redacted configuration to ${join(dir, name)}`);
}

try {
  step("create a Grid Manager");
  expectSuccess(await story.createGridManager(), "creating the Grid Manager");

  step(
    `start an introducer, ${STORAGE_NODES.join(", ")} and ${CLIENT} ` +
      `(shares needed ${ENCODING.needed}, total ${ENCODING.total}, ` +
      `happy ${ENCODING.happy}), all on 127.0.0.1`,
  );
  await grid.startNodes();
  const listeners = await grid.listeners().catch((error: Error) => {
    say(`  · warning: ${error.message}`);
    return [];
  });
  for (const listener of listeners) {
    say(`  · ${listener.node} listens on ${listener.address}:${listener.port}`);
  }
  if (grid.isolated) {
    say(
      "  · the 0.0.0.0 listeners are Tahoe's log ports; the private " +
        `network namespace has only: ${(await grid.interfaces()).join(", ")}`,
    );
  }

  step("upload a file from alice: the grid is not managed yet");
  const first = await story.put("before.txt");
  expect(first.cap !== undefined, "tahoe put failed on an unmanaged grid");
  const firstHolders = await story.holders(first.cap!);
  say(`  · shares of before.txt are on: ${firstHolders.join(", ")}`);
  expect(firstHolders.includes("storage2"), "storage2 holds no share");

  step("register storage0 and storage1, sign and import their certificates");
  const storage0 = await story.enrollStorage("storage0", { pipe: false });
  expectEnrolled(storage0, "storage0");
  const storage1 = await story.enrollStorage("storage1", { pipe: true });
  expectEnrolled(storage1, "storage1");
  await story.gridManager(["--config", story.gridManagerDir, "list"]);
  await story.restart(["storage0", "storage1"]);
  await grid.waitForCertifiedAnnouncements(["storage0", "storage1"]);

  step("add the Grid Manager's public key to alice");
  expectSuccess([await story.enrollClient()], "enrolling alice");
  await story.restart([CLIENT]);
  await grid.waitForConnectedServers(STORAGE_NODES.length);
  await saveFixture("alice-two-certified");
  await showStatus("after step 5");

  step("upload again: only storage0 and storage1 may receive shares");
  const refused = await story.put("refused.txt");
  expect(refused.output.code !== 0, "tahoe put succeeded");
  say("  · Tahoe refused the upload: happy is 3 and only 2 servers qualify");

  step("download the file from step 3: downloads use any server");
  const download = await story.get(first.cap!);
  const original = await Deno.readTextFile(first.path);
  expect(download.code === 0, "tahoe get failed");
  expect(download.stdout === original, "the download differs from the file");
  say("  · the download matches before.txt");

  step("certify storage2 too, and upload again");
  const storage2 = await story.enrollStorage("storage2", { pipe: false });
  expectEnrolled(storage2, "storage2");
  await story.restart(["storage2"]);
  await grid.waitForCertifiedAnnouncements(STORAGE_NODES);
  await grid.waitForConnectedServers(STORAGE_NODES.length);
  const last = await story.put("after.txt");
  expect(
    last.cap !== undefined,
    "tahoe put failed with every server certified",
  );
  const lastHolders = await story.holders(last.cap!);
  const certified = story.certifiedServers(await grid.announcements());
  say(`  · shares of after.txt are on: ${lastHolders.join(", ")}`);
  say(`  · servers with a certificate: ${certified.join(", ")}`);
  expect(
    lastHolders.every((name) => certified.includes(name)),
    "a share sits on a server without a certificate",
  );
  await saveFixture("alice-all-certified");

  step("alice's view of the grid after step 8");
  if (hasStatus) {
    await showStatus();
  } else {
    say("  · grid-manager has no status command in this build; skipped");
  }
  say("");
  say(`${stamp()} The story ran to the end.`);
} catch (error) {
  failed = true;
  say(`demo: ${(error as Error).message}`);
} finally {
  await grid.close({ keep: values.keep || failed });
}
say(`demo: finished in ${seconds(Date.now() - started)}`);
Deno.exit(failed ? 1 : 0);
