import assert from "node:assert/strict";
import { join } from "node:path";
import { signCertificate } from "../lib/certificate.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";
import { nowMicros } from "../lib/time.ts";
import { runGridManager, runTahoe, TAHOE_BIN, withTempDir } from "./helpers.ts";

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

interface WebStatus {
  servers: { nickname: string }[];
}

/**
 * Polls the web API until it lists a server: the client loads its whole
 * cache in one step, shortly after the web server starts.
 */
async function waitForServers(url: string): Promise<WebStatus> {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        const status = await response.json() as WebStatus;
        if (status.servers.length > 0) return status;
      } else {
        await response.body?.cancel();
      }
    } catch {
      // The client is still starting.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} listed no server within 30 s`);
}

/**
 * A real Tahoe client, started on 127.0.0.1 with an introducer cache of
 * three servers: one with a valid certificate, one whose certificate
 * signature is not base32, and one without a certificate. The introducer
 * and the servers' addresses are closed ports, so nothing connects, but
 * the client loads every cached announcement at start.
 */
Deno.test("status agrees with a running client on dropped servers", async () => {
  await withTempDir(async (dir) => {
    const client = join(dir, "client");
    const webPort = freePort();
    const closedPort = freePort();
    const created = await runTahoe("tahoe", [
      "create-client",
      `--webport=tcp:${webPort}:interface=127.0.0.1`,
      `--introducer=pb://${"a".repeat(32)}@tcp:127.0.0.1:${closedPort}/${
        "b".repeat(32)
      }`,
      client,
    ]);
    assert.equal(created.code, 0, created.stderr);

    const gridManager = generateKeyPair();
    const entries = ["good", "badsig", "nocert"].map((nickname) => {
      const key = encodePublicKey(generateKeyPair().publicKey);
      const certificate = signCertificate(
        gridManager.seed,
        key,
        nowMicros() + 86_400_000_000,
      );
      const certificates = nickname === "good"
        ? [certificate]
        : nickname === "badsig"
        ? [{ ...certificate, signature: "NOT-BASE32" }]
        : [];
      return {
        ann: {
          "anonymous-storage-FURL": `pb://${
            "c".repeat(32)
          }@tcp:127.0.0.1:${closedPort}/${"d".repeat(32)}`,
          "grid-manager-certificates": certificates,
          nickname,
          "permutation-seed-base32": "a".repeat(52),
          "service-name": "storage",
          "my-version": "tahoe-lafs/1.20.0",
          "oldest-supported": "1.0.0",
          version: 0,
          seqnum: 1,
          nonce: "n",
        },
        key_s: key.slice("pub-".length),
      };
    });
    // Tahoe reads the cache with PyYAML, which reads this JSON as YAML.
    Deno.writeTextFileSync(
      join(client, "private", "introducer_default_cache.yaml"),
      JSON.stringify(entries, null, 1),
    );
    Deno.writeTextFileSync(
      join(client, "tahoe.cfg"),
      `[grid_managers]\nalpha = ${encodePublicKey(gridManager.publicKey)}\n`,
      { append: true },
    );

    const process = new Deno.Command(join(TAHOE_BIN, "tahoe"), {
      args: ["run", "--allow-stdin-close", client],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const web = await waitForServers(`http://127.0.0.1:${webPort}/?t=json`);
      const known = web.servers.map((server) => server.nickname).sort();
      assert.deepEqual(known, ["good", "nocert"]);

      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--json",
        "--web",
        `http://127.0.0.1:${webPort}`,
      ]);
      assert.equal(result.code, 1);
      const report = JSON.parse(result.stdout);
      const byName = Object.fromEntries(
        report.servers.map((
          server: { nickname: string; verdict: string; connection: string },
        ) => [server.nickname, server]),
      );
      assert.equal(byName.badsig.verdict, "dropped");
      assert.equal(byName.badsig.connection, "not known to the running client");
      assert.equal(byName.good.verdict, "allowed");
      assert.notEqual(
        byName.good.connection,
        "not known to the running client",
      );
      assert.equal(byName.nocert.verdict, "refused");
    } finally {
      process.kill("SIGTERM");
      await process.status;
    }
  });
});
