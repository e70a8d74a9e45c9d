/**
 * The embedding API: examples/embed.mjs runs a translated program under Node and under Deno with the same
 * result; stdin callbacks, argv/env and errors for modules that are not isa2wasm's.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fixturesDir } from "../fixtures/fixtures.ts";
import { translateCached } from "../translator/aot/testcache.ts";
import { loadProgram, MemoryFileSystem, runProgram } from "./embed.ts";

const repo = dirname(fixturesDir());
const wasm = (name: string) => translateCached(new Uint8Array(readFileSync(join(fixturesDir(), "bin", "riscv64", name))), name);

/** What fixtures/src/stdin.c prints for `input`. */
function wc(input: string): string {
  const b = new TextEncoder().encode(input);
  let lines = 0, words = 0, inWord = false, hash = 5381n;
  for (const c of b) {
    hash = BigInt.asUintN(64, hash * 33n) ^ BigInt(c);
    if (c === 10) lines++;
    if ([32, 10, 9, 13, 11, 12].includes(c)) inWord = false;
    else if (!inWord) { inWord = true; words++; }
  }
  return `${input.slice(0, input.indexOf("\n"))}|\n${b.length} ${lines} ${words} bytes/lines/words, 0 NUL, 0 high, hash ${hash}\nfeof 1 ferror 0\n`;
}

test("examples/embed.mjs runs a translated program under Node and Deno alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "isa2wasm-embed-"));
  const path = join(dir, "stdin.wasm");
  writeFileSync(path, wasm("stdin"));
  const expected = wc("one two\nthree\n");
  for (const [cmd, args] of [["node", []], ["npx", ["deno", "run", "-A", "--quiet"]]] as const) {
    const r = spawnSync(cmd, [...args, join(repo, "examples", "embed.mjs"), path], { cwd: repo, encoding: "utf8" });
    assert.is(r.status, 0, `${cmd}: ${r.stderr}`);
    assert.is(r.stdout, expected, cmd);
    const m = /^exit 0; instructions (\{.*\}); files in \/work: input\.txt\n$/m.exec(r.stderr);
    assert.ok(m, `${cmd} stderr: ${r.stderr}`);
    const n = JSON.parse(m![1]!) as Record<string, number>;
    assert.ok(n.aot! > 0.99 * (n.aot! + n.interp!), `${cmd}: ${m![1]}`);
    assert.is(n.dynamic, 0, "no dynamic translation without an injected compiler");
  }
});

test("stdin from a callback in chunks; argv and environment reach the guest; the exit status of a signal", async () => {
  const chunks = ["one ", "two\nthr", "ee\n"];
  let out = "";
  const r = await runProgram(await loadProgram(wasm("stdin")), { stdin: () => chunks.shift() ?? null, stdout: (b) => { out += new TextDecoder().decode(b); } });
  assert.is(r.exitCode, 0);
  assert.is(out, wc("one two\nthree\n"));
  let argvOut = "";
  const fs = new MemoryFileSystem();
  const a = await runProgram(await loadProgram(wasm("argv")), { argv: ["argv", "x y", "z"], env: { ONLY: "1" }, fs, stdout: (b) => { argvOut += new TextDecoder().decode(b); } });
  assert.is(a.exitCode, 3, "argv exits with argc");
  assert.ok(argvOut.includes("x y") && argvOut.includes("ONLY=1"), argvOut);
  const abort = await runProgram(await loadProgram(wasm("abort")), {});
  assert.is(abort.exitCode, 128 + 6);
  assert.is(abort.signal, 6);
});

test("modules that are not translated programs are refused with one line", async () => {
  const refusal = async (bytes: Uint8Array) => {
    try { await loadProgram(bytes); } catch (e) { return (e as Error).message; }
    return "accepted";
  };
  assert.match(await refusal(new TextEncoder().encode("hello")), /^not a WebAssembly module/);
  assert.match(await refusal(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), /^this WebAssembly module was not made by `isa2wasm translate`/);
});

test.run();
