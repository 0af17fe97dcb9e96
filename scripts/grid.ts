/**
 * A throwaway Tahoe-LAFS grid on this machine, for the end-to-end demo and
 * test: an introducer, three storage nodes (`storage0` to `storage2`) and a
 * client (`alice`, shares needed 2, total 3, happy 3), created and run with
 * the Tahoe-LAFS 1.20 programs in `.venv/`.
 *
 * Every configured listener is on 127.0.0.1 with a port picked at run time.
 * Tahoe 1.20 also opens a log port on every interface (0.0.0.0, a random
 * port) that no option turns off, so the nodes run in a private network
 * namespace whose only interface is loopback when the machine allows it
 * (`unshare --net`, as root). Otherwise they run in the host's network,
 * with a warning on standard error.
 *
 * Readiness is found by polling (files appearing, the client's web API),
 * never by fixed sleeps. Every process the grid starts is stopped by its PID
 * in {@link Grid.close}, which a SIGINT or SIGTERM handler also calls.
 * Node processes read a pipe from this process on stdin, and `tahoe run`
 * exits when its stdin closes, so they end even if this process is killed.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Tahoe's command-line program from the virtual environment. */
export const TAHOE = join(ROOT, ".venv", "bin", "tahoe");
const PYTHON = join(ROOT, ".venv", "bin", "python");

/** Names of the storage nodes, in creation order. */
export const STORAGE_NODES = ["storage0", "storage1", "storage2"] as const;
/** Name of the client node. */
export const CLIENT = "alice";
/** Name of the introducer node. */
export const INTRODUCER = "introducer";

/** Erasure coding of the client: shares needed, happy and total. */
export const ENCODING = { needed: 2, happy: 3, total: 3 } as const;

/** How often a wait checks its condition, in milliseconds. */
const POLL_INTERVAL_MS = 100;
/** Default time limit of a wait, in milliseconds. */
const DEFAULT_TIMEOUT_MS = 60_000;
/** How long a node may take to exit after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 10_000;

/** Output of a finished process. */
export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** One listening TCP socket of a node process. */
export interface Listener {
  node: string;
  address: string;
  port: number;
}

/** A storage server as the client's web API lists it. */
export interface ServerStatus {
  nodeid: string;
  nickname: string;
  connection_status: string;
}

/** A storage announcement from the client's announcement cache. */
export interface CachedAnnouncement {
  /** Server id, `v0-` and the base32 key. */
  key_s: string;
  ann: {
    nickname?: string;
    "service-name"?: string;
    "grid-manager-certificates"?: { certificate: string; signature: string }[];
  };
}

/** Options of {@link Grid.create}. */
export interface GridOptions {
  /** Receives one line of narration per action; default: nothing. */
  log?: (line: string) => void;
  /** Receives warnings; default: standard error. */
  warn?: (line: string) => void;
  /**
   * Keep the directory when interrupted (SIGINT, SIGTERM); default: remove
   * it, since it holds the Grid Manager's private key.
   */
  keepOnInterrupt?: boolean;
}

interface RunningNode {
  child: Deno.ChildProcess;
  /** Settles when the process has exited and its output is written. */
  done: Promise<Deno.CommandStatus>;
  exited: boolean;
  /** Set before an intended stop, so the exit is not reported as a crash. */
  stopping: boolean;
}

interface NodePorts {
  tub?: number;
  web?: number;
}

/** A private network namespace, held open by one waiting process. */
interface Namespace {
  holder: Deno.ChildProcess;
  /** Command prefix that runs a program inside the namespace. */
  prefix: string[];
}

const decoder = new TextDecoder();

/** Runs `command` with standard input closed and returns its output. */
async function output(command: string[]): Promise<CommandOutput> {
  const result = await new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

/** Formats milliseconds as seconds with one decimal, such as `2.4 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Opens a private network namespace with only the loopback interface, up.
 * Returns the reason as a string when the machine does not allow it.
 */
async function openNamespace(): Promise<Namespace | string> {
  let holder: Deno.ChildProcess;
  try {
    // The holder prints "up" once loopback is up, then waits on its stdin,
    // so it also ends when this process ends.
    holder = new Deno.Command("unshare", {
      args: [
        "--net",
        "--",
        "sh",
        "-c",
        "ip link set lo up && echo up && exec cat >/dev/null",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    return `unshare is not available (${(error as Error).message})`;
  }

  const reader = holder.stdout.getReader();
  const first = await reader.read();
  reader.releaseLock();
  if (first.done || decoder.decode(first.value).trim() !== "up") {
    const status = await holder.status;
    const stderr = decoder.decode(
      await new Response(holder.stderr).arrayBuffer(),
    ).trim();
    await holder.stdout.cancel();
    await holder.stdin.close().catch(() => {});
    return `unshare --net failed with exit code ${status.code}: ${stderr}`;
  }
  await holder.stdout.cancel();
  await holder.stderr.cancel();

  const prefix = ["nsenter", `--net=/proc/${holder.pid}/ns/net`, "--"];
  const probe = await output([...prefix, "true"]).catch((error: Error) => ({
    code: -1,
    stdout: "",
    stderr: error.message,
  }));
  if (probe.code !== 0) {
    await stopProcess(holder);
    return `nsenter failed: ${probe.stderr.trim()}`;
  }
  return { holder, prefix };
}

/** Sends SIGTERM to `child` by its PID, then SIGKILL if it lingers. */
async function stopProcess(child: Deno.ChildProcess): Promise<void> {
  try {
    Deno.kill(child.pid, "SIGTERM");
  } catch {
    // The process has already exited.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), STOP_TIMEOUT_MS);
  });
  const result = await Promise.race([child.status, late]);
  clearTimeout(timer);
  if (result === "late") {
    try {
      Deno.kill(child.pid, "SIGKILL");
    } catch {
      // It exited in between.
    }
    await child.status;
  }
}

/**
 * Picks `count` distinct TCP ports that are free on 127.0.0.1, below the
 * kernel's ephemeral range so that no port Tahoe picks for itself (its log
 * port) can take one before the node that needs it starts.
 */
async function pickPorts(count: number): Promise<number[]> {
  // Deno allows reading /proc only with --allow-all, so `cat` reads it.
  const range = await output(["cat", "/proc/sys/net/ipv4/ip_local_port_range"])
    .catch(() => ({ stdout: "" }));
  const ephemeralStart = Number(range.stdout.trim().split(/\s+/)[0]) || 32768;
  const low = 10_000;
  // With an ephemeral range that starts below 11000, no port is safe from
  // Tahoe's own picks, so take any unprivileged one.
  const high = ephemeralStart > low + 1000 ? ephemeralStart : 65536;
  const ports: number[] = [];
  while (ports.length < count) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (ports.includes(port)) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      ports.push(port);
    } catch {
      // In use: try another.
    }
  }
  return ports;
}

/** Lists the storage index directories under a storage node's shares. */
async function listStorageIndexes(sharesDir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const prefix of Deno.readDir(sharesDir)) {
      if (!prefix.isDirectory || prefix.name === "incoming") continue;
      for await (const index of Deno.readDir(join(sharesDir, prefix.name))) {
        if (index.isDirectory) found.push(index.name);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort();
}

/**
 * Parses `ss -ltnpH` output into (address, port, PIDs) triples. The local
 * address is `ADDRESS:PORT`, with IPv6 addresses in brackets.
 */
function parseSs(text: string): [string, number, number[]][] {
  const sockets: [string, number, number[]][] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const local = fields[3];
    if (fields[0] !== "LISTEN" || local === undefined) continue;
    const colon = local.lastIndexOf(":");
    const address = local.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((match) => +match[1]!);
    sockets.push([address, Number(local.slice(colon + 1)), pids]);
  }
  return sockets;
}

/**
 * A running grid of Tahoe nodes in a temporary directory. Create it with
 * {@link Grid.create}; always end it with {@link Grid.close}.
 */
export class Grid {
  /** The temporary directory holding every node directory. */
  readonly dir: string;
  /** Whether the nodes run in a private network namespace. */
  readonly isolated: boolean;
  private readonly namespace?: Namespace;
  private readonly ports = new Map<string, NodePorts>();
  private readonly running = new Map<string, RunningNode>();
  private readonly log: (line: string) => void;
  private readonly keepOnInterrupt: boolean;
  private readonly warn: (line: string) => void;
  private readonly onSignal = () => this.interrupted();
  private closing?: Promise<void>;

  private constructor(
    dir: string,
    namespace: Namespace | undefined,
    options: GridOptions,
  ) {
    this.dir = dir;
    this.namespace = namespace;
    this.isolated = namespace !== undefined;
    this.log = options.log ?? (() => {});
    this.keepOnInterrupt = options.keepOnInterrupt ?? false;
    this.warn = options.warn ?? ((line) => console.error(line));
  }

  /**
   * Makes the grid's temporary directory and, where the machine allows it,
   * its private network namespace. No node exists until
   * {@link Grid.startNodes}.
   */
  static async create(options: GridOptions = {}): Promise<Grid> {
    const dir = await Deno.makeTempDir({ prefix: "tahoe-grid-" });
    const namespace = await openNamespace();
    const grid = new Grid(
      dir,
      typeof namespace === "string" ? undefined : namespace,
      options,
    );
    Deno.addSignalListener("SIGINT", grid.onSignal);
    Deno.addSignalListener("SIGTERM", grid.onSignal);
    if (typeof namespace === "string") {
      // NOTE: no test covers this host-network path, because the grid
      // always uses a namespace where one can be made.
      grid.warn(
        `warning: cannot create a private network namespace (${namespace}); ` +
          "the nodes run in this machine's network, and each Tahoe node " +
          "opens a log port on every interface (0.0.0.0)",
      );
    } else {
      grid.log(
        "nodes run in a private network namespace whose only interface is " +
          "loopback (unshare --net)",
      );
    }
    return grid;
  }

  /**
   * Creates the introducer, the storage nodes and the client, starts them,
   * and waits until the client is connected to every storage node.
   */
  async startNodes(): Promise<void> {
    const [introducerTub, ...rest] = await pickPorts(8);
    this.ports.set(INTRODUCER, { tub: introducerTub });
    STORAGE_NODES.forEach((name, i) => {
      this.ports.set(name, { tub: rest[2 * i], web: rest[2 * i + 1] });
    });
    this.ports.set(CLIENT, { web: rest[6] });

    this.log(`creating the introducer in ${this.nodeDir(INTRODUCER)}`);
    await this.tahoeOk([
      "create-introducer",
      ...this.listenArgs(INTRODUCER),
      this.nodeDir(INTRODUCER),
    ]);
    await this.start(INTRODUCER);
    const furlFile = join(this.nodeDir(INTRODUCER), "private/introducer.furl");
    const furl = await this.waitFor(
      "the introducer to write private/introducer.furl",
      async () => {
        const text = await Deno.readTextFile(furlFile).catch(() => "");
        // A complete file is one fURL and a newline.
        const complete = /^pb:\/\/\S+\n$/.test(text);
        return {
          value: complete ? text.trim() : undefined,
          state: text === "" ? "no file yet" : "file incomplete",
        };
      },
    );

    await Promise.all([
      ...STORAGE_NODES.map((name) =>
        this.tahoeOk([
          "create-node",
          "--nickname",
          name,
          "--introducer",
          furl,
          ...this.listenArgs(name),
          "--webport",
          this.webEndpoint(name),
          this.nodeDir(name),
        ])
      ),
      this.tahoeOk([
        "create-client",
        "--nickname",
        CLIENT,
        "--introducer",
        furl,
        "--shares-needed",
        String(ENCODING.needed),
        "--shares-happy",
        String(ENCODING.happy),
        "--shares-total",
        String(ENCODING.total),
        "--webport",
        this.webEndpoint(CLIENT),
        this.nodeDir(CLIENT),
      ]),
    ]);

    this.log("starting storage0, storage1, storage2 and alice");
    await Promise.all(
      [...STORAGE_NODES, CLIENT].map((name) => this.start(name)),
    );
    await this.waitForConnectedServers(STORAGE_NODES.length);
  }

  private listenArgs(name: string): string[] {
    const port = this.ports.get(name)!.tub!;
    return [
      "--port",
      `tcp:${port}:interface=127.0.0.1`,
      "--location",
      `tcp:127.0.0.1:${port}`,
    ];
  }

  private webEndpoint(name: string): string {
    return `tcp:${this.ports.get(name)!.web}:interface=127.0.0.1`;
  }

  /** Returns the directory of node `name`. */
  nodeDir(name: string): string {
    return join(this.dir, name);
  }

  /** Returns the URL of node `name`'s web API. */
  webUrl(name: string): string {
    return `http://127.0.0.1:${this.ports.get(name)?.web}/`;
  }

  /** Returns the ports node `name` was configured with. */
  configuredPorts(name: string): number[] {
    const ports = this.ports.get(name) ?? {};
    return [ports.tub, ports.web].filter((port) => port !== undefined);
  }

  /**
   * Command prefix that runs a program in the grid's network: `nsenter`
   * with its arguments, or nothing when the grid uses the host's network.
   */
  get prefix(): string[] {
    return this.namespace?.prefix ?? [];
  }

  /** Runs `tahoe ARGS` (in the grid's network) and returns its output. */
  async tahoe(args: string[]): Promise<CommandOutput> {
    return await output([...this.prefix, TAHOE, ...args]);
  }

  /** Runs `tahoe ARGS`, narrated, and fails unless it exits with 0. */
  private async tahoeOk(args: string[]): Promise<CommandOutput> {
    this.log(`$ tahoe ${args.join(" ").replaceAll(`${this.dir}/`, "")}`);
    const result = await this.tahoe(args);
    if (result.code !== 0) {
      throw new Error(
        `tahoe ${args[0]} failed with exit code ${result.code}: ` +
          (result.stderr.trim() || result.stdout.trim()),
      );
    }
    return result;
  }

  /** Starts node `name` with `tahoe run`, without waiting for it. */
  async start(name: string): Promise<void> {
    if (this.running.has(name)) {
      throw new Error(`${name} is already running`);
    }
    const logPath = join(this.dir, `${name}.log`);
    const stdoutFile = await Deno.open(logPath, { append: true, create: true });
    const stderrFile = await Deno.open(logPath, { append: true });
    const command = [...this.prefix, TAHOE, "run", this.nodeDir(name)];
    const child = new Deno.Command(command[0]!, {
      args: command.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const node: RunningNode = {
      child,
      exited: false,
      stopping: false,
      done: Promise.all([
        child.stdout.pipeTo(stdoutFile.writable),
        child.stderr.pipeTo(stderrFile.writable),
        child.status,
      ]).then(([, , status]) => {
        node.exited = true;
        return status;
      }),
    };
    this.running.set(name, node);
    this.log(`started ${name} (PID ${child.pid})`);
  }

  /** Stops node `name` by its PID and waits until it has exited. */
  async stop(name: string): Promise<void> {
    const node = this.running.get(name);
    if (node === undefined) return;
    node.stopping = true;
    await stopProcess(node.child);
    await node.child.stdin.close().catch(() => {});
    await node.done;
    this.running.delete(name);
    this.log(`stopped ${name} (PID ${node.child.pid})`);
  }

  /** Stops and starts node `name`, without waiting for it to be ready. */
  async restart(name: string): Promise<void> {
    await this.stop(name);
    await this.start(name);
  }

  /**
   * Polls `probe` until it returns a value, and returns that value. Fails
   * with a message naming `condition` after `timeoutMs`, or as soon as a node
   * exits without {@link Grid.stop}.
   */
  async waitFor<T>(
    condition: string,
    probe: () => Promise<{ value?: T; state: string }>,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<T> {
    const started = Date.now();
    let state = "not checked yet";
    while (true) {
      for (const [name, node] of this.running) {
        if (node.exited && !node.stopping) {
          const status = await node.done;
          throw new Error(
            `${name} exited with code ${status.code} while waiting for ` +
              `${condition}; its output is in ${join(this.dir, `${name}.log`)}`,
          );
        }
      }
      const result = await probe();
      if (result.value !== undefined) {
        this.log(`ready after ${seconds(Date.now() - started)}: ${condition}`);
        return result.value;
      }
      state = result.state;
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `timed out after ${seconds(timeoutMs)} waiting for ${condition} ` +
            `(last state: ${state})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** Reads `GET /?t=json` from node `name`'s web API. */
  async webStatus(
    name: string,
  ): Promise<{ servers: ServerStatus[] } | undefined> {
    const script = "import sys, urllib.request\n" +
      "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5)" +
      ".read().decode())";
    const result = await output([
      ...this.prefix,
      PYTHON,
      "-c",
      script,
      `${this.webUrl(name)}?t=json`,
    ]);
    if (result.code !== 0) return undefined;
    return JSON.parse(result.stdout);
  }

  /** Waits until the client's web API shows `count` connected servers. */
  async waitForConnectedServers(count: number): Promise<ServerStatus[]> {
    return await this.waitFor(
      `alice to connect to ${count} storage servers`,
      async () => {
        const status = await this.webStatus(CLIENT);
        if (status === undefined) return { state: "web API not answering" };
        const connected = status.servers.filter((server) =>
          server.connection_status.startsWith("connected")
        );
        const names = connected.map((server) => server.nickname).join(", ");
        return {
          value: connected.length >= count ? connected : undefined,
          state: `${connected.length} connected (${names || "none"})`,
        };
      },
    );
  }

  /** Reads the text of the client's announcement cache, or "" if none. */
  async announcementCache(): Promise<string> {
    const path = join(
      this.nodeDir(CLIENT),
      "private",
      "introducer_default_cache.yaml",
    );
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "";
      throw error;
    }
  }

  /** Reads the client's cache of storage announcements. */
  async announcements(): Promise<CachedAnnouncement[]> {
    const text = await this.announcementCache();
    const parsed = yaml.load(text) as CachedAnnouncement[] | null;
    return (parsed ?? []).filter((entry) =>
      entry.ann["service-name"] === "storage"
    );
  }

  /**
   * Waits until the client has received an announcement from each node in
   * `names` that carries a Grid Manager certificate.
   */
  async waitForCertifiedAnnouncements(
    names: readonly string[],
  ): Promise<CachedAnnouncement[]> {
    return await this.waitFor(
      `alice to receive announcements with certificates from ${
        names.join(", ")
      }`,
      async () => {
        const certified = (await this.announcements()).filter((entry) =>
          (entry.ann["grid-manager-certificates"] ?? []).length > 0
        );
        const have = certified.map((entry) => entry.ann.nickname ?? "");
        return {
          value: names.every((name) => have.includes(name))
            ? certified
            : undefined,
          state: `certified: ${have.join(", ") || "none"}`,
        };
      },
    );
  }

  /** Lists the storage indexes that storage node `name` stores shares of. */
  async storageIndexes(name: string): Promise<string[]> {
    return await listStorageIndexes(
      join(this.nodeDir(name), "storage", "shares"),
    );
  }

  /** Returns the storage index of a capability, from `tahoe debug dump-cap`. */
  async storageIndex(cap: string): Promise<string> {
    const result = await this.tahoeOk(["debug", "dump-cap", cap]);
    const match = result.stdout.match(/^\s*storage index:\s*(\S+)/m);
    if (match === null) {
      throw new Error(`tahoe debug dump-cap printed no storage index: ${cap}`);
    }
    return match[1]!;
  }

  /**
   * Lists the TCP listeners of every running node, from `ss -ltnp` run in
   * the grid's network.
   */
  async listeners(): Promise<Listener[]> {
    const result = await output([...this.prefix, "ss", "-ltnpH"]).catch(
      (error: Error) => {
        throw new Error(
          `cannot run ss (from iproute2) to list the nodes' listeners: ` +
            error.message,
        );
      },
    );
    if (result.code !== 0) {
      throw new Error(`ss -ltnp failed: ${result.stderr.trim()}`);
    }
    const nodeByPid = new Map(
      [...this.running].map(([name, node]) => [node.child.pid, name]),
    );
    const found: Listener[] = [];
    for (const [address, port, pids] of parseSs(result.stdout)) {
      for (const pid of pids) {
        const node = nodeByPid.get(pid);
        if (node !== undefined) found.push({ node, address, port });
      }
    }
    return found.sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Lists the network interfaces the nodes can use. */
  async interfaces(): Promise<string[]> {
    const result = await output([...this.prefix, "cat", "/proc/net/dev"]);
    return result.stdout.split("\n").slice(2)
      .map((line) => line.split(":")[0]!.trim())
      .filter((name) => name !== "");
  }

  /**
   * Stops every process the grid started, by PID. Removes the temporary
   * directory unless `keep` is set; a kept directory's path is printed.
   */
  close(options: { keep?: boolean } = {}): Promise<void> {
    this.closing ??= this.stopAll(options.keep ?? false);
    return this.closing;
  }

  private async stopAll(keep: boolean): Promise<void> {
    Deno.removeSignalListener("SIGINT", this.onSignal);
    Deno.removeSignalListener("SIGTERM", this.onSignal);
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
    if (this.namespace !== undefined) {
      await stopProcess(this.namespace.holder);
      await this.namespace.holder.stdin.close().catch(() => {});
    }
    if (keep) {
      this.warn(`node directories and logs kept in ${this.dir}`);
    } else {
      await Deno.remove(this.dir, { recursive: true });
    }
  }

  private interrupted(): void {
    this.warn(
      this.keepOnInterrupt
        ? "interrupted: stopping the grid"
        : "interrupted: stopping the grid and removing its directory (--keep keeps it)",
    );
    this.close({ keep: this.keepOnInterrupt }).finally(() => Deno.exit(130));
  }
}

/**
 * Replaces every fURL and NURL in an announcement cache with a fixed
 * placeholder, keeping the YAML layout, keys and certificates unchanged.
 */
export function redactAnnouncementCache(text: string): string {
  return text.replace(/pb:\/\/[^\s'"]+/g, (url) => {
    const fragment = url.includes("#") ? url.slice(url.indexOf("#")) : "";
    return url.includes("@tcp:")
      ? "pb://redactedtubid@tcp:192.0.2.1:1/redactedswissnum"
      : `pb://redactedtubhash@192.0.2.1:1/redactedswissnum${fragment}`;
  });
}
