/**
 * The actions of the managed-grid story, shared by `scripts/demo.ts`, which
 * narrates them, and `tests/e2e_test.ts`, which checks each result. Every
 * Grid Manager and enrollment step runs the `grid-manager` bundle the way a
 * user runs it. Every upload and download runs Tahoe's own `tahoe` program
 * against the client `alice`.
 *
 * @module
 */

import { join } from "node:path";
import { BUNDLE, RUN_PERMISSIONS } from "../tests/helpers.ts";
import {
  type CachedAnnouncement,
  CLIENT,
  type CommandOutput,
  type Grid,
  redactAnnouncementCache,
  STORAGE_NODES,
} from "./grid.ts";

/** Receives each command as typed and each output, for narration. */
export type Narrator = (line: string) => void;

/** Result of a `tahoe put`. */
export interface PutResult {
  output: CommandOutput;
  /** The file that was uploaded. */
  path: string;
  /** Its capability, when the upload succeeded. */
  cap?: string;
}

/** Result of enrolling one storage node. */
export interface StorageEnrollment {
  /** The node's public key, from its `node.pubkey`. */
  publicKey: string;
  add: CommandOutput;
  sign: CommandOutput;
  import: CommandOutput;
}

const decoder = new TextDecoder();

/**
 * Makes the command that runs the `grid-manager` bundle with `args`, as a
 * user runs it, after the command `prefix` (such as `nsenter` and its
 * arguments) when one is given. Standard input is closed unless `stdin` is
 * `"piped"`.
 */
function gridManagerCommand(
  args: string[],
  options: { prefix?: string[]; stdin?: "null" | "piped" } = {},
): Deno.Command {
  const prefix = options.prefix ?? [];
  const command = [
    ...prefix,
    Deno.execPath(),
    "run",
    "--quiet",
    ...RUN_PERMISSIONS,
    BUNDLE,
    ...args,
  ];
  return new Deno.Command(command[0]!, {
    args: command.slice(1),
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: options.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function collect(child: Deno.ChildProcess): Promise<CommandOutput> {
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).arrayBuffer(),
    new Response(child.stderr).arrayBuffer(),
  ]);
  return {
    code: status.code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** Quotes `word` for a shell command line shown to a person. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The story's actions on one grid. Paths shown to the person watching are
 * relative to the grid's directory.
 */
export class Story {
  readonly grid: Grid;
  /** The Grid Manager's directory. */
  readonly gridManagerDir: string;
  /** Days each certificate is valid for. */
  readonly days: number;
  private readonly narrate: Narrator;
  /** The Grid Manager's public key, once created. */
  gridManagerKey = "";

  constructor(grid: Grid, options: { narrate?: Narrator; days?: number }) {
    this.grid = grid;
    this.gridManagerDir = join(grid.dir, "grid-manager");
    this.days = options.days ?? 30;
    this.narrate = options.narrate ?? (() => {});
  }

  /** Narrates a command line, or a pipeline of several. */
  private show(...commands: string[][]): void {
    const line = commands.map((words) =>
      words.map((word) => shellQuote(word.replaceAll(`${this.grid.dir}/`, "")))
        .join(" ")
    ).join(" | ");
    this.narrate(`$ ${line}`);
  }

  private echo(result: CommandOutput): void {
    for (const text of [result.stdout, result.stderr]) {
      for (const line of text.trimEnd().split("\n")) {
        if (line !== "") this.narrate(`  ${line}`);
      }
    }
  }

  /**
   * Runs `grid-manager ARGS`, narrating the command and its output. With
   * `inGridNetwork` it runs in the grid's network, where the nodes' web
   * APIs are reachable.
   */
  async gridManager(
    args: string[],
    options: { inGridNetwork?: boolean } = {},
  ): Promise<CommandOutput> {
    this.show(["grid-manager", ...args]);
    const prefix = options.inGridNetwork ? this.grid.prefix : [];
    const child = gridManagerCommand(args, { prefix }).spawn();
    const result = await collect(child);
    this.echo(result);
    if (result.code !== 0) this.narrate(`  (exit code ${result.code})`);
    return result;
  }

  /**
   * Runs `grid-manager FIRST | grid-manager SECOND` through a pipe between
   * the two processes, narrating the pipeline and both outputs.
   */
  async gridManagerPipe(
    first: string[],
    second: string[],
  ): Promise<[CommandOutput, CommandOutput]> {
    this.show(["grid-manager", ...first], ["grid-manager", ...second]);
    const source = gridManagerCommand(first).spawn();
    const sink = gridManagerCommand(second, { stdin: "piped" }).spawn();
    const piped = source.stdout.pipeTo(sink.stdin);
    const [sourceStatus, sourceError, sinkResult] = await Promise.all([
      source.status,
      new Response(source.stderr).text(),
      collect(sink),
      piped.catch(() => {}),
    ]);
    const sourceResult = {
      code: sourceStatus.code,
      stdout: "",
      stderr: sourceError,
    };
    this.echo(sourceResult);
    this.echo(sinkResult);
    return [sourceResult, sinkResult];
  }

  /** Step 1: creates the Grid Manager and reads its public key. */
  async createGridManager(): Promise<CommandOutput[]> {
    const create = await this.gridManager([
      "--config",
      this.gridManagerDir,
      "create",
    ]);
    const identity = await this.gridManager([
      "--config",
      this.gridManagerDir,
      "public-identity",
    ]);
    this.gridManagerKey = identity.stdout.trim();
    return [create, identity];
  }

  /**
   * Writes a file named `name` with enough text that Tahoe stores it as
   * shares (files under 56 bytes become literal capabilities), then
   * uploads it from alice.
   */
  async put(name: string): Promise<PutResult> {
    const path = join(this.grid.dir, name);
    const line = `${name}: a file for the managed grid story\n`;
    await Deno.writeTextFile(path, line.repeat(64));
    const args = ["-d", this.grid.nodeDir(CLIENT), "put", path];
    this.show(["tahoe", ...args]);
    const output = await this.grid.tahoe(args);
    if (output.code === 0) {
      this.echo(output);
      return { output, path, cap: output.stdout.trim() };
    }
    // Tahoe 1.20 prints the web API's 500 response: a Python traceback
    // inside a bytes literal, with newlines and quotes escaped twice. Its
    // last line contains the exception and message.
    const text = output.stderr.replace(/\\+n/g, "\n").replace(/\\+'/g, "'");
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const error = lines.findLast((line) =>
      /^\w[\w.]*(Error|Exception):/.test(line)
    );
    this.narrate(`  ${lines[0]?.replace(/^"/, "") ?? ""}`);
    if (error !== undefined) {
      this.narrate("  (traceback omitted)");
      this.narrate(`  ${error}`);
    }
    this.narrate(`  (exit code ${output.code})`);
    return { output, path };
  }

  /** Downloads `cap` from alice with `tahoe get`. */
  async get(cap: string): Promise<CommandOutput> {
    const args = ["-d", this.grid.nodeDir(CLIENT), "get", cap];
    this.show(["tahoe", ...args]);
    const result = await this.grid.tahoe(args);
    const bytes = new TextEncoder().encode(result.stdout).length;
    this.narrate(`  (${bytes} bytes on stdout)`);
    if (result.stderr.trim() !== "") this.echo({ ...result, stdout: "" });
    return result;
  }

  /**
   * Step 4 for one node: registers it with the Grid Manager from its
   * `node.pubkey`, signs a certificate and imports it with
   * `add-grid-manager-cert`, through a pipe when `pipe` is set and through
   * a file otherwise. Does not restart the node.
   */
  async enrollStorage(
    name: string,
    options: { pipe: boolean },
  ): Promise<StorageEnrollment> {
    const nodeDir = this.grid.nodeDir(name);
    const publicKey = (await Deno.readTextFile(join(nodeDir, "node.pubkey")))
      .trim();
    const config = ["--config", this.gridManagerDir];
    const add = await this.gridManager([...config, "add", name, publicKey]);
    const sign = [...config, "sign", name, String(this.days)];
    const importArgs = [
      "add-grid-manager-cert",
      "-d",
      nodeDir,
      "--grid-manager",
      this.gridManagerKey,
    ];
    if (options.pipe) {
      const [signed, imported] = await this.gridManagerPipe(sign, [
        ...importArgs,
        "--filename",
        "-",
      ]);
      return { publicKey, add, sign: signed, import: imported };
    }
    const certFile = join(this.grid.dir, `${name}.cert`);
    const signed = await this.gridManager(sign);
    this.narrate(`  (stdout saved to ${name}.cert)`);
    await Deno.writeTextFile(certFile, signed.stdout);
    const imported = await this.gridManager([
      ...importArgs,
      "--filename",
      certFile,
    ]);
    return { publicKey, add, sign: signed, import: imported };
  }

  /** Step 5: adds the Grid Manager's public key to alice. */
  async enrollClient(): Promise<CommandOutput> {
    return await this.gridManager([
      "add-grid-manager",
      "-d",
      this.grid.nodeDir(CLIENT),
      this.gridManagerKey,
    ]);
  }

  /** Restarts `names` and narrates it. */
  async restart(names: readonly string[]): Promise<void> {
    this.narrate(`  · restarting ${names.join(", ")}`);
    await Promise.all(names.map((name) => this.grid.restart(name)));
  }

  /** Checks whether the `grid-manager` bundle has the `status` command. */
  async hasStatusCommand(): Promise<boolean> {
    const help = await collect(gridManagerCommand(["--help"]).spawn());
    return /^\s+status\s/m.test(help.stdout);
  }

  /**
   * Step 9: alice's view of the grid, from `grid-manager status`, as text
   * or with `json` as JSON. When the command has `--web`, it also reads
   * alice's web API, from inside the grid's network.
   */
  async status(options: { json?: boolean } = {}): Promise<CommandOutput> {
    const help = await collect(
      gridManagerCommand(["status", "--help"]).spawn(),
    );
    const args = ["status", "-d", this.grid.nodeDir(CLIENT)];
    if (options.json) args.push("--json");
    if (!/--web\b/.test(help.stdout)) return await this.gridManager(args);
    return await this.gridManager(
      [...args, "--web", this.grid.webUrl(CLIENT)],
      { inGridNetwork: true },
    );
  }

  /** Names of the storage nodes that hold a share of `cap`. */
  async holders(cap: string): Promise<string[]> {
    const index = await this.grid.storageIndex(cap);
    const holders: string[] = [];
    for (const name of STORAGE_NODES) {
      if ((await this.grid.storageIndexes(name)).includes(index)) {
        holders.push(name);
      }
    }
    return holders;
  }

  /** Names of the servers whose cached announcement has a certificate. */
  certifiedServers(announcements: CachedAnnouncement[]): string[] {
    return announcements
      .filter((entry) =>
        (entry.ann["grid-manager-certificates"] ?? []).length > 0
      )
      .map((entry) => entry.ann.nickname ?? entry.key_s)
      .sort();
  }

  /**
   * Copies alice's `tahoe.cfg` and announcement cache into `dir` as a
   * client node directory, with fURLs and ports replaced by placeholders.
   */
  async saveClientSnapshot(dir: string): Promise<void> {
    const clientDir = this.grid.nodeDir(CLIENT);
    await Deno.mkdir(join(dir, "private"), { recursive: true });
    const config = await Deno.readTextFile(join(clientDir, "tahoe.cfg"));
    await Deno.writeTextFile(
      join(dir, "tahoe.cfg"),
      config.replace(/^(web\.port = tcp:)\d+/m, "$13456"),
    );
    const cache = await Deno.readTextFile(
      join(clientDir, "private", "introducer_default_cache.yaml"),
    );
    await Deno.writeTextFile(
      join(dir, "private", "introducer_default_cache.yaml"),
      redactAnnouncementCache(cache),
    );
  }
}
