/**
 * The `grid-manager` command: runs a Tahoe-LAFS Grid Manager and enrolls
 * storage servers and clients in a managed grid.
 *
 * @module
 */

import { runCli } from "./lib/command.ts";
import { gridManagerCommands } from "./lib/commands/grid_manager.ts";
import { nodeCommands } from "./lib/commands/node.ts";
import { statusCommands } from "./lib/commands/status.ts";

const commands = [...gridManagerCommands, ...nodeCommands, ...statusCommands];

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, commands));
}
