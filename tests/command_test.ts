import assert from "node:assert/strict";
import {
  type Command,
  CONFIG_OPTION,
  formatCommandHelp,
  formatProgramHelp,
  type Invocation,
  JSON_OPTION,
  runCli,
} from "../lib/command.ts";
import { GridManagerError } from "../lib/errors.ts";

/** Makes a command that records each invocation and returns `code`. */
function recorder(
  name: string,
  calls: Invocation[],
  options: Command["options"] = { config: CONFIG_OPTION },
  code = 0,
): Command {
  return {
    name,
    usage: "NAME [DAYS]",
    summary: `Runs ${name}`,
    description: "More text.",
    options,
    arguments: { min: 1, max: 2 },
    run(invocation) {
      calls.push(invocation);
      return code;
    },
  };
}

Deno.test("runCli() passes arguments and options", async () => {
  const calls: Invocation[] = [];
  const code = await runCli(["--config", "dir", "sign", "s", "5"], [
    recorder("sign", calls),
  ]);
  assert.equal(code, 0);
  assert.deepEqual(calls[0]!.args, ["s", "5"]);
  assert.equal(calls[0]!.options.config, "dir");
});

Deno.test("runCli() accepts options after the command", async () => {
  const calls: Invocation[] = [];
  const commands = [recorder("sign", calls)];
  await runCli(["sign", "s", "-c", "dir"], commands);
  await runCli(["sign", "--config=dir2", "s"], commands);
  assert.equal(calls[0]!.options.config, "dir");
  assert.deepEqual(calls[0]!.args, ["s"]);
  assert.equal(calls[1]!.options.config, "dir2");
});

Deno.test("runCli() finds the command after an option value", async () => {
  const calls: Invocation[] = [];
  // "sign" as the value of --config must not be taken for the command.
  const code = await runCli(["-c", "sign", "list", "x"], [
    recorder("sign", calls),
    recorder("list", calls),
  ]);
  assert.equal(code, 0);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.options.config, "sign");
  assert.deepEqual(calls[0]!.args, ["x"]);
});

Deno.test("runCli() treats arguments after -- as positional", async () => {
  const calls: Invocation[] = [];
  const code = await runCli(["-c", "d", "sign", "--", "-1"], [
    recorder("sign", calls),
  ]);
  assert.equal(code, 0);
  assert.deepEqual(calls[0]!.args, ["-1"]);
});

Deno.test("runCli() returns the command's exit code", async () => {
  const code = await runCli(["x", "a"], [recorder("x", [], {}, 3)]);
  assert.equal(code, 3);
});

Deno.test("runCli() returns 2 for usage errors", async () => {
  const commands = [recorder("sign", [], {
    config: CONFIG_OPTION,
    json: JSON_OPTION,
  })];
  for (
    const argv of [
      [],
      ["nope"],
      ["sign"],
      ["sign", "a", "b", "c"],
      ["sign", "a", "--bogus"],
      ["sign", "a", "--config"],
    ]
  ) {
    assert.equal(await runCli(argv, commands), 2, argv.join(" "));
  }
});

Deno.test("runCli() returns a GridManagerError's code", async () => {
  const failing: Command = {
    ...recorder("x", []),
    run() {
      throw new GridManagerError("bad value; fix it", 1);
    },
  };
  assert.equal(await runCli(["x", "a"], [failing]), 1);
});

Deno.test("runCli() turns other errors into exit 1", async () => {
  const crashing: Command = {
    ...recorder("x", []),
    run() {
      throw new TypeError("boom");
    },
  };
  assert.equal(await runCli(["x", "a"], [crashing]), 1);
});

Deno.test("runCli() answers --help without running", async () => {
  const calls: Invocation[] = [];
  const commands = [recorder("sign", calls)];
  assert.equal(await runCli(["sign", "--help"], commands), 0);
  assert.equal(await runCli(["--help"], commands), 0);
  assert.equal(await runCli(["-h"], commands), 0);
  assert.equal(calls.length, 0);
});

Deno.test("formatCommandHelp() lists usage and options", () => {
  const help = formatCommandHelp(
    recorder("sign", [], { config: CONFIG_OPTION, json: JSON_OPTION }),
  );
  assert.equal(
    help,
    [
      "Usage: grid-manager sign [OPTIONS] NAME [DAYS]",
      "",
      "Runs sign",
      "",
      "More text.",
      "",
      "Options:",
      "  -c, --config DIR|-  Grid Manager directory, or - to read the config JSON on stdin",
      "      --json          print JSON instead of text",
      "  -h, --help          show this help",
      "",
    ].join("\n"),
  );
});

Deno.test("formatProgramHelp() lists every command", () => {
  const help = formatProgramHelp([
    recorder("sign", []),
    recorder("public-identity", []),
  ]);
  assert.match(
    help,
    /^Usage: grid-manager COMMAND \[OPTIONS\] \[ARGS\]\.\.\.\n/,
  );
  assert.match(help, /\n {2}sign {13}Runs sign\n/);
  assert.match(help, /\n {2}public-identity {2}Runs public-identity\n/);
  assert.match(help, /Exit codes: 0 success, 1 failure, 2 usage error/);
});
