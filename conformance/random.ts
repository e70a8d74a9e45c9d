/**
 * The random kind of the conformance suite: seeded random instruction sequences (conformance/riscv64/random.ts)
 * run under qemu-user, the reference, in batches of many sequences per qemu process, and then in every
 * selected tier as vector cases. A sequence a tier gets wrong is minimised: all its prefixes run under
 * qemu and in the tier, and the first prefix that differs names the first instruction the tier gets wrong,
 * reported with its disassembly (the project's disassembler).
 */
import type { Guest } from "../translator/guests/guest.ts";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { instructionCount, prefix, randomSequence, referenceRun, type Sequence } from "./riscv64/random.ts";
import { runVectorGroup, type VectorFailure, type VectorFile } from "./vectors.ts";
import type { ConformanceTier } from "./tiers.ts";

export interface RandomOptions {
  count: number;
  /** index of the first sequence (default 0) */
  first?: number;
  seed: bigint;
  /** items per sequence */
  length: number;
  /** sequences per reference program (one qemu process each) */
  batch: number;
  /** failing sequences minimised per tier (the rest are reported unminimised) */
  minimise: number;
  /** the front end under test (default riscv64; the meta-tests patch it) */
  guest?: Guest;
  /** called after every batch */
  progress?: (done: number, results: RandomTierResult[]) => void;
}

/** A sequence a tier got wrong. */
export interface RandomFailure {
  id: string;
  /** the differences after the whole sequence */
  diffs: string[];
  /** the first instruction the tier gets wrong (from the prefixes), when minimised */
  first?: { index: number; of: number; pc: string; dis: string; diffs: string[] };
  /** the sequence, one instruction per entry */
  dis: string[];
}

export interface RandomTierResult {
  tier: string;
  passed: number;
  failed: number;
  /** time spent running cases in this tier (reference runs and minimisation excluded) */
  ms: number;
  failures: RandomFailure[];
}

export interface RandomResult {
  tiers: RandomTierResult[];
  /** time spent generating sequences and running them under the reference (gcc + qemu) */
  referenceMs: number;
  /** time spent minimising failures */
  minimiseMs: number;
}

/** Failures kept in a result per tier. */
const MAX_FAILURES = 200;

/** The sequences of one batch. */
export function randomBatch(seed: bigint, first: number, count: number, length: number): Sequence[] {
  return Array.from({ length: count }, (_, i) => randomSequence(seed, first + i, length));
}

/**
 * Finds the first instruction of `seq` that `tier` gets wrong: runs every prefix under the reference and
 * in the tier. Undefined when every prefix agrees (the difference needs the whole sequence).
 */
export async function minimise(seq: Sequence, tier: ConformanceTier, guest: Guest = riscv64): Promise<RandomFailure["first"]> {
  const n = instructionCount(seq);
  const prefixes = Array.from({ length: n }, (_, i) => prefix(seq, i + 1));
  const file = referenceRun(prefixes, "prefixes");
  const r = await runVectorGroup(guest, file, tier);
  const failed = new Map(r.failures.map((f) => [f.id, f]));
  for (let p = 1; p <= n; p++) {
    const f = failed.get(`${seq.id}/${p}`);
    if (f === undefined) continue;
    const c = file.cases[p - 1]!;
    let pc = Number(c.pc);
    for (const e of c.enc.slice(0, -1)) pc += e.length / 2;
    return { index: p, of: n, pc: "0x" + pc.toString(16), dis: c.dis.at(-1)!, diffs: f.diffs };
  }
  return undefined;
}

/** Runs `o.count` random sequences under the reference and in every tier. */
export async function runRandom(tiers: ConformanceTier[], o: RandomOptions): Promise<RandomResult> {
  const results: RandomTierResult[] = tiers.map((t) => ({ tier: t.name, passed: 0, failed: 0, ms: 0, failures: [] }));
  let referenceMs = 0, minimiseMs = 0;
  const start = o.first ?? 0;
  for (let done = 0; done < o.count; done += o.batch) {
    const t0 = performance.now();
    const seqs = randomBatch(o.seed, start + done, Math.min(o.batch, o.count - done), o.length);
    const file = referenceRun(seqs);
    referenceMs += performance.now() - t0;
    for (let i = 0; i < tiers.length; i++) {
      const res = results[i]!;
      const t1 = performance.now();
      let r;
      try {
        r = await runVectorGroup(o.guest ?? riscv64, file, tiers[i]!);
      } catch (e) {
        // the tier could not even set up the batch (an AOT module that does not compile, ...)
        const why = `tier setup failed: ${e instanceof Error ? e.message : String(e)}`;
        r = { passed: 0, failed: seqs.length, failures: file.cases.map((c) => ({ id: c.id, pc: c.pc, dis: c.dis.join("; "), diffs: [why] })) };
      }
      res.ms += performance.now() - t1;
      res.passed += r.passed;
      res.failed += r.failed;
      const t2 = performance.now();
      for (const f of r.failures) {
        if (res.failures.length >= MAX_FAILURES) break;
        const setup = f.diffs[0]?.startsWith("tier setup failed") ?? false;
        res.failures.push(await describeFailure(f, file, seqs, tiers[i]!, o.guest ?? riscv64, !setup && res.failures.length < o.minimise));
      }
      minimiseMs += performance.now() - t2;
    }
    o.progress?.(done + seqs.length, results);
  }
  return { tiers: results, referenceMs, minimiseMs };
}

async function describeFailure(f: VectorFailure, file: VectorFile, seqs: Sequence[], tier: ConformanceTier, guest: Guest, min: boolean): Promise<RandomFailure> {
  const c = file.cases.find((x) => x.id === f.id)!;
  const seq = seqs.find((s) => s.id === f.id)!;
  const out: RandomFailure = { id: f.id, diffs: f.diffs, dis: c.dis };
  if (min) out.first = await minimise(seq, tier, guest);
  return out;
}

/** One line describing a failure. */
export function describeRandomFailure(f: RandomFailure): string {
  const seq = `sequence: ${f.dis.join("; ")}`;
  if (f.first === undefined) return `${f.diffs.join("; ")} (${seq})`;
  return `first difference at instruction ${f.first.index} of ${f.first.of}: ${f.first.dis} @${f.first.pc}: ${f.first.diffs.join("; ")} (${seq})`;
}
