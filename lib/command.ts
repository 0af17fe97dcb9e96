/**
 * The command-line framework: how a command declares its options and
 * arguments, how the argument list is parsed, how help is printed, and how
 * errors become one line on stderr and an exit code.
 *
 * Options may stand before or after the command name, as in
 * `grid-manager --config DIR sign NAME` and `grid-manager sign NAME -c DIR`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ExitCode, GridManagerError, UsageError } from "./errors.ts";
import { printMessage, writeStdout } from "./io.ts";

/** One option a command takes. */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a flag. */
  readonly type: "string" | "boolean";
  /** One-letter alias. */
  readonly short?: string;
  /** Name of the value in help, such as `DIR`. */
  readonly valueName?: string;
  /** Help text: the setting the option changes, and its unit. */
  readonly help: string;
}

/** The parsed command line a command runs with. */
export interface Invocation {
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  /** Option values by long name; flags are booleans. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
}

/** A subcommand of `grid-manager`. */
export interface Command {
  /** The name typed on the command line, such as `sign`. */
  readonly name: string;
  /** Positional arguments for the usage line, such as `NAME [DAYS]`. */
  readonly usage: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Further paragraphs for `--help`. */
  readonly description?: string;
  /** The options this command takes, by long name. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Minimum and maximum number of positional arguments. */
  readonly arguments: { readonly min: number; readonly max: number };
  /** Runs the command; returns the exit code. */
  run(invocation: Invocation): number | Promise<number>;
}

/** The `--config` option of the Grid Manager commands. */
export const CONFIG_OPTION: OptionSpec = {
  type: "string",
  short: "c",
  valueName: "DIR|-",
  help: "Grid Manager directory, or - to read the config JSON on stdin",
};

/** The `--node-directory` option of the node commands. */
export const NODE_DIRECTORY_OPTION: OptionSpec = {
  type: "string",
  short: "d",
  valueName: "DIR",
  help: "Tahoe node directory (default: ~/.tahoe)",
};

/** The `--json` option. */
export const JSON_OPTION: OptionSpec = {
  type: "boolean",
  help: "print JSON instead of text",
};

const HELP_OPTION: OptionSpec = {
  type: "boolean",
  short: "h",
  help: "show this help",
};

const PROGRAM = "grid-manager";

function optionLabel(name: string, spec: OptionSpec): string {
  const long = `--${name}${
    spec.type === "string" ? ` ${spec.valueName ?? "VALUE"}` : ""
  }`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

/** Formats the `--help` text of one command. */
export function formatCommandHelp(command: Command): string {
  const options = { ...command.options, help: HELP_OPTION };
  const labels = Object.entries(options).map(([name, spec]) =>
    optionLabel(name, spec)
  );
  const width = Math.max(...labels.map((label) => label.length));
  const lines = [
    `Usage: ${PROGRAM} ${command.name} [OPTIONS]${
      command.usage ? " " + command.usage : ""
    }`,
    "",
    command.summary,
  ];
  if (command.description) lines.push("", command.description);
  lines.push("", "Options:");
  Object.values(options).forEach((spec, i) => {
    lines.push(`  ${labels[i]!.padEnd(width)}  ${spec.help}`);
  });
  return lines.join("\n") + "\n";
}

/** Formats the top-level `--help` text. */
export function formatProgramHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `Usage: ${PROGRAM} COMMAND [OPTIONS] [ARGS]...`,
    "",
    "Runs a Tahoe-LAFS Grid Manager, enrolls storage servers and clients in a",
    "managed grid, and shows which servers a client may upload to.",
    "",
    "Commands:",
    ...commands.map((command) =>
      `  ${command.name.padEnd(width)}  ${command.summary}`
    ),
    "",
    `Run "${PROGRAM} COMMAND --help" for the options of one command.`,
    "Exit codes: 0 success, 1 failure, 2 usage error, 3 certificate expiring soon (verify).",
    "",
  ].join("\n");
}

/** Collects every command's option names, to name an option given to the wrong command. */
function allOptionNames(commands: readonly Command[]): Set<string> {
  return new Set(commands.flatMap((command) => Object.keys(command.options)));
}

/**
 * Parses `argv` and runs the command it names. Never throws: every error,
 * including an unexpected one, becomes one line on stderr and an exit code.
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly Command[],
): Promise<number> {
  try {
    return await dispatch(argv, commands);
  } catch (error) {
    if (error instanceof GridManagerError) {
      // Errors are one line: a usage error that names no help carries it.
      const hint = error instanceof UsageError && !/--help"/.test(error.message)
        ? `; see "${PROGRAM} --help"`
        : "";
      printMessage(error.message + hint);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    printMessage(
      `internal error: ${message.split("\n")[0]}; please report this as a bug`,
    );
    return ExitCode.failure;
  }
}

/** Returns the long name of a value-taking option spelled `arg`. */
function valueOptionName(
  arg: string,
  commands: readonly Command[],
): string | undefined {
  for (const command of commands) {
    for (const [name, spec] of Object.entries(command.options)) {
      if (spec.type !== "string") continue;
      if (arg === `--${name}` || (spec.short && arg === `-${spec.short}`)) {
        return name;
      }
    }
  }
  return undefined;
}

function findCommandName(
  argv: readonly string[],
  commands: readonly Command[],
): string | undefined {
  const valueOptions = new Set<string>();
  for (const command of commands) {
    for (const [name, spec] of Object.entries(command.options)) {
      if (spec.type !== "string") continue;
      valueOptions.add(`--${name}`);
      if (spec.short) valueOptions.add(`-${spec.short}`);
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return argv[i + 1];
    if (valueOptions.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") return arg;
  }
  return undefined;
}

async function dispatch(
  argv: readonly string[],
  commands: readonly Command[],
): Promise<number> {
  const name = findCommandName(argv, commands);
  if (name === undefined) {
    const last = argv.at(-1);
    const dangling = last === undefined
      ? undefined
      : valueOptionName(last, commands);
    if (dangling) throw new UsageError(`option --${dangling} needs a value`);
    if (argv.includes("--help") || argv.includes("-h")) {
      writeStdout(formatProgramHelp(commands));
      return ExitCode.ok;
    }
    if (argv.includes("--version")) {
      writeStdout("grid-manager 0.1.0\n");
      return ExitCode.ok;
    }
    throw new UsageError(
      "missing command; give one of: " + commands.map((c) => c.name).join(", "),
    );
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}; give one of: ` +
        commands.map((c) => c.name).join(", "),
    );
  }

  const options = { ...command.options, help: HELP_OPTION };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map((
          [key, spec],
        ) => [
          key,
          spec.short
            ? { type: spec.type, short: spec.short }
            : { type: spec.type },
        ]),
      ),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(
      describeParseError(
        error as Error,
        command,
        allOptionNames(commands),
        argv,
      ),
    );
  }
  if (parsed.values.help) {
    writeStdout(formatCommandHelp(command));
    return ExitCode.ok;
  }

  const positionals = [...parsed.positionals];
  positionals.splice(positionals.indexOf(name), 1);
  const usageLine = `usage: ${PROGRAM} ${command.name} ${command.usage}`
    .trimEnd();
  if (positionals.length < command.arguments.min) {
    throw new UsageError(
      `missing argument for "${command.name}"; ${usageLine}`,
    );
  }
  if (positionals.length > command.arguments.max) {
    const extra = positionals[command.arguments.max]!;
    throw new UsageError(
      `unexpected argument ${
        JSON.stringify(extra)
      } for "${command.name}"; ${usageLine}`,
    );
  }
  return await command.run({
    args: positionals,
    options: parsed.values as Record<string, string | boolean | undefined>,
  });
}

/**
 * Points a user who gives the Grid Manager's -c to a node command, or a
 * node's -d to a Grid Manager command, at the option the command takes.
 */
function directoryHint(option: string, command: Command): string | undefined {
  const options = command.options;
  if (["-c", "--config"].includes(option) && "node-directory" in options) {
    return "node commands take the node directory as -d DIR";
  }
  if (["-d", "--node-directory"].includes(option) && "config" in options) {
    return "Grid Manager commands take the Grid Manager directory as -c DIR";
  }
  return undefined;
}

function describeParseError(
  error: Error,
  command: Command,
  known: Set<string>,
  argv: readonly string[],
): string {
  const message = error.message.split("\n")[0]!;
  const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(message);
  if (unknown) {
    const option = unknown[1]! + unknown[2]!;
    const elsewhere = unknown[1] === "--" && known.has(unknown[2]!);
    // "-dash" parses as the options -d -a -s -h; when the command takes
    // arguments, it was more likely meant as one of them.
    const group = argv.find((arg) =>
      arg !== option && unknown[1] === "-" && !arg.startsWith("--") &&
      arg.startsWith(option)
    );
    if (group !== undefined && command.arguments.max > 0) {
      return `unknown option ${option} for "${command.name}" (in ${
        JSON.stringify(group)
      }); put -- before arguments that start with "-", as in "${PROGRAM} ${command.name} -- ${group}"`;
    }
    const hint = directoryHint(option, command);
    if (hint) {
      return `unknown option ${option} for "${command.name}": ${hint}`;
    }
    return elsewhere
      ? `option ${option} does not apply to "${command.name}"; see "${PROGRAM} ${command.name} --help"`
      : `unknown option ${option} for "${command.name}"; see "${PROGRAM} ${command.name} --help"`;
  }
  // parseArgs names the option as "-c, --config <value>"; keep the long name.
  const missingValue = /^Option '(?:-\w, )?(--?[^' ]*)[^']*' argument missing/
    .exec(message);
  if (missingValue) return `option ${missingValue[1]} needs a value`;
  const ambiguous = /^Option '(?:-\w, )?(--?[^' ]*)[^']*' argument is ambiguous/
    .exec(message);
  if (ambiguous) {
    return `option ${
      ambiguous[1]
    } needs a value; to give one that starts with "-", write ${
      ambiguous[1]
    }=VALUE`;
  }
  const flag = /^Option '(?:-\w, )?(--?[^' ]*)[^']*' does not take an argument/
    .exec(message);
  if (flag) return `option ${flag[1]} takes no value; write ${flag[1]} alone`;
  return `${message}; see "${PROGRAM} ${command.name} --help"`;
}
