/**
 * The node commands: install Grid Manager certificates on a storage server,
 * add Grid Manager keys to a client, and check a node's configuration. They
 * edit tahoe.cfg in place, keeping its comments and layout.
 *
 * @module
 */

import { countOf } from "../plural.ts";
import { dirname, resolve } from "node:path";
import {
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
} from "../certificate.ts";
import {
  type Command,
  JSON_OPTION,
  NODE_DIRECTORY_OPTION,
  type OptionSpec,
} from "../command.ts";
import { ExitCode, GridManagerError } from "../errors.ts";
import {
  createFileExclusive,
  pathExists,
  printMessage,
  printWarning,
  readStdinText,
  readTextFile,
  removeQuietly,
  withDirectoryLock,
  writeFileAtomic,
  writeStdout,
} from "../io.ts";
import { normalizeGridManagerKey, normalizePublicKey } from "../keys.ts";
import { checkNode, type Finding } from "../node_check.ts";
import {
  addCertificateEntry,
  addGridManagerEntry,
  certificateFileName,
  checkCertificateForNode,
  checkEntryName,
  DEFAULT_ENTRY_NAME,
  gridManagementEnabled,
  listCertificateEntries,
  listGridManagerEntries,
  removeCertificateEntry,
  removeGridManagerEntry,
  storageEnabled,
} from "../node_config.ts";
import { normalizeOptionName, parseTahoeCfg } from "../tahoe_cfg.ts";
import {
  describeTimeDifference,
  formatDisplayTime,
  nowMicros,
} from "../time.ts";
import {
  cfgPath,
  nodeDirectory,
  nodeFilePath,
  readCertificateFile,
  readCfg,
  readCfgIfPresent,
  readNodeKey,
  readNodeType,
  requireClientNode,
  writeCfg,
} from "./node_store.ts";
import { escapeForTerminal, escapeLineForTerminal } from "../terminal_text.ts";

const RESTART =
  `restart the node ("tahoe stop" and "tahoe run", or your service manager) for the change to take effect`;

const NAME_OPTION: OptionSpec = {
  type: "string",
  short: "n",
  valueName: "NAME",
  help: `name of the entry in tahoe.cfg (default: ${DEFAULT_ENTRY_NAME})`,
};

const REPLACE_OPTION: OptionSpec = {
  type: "boolean",
  help: "replace an existing entry of the same name",
};

function withNode<T>(
  directory: string,
  action: () => T | Promise<T>,
): Promise<T> {
  return withDirectoryLock(directory, "node directory", action);
}

async function readCertificateInput(
  filename: string | undefined,
): Promise<{ text: string; source: string }> {
  if (filename === undefined || filename === "-") {
    if (Deno.stdin.isTerminal()) {
      printMessage(
        "reading the certificate from standard input (end with Ctrl-D)",
      );
    }
    return {
      text: await readStdinText("certificate"),
      source: "the certificate on standard input",
    };
  }
  let isDirectory = false;
  try {
    isDirectory = Deno.statSync(filename).isDirectory;
  } catch {
    // readTextFile reports a missing or unreadable file.
  }
  if (isDirectory) {
    throw new GridManagerError(
      `certificate file ${filename} is a directory, not a file; ` +
        `give the certificate file with -f FILE, or - for standard input`,
    );
  }
  return {
    text: readTextFile(filename, "certificate file"),
    source: filename,
  };
}

/** The result of {@link installCertificate}. */
interface InstalledCertificate {
  /** The path of the certificate file. */
  path: string;
  /** How many certificates the node lists now. */
  count: number;
  /** `[storage] enabled`, or undefined when invalid. */
  storage: boolean | undefined;
  /** The expiry of the certificate replaced, when it could be read. */
  replacedExpiresMicros?: number;
}

/** Returns the expiry of an installed certificate, or undefined. */
function installedExpiry(path: string): number | undefined {
  try {
    // Reading a FIFO would block until a writer comes.
    if (!Deno.statSync(path).isFile) return undefined;
    const text = Deno.readTextFileSync(path);
    return parseCertificatePayload(parseCertificateDocument(text))
      .expiresMicros;
  } catch {
    return undefined;
  }
}

/**
 * Writes the certificate file and the tahoe.cfg entry for `name`; with
 * `replace`, swaps the file of an existing entry. Runs under the node
 * directory lock.
 */
function installCertificate(
  directory: string,
  name: string,
  content: string,
  replace: boolean,
): InstalledCertificate {
  const cfgText = readCfg(directory);
  const existing = listCertificateEntries(parseTahoeCfg(cfgText)).find((
    entry,
  ) => entry.name === normalizeOptionName(name));
  const fileName = existing?.value ?? certificateFileName(name);
  const path = nodeFilePath(directory, fileName);
  if ((existing !== undefined || pathExists(path)) && !replace) {
    throw new GridManagerError(
      `a certificate named ${
        JSON.stringify(name)
      } is already installed (${path}); ` +
        `give --replace to renew it, or --name for another name`,
    );
  }

  // --replace overwrites the file an entry names, so it must not be able
  // to overwrite node.pubkey, tahoe.cfg or a private key.
  if (!isCertificateFile(directory, path)) {
    throw new GridManagerError(
      `entry ${
        JSON.stringify(name)
      } in [grid_manager_certificates] names ${path}, ` +
        `which is not a .cert file directly in the node directory; remove the entry with ` +
        `"grid-manager remove-grid-manager-cert ${name}" and install again`,
    );
  }

  // Edit the text first, so a tahoe.cfg that cannot be edited leaves
  // no certificate file behind.
  const newCfgText = addCertificateEntry(cfgText, name, fileName);
  const replacedExpiresMicros = replace ? installedExpiry(path) : undefined;
  if (replace) {
    writeFileAtomic(path, content, "certificate file");
  } else if (!createFileExclusive(path, content, "certificate file")) {
    throw new GridManagerError(
      `${path} appeared while installing; run the command again`,
    );
  }
  if (newCfgText !== cfgText) {
    try {
      writeCfg(directory, newCfgText);
    } catch (error) {
      if (!replace) removeQuietly(path);
      throw error;
    }
  }

  const newCfg = parseTahoeCfg(newCfgText);
  return {
    path,
    count: listCertificateEntries(newCfg).length,
    storage: storageEnabled(newCfg),
    replacedExpiresMicros,
  };
}

const addGridManagerCert: Command = {
  name: "add-grid-manager-cert",
  usage: "",
  summary: "Install a Grid Manager certificate on a storage server",
  description:
    "Checks the certificate (its form, this node's key from node.pubkey, its expiry, and with\n" +
    "--grid-manager its signature), copies it to DIR/NAME.cert, and sets [storage]\n" +
    "grid_management = true and NAME = NAME.cert under [grid_manager_certificates].\n" +
    "With --replace an existing certificate of that name is swapped atomically: the way to\n" +
    "renew one, for example:\n" +
    "  grid-manager --config GMDIR sign NAME 90 | grid-manager -d DIR add-grid-manager-cert --replace",
  options: {
    "node-directory": NODE_DIRECTORY_OPTION,
    filename: {
      type: "string",
      short: "f",
      valueName: "FILE|-",
      help: "certificate file, or - for stdin (default: stdin)",
    },
    name: NAME_OPTION,
    replace: {
      type: "boolean",
      help: "replace an installed certificate of the same name (renewal)",
    },
    "grid-manager": {
      type: "string",
      valueName: "PUBKEY",
      help: "Grid Manager public key the signature must verify under",
    },
  },
  arguments: { min: 0, max: 0 },
  async run({ options }) {
    const directory = nodeDirectory(options["node-directory"]);
    requireClientNode(directory);
    const name = checkEntryName(
      (options.name as string | undefined) ?? DEFAULT_ENTRY_NAME,
      "certificate name",
    );
    const gridManagerKey = typeof options["grid-manager"] === "string"
      ? normalizeGridManagerKey(options["grid-manager"])
      : undefined;
    const input = await readCertificateInput(
      options.filename as string | undefined,
    );
    const nodeKey = readNodeKey(directory);
    const checked = checkCertificateForNode(input.text, {
      nodePublicKey: nodeKey.key,
      gridManagerKey,
      now: nowMicros(),
      source: input.source,
    });
    const content = formatCertificateDocument(checked.document) + "\n";

    const installed = await withNode(
      directory,
      () => installCertificate(directory, name, content, !!options.replace),
    );

    for (const warning of nodeKey.warnings) printWarning(warning);
    for (const warning of checked.warnings) printWarning(warning);
    const replaced = installed.replacedExpiresMicros;
    if (replaced !== undefined && checked.payload.expiresMicros < replaced) {
      printWarning(
        `the new certificate expires ${
          formatDisplayTime(checked.payload.expiresMicros)
        }, earlier than the one it replaced (${
          formatDisplayTime(replaced)
        }); ` +
          `check that you installed the latest certificate from the Grid Manager`,
      );
    }
    if (installed.storage === false) {
      printWarning(
        "[storage] enabled is false, so the node announces no certificate until you set it to true",
      );
    }
    printMessage(
      `installed certificate ${JSON.stringify(name)} as ${installed.path}, ` +
        `valid until ${formatDisplayTime(checked.payload.expiresMicros)}; ` +
        `the node has ${countOf(installed.count, "certificate")}`,
    );
    printMessage(RESTART);
    return ExitCode.ok;
  },
};

interface CertificateListing {
  name: string;
  path: string;
  expires?: string;
  expiresMicros?: number;
  expired?: boolean;
  public_key?: string;
  for_this_node?: boolean;
  error?: string;
}

function listCertificates(directory: string): {
  gridManagement: boolean | undefined;
  certificates: CertificateListing[];
} {
  const cfg = parseTahoeCfg(readCfg(directory));
  const nodeKey = readNodeKey(directory).key;
  const now = nowMicros();
  const certificates = listCertificateEntries(cfg).map((entry) => {
    const listing: CertificateListing = { name: entry.name, path: entry.value };
    try {
      const text = readCertificateFile(directory, entry.value);
      if (text === undefined) return { ...listing, error: "file not found" };
      const document = parseCertificateDocument(text, entry.value);
      const payload = parseCertificatePayload(document, entry.value);
      return {
        ...listing,
        expires: formatDisplayTime(payload.expiresMicros),
        expiresMicros: payload.expiresMicros,
        expired: payload.expiresMicros <= now,
        public_key: payload.publicKey,
        ...(nodeKey === undefined
          ? {}
          : { for_this_node: payload.publicKey === nodeKey }),
      };
    } catch (error) {
      if (!(error instanceof GridManagerError)) throw error;
      return { ...listing, error: error.message };
    }
  });
  return { gridManagement: gridManagementEnabled(cfg), certificates };
}

function formatCertificateLine(
  certificate: CertificateListing,
  now: number,
): string {
  const head = `${certificate.name}: ${certificate.path}`;
  if (certificate.error !== undefined) {
    return `${head}: unreadable: ${certificate.error}`;
  }
  const expiresMicros = certificate.expiresMicros!;
  const when = `${formatDisplayTime(expiresMicros)} (${
    describeTimeDifference((now - expiresMicros) / 1_000_000)
  })`;
  const state = certificate.expired ? `expired ${when}` : `valid until ${when}`;
  const owner = certificate.for_this_node === false
    ? `, for another node (${certificate.public_key})`
    : "";
  return `${head}: ${state}${owner}`;
}

const listGridManagerCerts: Command = {
  name: "list-grid-manager-certs",
  usage: "",
  summary: "List a storage server's Grid Manager certificates",
  options: { "node-directory": NODE_DIRECTORY_OPTION, json: JSON_OPTION },
  arguments: { min: 0, max: 0 },
  run({ options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const { gridManagement, certificates } = listCertificates(directory);
    if (options.json) {
      writeStdout(
        JSON.stringify(
          {
            grid_management: gridManagement ?? null,
            certificates: certificates.map(({ expiresMicros: _, ...rest }) =>
              rest
            ),
          },
          null,
          2,
        ) + "\n",
      );
      return ExitCode.ok;
    }
    const now = nowMicros();
    writeStdout(
      certificates.map((c) =>
        escapeLineForTerminal(formatCertificateLine(c, now)) + "\n"
      ).join(""),
    );
    if (certificates.length === 0) {
      printMessage(`${cfgPath(directory)} lists no Grid Manager certificate`);
    } else if (gridManagement !== true) {
      printWarning(
        "[storage] grid_management is not on, so the node does not announce these certificates",
      );
    }
    return ExitCode.ok;
  },
};

/** Returns whether `path` is a `.cert` file directly in the node directory. */
function isCertificateFile(directory: string, path: string): boolean {
  return dirname(path) === resolve(directory) && path.endsWith(".cert");
}

const removeGridManagerCert: Command = {
  name: "remove-grid-manager-cert",
  usage: "NAME",
  summary: "Remove a Grid Manager certificate from a storage server",
  description:
    "Deletes the entry from [grid_manager_certificates] and its file in the node directory.\n" +
    "When the last one goes, [storage] grid_management is set to false.",
  options: { "node-directory": NODE_DIRECTORY_OPTION },
  arguments: { min: 1, max: 1 },
  async run({ args, options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const name = args[0]!;
    const result = await withNode(directory, () => {
      const cfgText = readCfg(directory);
      const removed = removeCertificateEntry(cfgText, name);
      writeCfg(directory, removed.text);
      const path = nodeFilePath(directory, removed.value);
      const stillNamed = listCertificateEntries(parseTahoeCfg(removed.text))
        .some((entry) => nodeFilePath(directory, entry.value) === path);
      // Only a .cert file in the node directory itself is ours to delete.
      const exists = pathExists(path);
      const keptBecause = !exists
        ? undefined
        : !isCertificateFile(directory, path)
        ? "which is not a .cert file directly in the node directory; " +
          "delete it yourself if no longer needed"
        : stillNamed
        ? "which another entry in [grid_manager_certificates] still names"
        : undefined;
      const deleted = exists && keptBecause === undefined;
      if (deleted) removeQuietly(path);
      return { ...removed, path, deleted, keptBecause };
    });
    printMessage(
      `removed certificate ${JSON.stringify(name)}` +
        (result.deleted ? ` and deleted ${result.path}` : "") +
        `; ${countOf(result.remaining, "certificate")} ${
          result.remaining === 1 ? "remains" : "remain"
        }`,
    );
    if (result.keptBecause !== undefined) {
      printMessage(`kept ${result.path}, ${result.keptBecause}`);
    }
    if (result.remaining === 0) {
      printWarning(
        "no certificate remains, so [storage] grid_management is now false and " +
          "clients of a managed grid will not upload to this node",
      );
    }
    printMessage(RESTART);
    return ExitCode.ok;
  },
};

const addGridManager: Command = {
  name: "add-grid-manager",
  usage: "PUBKEY",
  summary: "Make a client upload only to servers certified by a Grid Manager",
  description:
    "Adds NAME = PUBKEY under [grid_managers] in tahoe.cfg, with the key in canonical form.\n" +
    'PUBKEY is the output of "grid-manager public-identity" (pub-v0-...).',
  options: {
    "node-directory": NODE_DIRECTORY_OPTION,
    name: NAME_OPTION,
    replace: REPLACE_OPTION,
  },
  arguments: { min: 1, max: 1 },
  async run({ args, options }) {
    const directory = nodeDirectory(options["node-directory"]);
    requireClientNode(directory);
    const name = checkEntryName(
      (options.name as string | undefined) ?? DEFAULT_ENTRY_NAME,
      "Grid Manager name",
    );
    const key = normalizeGridManagerKey(args[0]!);
    const result = await withNode(directory, () => {
      const cfgText = readCfg(directory);
      const managers = listGridManagerEntries(parseTahoeCfg(cfgText));
      const existing = managers.find((entry) =>
        entry.name === normalizeOptionName(name)
      );
      if (
        existing !== undefined && existing.value !== key && !options.replace
      ) {
        throw new GridManagerError(
          `a Grid Manager named ${
            JSON.stringify(name)
          } is already in [grid_managers] (${existing.value}); ` +
            `give --replace to change its key, or --name for another name`,
        );
      }
      const newText = addGridManagerEntry(cfgText, name, key);
      if (newText !== cfgText) writeCfg(directory, newText);
      return {
        changed: newText !== cfgText,
        sameKey: managers.filter((entry) =>
          entry.value === key && entry.name !== normalizeOptionName(name)
        ).map((entry) => entry.name),
        count: listGridManagerEntries(parseTahoeCfg(newText)).length,
      };
    });
    if (result.sameKey.length > 0) {
      printWarning(
        `${key} is also listed as ${result.sameKey.join(", ")}; ` +
          `remove the name you do not want with "grid-manager remove-grid-manager"`,
      );
    }
    if (!result.changed) {
      printMessage(
        `Grid Manager ${
          JSON.stringify(name)
        } is already ${key}; nothing changed`,
      );
      return ExitCode.ok;
    }
    printMessage(
      `added Grid Manager ${
        JSON.stringify(name)
      } (${key}); the client now uploads only to ` +
        `servers with a valid certificate from ${
          result.count === 1
            ? "its Grid Manager"
            : `one of its ${result.count} Grid Managers`
        }`,
    );
    printMessage(RESTART);
    return ExitCode.ok;
  },
};

const listGridManagers: Command = {
  name: "list-grid-managers",
  usage: "",
  summary: "List the Grid Managers a client trusts",
  options: { "node-directory": NODE_DIRECTORY_OPTION, json: JSON_OPTION },
  arguments: { min: 0, max: 0 },
  run({ options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const managers = listGridManagerEntries(
      parseTahoeCfg(readCfg(directory)),
    ).map((entry) => {
      try {
        normalizePublicKey(entry.value);
        return { name: entry.name, public_key: entry.value, valid: true };
      } catch (error) {
        if (!(error instanceof GridManagerError)) throw error;
        return {
          name: entry.name,
          public_key: entry.value,
          valid: false,
          error: error.message,
        };
      }
    });
    if (options.json) {
      writeStdout(
        JSON.stringify({ grid_managers: managers }, null, 2) + "\n",
      );
      return ExitCode.ok;
    }
    writeStdout(
      managers.map((manager) =>
        `${manager.name}: ${manager.public_key}${
          manager.valid ? "" : ` (invalid: ${manager.error})`
        }\n`
      ).join(""),
    );
    if (managers.length === 0) {
      printMessage(
        `${
          cfgPath(directory)
        } lists no Grid Manager, so this client uploads to every server`,
      );
    }
    return ExitCode.ok;
  },
};

const removeGridManager: Command = {
  name: "remove-grid-manager",
  usage: "NAME",
  summary: "Stop trusting a Grid Manager on a client",
  description:
    "Removes NAME from [grid_managers]; the section goes with its last entry.",
  options: { "node-directory": NODE_DIRECTORY_OPTION },
  arguments: { min: 1, max: 1 },
  async run({ args, options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const name = args[0]!;
    const result = await withNode(directory, () => {
      const removed = removeGridManagerEntry(readCfg(directory), name);
      writeCfg(directory, removed.text);
      return removed;
    });
    printMessage(
      `removed Grid Manager ${JSON.stringify(name)} (${result.value}); ` +
        `${countOf(result.remaining, "Grid Manager")} ${
          result.remaining === 1 ? "remains" : "remain"
        }`,
    );
    if (result.remaining === 0) {
      printWarning(
        "no Grid Manager remains, so after a restart this client uploads to any server again",
      );
    }
    printMessage(RESTART);
    return ExitCode.ok;
  },
};

function formatFinding(finding: Finding): string {
  return `${finding.severity}: ${finding.message}\n`;
}

const check: Command = {
  name: "check",
  usage: "",
  summary: "Check a node's tahoe.cfg, certificates and Grid Manager keys",
  description:
    "Prints one line per finding: fatal (Tahoe will not start), problem (the node will not\n" +
    "behave as expected) or warning. Exits with 1 when there is a fatal finding or a problem.",
  options: { "node-directory": NODE_DIRECTORY_OPTION, json: JSON_OPTION },
  arguments: { min: 0, max: 0 },
  run({ options }) {
    const directory = nodeDirectory(options["node-directory"]);
    const findings: Finding[] = [];
    const nodeKey = readNodeKey(directory);
    // Tahoe does not read node.pubkey, so the node still starts; a node
    // that never started has no key yet, which is normal.
    for (const message of nodeKey.neverStarted ? [] : nodeKey.warnings) {
      findings.push({ severity: "warning", message });
    }
    const nodePublicKey = nodeKey.key;
    findings.push(...checkNode({
      cfgText: readCfgIfPresent(directory),
      nodeType: readNodeType(directory),
      nodePublicKey,
      readCertificate: (path) => readCertificateFile(directory, path),
      now: nowMicros(),
    }));
    if (options.json) {
      writeStdout(JSON.stringify({ findings }, null, 2) + "\n");
    } else {
      // Findings quote certificates and tahoe.cfg values.
      writeStdout(escapeForTerminal(findings.map(formatFinding).join("")));
    }
    const failed = findings.some((finding) => finding.severity !== "warning");
    if (findings.length === 0) {
      printMessage(`no problems found in ${directory}`);
    }
    return failed ? ExitCode.failure : ExitCode.ok;
  },
};

/** The node commands, in the order help lists them. */
export const nodeCommands: readonly Command[] = [
  addGridManagerCert,
  listGridManagerCerts,
  removeGridManagerCert,
  addGridManager,
  listGridManagers,
  removeGridManager,
  check,
];
