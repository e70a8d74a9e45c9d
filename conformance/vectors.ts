/**
 * Per-instruction conformance vectors: loads the vector files written by a guest's generator
 * (conformance/<guest>/gen-vectors.mjs, expected states from qemu-user) and runs every case in an
 * execution tier, comparing the final state with the expected one.
 *
 * All cases of a group are placed at once, each at the address it had under the reference (link values,
 * auipc results and jump targets are absolute): the instruction(s) under test, and `ecall` at the
 * fall-through pc and at the two landing pads the generator uses (pc-8 and fall-through+8), so that a run
 * stops with a syscall at the pc after the case. A case then only needs its registers and the scratch
 * buffer reset. The expected final state is the initial state with the recorded changes; every x and f
 * register, fflags, frm, the pc after the case and the scratch buffer are compared.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Guest } from "../translator/guests/guest.ts";
import { GuestMemory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, alignDown, alignUp } from "../runtime/memory/memory.ts";
import { CpuState } from "../runtime/state.ts";
import type { Stop } from "../runtime/interp/interpreter.ts";
import type { ConformanceTier, TierEntry, TierMachine } from "./tiers.ts";

/** One vector: see conformance/riscv64/gen-vectors.mjs for how each field is produced. */
export interface VectorCase {
  id: string;
  /** objdump -M no-aliases disassembly of each instruction */
  dis: string[];
  /** encodings as objdump prints them (hex; 4 digits: a 16-bit parcel, 8 digits: a 32-bit word) */
  enc: string[];
  /** address of the first instruction under the reference */
  pc: string;
  /** initial registers (x1..x31, f0..f31 as hex; frm, fflags as numbers); absent ones are zero */
  in: Record<string, string | number>;
  /** registers and fields whose final value differs from the initial one */
  out: Record<string, string | number>;
  /** pc after the case */
  npc: string;
  /** final scratch buffer (hex) when the case changed it */
  mem?: string;
  /** set when the case must trap: the signal; the trap's pc is `npc` */
  trap?: { signal: number };
  /** where the expected result does not come from the reference run: the source and why */
  reference?: string;
  /** other pcs inside the case that runs may reach through indirect jumps (random sequences) */
  reachable?: string[];
}

/** A vector file: one group of cases for one guest. */
export interface VectorFile {
  guest: string;
  group: string;
  /** the reference that produced the expected states (qemu-user version) */
  reference: string;
  /** the scratch buffer: address and contents before every case */
  scratch: { addr: string; bytes: string };
  cases: VectorCase[];
}

/** A failed case, with everything needed to read the failure without rerunning it. */
export interface VectorFailure {
  id: string;
  pc: string;
  /** reference disassembly */
  dis: string;
  /** what went wrong: "x5: expected 0x1, got 0x2", "stopped with trap 4 at 0x10078", ... */
  diffs: string[];
}

/** Result of running one group in one tier. */
export interface VectorGroupResult {
  group: string;
  tier: string;
  passed: number;
  failed: number;
  failures: VectorFailure[];
}

/** The directory holding `<guest>/vectors`: conformance/ in the source tree, also when running from dist/. */
export function conformanceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, "riscv64", "vectors"))) return dir;
    const sibling = join(dir, "conformance");
    if (existsSync(join(sibling, "riscv64", "vectors"))) return sibling;
    dir = dirname(dir);
  }
  throw new Error("conformance vectors not found (expected conformance/<guest>/vectors beside the sources)");
}

/** Names of the vector groups of a guest (file names without .json), sorted. */
export function listVectorGroups(guest: string): string[] {
  const dir = join(conformanceDir(), guest, "vectors");
  return readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

/** Reads one vector group. */
export function loadVectorGroup(guest: string, group: string): VectorFile {
  return readVectorFile(join(conformanceDir(), guest, "vectors", `${group}.json`));
}

/** Reads a vector file from a path (random sequences and their prefixes are written outside the tree). */
export function readVectorFile(path: string): VectorFile {
  return JSON.parse(readFileSync(path, "utf8")) as VectorFile;
}

/** The little-endian bytes of the encodings (16-bit parcels and 32-bit words as objdump prints them). */
function encodingBytes(enc: string[]): number[] {
  const out: number[] = [];
  for (const e of enc) {
    const v = parseInt(e, 16);
    for (let i = 0; i < e.length / 2; i++) out.push((v >>> (8 * i)) & 0xff);
  }
  return out;
}

const ECALL = [0x73, 0x00, 0x00, 0x00];
/** instructions a case may run before it is declared runaway */
const CASE_BUDGET = 64;

/** Guest memory holding all cases of a group, ready to run any of them. */
export interface GroupImage {
  mem: GuestMemory;
  scratchAddr: number;
  scratch: Uint8Array;
}

/** Maps code pages (every case at its pc, with ecall landing pads) and the scratch page. */
export function buildGroupImage(file: VectorFile): GroupImage {
  const mem = new GuestMemory();
  const pages = new Map<number, number>();
  const addPages = (start: number, end: number, prot: number): void => {
    for (let p = alignDown(start); p < alignUp(end); p += PAGE_SIZE) pages.set(p, (pages.get(p) ?? 0) | prot);
  };
  const placed: Array<{ at: number; bytes: number[] }> = [];
  for (const c of file.cases) {
    const pc = Number(c.pc);
    const code = encodingBytes(c.enc);
    const after = pc + code.length;
    placed.push({ at: pc - 8, bytes: [...ECALL, ...ECALL] });
    placed.push({ at: pc, bytes: code });
    placed.push({ at: after, bytes: [...ECALL, ...ECALL, ...ECALL] });
    addPages(pc - 8, after + 12, PROT_READ | PROT_EXEC);
  }
  const scratchAddr = Number(file.scratch.addr);
  const scratch = hexBytes(file.scratch.bytes);
  addPages(scratchAddr, scratchAddr + scratch.length, PROT_READ | PROT_WRITE);
  for (const [p, prot] of [...pages].sort((a, b) => a[0] - b[0])) mem.map(p, PAGE_SIZE, prot);
  for (const { at, bytes } of placed) mem.u8.set(bytes, at);
  return { mem, scratchAddr, scratch };
}

function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const bytesHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

const hex64 = (v: bigint): string => "0x" + BigInt.asUintN(64, v).toString(16);

/** Register and field names compared after every case. */
const REGS = [...Array.from({ length: 31 }, (_, i) => `x${i + 1}`), ...Array.from({ length: 32 }, (_, i) => `f${i}`)];

/** Sets the initial state of a case (everything else zero) and the scratch buffer. */
function setUp(c: VectorCase, state: CpuState, img: GroupImage): void {
  state.clear();
  for (const [name, v] of Object.entries(c.in)) {
    if (name === "frm" || name === "fflags") state.set(name, Number(v));
    else state.set(name, BigInt(v as string));
  }
  state.set("pc", BigInt(c.pc));
  img.mem.u8.set(img.scratch, img.scratchAddr);
}

/** Compares the final state with the expected one; returns the differences. */
function compare(c: VectorCase, stop: Stop, state: CpuState, img: GroupImage): string[] {
  const diffs: string[] = [];
  const npc = Number(c.npc);
  if (c.trap !== undefined) {
    if (stop.kind !== "trap") diffs.push(`expected a trap (signal ${c.trap.signal}) at 0x${npc.toString(16)}, stopped with ${stop.kind}`);
    else {
      if (stop.signal !== c.trap.signal) diffs.push(`signal: expected ${c.trap.signal}, got ${stop.signal}`);
      if (stop.pc !== npc) diffs.push(`trap pc: expected 0x${npc.toString(16)}, got 0x${stop.pc.toString(16)}`);
    }
  } else if (stop.kind !== "syscall") {
    diffs.push(stop.kind === "trap"
      ? `stopped with trap (signal ${stop.signal}, code ${stop.code}) at 0x${stop.pc.toString(16)}${stop.addr !== undefined ? `, address 0x${stop.addr.toString(16)}` : ""}`
      : `stopped with ${stop.kind} instead of reaching the ecall at 0x${npc.toString(16)}`);
    return diffs;
  } else if (stop.next - 4 !== npc) diffs.push(`pc after: expected 0x${npc.toString(16)}, got 0x${(stop.next - 4).toString(16)}`);
  for (const r of REGS) {
    const want = BigInt(c.out[r] ?? c.in[r] ?? 0);
    const got = state.get(r) as bigint;
    if (BigInt.asUintN(64, got) !== BigInt.asUintN(64, want)) diffs.push(`${r}: expected ${hex64(want)}, got ${hex64(got)}`);
  }
  for (const f of ["fflags", "frm"]) {
    const want = Number(c.out[f] ?? c.in[f] ?? 0);
    const got = Number(state.get(f));
    if (got !== want) diffs.push(`${f}: expected ${want}, got ${got}`);
  }
  const want = c.mem !== undefined ? hexBytes(c.mem) : img.scratch;
  const got = img.mem.u8.subarray(img.scratchAddr, img.scratchAddr + want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      diffs.push(`scratch+${i}: expected ${bytesHex(want)}, got ${bytesHex(got)}`);
      break;
    }
  }
  return diffs;
}

/** A case's start pc and its landing pads (the only other code it can reach). */
function caseEntry(c: VectorCase): TierEntry {
  const pc = Number(c.pc);
  const after = pc + encodingBytes(c.enc).length;
  return { pc, reachable: [pc - 8, after, after + 8, ...(c.reachable ?? []).map(Number)] };
}

/**
 * Runs one case on a machine whose memory holds the group image. `fenced` is set when the case ran a
 * fence.i (which drops every translation: the caller restores them before the next case).
 */
export function runCase(c: VectorCase, machine: TierMachine, state: CpuState, img: GroupImage, fenced?: { seen: boolean }): string[] {
  setUp(c, state, img);
  let stop: Stop;
  try {
    stop = machine.run(Number(c.pc), CASE_BUDGET);
    // fence.i returns to the run loop; the case continues after it
    while (stop.kind === "fence.i") {
      if (fenced) fenced.seen = true;
      stop = machine.run(stop.next, CASE_BUDGET);
    }
  } catch (e) {
    return [`threw ${e instanceof Error ? e.message : String(e)}`];
  }
  return compare(c, stop, state, img);
}

/** Runs every case of a group in a tier. */
export async function runVectorGroup(guest: Guest, file: VectorFile, tier: ConformanceTier): Promise<VectorGroupResult> {
  const result: VectorGroupResult = { group: file.group, tier: tier.name, passed: 0, failed: 0, failures: [] };
  // cases recorded at the same address (each trap case is a program of its own) get a memory each
  const pcs = new Set(file.cases.map((c) => c.pc));
  const batches = pcs.size === file.cases.length ? [file.cases] : file.cases.map((c) => [c]);
  for (const cases of batches) {
    const img = buildGroupImage({ ...file, cases });
    const state = new CpuState(img.mem, guest.state);
    const machine = await tier.create(guest, img.mem, state, cases.map(caseEntry));
    const fenced = { seen: false };
    for (const c of cases) {
      if (fenced.seen) { await machine.restore?.(); fenced.seen = false; }
      const diffs = runCase(c, machine, state, img, fenced);
      if (diffs.length === 0) result.passed++;
      else {
        result.failed++;
        result.failures.push({ id: c.id, pc: c.pc, dis: c.dis.join("; "), diffs });
      }
    }
  }
  return result;
}

/** One line per failure (at most `limit`), for test output and reports. */
export function formatFailures(r: VectorGroupResult, limit = 20): string {
  const lines = r.failures.slice(0, limit).map((f) => `${f.id} @${f.pc} ${f.dis}: ${f.diffs.join("; ")}`);
  if (r.failures.length > limit) lines.push(`... and ${r.failures.length - limit} more`);
  return lines.join("\n");
}
