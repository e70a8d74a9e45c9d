/**
 * Random RV64GC instruction sequences for differential testing against qemu-user, in the manner of QEMU's
 * risu: a seeded generator writes short straight-line sequences (integer, M, A, F/D in every rounding mode
 * including dyn, loads and stores into a scratch buffer, forward branches and jumps within the sequence,
 * compressed forms, FP CSR accesses), each with a random initial state. Many sequences are assembled into
 * one freestanding program that runs them one after the other under qemu-riscv64; the expected state of
 * each comes back as a conformance vector case (conformance/vectors.ts), so every tier runs it exactly as a
 * per-instruction vector.
 *
 * Register convention of the generated code: x1..x27 are read and written freely; x28 holds scratch+32 and
 * is only read (every memory access is x28 + offset, or goes through a copy of x28 made just before it);
 * x29..x31 belong to the harness and are never named. Sequence k of a seed is a pure function of (seed, k),
 * so a failing sequence is reproduced from its id `random#<seed>.<k>` alone.
 *
 * Harness, per sequence k: `lla x31, rec_k; jal x30, load_state` (resets the 64-byte scratch buffer to a
 * fixed pattern, loads fcsr, f0..f31 and x1..x28 from the input record), the sequence at L_k, then at its
 * end label `jal x30, save_state` (stores x1..x28, f0..f31, fcsr and the scratch buffer into the output
 * record). The program writes the output records to stdout and exits. The code bytes are read back from the
 * ELF (each sequence at its address under qemu, where runners place it) and disassembled with the project's
 * disassembler; gcc, qemu-riscv64 and this module are all that is needed (no objdump).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElf, PT_LOAD } from "../../translator/elf/elf.ts";
import { decodeRiscv64Encoding } from "../../translator/guests/riscv64/decode.ts";
import { disassembleRiscv64, disassembleUndecodable } from "../../translator/guests/riscv64/disasm.ts";
import type { VectorCase, VectorFile } from "../vectors.ts";

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const hex = (v: bigint | number): string => "0x" + u64(BigInt(v)).toString(16);

// ---------------------------------------------------------------- seeded generator

/** splitmix64 */
export interface Rng { next(): bigint; int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean }

export function rng(seed: bigint): Rng {
  let x = u64(seed);
  const next = (): bigint => {
    x = u64(x + 0x9e3779b97f4a7c15n);
    let z = x;
    z = u64((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = u64((z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  };
  const int = (n: number): number => Number(next() % BigInt(n));
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!, chance: (p: number) => int(1_000_000) < p * 1_000_000 };
}

/** The generator of sequence `index` of `seed`: independent of how sequences are batched. */
const sequenceRng = (seed: bigint, index: number): Rng => rng(u64(seed * 0x100000001b3n) ^ u64(BigInt(index) * 0x9e3779b97f4a7c15n));

// ---------------------------------------------------------------- values

const XV = [0n, 1n, u64(-1n), 2n, 0x7fffffffffffffffn, 0x8000000000000000n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0xffffffff80000000n, 0x0123456789abcdefn, 0xfedcba9876543210n, u64(-2n), 0xffffffff00000000n, 0x100000000n, 63n, 64n, 31n, 32n];
const BOX = 0xffffffff00000000n;
/** single and double edge values: zeros, ones, subnormals, extremes, infinities, NaNs (quiet, signalling, payload) */
const S_EDGE = [0x00000000n, 0x80000000n, 0x3f800000n, 0xbf800000n, 0x3f000000n, 0x3dcccccdn, 0x00000001n, 0x007fffffn, 0x80000001n,
  0x00800000n, 0x7f7fffffn, 0xff7fffffn, 0x7f800000n, 0xff800000n, 0x7fc00000n, 0x7f800001n, 0xffc12345n, 0x4f000000n, 0xcf000000n,
  0x4effffffn, 0x4f800000n, 0x5f000000n, 0xdf000000n, 0x5f800000n, 0x33800000n, 0x3f800001n];
const D_EDGE = [0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x3fb999999999999an, 1n,
  0x000fffffffffffffn, 0x8000000000000001n, 0x0010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, 0x7ff0000000000000n,
  0xfff0000000000000n, 0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff8000000012345n, 0x41e0000000000000n, 0xc1e0000000000000n,
  0x41dfffffffc00000n, 0x41f0000000000000n, 0x43e0000000000000n, 0xc3e0000000000000n, 0x43f0000000000000n, 0x3ca0000000000000n,
  0x3ff0000000000001n, 0x47efffffe0000000n, 0x3690000000000000n, 0x3ff0000010000000n];

const f64Bits = (v: number): bigint => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v, true); return b.getBigUint64(0, true); };
const f32Bits = (v: number): bigint => { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, v, true); return BigInt(b.getUint32(0, true)); };

function randomX(r: Rng): bigint {
  switch (r.int(4)) {
    case 0: return r.pick(XV);
    case 1: return u64(BigInt(r.int(4001) - 2000));
    default: return r.next();
  }
}

/** A random f register: a double or a NaN-boxed single (edge values, small fractions, random bits), now and then unboxed. */
function randomF(r: Rng): bigint {
  const small = (r.int(20001) - 10000) / r.pick([1, 3, 8, 10, 1024]);
  switch (r.int(8)) {
    case 0: return r.pick(D_EDGE);
    case 1: return BOX | r.pick(S_EDGE);
    case 2: return f64Bits(small);
    case 3: return BOX | f32Bits(small);
    case 4: return r.next();
    case 5: return BOX | (r.next() & 0xffffffffn);
    case 6: return r.chance(0.5) ? f64Bits(r.pick([2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64, 2 ** 53]) + r.int(5) - 2) : BOX | f32Bits(2 ** r.pick([23, 24, 31, 32, 63]) + r.int(5) - 2);
    default: return r.next() & 0xffffffffn; // a single that is not NaN-boxed: reads as the canonical NaN
  }
}

// ---------------------------------------------------------------- instructions

/** x registers random code writes; sources may also be x0 and x28 (the scratch pointer) */
const RX = Array.from({ length: 27 }, (_, i) => i + 1);
/** registers of the compressed 3-bit fields */
const RC = [8, 9, 10, 11, 12, 13, 14, 15];
const R_ALU = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw", "sllw", "srlw", "sraw",
  "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw", "divuw", "remw", "remuw"];
const I_ALU = ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"];
const SHIFT_I: Array<[string, number]> = [["slli", 64], ["srli", 64], ["srai", 64], ["slliw", 32], ["srliw", 32], ["sraiw", 32]];
const LOADS: Array<[string, number]> = [["lb", 1], ["lbu", 1], ["lh", 2], ["lhu", 2], ["lw", 4], ["lwu", 4], ["ld", 8], ["flw", 4], ["fld", 8]];
const STORES: Array<[string, number]> = [["sb", 1], ["sh", 2], ["sw", 4], ["sd", 8], ["fsw", 4], ["fsd", 8]];
const BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"];
const FARITH = ["fadd", "fsub", "fmul", "fdiv"];
const FNOROUND = ["fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"];
const FCMP = ["feq", "flt", "fle"];
const FMA = ["fmadd", "fmsub", "fnmsub", "fnmadd"];
const AMO = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"];
const ORDER = ["", "", ".aq", ".rl", ".aqrl"];
const RMS = ["rne", "rtz", "rdn", "rup", "rmm", "dyn", "dyn"];
const IMM12_EDGE = [0, 1, -1, 2047, -2048, 31, 32, 63];

/**
 * One item of a sequence: instruction lines (an idiom such as "copy x28, then a compressed load" is one
 * item, so branches never land inside it). `{T:t}` in a line names the label of item t (t = the item count:
 * the end of the sequence).
 */
export interface Item {
  lines: string[];
  /** the item an indirect jump in this item goes to (an ahead-of-time tier must translate it as an entry) */
  indirect?: number;
}

/** A random sequence and its initial state. */
export interface Sequence {
  id: string;
  items: Item[];
  /** x1..x27 (index 1..27); x28 is scratch+32 */
  x: bigint[];
  /** f0..f31 */
  f: bigint[];
  fcsr: number;
}

function randomItem(r: Rng, i: number, n: number): Item {
  const xd = (): string => `x${r.chance(0.05) ? 0 : r.pick(RX)}`;
  const xs = (): string => `x${r.chance(0.08) ? r.pick([0, 28]) : r.pick(RX)}`;
  const f = (): string => `f${r.int(32)}`;
  const c = (): string => `x${r.pick(RC)}`;
  const rm = (): string => r.pick(RMS);
  const p = (): string => r.pick(["s", "d"]);
  const targetIndex = (): number => i + 1 + r.int(Math.min(6, n - i));
  const target = (): string => `{T:${targetIndex()}}`;
  const imm12 = (): number => (r.chance(0.3) ? r.pick(IMM12_EDGE) : r.int(4096) - 2048);
  /** an offset from x28 for an access of `sz` bytes within the scratch buffer; now and then misaligned */
  const off = (sz: number): number => (r.chance(0.1) ? r.int(65 - sz) - 32 : sz * (r.int(64 / sz) - 32 / sz));
  const one = (line: string): Item => ({ lines: [line] });
  const rvc = (...lines: string[]): Item => ({ lines: [".option rvc", ...lines, ".option norvc"] });
  const k = r.int(100);
  if (k < 14) return one(`${r.pick(R_ALU)} ${xd()},${xs()},${xs()}`);
  if (k < 21) return one(`${r.pick(I_ALU)} ${xd()},${xs()},${imm12()}`);
  if (k < 25) { const [op, w] = r.pick(SHIFT_I); return one(`${op} ${xd()},${xs()},${r.int(w)}`); }
  if (k < 27) return one(`${r.pick(["lui", "auipc"])} ${xd()},${r.chance(0.3) ? r.pick([0, 0x80000, 0xfffff, 0x7ffff]) : r.int(1 << 20)}`);
  if (k < 33) { const [op, sz] = r.pick(LOADS); return one(`${op} ${op.startsWith("f") ? f() : xd()},${off(sz)}(x28)`); }
  if (k < 38) { const [op, sz] = r.pick(STORES); return one(`${op} ${op.startsWith("f") ? f() : xs()},${off(sz)}(x28)`); }
  if (k < 43) return one(`${r.pick(BRANCHES)} ${xs()},${xs()},${target()}`);
  if (k < 45) return one(`jal ${xd()},${target()}`);
  if (k < 46) {
    // an indirect jump forward: auipc/jalr pair (or compressed jr/jalr through a register)
    const ti = targetIndex(), t = `{T:${ti}}`, a = `x${r.pick(RX)}`;
    return r.chance(0.5)
      ? { lines: [`1: auipc ${a},%pcrel_hi(${t})`, `jalr ${xd()},%pcrel_lo(1b)(${a})`], indirect: ti }
      : { lines: [`1: auipc ${a},%pcrel_hi(${t})`, `addi ${a},${a},%pcrel_lo(1b)`, ".option rvc", `${r.pick(["c.jr", "c.jalr"])} ${a}`, ".option norvc"], indirect: ti };
  }
  if (k < 54) {
    const op = r.pick([...FARITH, ...FARITH, ...FNOROUND]);
    return one(`${op}.${p()} ${f()},${f()},${f()}${FARITH.includes(op) ? `,${rm()}` : ""}`);
  }
  if (k < 58) return one(`${r.pick(FMA)}.${p()} ${f()},${f()},${f()},${f()},${rm()}`);
  if (k < 60) return one(`fsqrt.${p()} ${f()},${f()},${rm()}`);
  if (k < 63) return one(`${r.pick(FCMP)}.${p()} ${xd()},${f()},${f()}`);
  if (k < 70) {
    const q = p(), t = r.pick(["w", "wu", "l", "lu"]);
    const exact = q === "d" && (t === "w" || t === "wu");
    return r.chance(0.5) ? one(`fcvt.${t}.${q} ${xd()},${f()},${rm()}`) : one(`fcvt.${q}.${t} ${f()},${xs()}${exact ? "" : `,${rm()}`}`);
  }
  if (k < 74) {
    return one(r.pick([`fmv.x.d ${xd()},${f()}`, `fmv.d.x ${f()},${xs()}`, `fmv.x.w ${xd()},${f()}`, `fmv.w.x ${f()},${xs()}`,
      `fcvt.s.d ${f()},${f()},${rm()}`, `fcvt.d.s ${f()},${f()}`, `fclass.s ${xd()},${f()}`, `fclass.d ${xd()},${f()}`]));
  }
  if (k < 78) return one(`${r.pick(AMO)}.${r.pick(["w", "d"])}${r.pick(ORDER)} ${xd()},${xs()},(x28)`);
  if (k < 79) {
    // lr/sc pair on the same address (the reservation is never left dangling for a later sequence)
    const w = r.pick(["w", "d"]);
    return { lines: [`lr.${w}${r.pick(ORDER)} ${xd()},(x28)`, `sc.${w}${r.pick(ORDER)} ${xd()},${xs()},(x28)`] };
  }
  if (k < 82) {
    // FP CSRs; frm only ever holds a valid rounding mode (0..4)
    return one(r.pick([`csrrwi ${xd()},frm,${r.int(5)}`, `csrrci ${xd()},frm,${r.int(8)}`, `csrrs ${xd()},frm,x0`,
      `csrrw ${xd()},fflags,${xs()}`, `csrrs ${xd()},fflags,${xs()}`, `csrrc ${xd()},fflags,${xs()}`, `csrrwi ${xd()},fflags,${r.int(32)}`,
      `csrrsi ${xd()},fflags,${r.int(32)}`, `csrrci ${xd()},fflags,${r.int(32)}`, `csrrs ${xd()},fcsr,x0`, `csrrc ${xd()},fcsr,${xs()}`,
      `csrrci ${xd()},fcsr,${r.int(32)}`, `csrrsi ${xd()},fcsr,${r.int(32)}`]));
  }
  if (k < 92) {
    // compressed register operations (operands that would make a reserved or hint encoding are avoided)
    const nz6 = (): number => r.pick([1, -1, 7, 31, -32, 13, -13, 16]);
    const x = (): string => `x${r.pick(RX.filter((v) => v !== 2))}`;
    return rvc(r.pick([`c.add ${x()},${x()}`, `c.mv ${x()},${x()}`, `c.addi ${x()},${nz6()}`, `c.li ${x()},${nz6() * r.int(2)}`,
      `c.slli ${x()},${1 + r.int(63)}`, `c.srli ${c()},${1 + r.int(63)}`, `c.srai ${c()},${1 + r.int(63)}`, `c.andi ${c()},${nz6() * r.int(2)}`,
      `c.sub ${c()},${c()}`, `c.xor ${c()},${c()}`, `c.or ${c()},${c()}`, `c.and ${c()},${c()}`, `c.subw ${c()},${c()}`,
      `c.addw ${c()},${c()}`, `c.addiw ${x()},${nz6() * r.int(2)}`, `c.lui ${x()},${r.pick([1, 0x1f, 0xfffe0, 0xfffff, 1 + r.int(31)])}`,
      `c.addi16sp x2,${16 * r.pick([1, -1, 31, -32, 5])}`, `c.addi4spn ${c()},x2,${4 * (1 + r.int(255))}`, "c.nop"]));
  }
  if (k < 96) {
    // compressed loads and stores through a copy of the scratch pointer (x2 for the sp forms)
    const sp = r.chance(0.5);
    const base = sp ? "x2" : c();
    const [op, sz] = r.pick<[string, number]>([["lw", 4], ["ld", 8], ["fld", 8], ["sw", 4], ["sd", 8], ["fsd", 8]]);
    const reg = op.includes("f") ? (sp ? f() : `f${r.pick(RC)}`) : sp ? (op.startsWith("l") ? `x${r.pick(RX.filter((v) => v !== 2))}` : xs()) : c();
    return rvc(`c.mv ${base},x28`, `c.${op}${sp ? "sp" : ""} ${reg},${sz * r.int(32 / sz)}(${base})`);
  }
  if (k < 99) return rvc(r.chance(0.3) ? `c.j ${target()}` : `${r.pick(["c.beqz", "c.bnez"])} ${c()},${target()}`);
  return one(r.pick(["fence", "fence rw,w", "fence.tso", "fence.i"]));
}

/** Sequence `index` of `seed`: `length` items and a random initial state. */
export function randomSequence(seed: bigint, index: number, length: number): Sequence {
  const r = sequenceRng(seed, index);
  const items = Array.from({ length }, (_, i) => randomItem(r, i, length));
  const x = [0n, ...RX.map(() => randomX(r))];
  const f = Array.from({ length: 32 }, () => randomF(r));
  const fcsr = (r.int(5) << 5) | (r.chance(0.5) ? 0 : r.int(32));
  return { id: `random#${seed}.${index}`, items, x, f, fcsr };
}

/** Lines of an item that are instructions (not directives). */
const isInstruction = (line: string): boolean => !line.startsWith(".");

/** Number of instructions of a sequence. */
export const instructionCount = (s: Sequence): number => s.items.reduce((n, it) => n + it.lines.filter(isInstruction).length, 0);

/**
 * Prefix `p` of a sequence: its first p instructions, then the end (branch targets past the cut land at
 * the end). The first prefix a tier gets wrong ends with the first instruction it gets wrong.
 */
export function prefix(s: Sequence, p: number): Sequence {
  const items: Item[] = [];
  let left = p;
  for (const it of s.items) {
    if (left === 0) break;
    const lines: string[] = [];
    for (const line of it.lines) {
      if (isInstruction(line)) { if (left === 0) break; left--; }
      lines.push(line);
    }
    if (lines.at(-1) === ".option rvc") lines.pop();
    if (lines.includes(".option rvc") && !lines.includes(".option norvc")) lines.push(".option norvc");
    items.push({ lines, ...(it.indirect !== undefined ? { indirect: it.indirect } : {}) });
  }
  // the labels of the items cut off all stand at the end
  const cut = s.items.length - items.length;
  return { ...s, id: `${s.id}/${p}`, items: [...items, ...Array.from({ length: cut }, () => ({ lines: [] }))] };
}

// ---------------------------------------------------------------- program

/** input record: x1..x28, f0..f31, fcsr; output record: the same and the scratch buffer */
const IN_WORDS = 28 + 32 + 1;
const OUT_WORDS = 28 + 32 + 1 + 8;
const SCRATCH = 64;
/** scratch contents before each sequence: bytes with and without the sign bit set */
const PATTERN = Array.from({ length: SCRATCH }, (_, i) => (i * 37 + 0x85) & 0xff);

/** The assembly source running `seqs` one after the other and writing their output records to stdout. */
export function programSource(seqs: Sequence[]): string {
  const L: string[] = [".option norelax", ".option norvc", ".text", ".globl _start", "_start:"];
  seqs.forEach((s, k) => {
    L.push(`# ${s.id}`, `lla x31, rec_${k}`, "jal x30, load_state", `L_${k}:`);
    s.items.forEach((it, t) => {
      L.push(`R${k}_${t}:`);
      for (const line of it.lines) L.push(line.replace(/\{T:(\d+)\}/g, (_, u: string) => (Number(u) >= s.items.length ? `E_${k}` : `R${k}_${u}`)));
    });
    L.push(`E_${k}:`, "jal x30, save_state");
  });
  // write the output records, then exit(0)
  L.push("lla a1, recs", "lla a2, recs_end", "sub a2, a2, a1", "1: li a0, 1", "li a7, 64", "ecall", "blez a0, 2f", "add a1, a1, a0",
    "sub a2, a2, a0", "bnez a2, 1b", "2: li a0, 0", "li a7, 94", "ecall");
  // load_state: x31 = input record, x30 = return address
  L.push("load_state:", "lla x28, scratch", "lla x29, pattern");
  for (let i = 0; i < SCRATCH / 8; i++) L.push(`ld x1, ${8 * i}(x29)`, `sd x1, ${8 * i}(x28)`);
  L.push(`ld x1, ${60 * 8}(x31)`, "csrw fcsr, x1");
  for (let i = 0; i < 32; i++) L.push(`fld f${i}, ${(28 + i) * 8}(x31)`);
  for (let i = 1; i <= 28; i++) L.push(`ld x${i}, ${(i - 1) * 8}(x31)`);
  L.push("jr x30");
  // save_state: x31 = input record (the output record follows it)
  const o = IN_WORDS * 8;
  L.push("save_state:");
  for (let i = 1; i <= 28; i++) L.push(`sd x${i}, ${o + (i - 1) * 8}(x31)`);
  for (let i = 0; i < 32; i++) L.push(`fsd f${i}, ${o + (28 + i) * 8}(x31)`);
  L.push("csrr x1, fcsr", `sd x1, ${o + 60 * 8}(x31)`, "lla x2, scratch");
  for (let i = 0; i < SCRATCH / 8; i++) L.push(`ld x1, ${8 * i}(x2)`, `sd x1, ${o + (61 + i) * 8}(x31)`);
  L.push("jr x30");
  L.push(".section .rodata", ".balign 8", `pattern: .byte ${PATTERN.join(",")}`, ".data", ".balign 64", `scratch: .zero ${SCRATCH}`, "recs:");
  seqs.forEach((s, k) => {
    const words = [...s.x.slice(1, 28).map(hex), "scratch+32", ...s.f.map(hex), String(s.fcsr)];
    L.push(`rec_${k}: .dword ${words.join(",")}`, `.zero ${OUT_WORDS * 8}`);
  });
  L.push("recs_end:");
  return L.join("\n") + "\n";
}

/** Whether gcc and qemu for riscv64 are installed (the reference needs both). */
export function referenceMissing(): string | undefined {
  for (const tool of ["riscv64-linux-gnu-gcc", "qemu-riscv64"]) {
    const r = spawnSync(tool, ["--version"], { stdio: "ignore" });
    if (r.error !== undefined || r.status !== 0) return `${tool} not found (the random kind needs it as the reference)`;
  }
  return undefined;
}

let qemuVersionCache: string | undefined;
const qemuVersion = (): string => (qemuVersionCache ??= execFileSync("qemu-riscv64", ["--version"]).toString().split("\n")[0]!);

/** Disassembles the instructions in `bytes` (at `pc`) with the project's disassembler; returns encodings and text. */
export function disassemble(bytes: Uint8Array, pc: number): { enc: string[]; dis: string[] } {
  const enc: string[] = [], dis: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const lo = bytes[at]! | (bytes[at + 1]! << 8);
    const size = (lo & 3) === 3 ? 4 : 2;
    const raw = size === 4 ? (lo | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0 : lo;
    enc.push(raw.toString(16).padStart(size * 2, "0"));
    const d = decodeRiscv64Encoding(raw);
    dis.push((d ? disassembleRiscv64(d, pc + at) : disassembleUndecodable(raw, size)).replace("\t", " "));
    at += size;
  }
  return { enc, dis };
}

/**
 * Runs sequences under qemu-riscv64 (one program for all of them) and returns them as a vector file: each
 * case at its address under qemu, its initial state, the changes it made and the final scratch buffer.
 */
export function referenceRun(seqs: Sequence[], group = "random"): VectorFile {
  const dir = mkdtempSync(join(tmpdir(), "rv-random-"));
  try {
    const src = join(dir, "t.S"), elfPath = join(dir, "t");
    writeFileSync(src, programSource(seqs));
    execFileSync("riscv64-linux-gnu-gcc", ["-nostdlib", "-static", "-march=rv64gc", "-mabi=lp64d", "-Wl,--no-relax", "-o", elfPath, src]);
    const r = spawnSync("qemu-riscv64", [elfPath], { maxBuffer: 1 << 30 });
    const size = seqs.length * (IN_WORDS + OUT_WORDS) * 8;
    if (r.status !== 0 || r.stdout.length !== size) {
      throw new Error(`random: the reference program ${r.signal ? `died with ${r.signal}` : `exited with ${r.status}`} after ${r.stdout.length} of ${size} bytes (${seqs[0]?.id} ...)`);
    }
    const elf = parseElf(new Uint8Array(readFileSync(elfPath)));
    const sym = new Map(elf.symbols.map((s) => [s.name, s.value]));
    const at = (name: string): number => { const v = sym.get(name); if (v === undefined) throw new Error(`random: no symbol ${name}`); return v; };
    const codeBytes = (start: number, end: number): Uint8Array => {
      const seg = elf.programHeaders.find((ph) => ph.type === PT_LOAD && ph.vaddr <= start && end <= ph.vaddr + ph.filesz);
      if (!seg) throw new Error(`random: code at 0x${start.toString(16)} outside the loaded segments`);
      return elf.bytes.subarray(seg.offset + start - seg.vaddr, seg.offset + end - seg.vaddr);
    };
    const out = new DataView(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
    const patternHex = Buffer.from(PATTERN).toString("hex");
    const cases = seqs.map((s, k): VectorCase => {
      const pc = at(`L_${k}`), end = at(`E_${k}`);
      const { enc, dis } = disassemble(codeBytes(pc, end), pc);
      const word = (i: number): bigint => out.getBigUint64(((IN_WORDS + OUT_WORDS) * k + i) * 8, true);
      const c: VectorCase = { id: s.id, dis, enc, pc: hex(pc), in: {}, out: {}, npc: hex(end) };
      const targets = s.items.flatMap((it) => (it.indirect === undefined ? [] : [hex(at(it.indirect >= s.items.length ? `E_${k}` : `R${k}_${it.indirect}`))]));
      if (targets.length > 0) c.reachable = [...new Set(targets)];
      for (let i = 0; i < 28 + 32; i++) {
        const name = i < 28 ? `x${i + 1}` : `f${i - 28}`;
        const before = word(i), after = word(IN_WORDS + i);
        if (before !== 0n) c.in[name] = hex(before);
        if (after !== before) c.out[name] = hex(after);
      }
      const fcsrIn = Number(word(60)), fcsrOut = Number(word(IN_WORDS + 60));
      c.in.frm = fcsrIn >> 5;
      c.in.fflags = fcsrIn & 31;
      if (fcsrOut >> 5 !== fcsrIn >> 5) c.out.frm = fcsrOut >> 5;
      if ((fcsrOut & 31) !== (fcsrIn & 31)) c.out.fflags = fcsrOut & 31;
      const mem = Buffer.from(r.stdout.subarray(((IN_WORDS + OUT_WORDS) * k + IN_WORDS + 61) * 8, ((IN_WORDS + OUT_WORDS) * (k + 1)) * 8)).toString("hex");
      if (mem !== patternHex) c.mem = mem;
      return c;
    });
    return { guest: "riscv64", group, reference: qemuVersion(), scratch: { addr: hex(at("scratch")), bytes: patternHex }, cases };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
