// The launcher as users run it (a separate process, no engine flags): on this machine kind translated code
// must get the host's fused multiply-add (Node 20 needs relaxed SIMD turned on by the launcher itself) and
// compute what qemu-riscv64 computed for the fixture.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

test("bin/isa2wasm.js run: fused multiply-adds on the host's FMA, output as under qemu (bench-nbody)", () => {
  const expected = JSON.parse(readFileSync("fixtures/expected/riscv64/bench-nbody.json", "utf8"));
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const args = [...(deno ? ["run", "-A", "--quiet"] : []), "bin/isa2wasm.js", "run", "--stats", expected.binary, ...expected.argv.slice(1)];
  const run = (steps: string) => spawnSync(process.execPath, [...args.slice(0, -1), steps], { encoding: "utf8", timeout: 120_000 });
  let r = run(expected.argv[1]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, expected.stdout.text);
  // long enough for the dynamic tier to translate the loop (its fmadd.d run in Wasm), against qemu-riscv64
  r = run("200000");
  assert.is(r.status, 0, r.stderr);
  const qemu = spawnSync("qemu-riscv64", [expected.binary, "200000"], { encoding: "utf8", timeout: 120_000 });
  assert.is(qemu.status, 0, `qemu-riscv64: ${qemu.error ?? qemu.stderr}`);
  assert.is(r.stdout, qemu.stdout);
  const stats = JSON.parse(r.stderr.trim().split("\n").pop()!);
  assert.is(stats.hostFma, true, "relaxed SIMD's fused multiply-add (V8 on x86-64 with FMA3)");
  assert.is(stats.fpFlagsSkipped, true, "nbody never reads the FP flags (translator/ir/fpenv.ts)");
  assert.ok(stats.instructions.dynamic > stats.instructions.interp, "mostly translated code ran");
});

test("bin/isa2wasm.js translate --relaxed-simd-fma: the module computes what qemu-riscv64 computes (bench-nbody)", () => {
  const expected = JSON.parse(readFileSync("fixtures/expected/riscv64/bench-nbody.json", "utf8"));
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const launcher = [...(deno ? ["run", "-A", "--quiet"] : []), "bin/isa2wasm.js"];
  const out = join(mkdtempSync(join(tmpdir(), "isa2wasm-")), "nbody.wasm");
  const t = spawnSync(process.execPath, [...launcher, "translate", "--relaxed-simd-fma", "--stats", expected.binary, "-o", out], { encoding: "utf8", timeout: 300_000 });
  assert.is(t.status, 0, t.stderr);
  assert.is(JSON.parse(t.stderr.trim().split("\n").pop()!).fp.flagsSkipped, true);
  const r = spawnSync(process.execPath, [...launcher, "run", "--stats", out, "200000"], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const qemu = spawnSync("qemu-riscv64", [expected.binary, "200000"], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.stdout, qemu.stdout);
  assert.ok(JSON.parse(r.stderr.trim().split("\n").pop()!).instructions.aot > 0, "translated code ran");
});

test("bin/isa2wasm.js translate (portable): the runtime inlines the recorded fused multiply-adds here, output as under qemu (bench-nbody)", () => {
  const expected = JSON.parse(readFileSync("fixtures/expected/riscv64/bench-nbody.json", "utf8"));
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const launcher = [...(deno ? ["run", "-A", "--quiet"] : []), "bin/isa2wasm.js"];
  const out = join(mkdtempSync(join(tmpdir(), "isa2wasm-")), "nbody.wasm");
  const t = spawnSync(process.execPath, [...launcher, "translate", "--stats", expected.binary, "-o", out], { encoding: "utf8", timeout: 300_000 });
  assert.is(t.status, 0, t.stderr);
  const sites = JSON.parse(t.stderr.trim().split("\n").pop()!).fmaSites;
  assert.ok(sites > 0, "the module records its fmadd.d calls");
  const r = spawnSync(process.execPath, [...launcher, "run", "--stats", out, "200000"], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  const qemu = spawnSync("qemu-riscv64", [expected.binary, "200000"], { encoding: "utf8", timeout: 120_000 });
  assert.is(r.stdout, qemu.stdout);
  const stats = JSON.parse(r.stderr.trim().split("\n").pop()!);
  assert.is(stats.fmaInlined, sites, "every recorded call inline (this engine's relaxed_madd is fused)");
  assert.ok(stats.instructions.aot > 0, "translated code ran");
});

test("bin/isa2wasm.js run X.wasm: a module the launcher starts compiling early still gets clear errors (missing, not Wasm, corrupt)", () => {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const launcher = [...(deno ? ["run", "-A", "--quiet"] : []), "bin/isa2wasm.js"];
  const dir = mkdtempSync(join(tmpdir(), "isa2wasm-"));
  const run = (file: string) => spawnSync(process.execPath, [...launcher, "run", "--seed", "1", file], { encoding: "utf8", timeout: 60_000 });
  let r = run(join(dir, "missing.wasm"));
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /missing\.wasm: cannot read: no such file or directory/);
  writeFileSync(join(dir, "text.wasm"), "not a module at all\n");
  r = run(join(dir, "text.wasm"));
  assert.ok(r.status !== 0 && !/internal error/.test(r.stderr), r.stderr);
  // the magic number and version, then garbage
  writeFileSync(join(dir, "corrupt.wasm"), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff, 0xff]));
  r = run(join(dir, "corrupt.wasm"));
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /corrupt\.wasm: not a valid WebAssembly module/);
  assert.not.match(r.stderr, /internal error/);
});

test.run();
