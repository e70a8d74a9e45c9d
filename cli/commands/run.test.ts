/** `isa2wasm run`: option parsing, and whole runs of fixture programs through an in-memory host. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { InputError, UsageError } from "../errors.ts";
import { memoryHost } from "../../runtime/host/memory.ts";
import { parseRunArgs, runProgram } from "./run.ts";

const HOST_ENV = ["HOME=/home/me", "LANG=C.UTF-8"];

test("options end at PROGRAM; defaults: dynamic tier, host environment, cwd mapped at its own path", () => {
  const r = parseRunArgs(["--stats", "prog", "--stats", "-x"], "/home/me/src", HOST_ENV);
  assert.is(r.program, "prog");
  assert.equal(r.args, ["--stats", "-x"]);
  assert.is(r.tier, "dynamic");
  assert.is(r.stats, true);
  assert.equal(r.env, HOST_ENV);
  assert.equal(r.mounts, [{ host: "/home/me/src", guest: "/home/me/src", readonly: false }]);
  assert.is(r.cwd, "/home/me/src");
  assert.is(r.seed, undefined);
  assert.is(r.exactFp, false);
  assert.is(parseRunArgs(["--exact-fp", "prog"], "/w", []).exactFp, true);
});

test("--map (repeatable, relative host paths, :ro), --cwd, --env overrides, --clear-env, --seed, --tier", () => {
  const r = parseRunArgs(
    ["--map", "data:/data:ro", "--map=/home/me/src:/src", "--env", "LANG=C", "--env=NEW=1", "--seed=0x10", "--tier=interp", "--strace", "--strict", "--", "p", "a"],
    "/home/me/src", HOST_ENV,
  );
  assert.equal(r.mounts, [{ host: "/home/me/src/data", guest: "/data", readonly: true }, { host: "/home/me/src", guest: "/src", readonly: false }]);
  assert.is(r.cwd, "/src", "the host cwd seen through its mapping");
  assert.equal(r.env, ["HOME=/home/me", "LANG=C", "NEW=1"]);
  assert.is(r.seed, 16n);
  assert.is(r.tier, "interp");
  assert.ok(r.strace && r.strict);
  assert.equal([r.program, ...r.args], ["p", "a"]);
  const c = parseRunArgs(["--clear-env", "--env", "A=1", "--map", "/x:/", "--cwd", "/tmp", "p"], "/home/me", HOST_ENV);
  assert.equal(c.env, ["A=1"]);
  assert.is(c.cwd, "/tmp");
  assert.is(parseRunArgs(["--map", "/x:/", "p"], "/home/me", []).cwd, "/", "cwd not mapped: the first mapping");
  assert.is(parseRunArgs(["--map", "/home:/h", "p"], "/home/me", []).cwd, "/h/me");
});

test("bad command lines are usage errors", () => {
  for (const args of [[], ["--tier=jit", "p"], ["--map", "a", "p"], ["--map", "a:rel", "p"], ["--env", "NOVALUE", "p"], ["--seed", "-1", "p"], ["--bogus", "p"], ["--stats=1", "p"], ["--cwd", "rel", "p"], ["--map"]]) {
    assert.throws(() => parseRunArgs(args, "/w", []), (e: unknown) => e instanceof UsageError, args.join(" "));
  }
});

/** A CliIO whose only readable files are the fixture binaries, and a memory host with `/w` as the mapped cwd. */
function setup(stdin = "") {
  const o = { out: "", err: "", guestOut: "", guestErr: "" };
  const io = {
    out: (t: string) => { o.out += t; },
    err: (t: string) => { o.err += t; },
    cwd: "/w",
    readFile: async (path: string) => {
      const m = /^(?:\/w\/)?fixtures\/bin\/(riscv64|ppc32)\/([\w.-]+)$/.exec(path);
      if (!m) throw new InputError(`${path}: cannot read: no such file or directory`);
      return new Uint8Array(readFileSync(join(fixturesDir(), "bin", m[1], m[2])));
    },
  };
  const dec = new TextDecoder();
  const host = memoryHost({
    stdin: new TextEncoder().encode(stdin),
    output: (fd, data) => { if (fd === 1) o.guestOut += dec.decode(data); else o.guestErr += dec.decode(data); },
  });
  host.fs.mkdir("/w", 0o755);
  return { io, o, host };
}

test("runs a fixture in the interpreter: guest output, exit status = argc (argv fixture), --stats JSON on stderr", async () => {
  const { io, o, host } = setup();
  const r = parseRunArgs(["--tier=interp", "--stats", "--clear-env", "--env", "A=1", "fixtures/bin/riscv64/argv", "x"], "/w", HOST_ENV);
  assert.is(await runProgram(r, io, host), 2);
  assert.ok(o.guestOut.includes("argv[1] (1) = [x]"), o.guestOut);
  assert.ok(o.guestOut.includes("env (sorted) [A=1]"), o.guestOut);
  const stats = JSON.parse(o.err.trim().split("\n").at(-1)!);
  assert.is(stats.tier, "interp");
  assert.ok(stats.instructions.interp > 10000);
  assert.ok(stats.blocksLifted > 100);
  assert.is(stats.syscallsByName.exit_group, 1);
  assert.ok(stats.syscalls >= 10 && typeof stats.wallMs === "number" && typeof stats.guestMips === "number");
});

test("a program outside the mapped directories still sees an absolute /proc/self/exe (glibc asserts on a relative one)", async () => {
  const { io, o, host } = setup();
  host.fs.mkdir("/d", 0o755);
  const r = parseRunArgs(["--tier=interp", "--map", "/d:/data", "--cwd", "/data", "fixtures/bin/riscv64/hello"], "/w", []);
  assert.is(await runProgram(r, io, host), 0, o.err + o.guestErr);
  assert.is(o.guestOut, "Hello, world!\n");
});

test("the dynamic tier (default) translates hot code to Wasm and runs it; --stats reports the translation", async () => {
  const { io, o, host } = setup();
  assert.is(await runProgram(parseRunArgs(["--stats", "fixtures/bin/riscv64/recursion"], "/w", []), io, host), 0);
  const want = JSON.parse(readFileSync(join(fixturesDir(), "expected", "riscv64", "recursion.json"), "utf8")).stdout.text;
  assert.is(o.guestOut, want);
  const stats = JSON.parse(o.err.trim());
  assert.is(stats.tier, "dynamic");
  assert.ok(stats.regionsCompiled > 0 && stats.modulesCompiled > 0, JSON.stringify(stats));
  assert.ok(stats.instructions.dynamic > stats.instructions.interp, "most instructions ran in translated code");
  assert.ok(Math.abs(stats.translatedShare - stats.instructions.dynamic / (stats.instructions.dynamic + stats.instructions.interp)) < 1e-6);
  assert.ok(stats.codeMapLookups >= stats.codeMapMisses && stats.codeMapMisses > 0);
  assert.ok(stats.translateMs >= 0 && stats.wasmCompileMs >= 0);
  assert.is(stats.invalidations, 0);
  // recursion calls and returns: translated code follows returns through the jump cache
  assert.ok(stats.jumpCache.return.lookups > 0 && stats.jumpCache.return.hits > 0, JSON.stringify(stats.jumpCache));
  assert.ok(stats.returnHitRate > 0 && stats.returnHitRate <= 1);
  assert.is(stats.returnHitRate, Math.round(stats.jumpCache.return.hits / stats.jumpCache.return.lookups * 1e4) / 1e4);
});

test("a guest killed by a signal exits 128+N (abort: SIGABRT = 6)", async () => {
  const { io, o, host } = setup();
  assert.is(await runProgram(parseRunArgs(["fixtures/bin/riscv64/abort"], "/w", []), io, host), 134);
  assert.is(o.guestOut, "about to abort\n");
});

test("--seed makes runs repeatable: same output and the same instruction count", async () => {
  const runs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { io, o, host } = setup();
    await runProgram(parseRunArgs(["--seed", "7", "--stats", "fixtures/bin/riscv64/printf"], "/w", []), io, host);
    const counts: Record<string, number> = JSON.parse(o.err.trim().split("\n").at(-1)!).instructions;
    runs.push(`${o.guestOut}\n${Object.values(counts).reduce((a, b) => a + b, 0)}`);
  }
  assert.is(runs[0], runs[1]);
});

test("programs that cannot run are input errors: not ELF, unsupported CPU", async () => {
  const { io, host } = setup();
  io.readFile = async () => new TextEncoder().encode("#!/bin/sh\necho hi\n");
  let err: unknown;
  try { await runProgram(parseRunArgs(["script"], "/w", []), io, host); } catch (e) { err = e; }
  assert.ok(err instanceof InputError, String(err));
  const s = setup();
  try { await runProgram(parseRunArgs(["fixtures/bin/ppc32/hello"], "/w", []), s.io, s.host); err = undefined; } catch (e) { err = e; }
  assert.ok(err instanceof InputError && /PowerPC/.test(err.message), String(err));
});

test.run();
