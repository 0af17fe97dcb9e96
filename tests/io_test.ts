import assert from "node:assert/strict";
import { join } from "node:path";
import { GridManagerError } from "../lib/errors.ts";
import {
  createFileExclusive,
  decodeUtf8,
  pathExists,
  readTextFile,
  removeStaleTempFiles,
  withDirectoryLock,
  writeFileAtomic,
} from "../lib/io.ts";
import { withTempDir } from "./helpers.ts";

function mode(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

Deno.test("writeFileAtomic() writes a new file with the mode", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "config.json");
    writeFileAtomic(path, "new", "config", { mode: 0o600 });
    assert.equal(Deno.readTextFileSync(path), "new");
    assert.equal(mode(path), 0o600);
    assert.deepEqual(names(dir), ["config.json"]);
  });
});

Deno.test("writeFileAtomic() keeps the mode it replaces", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "file");
    Deno.writeTextFileSync(path, "old");
    Deno.chmodSync(path, 0o640);
    writeFileAtomic(path, "new", "file");
    assert.equal(Deno.readTextFileSync(path), "new");
    assert.equal(mode(path), 0o640);
  });
});

Deno.test("writeFileAtomic() reports a missing directory", async () => {
  await withTempDir((dir) => {
    assert.throws(
      () => writeFileAtomic(join(dir, "no", "file"), "x", "config"),
      (error: unknown) =>
        error instanceof GridManagerError &&
        /config .*file not found/.test(error.message),
    );
  });
});

Deno.test("createFileExclusive() never replaces a file", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "s.cert.0");
    assert.equal(createFileExclusive(path, "first", "cert", 0o644), true);
    assert.equal(createFileExclusive(path, "second", "cert", 0o644), false);
    assert.equal(Deno.readTextFileSync(path), "first");
    assert.equal(mode(path), 0o644);
    assert.deepEqual(names(dir), ["s.cert.0"]);
  });
});

Deno.test("readTextFile() reports missing files and directories", async () => {
  await withTempDir((dir) => {
    assert.throws(
      () => readTextFile(join(dir, "none"), "Grid Manager config"),
      /^Error: Grid Manager config .*none not found; check the path$|not found/,
    );
    assert.throws(() => readTextFile(dir, "config"), GridManagerError);
  });
});

Deno.test("decodeUtf8() rejects invalid bytes", () => {
  assert.equal(decodeUtf8(new TextEncoder().encode("é"), "x"), "é");
  assert.throws(
    () => decodeUtf8(Uint8Array.of(0xff, 0xfe), "input.json"),
    /input\.json is not valid UTF-8 text/,
  );
});

Deno.test("pathExists() sees files, directories and dangling links", async () => {
  await withTempDir((dir) => {
    assert.equal(pathExists(dir), true);
    assert.equal(pathExists(join(dir, "none")), false);
    Deno.symlinkSync(join(dir, "none"), join(dir, "link"));
    assert.equal(pathExists(join(dir, "link")), true);
  });
});

Deno.test("removeStaleTempFiles() keeps files a writer has locked", async () => {
  await withTempDir((dir) => {
    // Another command's write in progress, such as a concurrent sign.
    const busy = join(dir, `.grid-manager-tmp-${Deno.ppid}-abcd1234-s.cert.0`);
    Deno.writeTextFileSync(busy, "x");
    const writer = Deno.openSync(busy, { read: true });
    writer.lockSync(true);
    try {
      removeStaleTempFiles(dir);
      assert.ok(pathExists(busy));
    } finally {
      writer.close();
    }
    removeStaleTempFiles(dir);
    assert.equal(pathExists(busy), false);
  });
});

Deno.test("removeStaleTempFiles() removes unlocked temporary files", async () => {
  await withTempDir((dir) => {
    for (
      const name of [
        `.grid-manager-tmp-${Deno.ppid}-abcd1234-config.json`,
        `.grid-manager-tmp-${Deno.pid}-abcd1234-config.json`,
        ".grid-manager-tmp-1-abcd1234-empty",
        "config.json",
      ]
    ) {
      Deno.writeTextFileSync(
        join(dir, name),
        name.endsWith("empty") ? "" : "x",
      );
    }
    removeStaleTempFiles(dir);
    assert.deepEqual(names(dir), ["config.json"]);
  });
});

Deno.test("withDirectoryLock() runs one holder at a time", async () => {
  await withTempDir(async (dir) => {
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    const first = withDirectoryLock(dir, "dir", async () => {
      events.push("first start");
      await held;
      events.push("first end");
    });
    // Give the first holder time to take the lock before the second requests it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = withDirectoryLock(dir, "dir", () => {
      events.push("second");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(events, ["first start"]);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(events, ["first start", "first end", "second"]);
  });
});

Deno.test("withDirectoryLock() reports a missing directory", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      withDirectoryLock(join(dir, "none"), "Grid Manager directory", () => {}),
      /Grid Manager directory .*none not found/,
    );
  });
});
