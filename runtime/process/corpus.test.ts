/**
 * The program corpus: every riscv64 fixture (fixtures/bin/riscv64, with its expectation recorded under
 * qemu-user in fixtures/expected/riscv64) runs in-process in the interpreter tier and in the dynamic
 * translation tier, with an in-memory host (input files in a fresh working directory, the recorded stdin),
 * and must produce the recorded stdout, stderr, exit status and files. Both tiers must also execute the
 * same number of guest instructions. Stripped variants must behave the same.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { parseElf } from "../../translator/elf/elf.ts";
import { guestForElf } from "../../translator/guests/index.ts";
import { memoryHost, type MemoryFileSystem } from "../host/memory.ts";
import { exitCode, GuestProcess, InterpreterTier, type ExecutionTier, type TierParts } from "./process.ts";
import { dynamicTier } from "../jit/tier.ts";
import { compileRegions } from "../../translator/codegen/module.ts";

const fixturePath = (rel: string) => pathToFileURL(join(fixturesDir(), rel) + (rel.endsWith("/") ? "/" : ""));

interface Content { text?: string; base64?: string }
interface Expectation {
  name: string;
  argv: string[];
  env: string[];
  stdin: string | null;
  inputFiles: Record<string, string>;
  exit: { status: number };
  stdout: Content;
  stderr: Content;
  files: Array<{ path: string; type: "file" | "dir" | "other"; content?: Content }>;
}

const bytesOf = (c: Content): Uint8Array =>
  c.text !== undefined ? new TextEncoder().encode(c.text) : Uint8Array.from(atob(c.base64!), (ch) => ch.charCodeAt(0));
const show = (b: Uint8Array) => new TextDecoder().decode(b);

/** Guest working directory of a run (the host side is the in-memory file system). */
const CWD = "/work";
/**
 * Executions of a block before the dynamic tier translates its region: lower than the default (50) so that
 * translated code runs in every fixture, high enough that the corpus does not spend its time in binaryen.
 */
const DYNAMIC_THRESHOLD = 10;
/** The self-modifying code fixture runs its generated code a few times only: translate it at once. */
const THRESHOLDS: Record<string, number> = { smc: 1 };

const TIERS = {
  interp: (): ((p: TierParts) => ExecutionTier) => ({ interp }) => new InterpreterTier(interp),
  dynamic: (name: string) => dynamicTier(compileRegions, { threshold: THRESHOLDS[name] ?? DYNAMIC_THRESHOLD }),
};

/** A runaway guest fails its test instead of hanging the suite. */
const INSTRUCTION_LIMIT = 3_000_000_000;

/** Files and directories under `dir` of the in-memory file system, in the fixtures' listing format. */
function listTree(fs: MemoryFileSystem, dir: string, prefix = ""): Expectation["files"] {
  const out: Expectation["files"] = [];
  const here = prefix ? `${dir}/${prefix}` : dir;
  for (const e of fs.readdir(here).map((d) => d.name).sort()) {
    const rel = prefix ? `${prefix}/${e}` : e;
    const st = fs.lstat(`${dir}/${rel}`);
    if (st.type === "dir") {
      out.push({ path: rel, type: "dir" });
      out.push(...listTree(fs, dir, rel));
    } else if (st.type === "file") {
      const h = fs.open(`${dir}/${rel}`, { read: true, write: false, create: false, exclusive: false, truncate: false, mode: 0 });
      const buf = new Uint8Array(Number(st.size));
      let n = 0;
      while (n < buf.length) n += fs.pread(h, buf.subarray(n), BigInt(n));
      fs.close(h);
      out.push({ path: rel, type: "file", content: { base64: btoa(String.fromCharCode(...buf)) } });
    } else out.push({ path: rel, type: "other" });
  }
  return out;
}

function runFixture(x: Expectation, binary: string, tier: (p: TierParts) => ExecutionTier) {
  const elf = parseElf(new Uint8Array(readFileSync(fixturePath(`bin/riscv64/${binary}`))));
  const guest = guestForElf(elf.machine, elf.class, elf.endian)!;
  const out: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const stdin = x.stdin ? new Uint8Array(readFileSync(fixturePath(x.stdin))) : new Uint8Array(0);
  const host = memoryHost({ stdin, output: (fd, data) => { for (const b of data) out[fd].push(b); } });
  host.fs.mkdir(CWD, 0o755);
  for (const [dest, src] of Object.entries(x.inputFiles)) {
    const parts = dest.split("/");
    for (let i = 1; i < parts.length; i++) { try { host.fs.mkdir(`${CWD}/${parts.slice(0, i).join("/")}`, 0o755); } catch { /* exists */ } }
    const h = host.fs.open(`${CWD}/${dest}`, { read: false, write: true, create: true, exclusive: true, truncate: false, mode: 0o644 });
    host.fs.pwrite(h, new Uint8Array(readFileSync(fixturePath(src))), 0n);
    host.fs.close(h);
  }
  const limited = (t: ExecutionTier): ExecutionTier => ({
    run: (pc, budget) => {
      if (Object.values(t.instructionCounts()).reduce((a, b) => a + b, 0) > INSTRUCTION_LIMIT) throw new Error("instruction limit reached");
      return t.run(pc, budget);
    },
    invalidate: (s, e) => t.invalidate(s, e),
    instructionCounts: () => t.instructionCounts(),
    get blocksLifted() { return t.blocksLifted; },
    get blocksCompiledToJs() { return t.blocksCompiledToJs; },
    stats: () => t.stats?.() ?? {},
  });
  const proc = new GuestProcess({
    guest, elf, argv: x.argv, env: x.env, execPath: `${CWD}/${x.argv[0]}`, host,
    mounts: [{ host: "/", guest: "/", readonly: false }], cwd: CWD, seed: 1n,
    tier: (p) => limited(tier(p)),
  });
  const end = proc.run();
  return { end, stdout: Uint8Array.from(out[1]), stderr: Uint8Array.from(out[2]), files: listTree(host.fs, CWD), stats: proc.stats() };
}

const dir = fixturePath("expected/riscv64/");
for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const x = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as Expectation;
  for (const binary of [x.name, `${x.name}.stripped`]) {
    if (binary !== x.name && !existsSync(fixturePath(`bin/riscv64/${binary}`))) continue;
    test(`riscv64 ${binary}`, () => {
      const runs: Partial<Record<keyof typeof TIERS, ReturnType<typeof runFixture>>> = {};
      for (const tier of ["interp", "dynamic"] as const) {
        const r = runFixture(x, binary, TIERS[tier](x.name));
        runs[tier] = r;
        const what = (s: string) => `${s} (${tier} tier)`;
        assert.is(show(r.stdout), show(bytesOf(x.stdout)), what("stdout"));
        assert.is(show(r.stderr), show(bytesOf(x.stderr)), what("stderr"));
        assert.equal(r.stdout, bytesOf(x.stdout), what("stdout bytes"));
        assert.equal(r.stderr, bytesOf(x.stderr), what("stderr bytes"));
        assert.is(exitCode(r.end), x.exit.status, what("exit status"));
        const inputs = new Set(Object.keys(x.inputFiles));
        const expectedFiles = x.files.map((f) => (f.content ? { ...f, content: { base64: btoa(String.fromCharCode(...bytesOf(f.content))) } } : f));
        const got = r.files.filter((f) => {
          if (!inputs.has(f.path) || f.type !== "file") return true;
          const original = readFileSync(fixturePath(x.inputFiles[f.path]!));
          return f.content!.base64 !== original.toString("base64");
        });
        assert.equal(got, expectedFiles, what("files left in the working directory"));
      }
      const total = (r: ReturnType<typeof runFixture>) => Object.values(r.stats.instructions).reduce((a, b) => a + b, 0);
      const { interp, dynamic } = runs as Required<typeof runs>;
      assert.is(total(dynamic), total(interp), "guest instructions executed: dynamic tier = interpreter");
      assert.is(dynamic.stats.regionsRejected, 0, "regions rejected by the backend");
      assert.ok(dynamic.stats.instructions.dynamic! > 0 && (dynamic.stats.regionsCompiled as number) > 0, "translated code ran");
      if (x.name === "smc") assert.ok((dynamic.stats.invalidations as number) > 0, "self-modifying code invalidated translations");
    });
  }
}

test.run();
