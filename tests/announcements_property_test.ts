/**
 * Property tests for the announcement reader (lib/announcements.ts) and
 * the status report built on it: generated introducer caches and
 * servers.yaml files, valid and with malformed entries, never make the
 * reader or the report throw, and on a sample js-yaml loads exactly what
 * PyYAML's safe_load (which Tahoe-LAFS uses) loads. PROPERTY_RUNS and
 * PROPERTY_SEED work as in tests/property_test.ts; ORACLE_CASES sets the
 * sample size (default 300).
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { dump as dumpYaml } from "js-yaml";
import {
  loadTahoeYaml,
  mergeAnnouncements,
  parseIntroducerCache,
  parseStaticServers,
} from "../lib/announcements.ts";
import { encodeBase32 } from "../lib/base32.ts";
import { signCertificate } from "../lib/certificate.ts";
import { publicKeyFromSeed } from "../lib/ed25519.ts";
import { encodePublicKey } from "../lib/keys.ts";
import { buildStatusReport } from "../lib/status.ts";
import { formatStatusReport, statusReportJson } from "../lib/status_format.ts";
import { runPython } from "./helpers.ts";
import { check, failWithSeed, samples } from "./property_settings.ts";

const ORACLE_CASES = Number(Deno.env.get("ORACLE_CASES") ?? 300);

const GRID_MANAGER_SEED = new Uint8Array(32).fill(7);
const GRID_MANAGER_KEY = publicKeyFromSeed(GRID_MANAGER_SEED);
const NOW = Date.UTC(2027, 0, 1) * 1000;

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Plain scalars that YAML 1.1 (PyYAML) and YAML 1.2 may read differently. */
const RAW_SCALARS = [
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "~",
  "Null",
  "1_000",
  "0o17",
  "017",
  "0x1f",
  "1:20",
  "2030-01-01",
  "2030-01-01 10:00:00Z",
  ".inf",
  "-.Inf",
  ".nan",
  "1e3",
  "1.5e+3",
  "+12",
  "!!str 12",
  "'quoted'",
  "=",
];

/** A scalar, or a placeholder for a raw scalar spliced into the text. */
const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.nat({ max: RAW_SCALARS.length - 1 }).map((i) => `@@RAW${i}@@`),
);

// Signing is slow, so runs draw from a fixed set of certificates: valid,
// expired, and for other servers.
const SIGNED = Array.from({ length: 16 }, (_, i) =>
  signCertificate(
    GRID_MANAGER_SEED,
    encodePublicKey(new Uint8Array(32).fill(i)),
    NOW + (i - 4) * 86_400_000_000,
  ));

const certificate = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SIGNED) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      scalar,
      fc.constant({}),
      fc.record({ certificate: scalar, signature: scalar }),
      fc.record({ certificate: fc.string(), signature: fc.constant("!!") }),
    ),
  },
);

const ann = fc.record({
  "service-name": fc.oneof(
    { weight: 5, arbitrary: fc.constant("storage") },
    { weight: 1, arbitrary: scalar },
  ),
  nickname: scalar,
  seqnum: fc.oneof(fc.nat(), scalar),
  "anonymous-storage-FURL": fc.constant("pb://abc@tcp:127.0.0.1:1/swissnum"),
  "grid-manager-certificates": fc.oneof(
    { weight: 4, arbitrary: fc.array(certificate, { maxLength: 3 }) },
    { weight: 1, arbitrary: scalar },
    { weight: 1, arbitrary: fc.dictionary(fc.string(), scalar) },
  ),
}, { requiredKeys: [] });

const serverId = fc.oneof(
  { weight: 5, arbitrary: bytes32.map((key) => "v0-" + encodeBase32(key)) },
  { weight: 1, arbitrary: scalar },
);

const cacheEntry = fc.oneof(
  { weight: 8, arbitrary: fc.record({ ann, key_s: serverId }) },
  { weight: 1, arbitrary: fc.record({ ann: scalar, key_s: serverId }) },
  {
    weight: 1,
    arbitrary: fc.record({ ann, key_s: serverId }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: scalar },
);

const cacheValue = fc.oneof(
  { weight: 9, arbitrary: fc.array(cacheEntry, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.oneof(scalar, fc.record({ storage: scalar })) },
);

const serversValue = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      storage: fc.dictionary(
        // Keys stay strings: PyYAML keeps a number key, js-yaml makes it
        // a string, and neither client nor status uses such a server.
        fc.oneof(
          bytes32.map((key) => "v0-" + encodeBase32(key)),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          { weight: 5, arbitrary: fc.record({ ann }) },
          { weight: 1, arbitrary: scalar },
        ),
        { maxKeys: 4 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.oneof(scalar, fc.array(scalar)) },
);

const dumpStyle = fc.record({
  flowLevel: fc.constantFrom(-1, 0, 1, 2, 3),
  indent: fc.constantFrom(2, 4),
  forceQuotes: fc.boolean(),
  quotingType: fc.constantFrom("'", '"') as fc.Arbitrary<"'" | '"'>,
  repeatKey: fc.boolean(),
});

/** Damage to the text, for the never-throw property. */
const damage = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.nat(),
      fc.constantFrom("", "\t", ":", "- ", "&a ", "*a", "{", "]", "\u0000"),
    ),
  },
);

type DumpStyle = typeof dumpStyle extends fc.Arbitrary<infer T> ? T : never;

function render(
  value: unknown,
  style: DumpStyle,
): string {
  const { repeatKey: _, ...options } = style;
  let text = dumpYaml(value, { ...options, noRefs: true, lineWidth: -1 });
  // A repeated key, which PyYAML accepts (the last value wins).
  if (style.repeatKey) {
    text = text.replace(/^(\s*)(key_s|seqnum): .*$/m, "$&\n$1$2: 7");
  }
  return text.replace(
    /(['"]?)@@RAW(\d+)@@\1/g,
    (_: string, _quote: string, index: string) => RAW_SCALARS[Number(index)]!,
  );
}

function damaged(text: string, change: [number, string] | undefined): string {
  if (change === undefined) return text;
  const at = change[0] % (text.length + 1);
  return text.slice(0, at) + change[1] + text.slice(at + 1);
}

const cacheText = fc.tuple(cacheValue, dumpStyle, damage).map((
  [value, style, change],
) => damaged(render(value, style), change));
const serversText = fc.tuple(serversValue, dumpStyle, damage).map((
  [value, style, change],
) => damaged(render(value, style), change));

function report(caches: string[], servers: string, managed: boolean) {
  const sets = [
    ...caches.map((text, i) =>
      parseIntroducerCache(text, `introducer_${i}_cache.yaml`)
    ),
    parseStaticServers(servers, "servers.yaml"),
  ];
  for (const set of sets) {
    for (const problem of set.problems) {
      assert.ok(!problem.message.includes("\n"), problem.message);
    }
  }
  return buildStatusReport(
    mergeAnnouncements(sets),
    sets.flatMap((set) => set.problems),
    {
      gridManagers: managed
        ? [{
          name: "gm",
          publicKey: encodePublicKey(GRID_MANAGER_KEY),
          keyBytes: GRID_MANAGER_KEY,
        }]
        : [],
      sharesNeeded: 1,
      sharesHappy: 2,
      sharesTotal: 3,
    },
    NOW,
    undefined,
  );
}

Deno.test("announcement files never make status throw", () => {
  check(
    fc.property(
      fc.array(cacheText, { maxLength: 2 }),
      serversText,
      fc.boolean(),
      (caches, servers, managed) => {
        const result = report(caches, servers, managed);
        const text = formatStatusReport(result);
        for (const line of text.split("\n")) {
          assert.ok(line.length < 10_000, "a report line is too long");
        }
        JSON.stringify(statusReportJson(result));
      },
    ),
  );
});

/** js-yaml's value in the JSON-safe form tests/tahoe/load_yaml.py prints. */
function plain(value: unknown): unknown {
  // An empty document: js-yaml returns undefined, PyYAML None.
  if (value === undefined) return null;
  if (
    value === null || typeof value === "string" || typeof value === "boolean"
  ) {
    return value;
  }
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return value;
  }
  if (value instanceof Date) return { timestamp: true };
  if (value instanceof Uint8Array) {
    return {
      binary: Array.from(value, (b) => b.toString(16).padStart(2, "0")).join(
        "",
      ),
    };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map((
        [key, item],
      ) => [key, plain(item)]),
    );
  }
  return { other: typeof value };
}

Deno.test("loadTahoeYaml() loads announcement files as PyYAML does", async () => {
  const texts = samples(fc.oneof(cacheText, serversText), ORACLE_CASES);
  const result = await runPython("load_yaml.py", [], {
    stdin: JSON.stringify(texts),
  });
  assert.equal(result.code, 0, result.stderr);
  const theirs: { value?: unknown; error?: string }[] = JSON.parse(
    result.stdout,
  );
  const mismatches: string[] = [];
  texts.forEach((text, index) => {
    const python = theirs[index]!;
    let ours: { value?: unknown; error?: string };
    try {
      ours = { value: plain(loadTahoeYaml(text)) };
    } catch {
      ours = { error: "rejected" };
    }
    // PyYAML rejects some odd flow-style text that js-yaml loads; Tahoe
    // cannot read such a file at all, so only what PyYAML loads counts.
    if (python.error !== undefined) return;
    // A number key stays a number in PyYAML; js-yaml makes it a string.
    if (JSON.stringify(python).includes('"non_string_key"')) return;
    try {
      assert.deepEqual(ours, python);
    } catch {
      mismatches.push(
        `${JSON.stringify(text)}: PyYAML ${JSON.stringify(python)}, ` +
          `js-yaml ${JSON.stringify(ours)}`,
      );
    }
  });
  if (mismatches.length > 0) {
    failWithSeed(
      `${mismatches.length} of ${texts.length} differ; first: ${mismatches[0]}`,
    );
  }
});
