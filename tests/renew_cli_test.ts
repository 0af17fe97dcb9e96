import assert from "node:assert/strict";
import { join } from "node:path";
import {
  formatCertificateDocument,
  parseCertificateDocument,
  parseCertificatePayload,
  signCertificate,
  verifyCertificateSignature,
} from "../lib/certificate.ts";
import { parseGridManagerConfig } from "../lib/grid_manager.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";
import { MICROS_PER_DAY, nowMicros } from "../lib/time.ts";
import { runGridManager, runTahoe, withTempDir } from "./helpers.ts";

function serverKey(): string {
  return encodePublicKey(generateKeyPair().publicKey);
}

async function gm(args: string[], stdin?: string) {
  const result = await runGridManager(args, { stdin });
  if (result.code !== 0) {
    throw new Error(`grid-manager ${args.join(" ")}: ${result.stderr}`);
  }
  return result;
}

/**
 * Makes a Grid Manager with four servers: "fresh" (60 days left), "soon"
 * (2 days left), "lapsed" (only an expired certificate) and "none".
 */
async function makeGridManager(dir: string): Promise<string> {
  const config = join(dir, "gm");
  await gm(["create", "--config", config]);
  for (const name of ["fresh", "soon", "lapsed", "none"]) {
    await gm(["add", "--config", config, name, serverKey()]);
  }
  await gm(["sign", "--config", config, "fresh", "60"]);
  await gm(["sign", "--config", config, "soon", "2"]);
  const loaded = parseGridManagerConfig(
    Deno.readTextFileSync(join(config, "config.json")),
    "config.json",
  );
  const lapsed = loaded.servers.find((server) => server.name === "lapsed")!;
  const expired = signCertificate(
    loaded.keys.seed,
    lapsed.publicKey,
    nowMicros() - MICROS_PER_DAY,
  );
  Deno.writeTextFileSync(
    join(config, "lapsed.cert.0"),
    formatCertificateDocument(expired),
  );
  return config;
}

Deno.test("list --expiring shows servers that need renewal", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await gm(["list", "--config", config, "--expiring", "7"]);
    assert.equal(result.stderr, "");
    const names = [...result.stdout.matchAll(/^(\S+): pub-v0-/gm)].map((m) =>
      m[1]
    );
    assert.deepEqual(names, ["lapsed", "none", "soon"]);
    assert.match(result.stdout, /^ {8}renew: no valid certificate$/m);
    assert.match(
      result.stdout,
      /^ {6}renew: latest-ending certificate expires .* in the future\)$/m,
    );
  });
});

Deno.test("list --expiring 0 shows only servers without a valid certificate", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await gm([
      "list",
      "--config",
      config,
      "--expiring",
      "0",
      "--json",
    ]);
    const listing = JSON.parse(result.stdout);
    assert.deepEqual(
      listing.storage_servers.map((s: { name: string }) => s.name),
      ["lapsed", "none"],
    );
    assert.equal(listing.storage_servers[0].renewal, "no-valid-certificate");
    assert.equal(listing.storage_servers[0].expires, null);
  });
});

Deno.test("list --expiring --json gives the expiry of an expiring server", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await gm([
      "list",
      "--config",
      config,
      "--expiring",
      "3",
      "--json",
    ]);
    const soon = JSON.parse(result.stdout).storage_servers.find((
      s: { name: string },
    ) => s.name === "soon");
    assert.equal(soon.renewal, "expiring");
    assert.match(soon.expires, /^\d{4}-\d{2}-\d{2}T.*\+00:00$/);
  });
});

Deno.test("list rejects an invalid --expiring", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await runGridManager([
      "list",
      "--config",
      config,
      "--expiring",
      "week",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^grid-manager: invalid --expiring "week"/);
  });
});

Deno.test("renew signs only servers that need it, and Tahoe reads them", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await gm([
      "renew",
      "--config",
      config,
      "--within",
      "7",
      "--days",
      "90",
    ]);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /renewed "lapsed": stored .*lapsed\.cert\.1/);
    assert.match(result.stderr, /renewed "none": stored .*none\.cert\.0/);
    assert.match(result.stderr, /renewed "soon": stored .*soon\.cert\.1/);
    assert.doesNotMatch(result.stderr, /"fresh"/);
    assert.match(
      result.stderr,
      /renewed 3 of 4 servers \(2 without a valid certificate, 1 expiring within 7 days\)/,
    );
    const files = [...Deno.readDirSync(config)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "config.json",
      "fresh.cert.0",
      "lapsed.cert.0",
      "lapsed.cert.1",
      "none.cert.0",
      "soon.cert.0",
      "soon.cert.1",
    ]);
    const again = await gm(["list", "--config", config, "--expiring", "7"]);
    assert.equal(again.stdout, "");

    // Tahoe's own Grid Manager loads every stored certificate and checks
    // its signature; it fails on any it cannot read.
    const tahoe = await runTahoe("grid-manager", ["--config", config, "list"]);
    assert.equal(tahoe.stderr, "");
    assert.equal(tahoe.code, 0);
    assert.match(tahoe.stdout, /none: pub-v0-\S+\n\s+cert 0: valid until/);
  });
});

Deno.test("renew with nothing to renew signs nothing", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    await gm(["renew", "--config", config, "--within", "1"]);
    const result = await gm(["renew", "--config", config, "--within", "1"]);
    assert.match(
      result.stderr,
      /renewed 0 of 4 servers .*; nothing to sign$/m,
    );
  });
});

Deno.test("renew --config - prints one JSON line per server", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const text = Deno.readTextFileSync(join(config, "config.json"));
    const loaded = parseGridManagerConfig(text, "config.json");
    const result = await gm(
      ["renew", "--config", "-", "--within", "7", "--days", "20"],
      text,
    );
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.match(
      result.stderr,
      /^grid-manager: signed 4 certificates, expiring /,
    );
    for (const line of lines) {
      const { name, certificate } = JSON.parse(line);
      const server = loaded.servers.find((s) => s.name === name)!;
      const document = parseCertificateDocument(certificate);
      assert.ok(verifyCertificateSignature(document, loaded.keys.publicKey));
      const payload = parseCertificatePayload(document);
      assert.equal(payload.publicKey, server.publicKey);
      const days = (payload.expiresMicros - nowMicros()) / MICROS_PER_DAY;
      assert.ok(days > 19.9 && days <= 20, `expires in ${days} days`);
    }
  });
});

Deno.test("renew requires --within", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await runGridManager(["renew", "--config", config]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^grid-manager: missing --within DAYS/);
  });
});

Deno.test("renew warns when --days is within the window", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await gm([
      "renew",
      "--config",
      config,
      "--within",
      "30",
      "--days",
      "10",
    ]);
    assert.match(
      result.stderr,
      /warning: --days 10 is not more than --within 30/,
    );
  });
});

Deno.test("renew rejects an invalid --days", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const result = await runGridManager([
      "renew",
      "--config",
      config,
      "--within",
      "7",
      "--days",
      "0",
    ]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^grid-manager: invalid --days "0": give a whole number of days from 1 to 1825/,
    );
    const files = [...Deno.readDirSync(config)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "config.json",
      "fresh.cert.0",
      "lapsed.cert.0",
      "soon.cert.0",
    ]);
  });
});

Deno.test("list rejects text direction controls in server names", async () => {
  await withTempDir(async (dir) => {
    const config = await makeGridManager(dir);
    const path = join(config, "config.json");
    const json = JSON.parse(Deno.readTextFileSync(path));
    json.storage_servers["a\u202ex"] = json.storage_servers.fresh;
    Deno.writeTextFileSync(path, JSON.stringify(json));
    const result = await runGridManager(["list", "--config", config]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /U\+202E\); rename it in config\.json$/m);
    assert.doesNotMatch(result.stderr, /\u202e/);
  });
});

Deno.test("list --expiring and renew ignore foreign and old-key certificates", async () => {
  await withTempDir(async (dir) => {
    const config = join(dir, "gm");
    await gm(["create", "--config", config]);
    const foreignKey = serverKey();
    await gm(["add", "--config", config, "foreign", foreignKey]);
    await gm(["add", "--config", config, "moved", serverKey()]);
    // A certificate another Grid Manager signed for the right key.
    const other = generateKeyPair();
    Deno.writeTextFileSync(
      join(config, "foreign.cert.0"),
      formatCertificateDocument(
        signCertificate(
          other.seed,
          foreignKey,
          nowMicros() + 60 * MICROS_PER_DAY,
        ),
      ),
    );
    // A certificate this Grid Manager signed for the server's old key.
    const loaded = parseGridManagerConfig(
      Deno.readTextFileSync(join(config, "config.json")),
      "config.json",
    );
    Deno.writeTextFileSync(
      join(config, "moved.cert.0"),
      formatCertificateDocument(
        signCertificate(
          loaded.keys.seed,
          serverKey(),
          nowMicros() + 60 * MICROS_PER_DAY,
        ),
      ),
    );
    const listed = await gm(["list", "--config", config, "--expiring", "7"]);
    const names = [...listed.stdout.matchAll(/^(\S+): pub-v0-/gm)].map((m) =>
      m[1]
    );
    assert.deepEqual(names, ["foreign", "moved"]);
    const all = await gm(["list", "--config", config]);
    assert.match(all.stdout, /cert 0: valid until .*\(for another key\)$/m);
    assert.match(
      all.stdout,
      /cert 0: valid until .*\(not signed by this Grid Manager\)$/m,
    );
    const renewed = await gm(["renew", "--config", config, "--within", "7"]);
    assert.match(renewed.stderr, /renewed "foreign"/);
    assert.match(renewed.stderr, /renewed "moved"/);
  });
});
