import { test } from "uvu";
import * as assert from "uvu/assert";
import { main, COMMANDS } from "./main.ts";

function capture() {
  const o = { out: "", err: "", cwd: "." };
  return { io: { out: (t: string) => { o.out += t; }, err: (t: string) => { o.err += t; }, cwd: "." }, o };
}

test("--help lists every command", async () => {
  const { io, o } = capture();
  assert.is(await main(["--help"], io), 0);
  for (const c of COMMANDS) assert.ok(o.out.includes(c.name), c.name);
});

test("every command has --help", async () => {
  for (const c of COMMANDS) {
    const { io, o } = capture();
    assert.is(await main([c.name, "--help"], io), 0);
    assert.ok(o.out.startsWith(`isa2wasm ${c.name}`), o.out);
  }
});

test("unknown command exits 2 with one line", async () => {
  const { io, o } = capture();
  assert.is(await main(["frobnicate"], io), 2);
  assert.is(o.err.trim().split("\n").length, 1);
});

test.run();
