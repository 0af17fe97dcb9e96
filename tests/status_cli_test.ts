import assert from "node:assert/strict";
import { join } from "node:path";
import { dump as dumpYaml } from "js-yaml";
import { encodeBase32 } from "../lib/base32.ts";
import {
  formatCertificateDocument,
  signCertificate,
} from "../lib/certificate.ts";
import { sign } from "../lib/ed25519.ts";
import { encodePublicKey, generateKeyPair } from "../lib/keys.ts";
import { MICROS_PER_DAY, nowMicros } from "../lib/time.ts";
import { ROOT, runGridManager, withTempDir } from "./helpers.ts";

const FIXTURES = join(ROOT, "tests", "fixtures", "status");
const BEFORE_EXPIRY = "2026-12-05T00:00:00+00:00";
const AFTER_EXPIRY = "2026-12-15T00:00:00+00:00";

/** Makes a client directory from the files a real Tahoe client wrote. */
function makeFixtureClient(dir: string, cfgExtra = ""): string {
  const client = join(dir, "client");
  Deno.mkdirSync(join(client, "private"), { recursive: true });
  Deno.writeTextFileSync(
    join(client, "tahoe.cfg"),
    Deno.readTextFileSync(join(FIXTURES, "tahoe_client.cfg")) + cfgExtra,
  );
  Deno.copyFileSync(
    join(FIXTURES, "tahoe_introducer_cache.yaml"),
    join(client, "private", "introducer_default_cache.yaml"),
  );
  return client;
}

function serverKey(): string {
  return encodePublicKey(generateKeyPair().publicKey);
}

Deno.test("status reports an allowed server and exits 0", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      BEFORE_EXPIRY,
    ]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^store0 v0-crxiey3nt57z4h7v/m);
    assert.match(
      result.stdout,
      /certificate 0: signed by alpha; expires 2026-12-14T16:17:05\.474737\+00:00 \(in 9 days\)/,
    );
    assert.match(result.stdout, /verdict: may receive uploads/);
    assert.match(
      result.stdout,
      /New uploads can succeed \(shares\.happy = 1\) if these servers are connected; add --web URL \(the client's node\.url\) to check connections\./,
    );
  });
});

Deno.test("status exits 1 when the only certificate expired", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      AFTER_EXPIRY,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /expired 2026-12-14T.*\(7 hours ago\)/);
    assert.match(result.stdout, /receives no uploads: .*1 expired/);
    assert.match(
      result.stdout,
      /New uploads fail: shares\.happy = 1 needs 1 more allowed server\./,
    );
  });
});

Deno.test("status --json prints the verdicts", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--json",
      "--now",
      BEFORE_EXPIRY,
    ]);
    assert.equal(result.code, 0);
    const report = JSON.parse(result.stdout);
    assert.equal(report.uploads_can_succeed, true);
    assert.equal(report.allowed, 1);
    assert.deepEqual(report.shares, { needed: 1, happy: 1, total: 1 });
    assert.equal(report.grid_managers[0].name, "alpha");
    assert.equal(report.servers[0].verdict, "allowed");
    assert.deepEqual(report.servers[0].certificates[0].signed_by, ["alpha"]);
  });
});

Deno.test("status names a certificate from an unconfigured Grid Manager", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const cfgPath = join(client, "tahoe.cfg");
    const other = encodePublicKey(generateKeyPair().publicKey);
    Deno.writeTextFileSync(
      cfgPath,
      Deno.readTextFileSync(cfgPath).replace(
        /^alpha = .*$/m,
        `beta = ${other}`,
      ),
    );
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      BEFORE_EXPIRY,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /certificate 0: signature matches no configured Grid Manager/,
    );
  });
});

Deno.test("status says every server is used without Grid Managers", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const cfgPath = join(client, "tahoe.cfg");
    Deno.writeTextFileSync(
      cfgPath,
      Deno.readTextFileSync(cfgPath).replace(/^alpha = .*$/m, ""),
    );
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      AFTER_EXPIRY,
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Grid Managers: none configured/);
    assert.match(
      result.stdout,
      /No Grid Manager is configured, so every server is used/,
    );
  });
});

Deno.test("status reports a dropped announcement and a malformed entry", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const id = "v0-" + serverKey().slice("pub-v0-".length);
    Deno.writeTextFileSync(
      join(client, "private", "introducer_second_cache.yaml"),
      dumpYaml([
        "junk",
        {
          key_s: id,
          ann: {
            "service-name": "storage",
            nickname: "broken",
            "grid-manager-certificates": [{
              certificate: "{}",
              signature: "NOT BASE32",
            }],
          },
        },
      ]),
    );
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      BEFORE_EXPIRY,
    ]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /Problem: .*second_cache\.yaml entry 1 is not a mapping/,
    );
    assert.match(result.stdout, /^broken v0-/m);
    assert.match(
      result.stdout,
      /verdict: not used at all: certificate 0 cannot be loaded: the signature is not base32/,
    );
    assert.match(result.stdout, /1 of 2 servers may receive uploads/);
  });
});

Deno.test("status --web shows each server's connection status", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const body = Deno.readTextFileSync(join(FIXTURES, "tahoe_web.json"));
    const requests: string[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => {
        requests.push(new URL(request.url).search);
        return new Response(body, {
          headers: { "content-type": "application/json" },
        });
      },
    );
    try {
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--now",
        BEFORE_EXPIRY,
        "--web",
        `http://127.0.0.1:${server.addr.port}/`,
      ]);
      assert.equal(result.stderr, "");
      assert.equal(result.code, 0);
      assert.deepEqual(requests, ["?t=json"]);
      assert.match(result.stdout, /connection: connected/);
      assert.match(
        result.stdout,
        /1 connected server may receive uploads/,
      );
      assert.match(
        result.stdout,
        /New uploads can succeed \(shares\.happy = 1\)\.$/m,
      );
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("status --web reports a client that is not running", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--web",
      `http://127.0.0.1:${port}`,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^grid-manager: cannot read http:\/\/127\.0\.0\.1:\d+\/\?t=json: .*check that the client is running/,
    );
  });
});

Deno.test("status rejects an invalid --now and --web", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const now = await runGridManager(["status", "-d", client, "--now", "soon"]);
    assert.equal(now.code, 2);
    assert.match(
      now.stderr,
      /^grid-manager: invalid --now "soon": expected an ISO 8601 time/,
    );
    const web = await runGridManager(["status", "-d", client, "--web", "::"]);
    assert.equal(web.code, 2);
    assert.match(web.stderr, /^grid-manager: invalid --web URL "::"/);
  });
});

Deno.test("status reports a missing client directory", async () => {
  await withTempDir(async (dir) => {
    const result = await runGridManager(["status", "-d", join(dir, "none")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /node directory .*\/none not found/);
    assert.equal(result.stdout, "");
  });
});

Deno.test("status reports an invalid Grid Manager key in tahoe.cfg", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir, "broken = pub-v0-abc\n");
    const result = await runGridManager(["status", "-d", client]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /\[grid_managers\] broken: invalid public key .*client does not start/,
    );
  });
});

function writeCertificate(
  dir: string,
  gridManager = generateKeyPair(),
  server = serverKey(),
  days = 10,
) {
  const document = signCertificate(
    gridManager.seed,
    server,
    nowMicros() + days * MICROS_PER_DAY,
  );
  const path = join(dir, "server.cert");
  Deno.writeTextFileSync(path, formatCertificateDocument(document));
  return {
    path,
    gridManagerKey: encodePublicKey(gridManager.publicKey),
    server,
    document,
  };
}

Deno.test("inspect shows version, key and time left", async () => {
  await withTempDir(async (dir) => {
    const { path, server } = writeCertificate(dir, undefined, undefined, 12);
    const result = await runGridManager(["inspect", path]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^version: 1$/m);
    assert.match(result.stdout, new RegExp(`^server key: ${server}$`, "m"));
    assert.match(result.stdout, /^expires: .* \(in 11 days\)$/m);
  });
});

Deno.test("inspect reads standard input and prints JSON", async () => {
  await withTempDir(async (dir) => {
    const { path, server } = writeCertificate(dir);
    const result = await runGridManager(["inspect", "--json", "-"], {
      stdin: Deno.readTextFileSync(path),
    });
    assert.equal(result.code, 0);
    const decoded = JSON.parse(result.stdout);
    assert.equal(decoded.public_key, server);
    assert.equal(decoded.server_id, server.slice("pub-".length));
    assert.equal(decoded.expired, false);
    assert.equal(decoded.version, 1);
  });
});

Deno.test("inspect notes a version 2 certificate", async () => {
  const keys = generateKeyPair();
  const payload = JSON.stringify({
    expires: "2030-01-01T00:00:00+00:00",
    public_key: serverKey(),
    version: 2,
  });
  const document = JSON.stringify({
    certificate: payload,
    signature: encodeBase32(sign(keys.seed, new TextEncoder().encode(payload))),
  });
  const result = await runGridManager(["inspect"], { stdin: document });
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^version: 2$/m);
  assert.match(
    result.stdout,
    /^note: version 2: Tahoe-LAFS 1\.20 does not check/m,
  );
});

Deno.test("inspect rejects a damaged certificate", async () => {
  const result = await runGridManager(["inspect"], {
    stdin: '{"certificate": "{}", "signature": "abc!"}',
  });
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /^grid-manager: standard input: invalid signature/,
  );
  assert.equal(result.stdout, "");
});

Deno.test("verify exits 0 for a valid certificate", async () => {
  await withTempDir(async (dir) => {
    const { path, gridManagerKey, server } = writeCertificate(dir);
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--server",
      server,
    ]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^grid-manager: valid for pub-v0-.*, expires /);
  });
});

Deno.test("verify exits 1 for another Grid Manager's certificate", async () => {
  await withTempDir(async (dir) => {
    const { path } = writeCertificate(dir);
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      serverKey(),
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^grid-manager: invalid: .*signature does not verify under the Grid Manager key/,
    );
  });
});

Deno.test("verify exits 1 for another server's certificate", async () => {
  await withTempDir(async (dir) => {
    const { path, gridManagerKey } = writeCertificate(dir);
    const other = serverKey();
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--server",
      other,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`is for pub-v0-\\S+, not ${other}`));
  });
});

Deno.test("verify exits 1 for an expired certificate", async () => {
  await withTempDir(async (dir) => {
    const { path, gridManagerKey } = writeCertificate(dir);
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--now",
      "2100-01-01T00:00:00+00:00",
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^grid-manager: invalid: .* expired /);
  });
});

Deno.test("verify exits 3 when expiring within --warn-days", async () => {
  await withTempDir(async (dir) => {
    const { path, gridManagerKey } = writeCertificate(
      dir,
      undefined,
      undefined,
      5,
    );
    const soon = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--warn-days",
      "7",
    ]);
    assert.equal(soon.code, 3);
    assert.match(soon.stderr, /valid, but expiring within 7 days/);
    const later = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--warn-days",
      "3",
    ]);
    assert.equal(later.code, 0);
  });
});

Deno.test("verify requires --grid-manager", async () => {
  const result = await runGridManager(["verify"], { stdin: "{}" });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^grid-manager: missing --grid-manager; give the Grid Manager's public key, the output of "grid-manager public-identity"; see "grid-manager --help"$/m,
  );
  assert.doesNotMatch(result.stderr, /node\.pubkey/);
});

Deno.test("verify rejects an invalid --warn-days", async () => {
  const result = await runGridManager([
    "verify",
    "--grid-manager",
    serverKey(),
    "--warn-days",
    "seven",
  ], { stdin: "{}" });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /^grid-manager: invalid --warn-days "seven": give a whole number of days from 0 to 36500; see "grid-manager --help"$/m,
  );
  const huge = await runGridManager([
    "verify",
    "--grid-manager",
    serverKey(),
    "--warn-days",
    "99999999999999999999",
  ], { stdin: "{}" });
  assert.equal(huge.code, 2);
  assert.match(huge.stderr, /invalid --warn-days "99999999999999999999"/);
});

Deno.test("verify accepts a version 2 certificate as Tahoe does", async () => {
  const keys = generateKeyPair();
  const payload = JSON.stringify({
    expires: "2100-01-01T00:00:00+00:00",
    public_key: serverKey(),
    version: 2,
  });
  const document = JSON.stringify({
    certificate: payload,
    signature: encodeBase32(sign(keys.seed, new TextEncoder().encode(payload))),
  });
  const result = await runGridManager([
    "verify",
    "--grid-manager",
    encodePublicKey(keys.publicKey),
  ], { stdin: document });
  assert.equal(result.code, 0);
  assert.match(
    result.stderr,
    /warning: version 2: Tahoe-LAFS 1\.20 does not check/,
  );
});

Deno.test("verify rejects an invalid key with exit 1, as add does", async () => {
  const result = await runGridManager([
    "verify",
    "--grid-manager",
    "pub-v0-abc",
  ], { stdin: "{}" });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^grid-manager: --grid-manager: .*pub-v0-abc/);
});

/** Signs a certificate whose payload has the given `expires` text. */
function certificateExpiring(
  gridManager: ReturnType<typeof generateKeyPair>,
  server: string,
  expires: string,
) {
  const payload = JSON.stringify({ expires, public_key: server, version: 1 });
  return {
    certificate: payload,
    signature: encodeBase32(
      sign(gridManager.seed, new TextEncoder().encode(payload)),
    ),
  };
}

Deno.test("verify accepts every expiry form Python 3.11 reads", async () => {
  const gridManager = generateKeyPair();
  for (
    const expires of [
      "2027-02-01T00:00:00.5+00:00",
      "20270201T000000+00:00",
      "2027-02-01T00:00:00+0000",
    ]
  ) {
    const result = await runGridManager([
      "verify",
      "--grid-manager",
      encodePublicKey(gridManager.publicKey),
    ], {
      stdin: JSON.stringify(
        certificateExpiring(gridManager, serverKey(), expires),
      ),
    });
    assert.equal(result.code, 0, `${expires}: ${result.stderr}`);
    assert.match(
      result.stderr,
      /clients on Python 3\.10 and older cannot read this expiry/,
    );
  }
});

Deno.test("inspect shows expiries at the edges of Python's range", async () => {
  const gridManager = generateKeyPair();
  const cases: [string, RegExp][] = [
    [
      "9999-12-31T23:59:59.999999+00:00",
      /^expires: (9999-12-31T23:59:59|\+10000-01-01T00:00:00)/m,
    ],
    ["9999-12-31T23:59:59-01:00", /^expires: \+10000-01-01T00:59:59\+00:00/m],
    ["0001-01-01T00:30:00+01:00", /^expired: 0000-12-31T23:30:00\+00:00/m],
  ];
  for (const [expires, shown] of cases) {
    const result = await runGridManager(["inspect", "-"], {
      stdin: JSON.stringify(
        certificateExpiring(gridManager, serverKey(), expires),
      ),
    });
    assert.equal(result.code, 0, `${expires}: ${result.stderr}`);
    assert.match(result.stdout, shown);
  }
});

Deno.test("status reports servers whose expiry lies past year 9999", async () => {
  await withTempDir(async (dir) => {
    const gridManager = generateKeyPair();
    const client = makeFixtureClient(dir);
    const config = join(client, "tahoe.cfg");
    Deno.writeTextFileSync(
      config,
      Deno.readTextFileSync(config).replace(
        /^alpha = .*$/m,
        `alpha = ${encodePublicKey(gridManager.publicKey)}`,
      ),
    );
    const id = serverKey().slice("pub-".length);
    Deno.writeTextFileSync(
      join(client, "private", "introducer_default_cache.yaml"),
      dumpYaml([{
        ann: {
          nickname: "far",
          "service-name": "storage",
          "grid-manager-certificates": [
            certificateExpiring(
              gridManager,
              "pub-" + id,
              "9999-12-31T23:59:59-01:00",
            ),
          ],
        },
        key_s: id,
      }]),
    );
    const result = await runGridManager(["status", "-d", client]);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /expires \+10000-01-01T00:59:59\+00:00/);
    assert.match(result.stdout, /verdict: may receive uploads/);
  });
});

Deno.test("status exits 1 for share counts no upload can use", async () => {
  const cases: [string, RegExp][] = [
    [
      "shares.needed = 2\nshares.happy = 1\nshares.total = 1",
      /shares\.needed = 2 is more than shares\.total = 1/,
    ],
    [
      "shares.needed = 0\nshares.happy = 1\nshares.total = 1",
      /shares\.needed = 0 is below 1/,
    ],
    [
      "shares.needed = 1\nshares.happy = 1\nshares.total = 257",
      /shares\.total = 257 is above 256/,
    ],
    [
      "shares.needed = 1\nshares.happy = 2\nshares.total = 1",
      /shares\.happy = 2 is more than shares\.total = 1/,
    ],
  ];
  for (const [counts, problem] of cases) {
    await withTempDir(async (dir) => {
      const client = makeFixtureClient(dir);
      const config = join(client, "tahoe.cfg");
      Deno.writeTextFileSync(
        config,
        Deno.readTextFileSync(config).replace(
          "shares.needed = 1\nshares.happy = 1\nshares.total = 1",
          counts,
        ),
      );
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--now",
        BEFORE_EXPIRY,
      ]);
      assert.equal(result.code, 1, counts);
      assert.match(result.stdout, problem);
      assert.match(result.stdout, /New uploads fail/);
    });
  }
});

Deno.test("status escapes control characters from announcements", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const cache = join(client, "private", "introducer_default_cache.yaml");
    Deno.writeTextFileSync(
      cache,
      Deno.readTextFileSync(cache).replace(
        "nickname: store0",
        'nickname: "\\e[2J\\e]0;pwned\\astore0\\nverdict: fake"',
      ),
    );
    const result = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      BEFORE_EXPIRY,
    ]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.includes("\x1b"), false);
    assert.equal(result.stdout.includes("\x07"), false);
    assert.match(
      result.stdout,
      /^\\x1b\[2J\\x1b\]0;pwned\\x07store0\\x0averdict: fake v0-/m,
    );
  });
});

Deno.test("inspect and verify escape a hostile public_key", async () => {
  const gridManager = generateKeyPair();
  const payload = JSON.stringify({
    expires: "2100-01-01T00:00:00+00:00",
    public_key: "\x1b[2Jpub-v0-evil",
    version: 1,
  });
  const document = JSON.stringify({
    certificate: payload,
    signature: encodeBase32(
      sign(gridManager.seed, new TextEncoder().encode(payload)),
    ),
  });
  const inspected = await runGridManager(["inspect", "-"], {
    stdin: document,
  });
  assert.equal(inspected.code, 0);
  assert.match(inspected.stdout, /^server key: \\x1b\[2Jpub-v0-evil$/m);
  const verified = await runGridManager([
    "verify",
    "--grid-manager",
    encodePublicKey(gridManager.publicKey),
  ], { stdin: document });
  assert.equal(verified.code, 1);
  assert.equal(verified.stderr.includes("\x1b"), false);
  assert.match(
    verified.stderr,
    /names "\\u001b\[2Jpub-v0-evil", which is not a server key/,
  );
});

Deno.test("status --web sums up a failed connection in one line", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const web = JSON.parse(
      Deno.readTextFileSync(join(FIXTURES, "tahoe_web.json")),
    );
    // The shape Tahoe's HTTP storage client reports after a refused
    // connection: "failure: " and a Twisted Failure with its traceback.
    web.servers[0].connection_status = "failure: [Failure instance: " +
      "Traceback (failure with no frames): <class " +
      "'twisted.internet.error.ConnectionRefusedError'>: Connection was " +
      "refused by other side: 111: Connection refused.\n]";
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => Response.json(web),
    );
    try {
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--now",
        BEFORE_EXPIRY,
        "--web",
        `http://127.0.0.1:${server.addr.port}/`,
      ]);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        /^ {2}connection: not connected \(connection refused\)$/m,
      );
      assert.doesNotMatch(result.stdout, /Traceback/);
    } finally {
      await server.shutdown();
    }
  });
});

/** Serves `respond` on 127.0.0.1 while `body` runs, recording paths. */
async function withWebServer(
  respond: (request: Request) => Response,
  body: (port: number, paths: string[]) => Promise<void>,
) {
  const paths: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      paths.push(url.pathname + url.search);
      return respond(request);
    },
  );
  try {
    await body(server.addr.port, paths);
  } finally {
    await server.shutdown();
  }
}

const webJson = () =>
  Response.json(
    JSON.parse(Deno.readTextFileSync(join(FIXTURES, "tahoe_web.json"))),
  );

Deno.test("status --web keeps the URL's path", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    await withWebServer(webJson, async (port, paths) => {
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--now",
        BEFORE_EXPIRY,
        "--web",
        `http://127.0.0.1:${port}/tahoe`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(paths, ["/tahoe/?t=json"]);
    });
  });
});

Deno.test("status --web warns when the URL is not the client's node.url", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    Deno.writeTextFileSync(join(client, "node.url"), "http://127.0.0.1:1/\n");
    await withWebServer(webJson, async (port) => {
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--now",
        BEFORE_EXPIRY,
        "--web",
        `http://127.0.0.1:${port}/`,
      ]);
      assert.equal(result.code, 0);
      assert.match(
        result.stderr,
        /warning: --web .* is not this client's node\.url \(http:\/\/127\.0\.0\.1:1\/\)/,
      );
    });
  });
});

Deno.test("status --web rejects a URL off this machine", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    for (const url of ["http://192.0.2.1/", "http://[::1]:3456/"]) {
      const result = await runGridManager([
        "status",
        "-d",
        client,
        "--web",
        url,
      ]);
      assert.equal(result.code, 2, url);
      assert.match(result.stderr, /give the client's web API on 127\.0\.0\.1/);
      assert.doesNotMatch(result.stderr, /allow-net/);
    }
  });
});

Deno.test("status --web does not follow redirects", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    await withWebServer(
      () =>
        new Response(null, {
          status: 302,
          headers: { location: "http://192.0.2.1/" },
        }),
      async (port) => {
        const result = await runGridManager([
          "status",
          "-d",
          client,
          "--web",
          `http://127.0.0.1:${port}/`,
        ]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /redirects to http:\/\/192\.0\.2\.1\//);
        assert.doesNotMatch(result.stderr, /allow-net/);
      },
    );
  });
});

Deno.test("verify names the Grid Manager key when given a private key", async () => {
  const result = await runGridManager([
    "verify",
    "--grid-manager",
    "priv-v0-" + "a".repeat(52),
  ], { stdin: "{}" });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /grid-manager public-identity/);
  assert.doesNotMatch(result.stderr, /node\.pubkey/);
});

Deno.test("verify says 1 day, not 1 days", async () => {
  await withTempDir(async (dir) => {
    const { path, gridManagerKey } = writeCertificate(
      dir,
      undefined,
      undefined,
      1,
    );
    const result = await runGridManager([
      "verify",
      path,
      "--grid-manager",
      gridManagerKey,
      "--warn-days",
      "1",
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /valid, but expiring within 1 day: /);
  });
});

Deno.test("status has no stray semicolon without Grid Managers", async () => {
  await withTempDir(async (dir) => {
    const client = makeFixtureClient(dir);
    const config = join(client, "tahoe.cfg");
    Deno.writeTextFileSync(
      config,
      Deno.readTextFileSync(config).replace(/^\[grid_managers\][^]*$/m, ""),
    );
    const cache = join(client, "private", "introducer_default_cache.yaml");
    Deno.writeTextFileSync(
      cache,
      Deno.readTextFileSync(cache).replace(
        /"expires":"[^"]*"/,
        '"expires":"soon"',
      ),
    );
    const result = await runGridManager(["status", "-d", client]);
    assert.doesNotMatch(result.stdout, /;$/m);
    assert.doesNotMatch(result.stdout, /\(s\)/);
  });
});

Deno.test("status tells unreadable inputs from failing uploads by stdout", async () => {
  await withTempDir(async (dir) => {
    const missing = await runGridManager([
      "status",
      "-d",
      join(dir, "absent"),
    ]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, "");
    const client = makeFixtureClient(dir);
    const failing = await runGridManager([
      "status",
      "-d",
      client,
      "--now",
      AFTER_EXPIRY,
    ]);
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /New uploads fail/);
    const help = await runGridManager(["status", "--help"]);
    assert.match(help.stdout, /nothing on stdout/);
  });
});
