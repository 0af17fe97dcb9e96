/**
 * The hostile input corpus: malformed Grid Manager configs and certificate
 * documents, each with the outcome the command line must give.
 *
 * A family is a list of inputs plus how to feed one to the program. Raw
 * byte cases (invalid UTF-8, BOMs, binary junk) are files under
 * `tests/hostile/FAMILY/`; the rest are mutations of a valid document,
 * generated here. To add a family, add a `Family` to `FAMILIES` below.
 *
 * @module
 */

import { join } from "node:path";
import { encodeBase32 } from "../../lib/base32.ts";
import { signCertificate } from "../../lib/certificate.ts";
import { publicKeyFromSeed } from "../../lib/ed25519.ts";
import { encodePrivateKey, encodePublicKey } from "../../lib/keys.ts";
import { dumpPythonJson, type JsonValue } from "../../lib/python_json.ts";
import { ROOT } from "../helpers.ts";

/** One malformed input. */
export interface HostileCase {
  /** Short identifier, unique within its family. */
  readonly name: string;
  /** The bytes given to the program. */
  readonly input: Uint8Array;
}

/** How a family's inputs reach the program and what it must return. */
export interface Family {
  /** Family name; also the folder of its raw files. */
  readonly name: string;
  /** The inputs. */
  readonly cases: readonly HostileCase[];
  /**
   * Writes what a case needs into `directory` (a fresh, empty Grid Manager
   * directory holder) and returns the command line and stdin to run.
   */
  prepare(
    directory: string,
    input: Uint8Array,
    index: number,
  ): { args: string[]; stdin?: Uint8Array };
  /**
   * Checks the outcome beyond the rules every case shares. Returns a
   * problem description, or undefined when the outcome is right.
   */
  check?(result: { code: number; stdout: string; stderr: string }):
    | string
    | undefined;
  /** Exit code the program must return. */
  readonly exitCode: number;
  /** Exit code for a case whose documented outcome differs from the rest. */
  exitCodeFor?(name: string): number | undefined;
  /**
   * Whether a failure may be reported on stdout alone (`check`, `status`):
   * then stderr may also be empty, and every stdout line must be one
   * finding, problem or report line.
   */
  readonly reportsOnStdout?: boolean;
}

const encoder = new TextEncoder();

function seedOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** The Grid Manager seed every config case is built around. */
export const GRID_MANAGER_SEED = seedOf(1);
/** Its private key string; must never show up in the program's output. */
export const PRIVATE_KEY = encodePrivateKey(GRID_MANAGER_SEED);
/** A registered storage server's key. */
export const SERVER_KEY = encodePublicKey(publicKeyFromSeed(seedOf(2)));
const SERVER_BASE32 = SERVER_KEY.slice("pub-v0-".length);
const PRIVATE_BASE32 = PRIVATE_KEY.slice("priv-v0-".length);

/** Formats a config object the way Tahoe writes config.json. */
function configText(value: JsonValue): string {
  return dumpPythonJson(value, { indent: 4 }) + "\n";
}

/** A valid config with one server "s1", as a mutable object. */
export function validConfig(): Record<string, JsonValue> {
  return {
    grid_manager_config_version: 0,
    private_key: PRIVATE_KEY,
    storage_servers: { s1: { public_key: SERVER_KEY } },
  };
}

/** Replaces character `index` of `text` (negative counts from the end). */
function replaceAt(text: string, index: number, char: string): string {
  const at = index < 0 ? text.length + index : index;
  return text.slice(0, at) + char + text.slice(at + 1);
}

/** Bad values for a key field, given the valid key and its prefix. */
function badKeys(valid: string, prefix: string): Record<string, JsonValue> {
  const body = valid.slice(prefix.length);
  return {
    "empty": "",
    "prefix-only": prefix,
    "upper-case": valid.toUpperCase(),
    "upper-case-body": prefix + body.toUpperCase(),
    "leading-space": " " + valid,
    "trailing-newline": valid + "\n",
    "inner-space": prefix + body.slice(0, 20) + " " + body.slice(20),
    "padding": valid + "====",
    "truncated-1": valid.slice(0, -1),
    "truncated-2": valid.slice(0, -2),
    "truncated-10": valid.slice(0, -10),
    "extra-char": valid + "a",
    "extra-8-chars": valid + "aaaaaaaa",
    "bad-last-char": replaceAt(valid, -1, "r"),
    "digit-1": replaceAt(valid, -5, "1"),
    "digit-8": replaceAt(valid, -5, "8"),
    "digit-0": replaceAt(valid, -5, "0"),
    "wrong-version": valid.replace("-v0-", "-v1-"),
    "no-version": prefix.replace("v0-", "") + body,
    "nul-inside": prefix + body.slice(0, 10) + "\u0000" + body.slice(11),
    "non-ascii": replaceAt(valid, -5, "\u00e9"),
    "fullwidth-digit": replaceAt(valid, -5, "\uff12"),
    "hex-instead": prefix + "00".repeat(32),
    "31-bytes": prefix + encodeBase32(new Uint8Array(31).fill(7)),
    "33-bytes": prefix + encodeBase32(new Uint8Array(33).fill(7)),
    "64-bytes": prefix + encodeBase32(new Uint8Array(64).fill(7)),
    "huge": prefix + "a".repeat(1_000_000),
    "number": 12345,
    "null": null,
    "true": true,
    "array": [valid],
    "object": { key: valid },
  };
}

function configCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, text: string) =>
    cases.push({ name, input: encoder.encode(text) });
  const mutate = (
    name: string,
    change: (c: Record<string, JsonValue>) => void,
  ) => {
    const config = validConfig();
    change(config);
    add(name, configText(config));
  };

  // Not a JSON object at all.
  for (
    const [name, text] of Object.entries({
      "null": "null",
      "array": "[]",
      "number": "0",
      "string": '"config"',
      "true": "true",
      "empty-object": "{}",
      "whitespace": "   \n\t  ",
      "trailing-garbage": configText(validConfig()) + "x",
      "trailing-comma": configText(validConfig()).replace(/\n}\n$/, ",\n}\n"),
      "truncated-half": configText(validConfig()).slice(0, 60),
      "truncated-last-brace": configText(validConfig()).slice(0, -2),
      "single-quotes": configText(validConfig()).replaceAll('"', "'"),
      "comment": "// config\n" + configText(validConfig()),
      "python-repr": "{'grid_manager_config_version': 0}",
      "typo-near-key": configText(validConfig()).replace(
        '"storage_servers"',
        "storage_servers",
      ),
      "unquoted-key-value": configText(validConfig()).replace(
        `"${PRIVATE_KEY}"`,
        PRIVATE_KEY,
      ),
      "bare-word-after-key": configText(validConfig()).replace(
        /\n}\n$/,
        ',\n    "x": tru\n}\n',
      ),
      "control-char-in-key": configText(validConfig()).replace(
        PRIVATE_KEY,
        PRIVATE_KEY.slice(0, 20) + "\u0001" + PRIVATE_KEY.slice(21),
      ),
      "bad-escape": configText(validConfig()).replace(
        "priv-v0-",
        "priv-v0-\\q",
      ),
      "lone-surrogate-escape": configText(validConfig()).replace(
        '"s1"',
        '"\\ud800"',
      ),
      "deep-array": "[".repeat(100_000) + "]".repeat(100_000),
      "deep-object-unclosed": '{"a":'.repeat(100_000),
      "deep-in-servers": configText(validConfig()).replace(
        `{\n            "public_key": "${SERVER_KEY}"\n        }`,
        '{"public_key":' + "[".repeat(50_000) + "]".repeat(50_000) + "}",
      ),
      "huge-whitespace-then-junk": " ".repeat(5_000_000) + "x",
      "many-keys-no-version": "{" +
        Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(",") +
        "}",
      "nan": configText(validConfig()).replace(
        '"grid_manager_config_version": 0',
        '"grid_manager_config_version": NaN',
      ),
      "infinity": configText(validConfig()).replace(
        '"grid_manager_config_version": 0',
        '"grid_manager_config_version": 1e400',
      ),
      "hex-number": configText(validConfig()).replace(
        '"grid_manager_config_version": 0',
        '"grid_manager_config_version": 0x0',
      ),
      "leading-zero": configText(validConfig()).replace(
        '"grid_manager_config_version": 0',
        '"grid_manager_config_version": 00',
      ),
    })
  ) add(name, text);

  // Wrong or missing version.
  for (
    const [name, version] of Object.entries({
      "missing": undefined,
      "one": 1,
      "minus-one": -1,
      "string-zero": "0",
      "null": null,
      "true": true,
      "array": [0],
      "object": { version: 0 },
      "big": 2 ** 53,
    })
  ) {
    mutate(`version-${name}`, (config) => {
      if (version === undefined) delete config.grid_manager_config_version;
      else config.grid_manager_config_version = version as JsonValue;
    });
  }

  // Bad private keys.
  mutate("private-key-missing", (config) => delete config.private_key);
  for (const [name, key] of Object.entries(badKeys(PRIVATE_KEY, "priv-v0-"))) {
    mutate(`private-key-${name}`, (config) => config.private_key = key);
  }
  mutate("private-key-is-public", (config) => {
    config.private_key = "pub-v0-" + PRIVATE_BASE32;
  });

  // Bad storage_servers containers and entries.
  for (
    const [name, value] of Object.entries({
      "null": null,
      "array": [{ public_key: SERVER_KEY }],
      "string": "s1",
      "number": 1,
      "true": true,
    })
  ) {
    mutate(`servers-${name}`, (config) => config.storage_servers = value);
  }
  const entries: Record<string, JsonValue> = {
    "null": null,
    "string": SERVER_KEY,
    "array": [SERVER_KEY],
    "empty-object": {},
    "key-null": { public_key: null },
    "key-number": { public_key: 7 },
    "key-array": { public_key: [SERVER_KEY] },
    "key-misspelled": { publickey: SERVER_KEY },
    "server-id-not-key": { public_key: "v0-" + SERVER_BASE32 },
    "private-key-as-key": { public_key: PRIVATE_KEY },
  };
  for (const [name, entry] of Object.entries(entries)) {
    mutate(`server-entry-${name}`, (config) => {
      config.storage_servers = { s1: entry };
    });
  }
  for (const [name, key] of Object.entries(badKeys(SERVER_KEY, "pub-v0-"))) {
    if (typeof key !== "string") continue;
    mutate(`server-key-${name}`, (config) => {
      config.storage_servers = { s1: { public_key: key } };
    });
  }

  // Names that are paths or break the files they go into.
  for (
    const [name, serverName] of Object.entries({
      "empty": "",
      "dot": ".",
      "dot-dot": "..",
      "parent-path": "../outside",
      "absolute-path": "/etc/passwd",
      "slash": "a/b",
      "backslash": "a\\b",
      "nul": "a\u0000b",
      "newline": "a\nb",
      "carriage-return": "a\rb",
      "escape-sequence": "\u001b[31mred",
      "delete-char": "a\u007f",
      "tab": "a\tb",
      "temporary-file-prefix": ".grid-manager-tmp-1-abcdef12-x",
      "lone-surrogate": "a\ud800",
    })
  ) {
    mutate(`server-name-${name}`, (config) => {
      config.storage_servers = {
        ok: { public_key: SERVER_KEY },
        [serverName]: { public_key: SERVER_KEY },
      };
    });
  }
  return cases;
}

/** Reads the raw byte cases of a family from `tests/hostile/FAMILY/`. */
function rawCases(family: string): HostileCase[] {
  const folder = join(ROOT, "tests", "hostile", family);
  return [...Deno.readDirSync(folder)]
    .filter((entry) => entry.isFile)
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name: `file-${name}`,
      input: Deno.readFileSync(join(folder, name)),
    }));
}

/** The Grid Manager directory name inside a case's temporary directory. */
export const GM_DIRECTORY = "gm";

/** Writes a Grid Manager directory whose config.json is `config`. */
function writeGridManager(directory: string, config: Uint8Array): string {
  const gm = join(directory, GM_DIRECTORY);
  Deno.mkdirSync(gm, { mode: 0o700 });
  Deno.chmodSync(gm, 0o700);
  const path = join(gm, "config.json");
  Deno.writeFileSync(path, config, { mode: 0o600 });
  Deno.chmodSync(path, 0o600);
  return gm;
}

// Every Grid Manager command loads the config; the cases take turns.
const CONFIG_COMMANDS = [
  ["public-identity"],
  ["list"],
  ["list", "--json"],
  ["add", "s2", SERVER_KEY],
  ["remove", "s1"],
  ["sign", "s1", "10"],
  ["renew", "--within", "20", "--days", "30"],
];

function expectOneLine(
  result: { stdout: string; stderr: string },
): string | undefined {
  if (result.stdout !== "") return `stdout is not empty: ${result.stdout}`;
  return undefined;
}

const configFileFamily: Family = {
  name: "config",
  cases: [...configCases(), ...rawCases("config")],
  exitCode: 1,
  prepare(directory, input, index) {
    const gm = writeGridManager(directory, input);
    const command = CONFIG_COMMANDS[index % CONFIG_COMMANDS.length]!;
    return { args: ["--config", gm, ...command] };
  },
  check: expectOneLine,
};

const configStdinFamily: Family = {
  name: "config-stdin",
  cases: configFileFamily.cases,
  exitCode: 1,
  prepare(_directory, input, index) {
    const command = CONFIG_COMMANDS[index % CONFIG_COMMANDS.length]!;
    return { args: ["--config", "-", ...command], stdin: input };
  },
  check: expectOneLine,
};

/** Base32 of `byte` repeated to a signature of `length` bytes. */
function fakeSignature(length: number): string {
  return encodeBase32(new Uint8Array(length).fill(9));
}

function certificateCases(): HostileCase[] {
  const document = signCertificate(
    GRID_MANAGER_SEED,
    SERVER_KEY,
    Date.UTC(2030, 0, 1) * 1000,
  );
  const cases: HostileCase[] = [];
  const add = (name: string, value: JsonValue | string) =>
    cases.push({
      name,
      input: encoder.encode(
        typeof value === "string"
          ? value
          : dumpPythonJson(value, { indent: 4 }),
      ),
    });
  const withPayload = (payload: JsonValue) =>
    ({
      certificate: typeof payload === "string"
        ? payload
        : dumpPythonJson(payload, { compact: true, sortKeys: true }),
      signature: document.signature,
    }) satisfies JsonValue;
  const payload = {
    expires: "2030-01-01T00:00:00+00:00",
    public_key: SERVER_KEY,
    version: 1,
  };

  // The document.
  add("not-json", "certificate");
  add("null", null);
  add("array", [document.certificate, document.signature]);
  add("string", document.certificate);
  add("number", 1);
  add("empty-object", {});
  add("extra-key", { ...document, comment: "hi" });
  add("extra-key-version", { ...document, version: 1 });
  add("missing-signature", { certificate: document.certificate });
  add("missing-certificate", { signature: document.signature });
  add("renamed-key", {
    cert: document.certificate,
    signature: document.signature,
  });
  add("certificate-object", {
    certificate: payload,
    signature: document.signature,
  });
  add("certificate-null", { certificate: null, signature: document.signature });
  add("signature-null", { certificate: document.certificate, signature: null });
  add("signature-number", { certificate: document.certificate, signature: 5 });
  add("signature-array", { certificate: document.certificate, signature: [] });
  add("truncated-json", JSON.stringify(document).slice(0, -5));
  add("trailing-garbage", JSON.stringify(document) + "}");
  add("bare-word", JSON.stringify(document).replace(/}$/, ', "x": nul}'));
  add("deep-array", "[".repeat(100_000) + "]".repeat(100_000));

  // The signature.
  const sig = document.signature;
  for (
    const [name, signature] of Object.entries({
      "empty": "",
      "upper-case": sig.toUpperCase(),
      "padding": sig + "======",
      "truncated-1": sig.slice(0, -1),
      "truncated-2": sig.slice(0, -2),
      "truncated-half": sig.slice(0, 52),
      "extra-char": sig + "a",
      "bad-last-char": replaceAt(sig, -1, "z"),
      "digit-1": replaceAt(sig, 10, "1"),
      "space": replaceAt(sig, 10, " "),
      "63-bytes": fakeSignature(63),
      "65-bytes": fakeSignature(65),
      "32-bytes": fakeSignature(32),
      "hex": "ab".repeat(64),
      "non-ascii": replaceAt(sig, 10, "\u00e9"),
    })
  ) add(`signature-${name}`, { certificate: document.certificate, signature });

  // The signed payload.
  add("payload-not-json", withPayload("not json"));
  add("payload-not-json-lines", withPayload("not\njson\n" + SERVER_KEY));
  add("payload-array", withPayload([1]));
  add("payload-null", withPayload(null));
  add("payload-empty", withPayload({}));
  for (
    const [name, version] of Object.entries({
      "2": 2,
      "0": 0,
      "string": "1",
      "null": null,
      "true": true,
    })
  ) add(`payload-version-${name}`, withPayload({ ...payload, version }));
  const { version: _version, ...noVersion } = payload;
  add("payload-version-missing", withPayload(noVersion));
  const { expires: _expires, ...noExpires } = payload;
  add("payload-expires-missing", withPayload(noExpires));
  const { public_key: _key, ...noKey } = payload;
  add("payload-key-missing", withPayload(noKey));
  add("payload-key-number", withPayload({ ...payload, public_key: 1 }));
  add("payload-key-null", withPayload({ ...payload, public_key: null }));
  for (
    const [name, expires] of Object.entries({
      "naive": "2030-01-01T00:00:00",
      "naive-fraction": "2030-01-01T00:00:00.123456",
      "date-only": "2030-01-01",
      "epoch-number-string": "1893456000",
      "empty": "",
      "month-13": "2030-13-01T00:00:00+00:00",
      "february-30": "2030-02-30T00:00:00+00:00",
      "hour-24": "2030-01-01T24:00:00+00:00",
      "minute-60": "2030-01-01T00:60:00+00:00",
      "offset-24h": "2030-01-01T00:00:00+24:00",
      // Python 3.11 reads "+0000" and 7 fraction digits, so these mix
      // forms that no Python reads.
      "offset-mixed-colons": "2030-01-01T00:00:00+00:0000",
      "year-0": "0000-01-01T00:00:00+00:00",
      "year-5-digits": "12030-01-01T00:00:00+00:00",
      "fraction-letter": "2030-01-01T00:00:00.12x+00:00",
      "lower-z": "2030-01-01T00:00:00z",
      "words": "next tuesday",
    })
  ) add(`payload-expires-${name}`, withPayload({ ...payload, expires }));
  add(
    "payload-expires-number",
    withPayload({ ...payload, expires: 1893456000 }),
  );
  add("payload-expires-null", withPayload({ ...payload, expires: null }));
  return cases;
}

/** Writes a Grid Manager with server s1 and `certificate` as s1.cert.0. */
const certificateFileFamily: Family = {
  name: "certificate",
  cases: [...certificateCases(), ...rawCases("certificate")],
  exitCode: 0,
  prepare(directory, input) {
    const gm = writeGridManager(
      directory,
      encoder.encode(configText(validConfig())),
    );
    Deno.writeFileSync(join(gm, "s1.cert.0"), input, { mode: 0o644 });
    return { args: ["--config", gm, "list"] };
  },
  check(result) {
    const lines = result.stdout.split("\n");
    if (result.stderr !== "") return `stderr is not empty: ${result.stderr}`;
    if (lines.length !== 3 || lines[2] !== "") {
      return `expected 2 lines on stdout, got ${JSON.stringify(result.stdout)}`;
    }
    if (!/^ {2}\s*cert 0: unreadable: \S/.test(lines[1]!)) {
      return `certificate line does not say unreadable: ${lines[1]}`;
    }
    return undefined;
  },
};

/** config.json replaced by something that is not a regular file. */
const configFileKindFamily: Family = {
  name: "config-file-kind",
  cases: ["fifo", "directory", "dev-zero", "dangling-symlink", "missing"]
    .map((name) => ({ name, input: encoder.encode(name) })),
  exitCode: 1,
  prepare(directory, input, index) {
    const gm = join(directory, GM_DIRECTORY);
    Deno.mkdirSync(gm, { mode: 0o700 });
    const path = join(gm, "config.json");
    const kind = new TextDecoder().decode(input);
    if (kind === "fifo") {
      new Deno.Command("mkfifo", { args: [path] }).outputSync();
    } else if (kind === "directory") Deno.mkdirSync(path);
    else if (kind === "dev-zero") Deno.symlinkSync("/dev/zero", path);
    else if (kind === "dangling-symlink") {
      Deno.symlinkSync(join(gm, "nowhere"), path);
    }
    const command = CONFIG_COMMANDS[index % CONFIG_COMMANDS.length]!;
    return { args: ["--config", gm, ...command] };
  },
  check: expectOneLine,
};

function expectNoStdout(
  result: { stdout: string },
): string | undefined {
  if (result.stdout !== "") return `stdout is not empty: ${result.stdout}`;
  return undefined;
}

/** The certificate inputs, decoded by `inspect` from stdin. */
const inspectFamily: Family = {
  name: "certificate-inspect",
  cases: certificateFileFamily.cases,
  exitCode: 1,
  // Tahoe 1.20 does not check the version, so inspect decodes such a
  // certificate and adds a note instead of failing.
  exitCodeFor: (name) => name.startsWith("payload-version-") ? 0 : undefined,
  prepare(_directory, input) {
    return { args: ["inspect", "-"], stdin: input };
  },
  check(result) {
    if (result.code === 0) {
      return /^note: version .*does not check the version/m.test(result.stdout)
        ? undefined
        : `no version note on stdout: ${result.stdout}`;
    }
    return expectNoStdout(result);
  },
};

/** The certificate inputs, checked by `verify` from stdin. */
const verifyFamily: Family = {
  name: "certificate-verify",
  cases: certificateFileFamily.cases,
  exitCode: 1,
  prepare(_directory, input) {
    return {
      args: [
        "verify",
        "-",
        "--grid-manager",
        encodePublicKey(publicKeyFromSeed(GRID_MANAGER_SEED)),
      ],
      stdin: input,
    };
  },
  check: expectNoStdout,
};

/** A storage node whose node.pubkey is the certified server key. */
function writeStorageNode(directory: string): string {
  const node = join(directory, "node");
  Deno.mkdirSync(node);
  Deno.writeTextFileSync(
    join(node, "tahoe.cfg"),
    "[node]\nnickname = storage\n\n[storage]\nenabled = true\n",
  );
  Deno.writeTextFileSync(join(node, "node.pubkey"), SERVER_KEY + "\n");
  return node;
}

/** The certificate inputs, installed with `add-grid-manager-cert`. */
const addCertificateFamily: Family = {
  name: "certificate-add",
  cases: certificateFileFamily.cases,
  exitCode: 1,
  prepare(directory, input) {
    const node = writeStorageNode(directory);
    return {
      args: ["-d", node, "add-grid-manager-cert", "--name", "gm"],
      stdin: input,
    };
  },
  check: expectNoStdout,
};

// ---------------------------------------------------------------------------
// tahoe.cfg, fed to every node command and to status.

const bytesOf = (...parts: (string | number[])[]): Uint8Array => {
  const chunks = parts.map((part) =>
    typeof part === "string" ? encoder.encode(part) : new Uint8Array(part)
  );
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
};

/** Sections every node command and status read, so a bad default hits all. */
const ALL_SECTIONS =
  "[storage]\nenabled = true\n[client]\n[grid_managers]\n[grid_manager_certificates]\n";

/** Deterministic pseudo-random bytes. */
function junk(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/**
 * tahoe.cfg inputs that no node command can use. Names starting with
 * `valid-` are files Tahoe reads (a lone byte order mark is an empty
 * config); only the read-only commands get those.
 */
function tahoeCfgCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, ...parts: (string | number[])[]) =>
    cases.push({ name, input: bytesOf(...parts) });
  add("binary-junk", [...junk(4096, 6)]);
  add("binary-junk-after-header", "[node]\n", [...junk(512, 7)]);
  add("invalid-utf8-ff", "[node]\nnickname = ", [0xff], "\n");
  add("invalid-utf8-overlong", "[node]\nnickname = ", [0xc0, 0xaf], "\n");
  add("invalid-utf8-surrogate", "[node]\nnickname = ", [0xed, 0xa0, 0x80]);
  add("invalid-utf8-truncated", "[node]\nnickname = ", [0xe2, 0x82]);
  add("latin1", "[node]\nnickname = caf", [0xe9], "\n");
  add("utf16le-bom", [0xff, 0xfe, ...encodeUtf16("[node]\nnickname = x\n")]);
  add("utf16le-no-bom", [...encodeUtf16("[node]\nnickname = x\n")]);
  add("nul-bytes-only", [0, 0, 0, 0]);
  add("nul-line", "[node]\nnickname = x\n", [0, 0], "\n");
  add("double-bom", "\ufeff\ufeff[node]\n");
  add("continuation-first", "   continued = x\n[node]\n");
  add("continuation-after-header", "[node]\n    more text\n");
  add("continuation-then-junk", "[node]\nnickname = a\n  b\nc\n");
  add("header-without-bracket", "[node\nnickname = x\n");
  add("header-without-bracket-later", "[node]\n[storage\nenabled = true\n");
  add("empty-header", "[]\nnickname = x\n");
  add("option-before-section", "nickname = x\n[node]\n");
  add("option-without-name", "[node]\n= value\n");
  add("option-without-separator", "[node]\njust words\n");
  add("percent-alone", "[DEFAULT]\nbad = 100%\n" + ALL_SECTIONS);
  add(
    "percent-missing-reference",
    "[DEFAULT]\nbad = %(missing)s\n" + ALL_SECTIONS,
  );
  add("percent-loop", "[DEFAULT]\nbad = %(bad)s\n" + ALL_SECTIONS);
  add("percent-letter", "[DEFAULT]\nbad = %z\n" + ALL_SECTIONS);
  add("percent-format-d", "[DEFAULT]\nbad = %(x)d\nx = 1\n" + ALL_SECTIONS);
  add("percent-open-paren", "[DEFAULT]\nbad = %(\n" + ALL_SECTIONS);
  add("enormous-line", "[node]\n" + "a".repeat(5_000_000) + "\n");
  add("enormous-header", "[" + "n".repeat(3_000_000) + "\n");
  add("valid-lone-bom", "\ufeff");
  add(
    "valid-enormous-value",
    "[node]\nnickname = " + "v".repeat(5_000_000) + "\n",
  );
  return cases;
}

function encodeUtf16(text: string): number[] {
  return [...text].flatMap((char) => [char.charCodeAt(0), 0]);
}

/** A certificate for SERVER_KEY from the Grid Manager, valid until 2100. */
const NODE_CERTIFICATE = dumpPythonJson({
  ...signCertificate(
    GRID_MANAGER_SEED,
    SERVER_KEY,
    Date.UTC(2100, 0, 1) * 1000,
  ),
}) + "\n";

/** Writes a node directory with `cfg` as tahoe.cfg (or of another kind). */
function writeNode(directory: string, cfg: Uint8Array | string): string {
  const node = join(directory, "node");
  Deno.mkdirSync(join(node, "private"), { recursive: true });
  Deno.writeTextFileSync(join(node, "node.pubkey"), SERVER_KEY + "\n");
  const path = join(node, "tahoe.cfg");
  if (typeof cfg !== "string") Deno.writeFileSync(path, cfg);
  else if (cfg === "fifo") {
    new Deno.Command("mkfifo", { args: [path] }).outputSync();
  } else if (cfg === "directory") Deno.mkdirSync(path);
  else if (cfg === "dev-zero") Deno.symlinkSync("/dev/zero", path);
  else if (cfg === "dangling-symlink") {
    Deno.symlinkSync(join(node, "nowhere"), path);
  }
  return node;
}

/** The command lines that read tahoe.cfg, and whether they only read. */
const NODE_COMMANDS: {
  name: string;
  args: string[];
  stdin?: string;
  readOnly: boolean;
  exitCodeIfValid?: number;
}[] = [
  {
    name: "add-grid-manager-cert",
    args: ["add-grid-manager-cert", "--name", "default"],
    stdin: NODE_CERTIFICATE,
    readOnly: false,
  },
  {
    name: "add-grid-manager",
    args: [
      "add-grid-manager",
      encodePublicKey(publicKeyFromSeed(GRID_MANAGER_SEED)),
    ],
    readOnly: false,
  },
  {
    name: "remove-grid-manager-cert",
    args: ["remove-grid-manager-cert", "default"],
    readOnly: false,
  },
  {
    name: "remove-grid-manager",
    args: ["remove-grid-manager", "default"],
    readOnly: false,
  },
  {
    name: "list-grid-manager-certs",
    args: ["list-grid-manager-certs"],
    readOnly: true,
    exitCodeIfValid: 0,
  },
  {
    name: "list-grid-managers",
    args: ["list-grid-managers", "--json"],
    readOnly: true,
    exitCodeIfValid: 0,
  },
  { name: "check", args: ["check"], readOnly: true, exitCodeIfValid: 0 },
  // With no server known, status reports that uploads cannot succeed.
  { name: "status", args: ["status"], readOnly: true, exitCodeIfValid: 1 },
];

/** Checks that stdout holds only report lines of check or status. */
function expectReportLines(
  result: { code: number; stdout: string; stderr: string },
): string | undefined {
  for (const line of result.stdout.split("\n")) {
    if (line.length > 2_000) {
      return `stdout line of ${line.length} characters: ${line.slice(0, 80)}`;
    }
  }
  if (result.code !== 0 && result.stdout === "" && result.stderr === "") {
    return "failed without saying why";
  }
  return undefined;
}

const TAHOE_CFG_CASES = tahoeCfgCases();

function nodeFamilies(
  prefix: string,
  cases: readonly HostileCase[],
  write: (directory: string, input: Uint8Array) => string,
): Family[] {
  return NODE_COMMANDS.map((command) => ({
    name: `${prefix}-${command.name}`,
    cases: cases.filter((c) =>
      command.readOnly || !c.name.startsWith("valid-")
    ),
    exitCode: 1,
    exitCodeFor: (name: string) =>
      name.startsWith("valid-") ? command.exitCodeIfValid : undefined,
    reportsOnStdout: command.name === "check" || command.name === "status",
    prepare(directory: string, input: Uint8Array) {
      const node = write(directory, input);
      return {
        args: ["-d", node, ...command.args],
        stdin: command.stdin === undefined
          ? undefined
          : encoder.encode(command.stdin),
      };
    },
    check: command.name === "check" || command.name === "status"
      ? expectReportLines
      : command.readOnly
      ? undefined
      : expectNoStdout,
  }));
}

const tahoeCfgFamilies = nodeFamilies(
  "tahoe-cfg",
  TAHOE_CFG_CASES,
  (directory, input) => writeNode(directory, input),
);

/** tahoe.cfg replaced by something that is not a regular file. */
const tahoeCfgKindFamilies = nodeFamilies(
  "tahoe-cfg-kind",
  ["fifo", "directory", "dev-zero", "dangling-symlink"].map((name) => ({
    name,
    input: encoder.encode(name),
  })),
  (directory, input) => writeNode(directory, new TextDecoder().decode(input)),
);

/** A storage node whose one certificate file is not a regular file. */
function certificateKindFamily(
  command: string,
  exitCode: number,
): Family {
  return {
    name: `certificate-kind-${command}`,
    cases: ["fifo", "directory", "dev-zero"].map((name) => ({
      name,
      input: encoder.encode(name),
    })),
    exitCode,
    reportsOnStdout: command === "check",
    prepare(directory, input) {
      const node = writeNode(
        directory,
        encoder.encode(
          "[storage]\ngrid_management = true\n" +
            "[grid_manager_certificates]\ndefault = default.cert\n",
        ),
      );
      const path = join(node, "default.cert");
      const kind = new TextDecoder().decode(input);
      if (kind === "fifo") {
        new Deno.Command("mkfifo", { args: [path] }).outputSync();
      } else if (kind === "directory") Deno.mkdirSync(path);
      else Deno.symlinkSync("/dev/zero", path);
      return { args: ["-d", node, command] };
    },
    check(result) {
      return /not a regular file|is a directory/.test(result.stdout)
        ? undefined
        : `stdout does not name the file: ${result.stdout}`;
    },
  };
}

// ---------------------------------------------------------------------------
// Announcement caches and servers.yaml, read by status.

const SERVER_ID = "v0-" + SERVER_BASE32;
const CERTIFICATE_YAML =
  `{certificate: '${NODE_CERTIFICATE_DOCUMENT().certificate}', signature: ${NODE_CERTIFICATE_DOCUMENT().signature}}`;

function NODE_CERTIFICATE_DOCUMENT() {
  return signCertificate(
    GRID_MANAGER_SEED,
    SERVER_KEY,
    Date.UTC(2100, 0, 1) * 1000,
  );
}

/** One valid cache entry, with `ann` fields replaced by `fields`. */
function cacheEntry(fields: string): string {
  return `- ann: {service-name: storage, nickname: s1, seqnum: 1, ` +
    `anonymous-storage-FURL: 'pb://x@tcp:127.0.0.1:1/y'${fields}}\n  key_s: ${SERVER_ID}\n`;
}

/** YAML every reader must survive: junk, bombs, and odd but valid YAML. */
function yamlCases(kind: "cache" | "servers"): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (name: string, ...parts: (string | number[])[]) =>
    cases.push({ name, input: bytesOf(...parts) });
  add("binary-junk", [...junk(4096, 8)]);
  add("invalid-utf8", "- ann: {nickname: ", [0xff, 0xfe], "}\n");
  add("utf16le-bom", [0xff, 0xfe, ...encodeUtf16("- a\n")]);
  add("nul-bytes", [0, 0, 0]);
  add("not-yaml-braces", "{{{{");
  add("not-yaml-unclosed-list", "- [a, b\n- c\n");
  add("not-yaml-tab-indent", "storage:\n\tv0-x: 1\n");
  add("not-yaml-bad-indent", "- a\n  - b\n - c\n");
  add("not-yaml-json-junk", '{"a": }');
  add("multiple-documents", "--- []\n--- []\n");
  add("python-tag", "!!python/object/apply:os.system ['true']\n");
  add("unknown-tag", "!custom 1\n");
  add("undefined-alias", "- *nowhere\n");
  add(
    "billion-laughs",
    "a: &a [x, x, x, x, x, x, x, x, x]\n" +
      Array.from(
        { length: 9 },
        (_, i) =>
          `${"bcdefghij"[i]}: &${"bcdefghij"[i]} [${
            Array(9).fill("*" + "abcdefghi"[i]).join(", ")
          }]\n`,
      ).join("") +
      (kind === "cache"
        ? ""
        : "storage: {" + SERVER_ID + ": {ann: {nickname: *j}}}\n"),
  );
  add("self-reference", "&a [*a]\n");
  add("deep-lists", "[".repeat(100_000) + "]".repeat(100_000));
  add("deep-mappings", "{a: ".repeat(50_000) + "}".repeat(50_000));
  add(
    "deep-block",
    Array.from({ length: 5_000 }, (_, i) => " ".repeat(i) + "- ").join("\n") +
      "x\n",
  );
  add("huge-scalar", "- " + "x".repeat(5_000_000) + "\n");
  add("huge-file", cacheEntry("").repeat(20_000));
  add(
    "duplicate-keys",
    kind === "cache"
      ? "- key_s: v0-a\n  key_s: " + SERVER_ID +
        "\n  ann: {service-name: storage}\n"
      : `storage:\n  ${SERVER_ID}: {ann: {nickname: a}}\n  ${SERVER_ID}: {ann: {nickname: b}}\n`,
  );
  add(
    "merge-key",
    "- <<: {key_s: " + SERVER_ID + "}\n  ann: {service-name: storage}\n",
  );
  add("scalar-top", "just a string\n");
  add("number-top", "42\n");
  add("value-indicator", "- =\n");
  if (kind === "cache") {
    add("mapping-top", "storage: {}\n");
    add("entry-scalar", "- 1\n- x\n- null\n");
    add("entry-list", "- [a, b]\n");
    add("key-missing", "- ann: {service-name: storage}\n" + cacheEntry(""));
    add("key-number", "- {key_s: 5, ann: {service-name: storage}}\n");
    add("key-not-v0", "- {key_s: v1-abc, ann: {service-name: storage}}\n");
    add("ann-missing", "- {key_s: " + SERVER_ID + "}\n");
    add("ann-list", "- {key_s: " + SERVER_ID + ", ann: [1]}\n");
    add("ann-scalar", "- {key_s: " + SERVER_ID + ", ann: yes}\n");
    add("service-name-missing", "- {key_s: " + SERVER_ID + ", ann: {}}\n");
    add(
      "service-name-list",
      "- {key_s: " + SERVER_ID + ", ann: {service-name: [storage]}}\n",
    );
    add("nickname-mapping", cacheEntry(", nickname: {a: 1}"));
    add("nickname-huge", cacheEntry(", nickname: " + "n".repeat(1_000_000)));
    add("nickname-control", cacheEntry(', nickname: "a\\nb\\x1b[31m"'));
    add("seqnum-string", cacheEntry(", seqnum: high"));
    add("seqnum-huge", cacheEntry(", seqnum: 1" + "0".repeat(400)));
    add("certificates-null", cacheEntry(", grid-manager-certificates: null"));
    add("certificates-scalar", cacheEntry(", grid-manager-certificates: abc"));
    add(
      "certificates-mapping",
      cacheEntry(", grid-manager-certificates: {a: 1}"),
    );
    add("certificate-scalar", cacheEntry(", grid-manager-certificates: [1]"));
    add(
      "certificate-missing-signature",
      cacheEntry(", grid-manager-certificates: [{certificate: x}]"),
    );
    add(
      "certificate-signature-number",
      cacheEntry(
        ", grid-manager-certificates: [{certificate: x, signature: 5}]",
      ),
    );
    add(
      "certificate-signature-not-base32",
      cacheEntry(
        ", grid-manager-certificates: [{certificate: x, signature: '!!'}]",
      ),
    );
    add(
      "certificate-payload-not-json",
      cacheEntry(
        `, grid-manager-certificates: [{certificate: 'not json', signature: ${NODE_CERTIFICATE_DOCUMENT().signature}}]`,
      ),
    );
    add(
      "certificate-many",
      cacheEntry(
        ", grid-manager-certificates: [" +
          Array(2_000).fill(CERTIFICATE_YAML).join(", ") + "]",
      ),
    );
  } else {
    add("list-top", "- storage\n");
    add("storage-list", "storage: [a]\n");
    add("storage-scalar", "storage: yes\n");
    add("server-scalar", `storage: {${SERVER_ID}: 1}\n`);
    add("server-ann-missing", `storage: {${SERVER_ID}: {}}\n`);
    add("server-ann-list", `storage: {${SERVER_ID}: {ann: [1]}}\n`);
    add("server-id-number", "storage: {5: {ann: {nickname: x}}}\n");
    add("server-id-empty", "storage: {'': {ann: {nickname: x}}}\n");
    add(
      "server-nickname-mapping",
      `storage: {${SERVER_ID}: {ann: {nickname: {a: 1}}}}\n`,
    );
    add(
      "server-certificates-scalar",
      `storage: {${SERVER_ID}: {ann: {grid-manager-certificates: 7}}}\n`,
    );
    add(
      "server-certificate-bad",
      `storage: {${SERVER_ID}: {ann: {grid-manager-certificates: [{certificate: 1, signature: []}]}}}\n`,
    );
  }
  return cases;
}

/** A client with no Grid Manager and a private directory for the YAML. */
function writeClient(directory: string, file: string, input: Uint8Array) {
  const node = writeNode(directory, "[node]\nnickname = client\n[client]\n");
  Deno.writeFileSync(join(node, "private", file), input);
  return node;
}

const cacheFamily: Family = {
  name: "yaml-cache",
  cases: yamlCases("cache"),
  // No server may receive uploads in any case: shares.happy is 7.
  exitCode: 1,
  reportsOnStdout: true,
  prepare(directory, input) {
    const node = writeClient(directory, "introducer_default_cache.yaml", input);
    return { args: ["-d", node, "status"] };
  },
  check: expectReportLines,
};

const serversFamily: Family = {
  name: "yaml-servers",
  cases: yamlCases("servers"),
  exitCode: 1,
  reportsOnStdout: true,
  prepare(directory, input, index) {
    const node = writeClient(directory, "servers.yaml", input);
    return { args: ["-d", node, "status", ...(index % 2 ? ["--json"] : [])] };
  },
  check: expectReportLines,
};

/** Every family of the corpus. */
export const FAMILIES: readonly Family[] = [
  configFileFamily,
  configStdinFamily,
  configFileKindFamily,
  certificateFileFamily,
  inspectFamily,
  verifyFamily,
  addCertificateFamily,
  ...tahoeCfgFamilies,
  ...tahoeCfgKindFamilies,
  certificateKindFamily("list-grid-manager-certs", 0),
  certificateKindFamily("check", 1),
  cacheFamily,
  serversFamily,
];
