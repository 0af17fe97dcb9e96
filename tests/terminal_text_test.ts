import assert from "node:assert/strict";
import {
  escapeForTerminal,
  escapeLineForTerminal,
} from "../lib/terminal_text.ts";

Deno.test("escapeForTerminal() shows escape sequences as text", () => {
  assert.equal(
    escapeForTerminal("\x1b[2J\x1b]0;pwned\x07storage2"),
    "\\x1b[2J\\x1b]0;pwned\\x07storage2",
  );
});

Deno.test("escapeForTerminal() keeps line feeds and plain text", () => {
  assert.equal(escapeForTerminal("a b\nnaïve ☃"), "a b\nnaïve ☃");
});

Deno.test("escapeForTerminal() escapes C1, DEL and bidi controls", () => {
  assert.equal(
    escapeForTerminal("\x7f\x9b\u202e\u2066\t\r"),
    "\\x7f\\x9b\\u202e\\u2066\\x09\\x0d",
  );
});

Deno.test("escapeLineForTerminal() escapes line feeds", () => {
  assert.equal(escapeLineForTerminal("a\nb"), "a\\x0ab");
});
