import assert from "node:assert/strict";
import { checkFileName, invalidFileNameReason } from "../lib/names.ts";
import { ExitCode, GridManagerError } from "../lib/errors.ts";

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
