/**
 * The program corpus kind of the conformance suite: every fixture of a guest (fixtures/fixtures.ts, expected
 * behaviour recorded under qemu-user) runs as a whole process in a tier, with an in-memory host (its input
 * files in a fresh working directory, the recorded stdin), and must produce the recorded stdout, stderr,
 * exit status and files. Stripped copies must behave the same.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseElf } from "../translator/elf/elf.ts";
import { guestForElf } from "../translator/guests/index.ts";
import { memoryHost, type MemoryFileSystem } from "../runtime/host/memory.ts";
import { exitCode, GuestProcess, type ExecutionTier } from "../runtime/process/process.ts";
import { listFixtures, type Fixture } from "../fixtures/fixtures.ts";
import type { ConformanceTier } from "./tiers.ts";

/** Result of one program run: no diffs means it behaved as recorded. */
export interface ProgramResult { name: string; diffs: string[] }

/** Guest working directory of a run. */
const CWD = "/work";
/** A runaway guest fails instead of hanging the suite. */
const INSTRUCTION_LIMIT = 3_000_000_000;

/** Files under `dir` of the in-memory file system: path, type and contents. */
function listTree(fs: MemoryFileSystem, dir: string, prefix = ""): Array<{ path: string; type: string; content?: Uint8Array }> {
  const out: Array<{ path: string; type: string; content?: Uint8Array }> = [];
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
      out.push({ path: rel, type: "file", content: buf });
    } else out.push({ path: rel, type: "other" });
  }
  return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const preview = (b: Uint8Array): string => JSON.stringify(new TextDecoder().decode(b.subarray(0, 200)));

/** Runs one binary of a fixture in a tier and compares with the recorded behaviour. */
async function runFixture(x: Fixture, binary: string, tier: ConformanceTier): Promise<string[]> {
  const bytes = new Uint8Array(readFileSync(binary));
  const elf = parseElf(bytes);
  const guest = guestForElf(elf.machine, elf.class, elf.endian);
  if (guest === undefined) return [`no front end for ${binary}`];
  let translated: Awaited<ReturnType<NonNullable<ConformanceTier["translatedProcess"]>>> | undefined;
  try {
    translated = await tier.translatedProcess?.(bytes, basename(binary));
  } catch (e) {
    return [`translation failed: ${e instanceof Error ? e.message : String(e)}`];
  }
  const build = translated?.tier ?? tier.process!.tier;
  const out: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const host = memoryHost({ stdin: x.stdin, output: (fd, data) => { for (const b of data) out[fd].push(b); } });
  host.fs.mkdir(CWD, 0o755);
  for (const { path, content } of x.inputFiles) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) { try { host.fs.mkdir(`${CWD}/${parts.slice(0, i).join("/")}`, 0o755); } catch { /* exists */ } }
    const h = host.fs.open(`${CWD}/${path}`, { read: false, write: true, create: true, exclusive: true, truncate: false, mode: 0o644 });
    host.fs.pwrite(h, content, 0n);
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
  });
  const diffs: string[] = [];
  try {
    const proc = new GuestProcess({
      guest, elf: translated?.load ?? elf, argv: x.argv, env: x.env, execPath: `${CWD}/${x.argv[0]}`, host,
      mounts: [{ host: "/", guest: "/", readonly: false }], cwd: CWD, seed: 1n,
      interpreter: tier.process?.interpreter ?? {}, tier: (p) => limited(build(p)),
    });
    await translated?.install();
    const end = proc.run();
    if (exitCode(end) !== x.expected.exit.status) diffs.push(`exit status ${exitCode(end)}, expected ${x.expected.exit.status}`);
  } catch (e) {
    return [`threw ${e instanceof Error ? e.message : String(e)}`];
  }
  const stdout = Uint8Array.from(out[1]), stderr = Uint8Array.from(out[2]);
  if (!sameBytes(stdout, x.expected.stdout)) diffs.push(`stdout ${preview(stdout)}, expected ${preview(x.expected.stdout)}`);
  if (!sameBytes(stderr, x.expected.stderr)) diffs.push(`stderr ${preview(stderr)}, expected ${preview(x.expected.stderr)}`);
  // input files the program left unchanged are not listed in the expectation
  const inputs = new Map(x.inputFiles.map((f) => [f.path, f.content]));
  const files = listTree(host.fs, CWD).filter((f) => !(f.type === "file" && inputs.has(f.path) && sameBytes(f.content!, inputs.get(f.path)!)));
  const key = (f: { path: string; type: string; content?: Uint8Array }) => `${f.path}:${f.type}:${f.content ? Array.from(f.content).join(",") : ""}`;
  const got = files.map(key).join("\n"), want = x.expected.files.map(key).join("\n");
  if (got !== want) diffs.push(`files left: ${files.map((f) => f.path).join(", ")}; expected ${x.expected.files.map((f) => f.path).join(", ")}`);
  return diffs;
}

/** Runs the whole corpus of a guest in a tier; undefined when the tier cannot run processes. */
export async function runProgramCorpus(guest: "riscv64" | "ppc32", tier: ConformanceTier): Promise<ProgramResult[] | undefined> {
  if (tier.process === undefined && tier.translatedProcess === undefined) return undefined;
  const results: ProgramResult[] = [];
  for (const x of listFixtures(guest)) {
    results.push({ name: x.name, diffs: await runFixture(x, x.binary, tier) });
    if (x.stripped !== undefined) results.push({ name: `${x.name}.stripped`, diffs: await runFixture(x, x.stripped, tier) });
  }
  return results;
}
