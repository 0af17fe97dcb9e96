/**
 * Command-line tests of the node commands, run against the bundle on node
 * directories laid out as Tahoe-LAFS creates them.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CertificateDocument,
  formatCertificateDocument,
  signCertificate,
} from "../lib/certificate.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import { encodePublicKey } from "../lib/keys.ts";
import { parseTahoeCfg } from "../lib/tahoe_cfg.ts";
import { MICROS_PER_DAY, nowMicros } from "../lib/time.ts";
import {
  ROOT,
  runGridManager,
  type RunOptions,
  runPython,
  runTahoe,
  withTempDir,
} from "./helpers.ts";

const TAHOE_NODE_CFG = Deno.readTextFileSync(
  join(ROOT, "tests", "fixtures", "tahoe_cfg", "tahoe-create-node.cfg"),
);
const TAHOE_CLIENT_CFG = Deno.readTextFileSync(
  join(ROOT, "tests", "fixtures", "tahoe_cfg", "tahoe-create-client.cfg"),
);

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

const NODE_KEY = encodePublicKey(publicKeyFromSeed(seed(1)));
const OTHER_NODE_KEY = encodePublicKey(publicKeyFromSeed(seed(4)));
const GRID_MANAGER_SEED = seed(2);
const GRID_MANAGER_KEY = encodePublicKey(publicKeyFromSeed(GRID_MANAGER_SEED));
const OTHER_GRID_MANAGER_KEY = encodePublicKey(publicKeyFromSeed(seed(3)));
/** Small-order points: OpenSSL accepts forged signatures under them. */
const WEAK_KEYS = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) =>
  encodePublicKey(Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16)))
);

function certificate(
  days: number,
  serverKey = NODE_KEY,
  gridManagerSeed = GRID_MANAGER_SEED,
): CertificateDocument {
  return signCertificate(
    gridManagerSeed,
    serverKey,
    nowMicros() + days * MICROS_PER_DAY,
  );
}

function certificateText(days: number, serverKey = NODE_KEY): string {
  return formatCertificateDocument(certificate(days, serverKey));
}

interface Node {
  dir: string;
  cfg(): string;
  file(name: string): string;
  exists(name: string): boolean;
  run(args: string[], options?: RunOptions): ReturnType<typeof runGridManager>;
}

/** Lays out a node directory as `tahoe create-node` does, after a first run. */
function makeNode(
  dir: string,
  options: { cfg?: string; tac?: string; pubkey?: string | null } = {},
): Node {
  const nodeDir = join(dir, "node");
  Deno.mkdirSync(join(nodeDir, "private"), { recursive: true });
  Deno.writeTextFileSync(
    join(nodeDir, "tahoe.cfg"),
    options.cfg ?? TAHOE_NODE_CFG,
  );
  Deno.writeTextFileSync(
    join(nodeDir, options.tac ?? "tahoe-client.tac"),
    "# tac\n",
  );
  if (options.pubkey !== null) {
    Deno.writeTextFileSync(
      join(nodeDir, "node.pubkey"),
      (options.pubkey ?? NODE_KEY) + "\n",
    );
  }
  return {
    dir: nodeDir,
    cfg: () => Deno.readTextFileSync(join(nodeDir, "tahoe.cfg")),
    file: (name) => Deno.readTextFileSync(join(nodeDir, name)),
    exists: (name) => {
      try {
        Deno.statSync(join(nodeDir, name));
        return true;
      } catch {
        return false;
      }
    },
    run: (args, runOptions) =>
      runGridManager([...args, "-d", nodeDir], runOptions),
  };
}

/** Runs `body` on a fresh node and checks that `tahoe.cfg` is unchanged. */
async function expectUnchanged(node: Node, body: () => Promise<void>) {
  const before = node.cfg();
  const files = [...Deno.readDirSync(node.dir)].map((e) => e.name).sort();
  await body();
  assert.equal(node.cfg(), before);
  assert.deepEqual(
    [...Deno.readDirSync(node.dir)].map((e) => e.name).sort(),
    files,
  );
}

// --- add-grid-manager-cert -------------------------------------------------

Deno.test("add-grid-manager-cert installs a certificate from a file", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const path = join(dir, "storage.cert");
    const document = certificate(30);
    Deno.writeTextFileSync(path, formatCertificateDocument(document));
    const result = await node.run(["add-grid-manager-cert", "-f", path]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /installed certificate "default"/);
    assert.match(result.stderr, /restart the node/);
    assert.equal(
      node.file("default.cert"),
      formatCertificateDocument(document) + "\n",
    );
    const cfg = parseTahoeCfg(node.cfg());
    assert.equal(cfg.get("storage", "grid_management"), "true");
    assert.equal(
      cfg.get("grid_manager_certificates", "default"),
      "default.cert",
    );
    // Tahoe's own comments survive.
    assert.ok(
      node.cfg().includes("# Shall this node provide storage service?"),
    );
    assert.ok(node.cfg().startsWith(TAHOE_NODE_CFG.slice(0, 500)));
  });
});

Deno.test("add-grid-manager-cert reads stdin with or without --filename -", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const first = await node.run(["add-grid-manager-cert", "--name", "one"], {
      stdin: certificateText(30),
    });
    assert.equal(first.code, 0, first.stderr);
    const second = await runGridManager([
      "--node-directory",
      node.dir,
      "add-grid-manager-cert",
      "--filename",
      "-",
      "--name",
      "two",
    ], { stdin: certificateText(30) });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /the node has 2 certificates/);
    assert.ok(node.exists("one.cert"));
    assert.ok(node.exists("two.cert"));
    const cfg = parseTahoeCfg(node.cfg());
    assert.deepEqual(cfg.items("grid_manager_certificates"), [
      ["one", "one.cert"],
      ["two", "two.cert"],
    ]);
  });
});

Deno.test("add-grid-manager-cert rejects an empty stdin", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await expectUnchanged(node, async () => {
      const result = await node.run(["add-grid-manager-cert"], { stdin: "" });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /standard input is empty/);
    });
  });
});

Deno.test("add-grid-manager-cert rejects malformed documents", async () => {
  const document = certificate(30);
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{", /is not valid JSON/],
    [
      "extra key",
      JSON.stringify({ ...document, comment: "x" }),
      /unexpected key "comment"/,
    ],
    [
      "missing signature",
      JSON.stringify({ certificate: document.certificate }),
      /lacks the key "signature"/,
    ],
    [
      "version 2",
      JSON.stringify({
        certificate: document.certificate.replace(
          '"version":1',
          '"version":2',
        ),
        signature: document.signature,
      }),
      /unsupported certificate version 2/,
    ],
  ];
  for (const [label, text, message] of cases) {
    await withTempDir(async (dir) => {
      const node = makeNode(dir);
      await expectUnchanged(node, async () => {
        const result = await node.run(["add-grid-manager-cert"], {
          stdin: text,
        });
        assert.equal(result.code, 1, label);
        assert.match(result.stderr, message, label);
        assert.equal(result.stderr.trim().split("\n").length, 1, label);
      });
    });
  }
});

Deno.test("add-grid-manager-cert rejects a certificate for another node", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await expectUnchanged(node, async () => {
      const result = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(30, OTHER_NODE_KEY),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /not for this node \(its key is/);
    });
  });
});

Deno.test("add-grid-manager-cert accepts any key when node.pubkey is missing", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: null });
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30, OTHER_NODE_KEY),
    });
    assert.equal(result.code, 0, result.stderr);
  });
});

Deno.test("add-grid-manager-cert rejects an expired certificate", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await expectUnchanged(node, async () => {
      const result = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(-1),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /expired at .*ask the Grid Manager/);
    });
  });
});

Deno.test("add-grid-manager-cert warns when under 7 days remain", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(3),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: .*in less than 7 days/);
    assert.ok(node.exists("default.cert"));
  });
});

Deno.test("add-grid-manager-cert checks the signature with --grid-manager", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await expectUnchanged(node, async () => {
      const wrong = await node.run(
        ["add-grid-manager-cert", "--grid-manager", OTHER_GRID_MANAGER_KEY],
        { stdin: certificateText(30) },
      );
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /is not signed by Grid Manager pub-v0-/);
      const invalid = await node.run(
        ["add-grid-manager-cert", "--grid-manager", "pub-v0-bad"],
        { stdin: certificateText(30) },
      );
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /invalid public key "pub-v0-bad"/);
    });
    const right = await node.run(
      ["add-grid-manager-cert", "--grid-manager", GRID_MANAGER_KEY],
      { stdin: certificateText(30) },
    );
    assert.equal(right.code, 0, right.stderr);
  });
});

Deno.test("add-grid-manager-cert renews only with --replace", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const first = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30),
    });
    assert.equal(first.code, 0, first.stderr);
    Deno.chmodSync(join(node.dir, "default.cert"), 0o640);
    const installed = node.file("default.cert");
    await expectUnchanged(node, async () => {
      const again = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(60),
      });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already installed .*give --replace/);
    });
    assert.equal(node.file("default.cert"), installed);
    const cfg = node.cfg();
    const renewed = certificate(60);
    const replace = await node.run(["add-grid-manager-cert", "--replace"], {
      stdin: formatCertificateDocument(renewed),
    });
    assert.equal(replace.code, 0, replace.stderr);
    assert.equal(
      node.file("default.cert"),
      formatCertificateDocument(renewed) + "\n",
    );
    assert.equal(node.cfg(), cfg);
    assert.equal(
      Deno.statSync(join(node.dir, "default.cert")).mode! & 0o777,
      0o640,
    );
  });
});

Deno.test("add-grid-manager-cert --replace replaces a FIFO unread", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const first = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30),
    });
    assert.equal(first.code, 0, first.stderr);
    const path = join(node.dir, "default.cert");
    Deno.removeSync(path);
    new Deno.Command("mkfifo", { args: [path] }).outputSync();
    // Before, reading the old certificate's expiry blocked on the FIFO.
    const renewed = certificate(60);
    const replace = await node.run(["add-grid-manager-cert", "--replace"], {
      stdin: formatCertificateDocument(renewed),
    });
    assert.equal(replace.code, 0, replace.stderr);
    assert.equal(
      node.file("default.cert"),
      formatCertificateDocument(renewed) + "\n",
    );
  });
});

Deno.test("add-grid-manager-cert rejects a bad name or node directory", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await expectUnchanged(node, async () => {
      const slash = await node.run(["add-grid-manager-cert", "-n", "a/b"], {
        stdin: certificateText(30),
      });
      assert.equal(slash.code, 2);
      assert.match(slash.stderr, /invalid certificate name "a\/b"/);
      const equals = await node.run(["add-grid-manager-cert", "-n", "a=b"], {
        stdin: certificateText(30),
      });
      assert.equal(equals.code, 2);
    });
    const missing = await runGridManager(
      ["add-grid-manager-cert", "-d", join(dir, "nowhere")],
      { stdin: certificateText(30) },
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /node directory .*nowhere not found/);
    Deno.mkdirSync(join(dir, "empty"));
    const noCfg = await runGridManager(
      ["add-grid-manager-cert", "-d", join(dir, "empty")],
      { stdin: certificateText(30) },
    );
    assert.equal(noCfg.code, 1);
    assert.match(noCfg.stderr, /tahoe\.cfg not found/);
    assert.deepEqual([...Deno.readDirSync(join(dir, "empty"))], []);
  });
});

Deno.test("add-grid-manager-cert rejects a tahoe.cfg configparser cannot read", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: "[node]\nthis line has no separator\n" });
    await expectUnchanged(node, async () => {
      const result = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(30),
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /line 2 .* is not "name = value"/);
    });
  });
});

Deno.test("node commands default to ~/.tahoe", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    Deno.renameSync(node.dir, join(dir, ".tahoe"));
    const result = await runGridManager(["add-grid-manager-cert"], {
      stdin: certificateText(30),
      env: { HOME: dir },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Deno.statSync(join(dir, ".tahoe", "default.cert")).isFile);
  });
});

Deno.test("add-grid-manager-cert keeps the mode of tahoe.cfg", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    Deno.chmodSync(join(node.dir, "tahoe.cfg"), 0o600);
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      Deno.statSync(join(node.dir, "tahoe.cfg")).mode! & 0o777,
      0o600,
    );
  });
});

// --- list-grid-manager-certs and remove-grid-manager-cert -------------------

Deno.test("list-grid-manager-certs shows each entry, file and expiry", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await node.run(["add-grid-manager-cert", "-n", "good"], {
      stdin: certificateText(30),
    });
    await node.run(["add-grid-manager-cert", "-n", "gone"], {
      stdin: certificateText(30),
    });
    Deno.removeSync(join(node.dir, "gone.cert"));
    const text = await node.run(["list-grid-manager-certs"]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^good: good\.cert: valid until \d{4}-.*in the future\)$/,
    );
    assert.equal(lines[1], "gone: gone.cert: unreadable: file not found");
    const json = await node.run(["list-grid-manager-certs", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.grid_management, true);
    assert.equal(parsed.certificates.length, 2);
    assert.equal(parsed.certificates[0].name, "good");
    assert.equal(parsed.certificates[0].path, "good.cert");
    assert.equal(parsed.certificates[0].expired, false);
    assert.equal(parsed.certificates[0].public_key, NODE_KEY);
    assert.equal(parsed.certificates[0].for_this_node, true);
    assert.equal(parsed.certificates[1].error, "file not found");
  });
});

Deno.test("list-grid-manager-certs says when there are none", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const result = await node.run(["list-grid-manager-certs"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /lists no Grid Manager certificate/);
  });
});

Deno.test("remove-grid-manager-cert turns grid_management off with the last", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    for (const name of ["one", "two"]) {
      await node.run(["add-grid-manager-cert", "-n", name], {
        stdin: certificateText(30),
      });
    }
    const first = await node.run(["remove-grid-manager-cert", "one"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /deleted .*one\.cert; 1 certificate remains/,
    );
    assert.equal(node.exists("one.cert"), false);
    assert.equal(
      parseTahoeCfg(node.cfg()).get("storage", "grid_management"),
      "true",
    );
    const last = await node.run(["remove-grid-manager-cert", "TWO"]);
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stderr, /grid_management is now false/);
    const cfg = parseTahoeCfg(node.cfg());
    assert.equal(cfg.get("storage", "grid_management"), "false");
    assert.deepEqual(cfg.items("grid_manager_certificates"), []);
    assert.equal(node.exists("two.cert"), false);
  });
});

Deno.test("remove-grid-manager-cert rejects an unknown name", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    await node.run(["add-grid-manager-cert", "-n", "one"], {
      stdin: certificateText(30),
    });
    await expectUnchanged(node, async () => {
      const result = await node.run(["remove-grid-manager-cert", "two"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /no certificate named "two" .*the names are: one/,
      );
    });
  });
});

// --- add-grid-manager, list-grid-managers, remove-grid-manager -------------

Deno.test("add-grid-manager writes the key under [grid_managers]", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    const result = await node.run([
      "add-grid-manager",
      `  ${GRID_MANAGER_KEY}\n`,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /added Grid Manager "default"/);
    assert.equal(
      node.cfg(),
      TAHOE_CLIENT_CFG + `[grid_managers]\ndefault = ${GRID_MANAGER_KEY}\n`,
    );
  });
});

Deno.test("add-grid-manager rejects an invalid key before touching the file", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    await expectUnchanged(node, async () => {
      for (
        const key of [
          "v0-" + GRID_MANAGER_KEY.slice(7),
          GRID_MANAGER_KEY.toUpperCase(),
          GRID_MANAGER_KEY.slice(0, -1),
        ]
      ) {
        const result = await node.run(["add-grid-manager", key]);
        assert.equal(result.code, 1, key);
        assert.match(result.stderr, /invalid public key/, key);
      }
    });
  });
});

Deno.test("add-grid-manager changes an existing name only with --replace", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    await node.run(["add-grid-manager", "-n", "prod", GRID_MANAGER_KEY]);
    await expectUnchanged(node, async () => {
      const again = await node.run([
        "add-grid-manager",
        "-n",
        "PROD",
        OTHER_GRID_MANAGER_KEY,
      ]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already in \[grid_managers\].*--replace/);
      const same = await node.run([
        "add-grid-manager",
        "-n",
        "prod",
        GRID_MANAGER_KEY,
      ]);
      assert.equal(same.code, 0);
      assert.match(same.stderr, /nothing changed/);
    });
    const replace = await node.run([
      "add-grid-manager",
      "--replace",
      "-n",
      "prod",
      OTHER_GRID_MANAGER_KEY,
    ]);
    assert.equal(replace.code, 0, replace.stderr);
    assert.deepEqual(parseTahoeCfg(node.cfg()).items("grid_managers"), [
      ["prod", OTHER_GRID_MANAGER_KEY],
    ]);
  });
});

Deno.test("add-grid-manager warns about a key listed under another name", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    await node.run(["add-grid-manager", "-n", "a", GRID_MANAGER_KEY]);
    const result = await node.run([
      "add-grid-manager",
      "-n",
      "b",
      GRID_MANAGER_KEY,
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /warning: .* is also listed as a/);
  });
});

Deno.test("list-grid-managers shows names, keys and invalid keys", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, {
      cfg: TAHOE_CLIENT_CFG +
        `[grid_managers]\nprod = ${GRID_MANAGER_KEY}\nbroken = pub-v0-xyz\n`,
    });
    const text = await node.run(["list-grid-managers"]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split("\n");
    assert.equal(lines[0], `prod: ${GRID_MANAGER_KEY}`);
    assert.match(lines[1]!, /^broken: pub-v0-xyz \(invalid: /);
    const json = JSON.parse(
      (await node.run(["list-grid-managers", "--json"])).stdout,
    );
    assert.deepEqual(json.grid_managers[0], {
      name: "prod",
      public_key: GRID_MANAGER_KEY,
      valid: true,
    });
    assert.equal(json.grid_managers[1].valid, false);
  });
});

Deno.test("list-grid-managers says a client without any uploads anywhere", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    const result = await node.run(["list-grid-managers"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /uploads to every server/);
  });
});

Deno.test("remove-grid-manager warns when the last one goes", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    await node.run(["add-grid-manager", "-n", "a", GRID_MANAGER_KEY]);
    await node.run(["add-grid-manager", "-n", "b", OTHER_GRID_MANAGER_KEY]);
    const first = await node.run(["remove-grid-manager", "a"]);
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stderr, /any server/);
    const last = await node.run(["remove-grid-manager", "b"]);
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stderr, /warning: .*uploads to any server again/);
    assert.equal(node.cfg(), TAHOE_CLIENT_CFG);
    const unknown = await node.run(["remove-grid-manager", "c"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no Grid Manager named "c"/);
  });
});

// --- check -------------------------------------------------------------------

interface CheckCase {
  label: string;
  cfg: string;
  files?: Record<string, string>;
  tac?: string;
  severity: "fatal" | "problem" | "warning";
  message: RegExp;
  /** Whether Tahoe's own code fails to load the node. */
  tahoeFails?: boolean;
  /** Whether Tahoe's own code loads the node and its certificates. */
  tahoeStarts?: boolean;
}

const managedNode = (entries: string) =>
  TAHOE_NODE_CFG.replace(
    "enabled = true",
    "enabled = true\ngrid_management = true",
  ) +
  `[grid_manager_certificates]\n${entries}`;

const CHECK_CASES: CheckCase[] = [
  {
    label: "weak Grid Manager key",
    cfg: TAHOE_CLIENT_CFG + `[grid_managers]\nweak = ${WEAK_KEYS[0]}\n`,
    severity: "problem",
    message:
      /\[grid_managers\] weak: .*is a weak key: any certificate would verify/,
  },
  {
    label: "misspelled certificates section",
    cfg: TAHOE_NODE_CFG + "[grid_management_certificates]\na = a.cert\n",
    severity: "fatal",
    message:
      /unknown section \[grid_management_certificates\].*rename it to \[grid_manager_certificates\]/,
    tahoeFails: true,
  },
  {
    label: "misspelled keys section",
    cfg: TAHOE_CLIENT_CFG + `[grid_management_keys]\na = ${GRID_MANAGER_KEY}\n`,
    severity: "fatal",
    message:
      /unknown section \[grid_management_keys\].*rename it to \[grid_managers\]/,
    tahoeFails: true,
  },
  {
    label: "unknown option",
    cfg: TAHOE_NODE_CFG.replace(
      "[storage]",
      "[storage]\ngrid_managment = true",
    ),
    severity: "fatal",
    message: /unknown option grid_managment in \[storage\]/,
    tahoeFails: true,
  },
  {
    label: "grid sections on an introducer",
    cfg: TAHOE_CLIENT_CFG + `[grid_managers]\na = ${GRID_MANAGER_KEY}\n`,
    tac: "tahoe-introducer.tac",
    severity: "fatal",
    message:
      /unknown section \[grid_managers\].*an introducer does not take it/,
  },
  {
    label: "missing certificate file",
    cfg: managedNode("a = a.cert\n"),
    severity: "fatal",
    message: /certificate a \(a\.cert\): file not found/,
    tahoeFails: true,
  },
  {
    label: "certificate with an extra key",
    cfg: managedNode("a = a.cert\n"),
    files: {
      "a.cert": JSON.stringify({ ...certificate(30), extra: 1 }),
    },
    severity: "fatal",
    message: /unexpected key "extra"/,
    tahoeFails: true,
  },
  {
    label: "damaged signature",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": '{"certificate":"x","signature":"y"}' },
    severity: "problem",
    message: /certificate a \(a\.cert\): invalid signature/,
    tahoeStarts: true,
  },
  {
    label: "short signature",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": '{"certificate":"x","signature":"aaaa"}' },
    severity: "problem",
    message: /the signature is 2 bytes, not 64/,
    tahoeStarts: true,
  },
  {
    label: "payload not JSON",
    cfg: managedNode("a = a.cert\n"),
    files: {
      "a.cert": JSON.stringify({ ...certificate(30), certificate: "x" }),
    },
    severity: "problem",
    message: /the signed payload is not valid JSON at line 1 column 1/,
    tahoeStarts: true,
  },
  {
    label: "certificate file with a byte order mark",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": "\ufeff" + certificateText(30) },
    severity: "fatal",
    message: /starts with a UTF-8 byte order mark; remove it/,
    tahoeFails: true,
  },
  {
    label: "certificate file not JSON",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": "secret-text" },
    severity: "fatal",
    message: /certificate a \(a\.cert\) is not valid JSON at line 1 column 1;/,
    tahoeFails: true,
  },
  {
    label: "expired certificate",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": certificateText(-2) },
    severity: "problem",
    message: /certificate a \(a\.cert\) expired at/,
    tahoeStarts: true,
  },
  {
    label: "certificate for another key",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": certificateText(30, OTHER_NODE_KEY) },
    severity: "problem",
    message: /is for pub-v0-.*not for this node/,
    tahoeStarts: true,
  },
  {
    label: "certificate expiring soon",
    cfg: managedNode("a = a.cert\n"),
    files: { "a.cert": certificateText(2) },
    severity: "warning",
    message: /in less than 7 days/,
    tahoeStarts: true,
  },
  {
    label: "invalid Grid Manager key",
    cfg: TAHOE_CLIENT_CFG + "[grid_managers]\nprod = pub-v0-abc\n",
    severity: "fatal",
    message: /\[grid_managers\] prod: invalid public key "pub-v0-abc"/,
    tahoeFails: true,
  },
  {
    label: "grid_management without certificates",
    cfg: TAHOE_NODE_CFG.replace(
      "[storage]",
      "[storage]\ngrid_management = yes",
    ),
    severity: "problem",
    message:
      /grid_management is on but \[grid_manager_certificates\] lists no certificate/,
  },
  {
    label: "certificates with grid_management off",
    cfg: TAHOE_NODE_CFG + "[grid_manager_certificates]\na = a.cert\n",
    files: { "a.cert": certificateText(30) },
    severity: "problem",
    message: /grid_management is off, so the node does not announce them/,
  },
  {
    label: "storage disabled",
    cfg: managedNode("a = a.cert\n").replace(
      "enabled = true",
      "enabled = false",
    ),
    files: { "a.cert": certificateText(30) },
    severity: "problem",
    message: /\[storage\] enabled is false, so the node runs no storage server/,
  },
  {
    label: "grid_management not a boolean",
    cfg: TAHOE_NODE_CFG.replace(
      "[storage]",
      "[storage]\ngrid_management = maybe",
    ),
    severity: "fatal",
    message: /grid_management = "maybe" is not a boolean/,
    tahoeFails: true,
  },
  {
    label: "grid_management with a continuation line",
    cfg: TAHOE_NODE_CFG.replace(
      "[storage]",
      "[storage]\nGrid_Management : false\n  more",
    ),
    severity: "fatal",
    message: /grid_management = "false\\nmore" is not a boolean/,
    tahoeFails: true,
  },
  {
    label: "empty [grid_managers]",
    cfg: TAHOE_CLIENT_CFG + "[grid_managers]\n",
    severity: "problem",
    message:
      /\[grid_managers\] is empty, so this client uploads to every server/,
  },
  {
    label: "unparseable tahoe.cfg",
    cfg: "nickname = before any section\n",
    severity: "fatal",
    message: /line 1 .* comes before any \[section\] header/,
    tahoeFails: true,
  },
];

Deno.test("check reports each finding on one line with its exit code", async () => {
  for (const item of CHECK_CASES) {
    await withTempDir(async (dir) => {
      const node = makeNode(dir, { cfg: item.cfg, tac: item.tac });
      for (const [name, text] of Object.entries(item.files ?? {})) {
        Deno.writeTextFileSync(join(node.dir, name), text);
      }
      const result = await node.run(["check"]);
      const lines = result.stdout.trimEnd().split("\n");
      for (const candidate of lines) {
        assert.match(candidate, /^(fatal|problem|warning): /, item.label);
      }
      assert.doesNotMatch(result.stdout, /secret-text|\ufeff/, item.label);
      const line = lines.find((candidate) => item.message.test(candidate));
      assert.ok(line, `${item.label}: ${result.stdout}`);
      assert.ok(
        line.startsWith(`${item.severity}: `),
        `${item.label}: ${line}`,
      );
      assert.equal(
        result.code,
        item.severity === "warning" ? 0 : 1,
        `${item.label}: exit code`,
      );
    });
  }
});

Deno.test("check findings called fatal do stop Tahoe", async () => {
  const fatal = CHECK_CASES.filter((item) => item.tahoeFails);
  const result = await runPython("check_cfg.py", [], {
    stdin: JSON.stringify(
      fatal.map((item) => ({
        text: item.cfg,
        node_type: "client",
        files: item.files ?? {},
      })),
    ),
  });
  assert.equal(result.code, 0, result.stderr);
  const reads = JSON.parse(result.stdout);
  fatal.forEach((item, index) => {
    // configparser itself rejects an unparseable file.
    const tahoe = reads[index].tahoe;
    assert.equal(tahoe.ok, false, item.label);
  });
});

Deno.test("check findings called problem let Tahoe start", async () => {
  const starts = CHECK_CASES.filter((item) => item.tahoeStarts);
  const result = await runPython("check_cfg.py", [], {
    stdin: JSON.stringify(
      starts.map((item) => ({
        text: item.cfg,
        node_type: "client",
        files: item.files ?? {},
      })),
    ),
  });
  assert.equal(result.code, 0, result.stderr);
  const reads = JSON.parse(result.stdout);
  starts.forEach((item, index) => {
    const tahoe = reads[index].tahoe;
    assert.equal(tahoe.ok, true, `${item.label}: ${tahoe.error}`);
    assert.equal(tahoe.certificates.length, 1, item.label);
  });
});

Deno.test("add-grid-manager-cert never quotes a file that is not JSON", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const secret = "priv-v0-" + "b".repeat(52);
    Deno.writeTextFileSync(join(node.dir, "private", "node.privkey"), secret);
    const result = await node.run([
      "add-grid-manager-cert",
      "-f",
      join(node.dir, "private", "node.privkey"),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not valid JSON at line 1 column 1;/);
    assert.doesNotMatch(result.stderr, /priv-v0|bbbb/);
  });
});

Deno.test("add-grid-manager-cert names a byte order mark", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: "\ufeff" + certificateText(30),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /starts with a UTF-8 byte order mark; remove it/,
    );
    assert.doesNotMatch(result.stderr, /\ufeff/);
  });
});

Deno.test("check passes a node Tahoe made, then enrolled", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const clean = await node.run(["check"]);
    assert.equal(clean.code, 0, clean.stdout);
    assert.equal(clean.stdout, "");
    assert.match(clean.stderr, /no problems found/);
    await node.run(["add-grid-manager-cert"], { stdin: certificateText(30) });
    await node.run(["add-grid-manager", GRID_MANAGER_KEY]);
    const enrolled = await node.run(["check", "--json"]);
    assert.equal(enrolled.code, 0, enrolled.stdout);
    assert.deepEqual(JSON.parse(enrolled.stdout), { findings: [] });
  });
});

// --- with nodes Tahoe creates -------------------------------------------------

Deno.test("Tahoe loads what the node commands install", async () => {
  await withTempDir(async (dir) => {
    const nodeDir = join(dir, "storage");
    const created = await runTahoe("tahoe", [
      "create-node",
      "--hostname",
      "127.0.0.1",
      nodeDir,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const original = Deno.readTextFileSync(join(nodeDir, "tahoe.cfg"));
    // Tahoe writes node.pubkey on first start; the test does not start it.
    Deno.writeTextFileSync(join(nodeDir, "node.pubkey"), NODE_KEY + "\n");
    const document = certificate(30);
    const install = await runGridManager(
      [
        "add-grid-manager-cert",
        "-d",
        nodeDir,
        "--grid-manager",
        GRID_MANAGER_KEY,
      ],
      { stdin: formatCertificateDocument(document) },
    );
    assert.equal(install.code, 0, install.stderr);
    const trust = await runGridManager([
      "-d",
      nodeDir,
      "add-grid-manager",
      "--name",
      "prod",
      GRID_MANAGER_KEY,
    ]);
    assert.equal(trust.code, 0, trust.stderr);
    const check = await runGridManager(["check", "-d", nodeDir]);
    assert.equal(check.code, 0, check.stdout);

    const loaded = await runPython("check_cfg.py", [], {
      stdin: JSON.stringify([{ node_dir: nodeDir, node_type: "client" }]),
    });
    assert.equal(loaded.code, 0, loaded.stderr);
    const tahoe = JSON.parse(loaded.stdout)[0].tahoe;
    assert.equal(tahoe.ok, true, tahoe.error);
    assert.equal(tahoe.grid_management, true);
    assert.deepEqual(tahoe.certificates, [document]);
    assert.deepEqual(tahoe.grid_manager_keys, [GRID_MANAGER_KEY]);
    // Tahoe's file is still there line for line, with only new lines added.
    const edited = Deno.readTextFileSync(join(nodeDir, "tahoe.cfg"));
    const remaining = edited.split("\n").filter((line) =>
      !/^(grid_management = true|default = default\.cert|prod = pub-v0-.*|\[grid_manager_certificates\]|\[grid_managers\])$/
        .test(line)
    );
    // Plus one blank line that separates the two new sections.
    assert.deepEqual(remaining, [...original.split("\n"), ""]);
  });
});

Deno.test("concurrent add-grid-manager runs keep every entry", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    const names = ["a", "b", "c", "d", "e", "f"];
    const results = await Promise.all(
      names.map((name) =>
        node.run(["add-grid-manager", "-n", name, GRID_MANAGER_KEY])
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const cfg = parseTahoeCfg(node.cfg());
    assert.deepEqual(
      cfg.options("grid_managers").sort(),
      names,
    );
    assert.equal(node.cfg().split("[grid_managers]").length - 1, 1);
  });
});

Deno.test("certificate commands never touch files other than .cert", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, {
      cfg: TAHOE_NODE_CFG + "[grid_manager_certificates]\nkey = node.pubkey\n",
    });
    const pubkey = node.file("node.pubkey");
    await expectUnchanged(node, async () => {
      const replace = await node.run([
        "add-grid-manager-cert",
        "--replace",
        "-n",
        "key",
      ], { stdin: certificateText(30) });
      assert.equal(replace.code, 1);
      assert.match(replace.stderr, /which is not a \.cert file/);
    });
    const removed = await node.run(["remove-grid-manager-cert", "key"]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.doesNotMatch(removed.stderr, /deleted/);
    assert.equal(node.file("node.pubkey"), pubkey);
  });
});

Deno.test("check warns about an invalid node.pubkey", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: "not a key" });
    const result = await node.run(["check"]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /^warning: .*node\.pubkey contains no valid node key/,
    );
  });
});

Deno.test("add commands reject an introducer node", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { tac: "tahoe-introducer.tac" });
    await expectUnchanged(node, async () => {
      const certificate = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(30),
      });
      assert.equal(certificate.code, 1);
      assert.match(certificate.stderr, /is an introducer/);
      const manager = await node.run(["add-grid-manager", GRID_MANAGER_KEY]);
      assert.equal(manager.code, 1);
      assert.match(manager.stderr, /is an introducer/);
    });
  });
});

Deno.test("edits keep a symbolic link to tahoe.cfg", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    const target = join(dir, "shared.cfg");
    Deno.renameSync(join(node.dir, "tahoe.cfg"), target);
    Deno.symlinkSync(target, join(node.dir, "tahoe.cfg"));
    const result = await node.run(["add-grid-manager", GRID_MANAGER_KEY]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Deno.lstatSync(join(node.dir, "tahoe.cfg")).isSymlink);
    assert.match(Deno.readTextFileSync(target), /\[grid_managers\]/);
  });
});

// --- node directory and option hints -----------------------------------------

Deno.test("node commands reject an empty -d value", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    Deno.renameSync(node.dir, join(dir, ".tahoe"));
    const before = Deno.readTextFileSync(join(dir, ".tahoe", "tahoe.cfg"));
    const result = await runGridManager(
      ["add-grid-manager", "-d", "", GRID_MANAGER_KEY],
      { env: { HOME: dir } },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /-d is empty/);
    assert.equal(
      Deno.readTextFileSync(join(dir, ".tahoe", "tahoe.cfg")),
      before,
    );
  });
});

Deno.test("node commands expand a leading ~ in -d", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    Deno.renameSync(node.dir, join(dir, "n1"));
    const result = await runGridManager(
      ["add-grid-manager", "--node-directory=~/n1", GRID_MANAGER_KEY],
      { env: { HOME: dir } },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      Deno.readTextFileSync(join(dir, "n1", "tahoe.cfg")),
      /\[grid_managers\]\ndefault = pub-v0-/,
    );
  });
});

Deno.test("-c on a node command and -d on a Grid Manager command get a hint", async () => {
  const node = await runGridManager(["check", "-c", "gm"]);
  assert.equal(node.code, 2);
  assert.match(node.stderr, /node commands take the node directory as -d DIR/);
  const manager = await runGridManager(["list", "-d", "node"]);
  assert.equal(manager.code, 2);
  assert.match(
    manager.stderr,
    /Grid Manager commands take the Grid Manager directory as -c DIR/,
  );
});

Deno.test("a private key given as a Grid Manager key gets the right advice", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const privateKey = "priv-v0-" + "a".repeat(52);
    const client = await node.run(["add-grid-manager", privateKey]);
    assert.equal(client.code, 1);
    assert.match(client.stderr, /grid-manager public-identity/);
    assert.doesNotMatch(client.stderr, /node\.pubkey/);
    assert.doesNotMatch(client.stderr, /aaaa/);
    const server = await node.run(
      ["add-grid-manager-cert", "--grid-manager", privateKey],
      { stdin: certificateText(30) },
    );
    assert.equal(server.code, 1);
    assert.match(server.stderr, /grid-manager public-identity/);
    assert.doesNotMatch(server.stderr, /node\.pubkey/);
  });
});

// --- %(name)s references -------------------------------------------------------

Deno.test("check counts certificates whose value refers to itself", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, {
      cfg: managedNode("loop = %(loop)s\ndefault = default.cert\n"),
    });
    Deno.writeTextFileSync(
      join(node.dir, "default.cert"),
      certificateText(30),
    );
    const result = await node.run(["check"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^fatal: .*\[grid_manager_certificates\] loop/m,
    );
    assert.doesNotMatch(result.stdout, /lists no certificate/);
  });
});

Deno.test("remove-grid-manager-cert names the entry that refers to it", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, {
      cfg: managedNode("default = default.cert\nalias = %(default)s\n"),
    });
    Deno.writeTextFileSync(
      join(node.dir, "default.cert"),
      certificateText(30),
    );
    await expectUnchanged(node, async () => {
      const result = await node.run(["remove-grid-manager-cert", "default"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /alias = %\(default\)s refers to default; remove or edit alias first/,
      );
      assert.doesNotMatch(result.stderr, /not set/);
    });
  });
});

Deno.test("remove-grid-manager names the entry that refers to it", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, {
      cfg: TAHOE_CLIENT_CFG +
        `[grid_managers]\nprod = ${GRID_MANAGER_KEY}\nsame = %(prod)s\n`,
    });
    await expectUnchanged(node, async () => {
      const result = await node.run(["remove-grid-manager", "prod"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /same = %\(prod\)s refers to prod; remove or edit same first/,
      );
    });
  });
});

// --- messages for files kept, shorter renewals and directories ----------------

Deno.test("remove-grid-manager-cert says when it keeps the file", async () => {
  await withTempDir(async (dir) => {
    const outside = join(dir, "outside.cert");
    Deno.writeTextFileSync(outside, certificateText(30));
    const node = makeNode(dir, {
      cfg: managedNode(`abs = ${outside}\nsub = certs/sub.cert\n`),
    });
    Deno.mkdirSync(join(node.dir, "certs"));
    Deno.writeTextFileSync(
      join(node.dir, "certs", "sub.cert"),
      certificateText(30),
    );
    const abs = await node.run(["remove-grid-manager-cert", "abs"]);
    assert.equal(abs.code, 0, abs.stderr);
    assert.match(
      abs.stderr,
      /kept .*outside\.cert, which is not a \.cert file directly in the node directory; delete it yourself if no longer needed/,
    );
    assert.ok(Deno.statSync(outside).isFile);
    const sub = await node.run(["remove-grid-manager-cert", "sub"]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.match(sub.stderr, /kept .*certs\/sub\.cert, which is not/);
    assert.ok(node.exists("certs/sub.cert"));
  });
});

Deno.test("add-grid-manager-cert --replace warns about an earlier expiry", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const first = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(90),
    });
    assert.equal(first.code, 0, first.stderr);
    const shorter = await node.run(["add-grid-manager-cert", "--replace"], {
      stdin: certificateText(40),
    });
    assert.equal(shorter.code, 0, shorter.stderr);
    assert.match(
      shorter.stderr,
      /warning: the new certificate expires .*, earlier than the one it replaced \(/,
    );
    const longer = await node.run(["add-grid-manager-cert", "--replace"], {
      stdin: certificateText(90),
    });
    assert.equal(longer.code, 0, longer.stderr);
    assert.doesNotMatch(longer.stderr, /earlier than/);
  });
});

Deno.test("add-grid-manager-cert says how to fix a directory given as -f", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir);
    const result = await node.run(["add-grid-manager-cert", "-f", dir]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /is a directory, not a file; give the certificate file with -f FILE, or - for standard input/,
    );
  });
});

// --- the node's key ------------------------------------------------------------

async function tahoeKeyPair(): Promise<
  { privateKey: string; publicKey: string }
> {
  const result = await runTahoe("tahoe", ["admin", "generate-keypair"]);
  assert.equal(result.code, 0, result.stderr);
  return {
    privateKey: /^private: (\S+)$/m.exec(result.stdout)![1]!,
    publicKey: /^public: (\S+)$/m.exec(result.stdout)![1]!,
  };
}

Deno.test("add-grid-manager-cert reads the node key from node.privkey", async () => {
  const pair = await tahoeKeyPair();
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: null });
    Deno.writeTextFileSync(
      join(node.dir, "private", "node.privkey"),
      pair.privateKey + "\n",
    );
    await expectUnchanged(node, async () => {
      const other = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(30, OTHER_NODE_KEY),
      });
      assert.equal(other.code, 1);
      assert.match(other.stderr, /not for this node/);
      assert.doesNotMatch(other.stderr, /priv-v0/);
    });
    const own = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30, pair.publicKey),
    });
    assert.equal(own.code, 0, own.stderr);
    assert.doesNotMatch(own.stderr, /priv-v0/);
  });
});

Deno.test("add-grid-manager-cert warns when the node has no key yet", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: null });
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30, OTHER_NODE_KEY),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /warning: .*could not check that the certificate is for this node.*"tahoe run"/,
    );
  });
});

Deno.test("an empty node.pubkey gets advice that rebuilds it", async () => {
  const pair = await tahoeKeyPair();
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: "" });
    Deno.writeTextFileSync(
      join(node.dir, "private", "node.privkey"),
      pair.privateKey + "\n",
    );
    const result = await node.run(["add-grid-manager-cert"], {
      stdin: certificateText(30, pair.publicKey),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /node\.pubkey contains no valid node key.*used the key in private\/node\.privkey.*restart the node/,
    );
    assert.doesNotMatch(result.stderr, /backup/);
    Deno.removeSync(join(node.dir, "private", "node.privkey"));
    const check = await node.run(["check"]);
    assert.match(
      check.stdout,
      /^warning: .*node\.pubkey contains no valid node key.*"tahoe run"/m,
    );
    assert.doesNotMatch(check.stdout, /backup/);
  });
});

// --- running as root on a node owned by its own user --------------------------

async function commandOutput(program: string, args: string[]) {
  const output = await new Deno.Command(program, { args }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

const RUNNING_AS_ROOT =
  (await commandOutput("id", ["-u"])).stdout.trim() === "0";
const NOBODY = 65534;

Deno.test({
  name: "node commands run as root keep the node user's ownership",
  ignore: !RUNNING_AS_ROOT,
  async fn() {
    await withTempDir(async (dir) => {
      Deno.chmodSync(dir, 0o755);
      const node = makeNode(dir);
      for (const name of ["", "tahoe.cfg", "node.pubkey", "private"]) {
        Deno.chownSync(join(node.dir, name), NOBODY, NOBODY);
      }
      Deno.chmodSync(join(node.dir, "tahoe.cfg"), 0o600);
      const added = await node.run(["add-grid-manager-cert"], {
        stdin: certificateText(30),
      });
      assert.equal(added.code, 0, added.stderr);
      const client = await node.run(["add-grid-manager", GRID_MANAGER_KEY]);
      assert.equal(client.code, 0, client.stderr);
      for (const name of ["tahoe.cfg", "default.cert"]) {
        const info = Deno.statSync(join(node.dir, name));
        assert.equal(info.uid, NOBODY, `${name} owner`);
        assert.equal(info.gid, NOBODY, `${name} group`);
        const read = await commandOutput("setpriv", [
          "--reuid=nobody",
          "--regid=nogroup",
          "--clear-groups",
          "cat",
          join(node.dir, name),
        ]);
        assert.equal(read.code, 0, `${name}: ${read.stderr}`);
      }
      assert.equal(
        Deno.statSync(join(node.dir, "tahoe.cfg")).mode! & 0o777,
        0o600,
      );
    });
  },
});

Deno.test("check accepts a node that has never started", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { pubkey: null });
    const result = await node.run(["check"]);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.stdout, "");
  });
});

Deno.test("add-grid-manager and --grid-manager reject weak keys", async () => {
  await withTempDir(async (dir) => {
    const node = makeNode(dir, { cfg: TAHOE_CLIENT_CFG });
    await expectUnchanged(node, async () => {
      for (const key of WEAK_KEYS) {
        const added = await node.run(["add-grid-manager", key]);
        assert.equal(added.code, 1, key);
        assert.match(
          added.stderr,
          /is a weak key: any certificate would verify under it; use the output of "grid-manager public-identity"/,
        );
        const cert = await node.run(
          ["add-grid-manager-cert", "--grid-manager", key],
          { stdin: certificateText(30) },
        );
        assert.equal(cert.code, 1, key);
        assert.match(cert.stderr, /is a weak key/);
      }
    });
  });
});

Deno.test("verify rejects a weak --grid-manager key", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "c.cert");
    Deno.writeTextFileSync(path, certificateText(30));
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      WEAK_KEYS[1]!,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is a weak key/);
  });
});
