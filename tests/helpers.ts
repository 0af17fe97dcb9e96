/**
 * Shared test helpers: running the bundled `grid-manager` the way a user
 * runs it, and running Python code from the virtual environment that holds
 * Tahoe-LAFS 1.20.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The single-file build the command-line tests run. */
export const BUNDLE = join(ROOT, "dist", "grid-manager.js");
/** The Python interpreter of the virtual environment with Tahoe-LAFS. */
export const PYTHON = join(ROOT, ".venv", "bin", "python");
/** Tahoe's own command-line programs. */
export const TAHOE_BIN = join(ROOT, ".venv", "bin");

/** Permissions the shipped executable is built with (see deno.json). */
export const RUN_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=HOME",
  "--allow-net=127.0.0.1,localhost",
];

/** Output of a finished process. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runGridManager} and {@link runPython}. */
export interface RunOptions {
  /** Text for standard input; standard input is closed when omitted. */
  stdin?: string | Uint8Array;
  /** Working directory. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

async function run(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<RunResult> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await writer.write(data).catch(() => {});
    await writer.close().catch(() => {});
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Runs the bundled `grid-manager` with `args`, as the shipped executable
 * runs: same permissions, no type checking.
 */
export async function runGridManager(
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  try {
    Deno.statSync(BUNDLE);
  } catch {
    throw new Error(`${BUNDLE} is missing; run "deno task bundle" first`);
  }
  return await run(Deno.execPath(), [
    "run",
    "--quiet",
    ...RUN_PERMISSIONS,
    BUNDLE,
    ...args,
  ], options);
}

/**
 * Runs a Python script from `tests/tahoe/` with the Tahoe virtual
 * environment's interpreter.
 */
export async function runPython(
  script: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return await run(
    PYTHON,
    [join(ROOT, "tests", "tahoe", script), ...args],
    options,
  );
}

/** Runs one of Tahoe's own programs (`tahoe`, `grid-manager`) from the venv. */
export async function runTahoe(
  program: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return await run(join(TAHOE_BIN, program), args, options);
}

/** Makes a temporary directory that is removed after `body` succeeds. */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T> | T,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "grid-manager-test-" });
  const result = await body(dir);
  await Deno.remove(dir, { recursive: true });
  return result;
}
