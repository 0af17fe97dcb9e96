import assert from "node:assert/strict";
import {
  checkFileName,
  invalidFileNameReason,
  MAX_NAME_BYTES,
  shellQuote,
} from "../lib/names.ts";
import { ExitCode, GridManagerError } from "../lib/errors.ts";
import { checkEntryName } from "../lib/node_config.ts";

Deno.test("invalidFileNameReason() accepts ordinary names", () => {
  for (
    const name of [
      "storage0",
      "a.b",
      ".hidden",
      "...",
      "with space",
      "é-ünïcode",
      "😀",
      "-dash",
    ]
  ) {
    assert.equal(invalidFileNameReason(name), undefined, name);
  }
});

Deno.test("invalidFileNameReason() rejects an empty name", () => {
  assert.equal(invalidFileNameReason(""), "it is empty");
});

Deno.test("invalidFileNameReason() rejects dot names", () => {
  assert.match(invalidFileNameReason(".")!, /names a directory/);
  assert.match(invalidFileNameReason("..")!, /names a directory/);
});

Deno.test("invalidFileNameReason() rejects path separators", () => {
  for (const name of ["a/b", "/abs", "../up", "a\\b", "\\"]) {
    assert.equal(
      invalidFileNameReason(name),
      "it contains a path separator",
      name,
    );
  }
});

Deno.test("invalidFileNameReason() rejects control characters", () => {
  for (
    const name of ["a\u0000b", "a\nb", "tab\t", "\r", "del\u007f", "\u001b"]
  ) {
    assert.equal(
      invalidFileNameReason(name),
      "it contains a control character",
      JSON.stringify(name),
    );
  }
});

Deno.test("checkFileName() returns a valid name", () => {
  assert.equal(checkFileName("storage0", "server name"), "storage0");
});

Deno.test("checkFileName() names the value and kind", () => {
  assert.throws(
    () => checkFileName("a/b", "server name"),
    (error: unknown) => {
      assert.ok(error instanceof GridManagerError);
      assert.equal(error.exitCode, ExitCode.failure);
      assert.match(error.message, /^invalid server name "a\/b": /);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
});

Deno.test("checkFileName() uses the given exit code", () => {
  assert.throws(
    () => checkFileName("", "server name", ExitCode.usage),
    (error: unknown) =>
      error instanceof GridManagerError && error.exitCode === ExitCode.usage,
  );
});

Deno.test("invalidFileNameReason() rejects C1 controls and line separators", () => {
  for (const name of ["a\u0085b", "\u0080", "x\u009f"]) {
    assert.equal(
      invalidFileNameReason(name),
      "it contains a control character",
    );
  }
  for (const name of ["a\u2028b", "\u2029"]) {
    assert.equal(invalidFileNameReason(name), "it contains a line separator");
  }
});

Deno.test("invalidFileNameReason() rejects invisible format characters", () => {
  assert.match(invalidFileNameReason("abc\u202Egpj")!, /U\+202E/);
  assert.match(invalidFileNameReason("a\u200Bb")!, /U\+200B/);
  assert.match(invalidFileNameReason("\ufeffa")!, /U\+FEFF/);
});

Deno.test("invalidFileNameReason() rejects names too long for NAME.cert.N", () => {
  assert.equal(invalidFileNameReason("x".repeat(MAX_NAME_BYTES)), undefined);
  assert.match(
    invalidFileNameReason("x".repeat(MAX_NAME_BYTES + 1))!,
    /246 bytes long/,
  );
  // Counted in UTF-8 bytes: 123 two-byte characters are 246 bytes.
  assert.match(invalidFileNameReason("é".repeat(123))!, /too long/);
});

Deno.test("checkFileName() says what a name may not contain", () => {
  assert.throws(
    () => checkFileName("a\u200Bb", "server name"),
    /; a name is any text of at most 245 UTF-8 bytes, other than "\." and "\.\.", without "\/", "\\"/,
  );
});

Deno.test("checkEntryName() rejects a certificate name too long for a file", () => {
  assert.throws(
    () => checkEntryName("x".repeat(300), "certificate name"),
    /300 bytes long/,
  );
});

Deno.test("shellQuote() leaves plain words and quotes the rest", () => {
  assert.equal(shellQuote("gm/dir-1"), "gm/dir-1");
  assert.equal(shellQuote("my node"), "'my node'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});
