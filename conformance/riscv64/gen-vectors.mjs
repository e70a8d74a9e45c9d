#!/usr/bin/env node
/**
 * Generates the RV64GC per-instruction conformance vectors (conformance/riscv64/vectors/<group>.json) by
 * running every case under qemu-riscv64, the reference.
 *
 * For each group one freestanding program is assembled (riscv64-linux-gnu-gcc -nostdlib -static
 * -march=rv64gc -mabi=lp64d). Each case in it:
 *   1. copies a fixed 64-byte pattern into the scratch buffer,
 *   2. loads fcsr, all 32 f registers and x1..x31 from the case's input record (so every register has a
 *      known value: the ones the case sets, zero otherwise),
 *   3. executes the instruction(s) under test at label L,
 *   4. lands on one of three pads (Pb = L-8, fall-through = L+size, Pt = L+size+8), each of which executes
 *      `auipc C,0` (C: a register the case does not use), so C holds the pc after the instruction(s),
 *   5. stores x1..x31 (except B, the base register, also unused by the case), f0..f31, fcsr, the address
 *      of L and the scratch buffer into the case's output record.
 * At the end the program writes its input and output tables to stdout. Register values that depend on
 * addresses (scratch pointers, jump targets) are written as assembler expressions and read back from the
 * dumped input table; the code is recorded at its address under qemu (`pc`), so runners place it there.
 * Encodings and the disassembly come from `riscv64-linux-gnu-objdump -d -M no-aliases`.
 *
 * Vector file format: { guest, group, reference, scratch: {addr, bytes}, cases: [ {id, dis: [..], enc:
 * [..hex..], pc, in: {x5: "0x..", f3: "0x..", frm, fflags}, out: {...changed registers/fields...}, npc,
 * mem?: final scratch bytes (hex) when changed} ] }. Registers not in `in` are zero; registers not in
 * `out` keep their initial value; f registers are raw 64-bit patterns (NaN-boxed singles).
 *
 * Usage: node conformance/riscv64/gen-vectors.mjs [group ...]   (default: all groups)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(HERE, "vectors");
const M64 = (1n << 64n) - 1n;
const u64 = (v) => BigInt.asUintN(64, BigInt(v));
const hex = (v) => "0x" + u64(v).toString(16);

/** input record: x0..x31 (x0 slot unused), f0..f31, fcsr */
const IN_SIZE = 32 * 8 + 32 * 8 + 8;
/** output record: x0 slot = address of L, x1..x31, f0..f31, fcsr, scratch[64] */
const OUT_SIZE = 32 * 8 + 32 * 8 + 8 + 64;
const SCRATCH = 64;
/** scratch contents before each case: bytes with and without the sign bit set */
const PATTERN = Array.from({ length: SCRATCH }, (_, i) => (i * 37 + 0x85) & 0xff);

// ---------------------------------------------------------------- edge values

/** integer edge values: zero, ±1, 64- and 32-bit min/max and sign boundaries, two bit patterns */
const XV = [0n, 1n, u64(-1), 2n, 0x7fffffffffffffffn, 0x8000000000000000n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0xffffffff80000000n, 0x0123456789abcdefn, 0xfedcba9876543210n];
/** a smaller set for instructions whose behaviour varies less with the value */
const XS = [0n, 1n, u64(-1), 0x7fffffffffffffffn, 0x8000000000000000n, 0x80000000n, 0xfedcba9876543210n];
/** register shift amounts at and past the width */
const SHAMT_REG = [0n, 1n, 31n, 32n, 33n, 63n, 64n, u64(-1)];
const IMM12 = [0, 1, -1, 2047, -2048, 0x123];

const BOX = 0xffffffff00000000n;
/** single-precision edge values (bit patterns) */
const S = {
  p0: 0x00000000n, n0: 0x80000000n, one: 0x3f800000n, m1: 0xbf800000n, half: 0x3f000000n, p15: 0x3fc00000n,
  p25: 0x40200000n, m25: 0xc0200000n, m15: 0xbfc00000n, three: 0x40400000n, tenth: 0x3dcccccdn, mtenth: 0xbdcccccdn,
  minsub: 0x00000001n, maxsub: 0x007fffffn, mminsub: 0x80000001n, minnorm: 0x00800000n, max: 0x7f7fffffn, mmax: 0xff7fffffn,
  inf: 0x7f800000n, minf: 0xff800000n, qnan: 0x7fc00000n, snan: 0x7f800001n, nanp: 0xffc12345n,
  two31: 0x4f000000n, m2_31: 0xcf000000n, below31: 0x4effffffn, two32: 0x4f800000n, two63: 0x5f000000n,
  m2_63: 0xdf000000n, two64: 0x5f800000n, ulp24: 0x33800000n, onep: 0x3f800001n, ten: 0x41200000n,
};
/** double-precision edge values (bit patterns) */
const D = {
  p0: 0n, n0: 0x8000000000000000n, one: 0x3ff0000000000000n, m1: 0xbff0000000000000n, half: 0x3fe0000000000000n,
  p15: 0x3ff8000000000000n, p25: 0x4004000000000000n, m25: 0xc004000000000000n, m15: 0xbff8000000000000n,
  three: 0x4008000000000000n, tenth: 0x3fb999999999999an, mtenth: 0xbfb999999999999an,
  minsub: 1n, maxsub: 0x000fffffffffffffn, mminsub: 0x8000000000000001n, minnorm: 0x0010000000000000n,
  max: 0x7fefffffffffffffn, mmax: 0xffefffffffffffffn, inf: 0x7ff0000000000000n, minf: 0xfff0000000000000n,
  qnan: 0x7ff8000000000000n, snan: 0x7ff0000000000001n, nanp: 0xfff8000000012345n,
  two31: 0x41e0000000000000n, m2_31: 0xc1e0000000000000n, below31: 0x41dfffffffc00000n, two32: 0x41f0000000000000n,
  two63: 0x43e0000000000000n, m2_63: 0xc3e0000000000000n, two64: 0x43f0000000000000n, ulp53: 0x3ca0000000000000n,
  onep: 0x3ff0000000000001n, ten: 0x4024000000000000n,
  /** values that round when converted to single */
  fmax1: 0x47efffffe0000000n, ftiny: 0x3690000000000000n, fhalfway: 0x3ff0000010000000n,
};
const box = (s) => BOX | s;
/** all pairs of a list */
const pairs = (xs, ys = xs) => xs.flatMap((a) => ys.map((b) => [a, b]));
const RMS = ["rne", "rtz", "rdn", "rup", "rmm"];
/** every rounding-mode choice: each static mode with frm = 0, then dyn with each valid frm value */
const RM_CHOICES = [...RMS.map((rm) => ({ rm, frm: 0 })), ...RMS.map((_, frm) => ({ rm: "dyn", frm }))];

// ---------------------------------------------------------------- register choice

/** x registers in a rotation order (every register appears as every operand over a group) */
const XP = [10, 11, 12, 5, 6, 7, 28, 29, 30, 31, 1, 2, 3, 4, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27];
/** compressed register fields name x8..x15 / f8..f15 */
const CP = [8, 9, 10, 11, 12, 13, 14, 15];
/** n distinct registers from pool, rotating with k */
function pick(pool, k, n) {
  const start = (k * n) % pool.length;
  return Array.from({ length: n }, (_, i) => pool[(start + i) % pool.length]);
}
const xn = (r) => `x${r}`;
const fn = (r) => `f${r}`;

// ---------------------------------------------------------------- case construction

/**
 * A case: `asm` lines (with {Pt}/{Pb} standing for the forward and backward landing pads), `x`/`f` initial
 * register values (bigint or an assembler expression string), fcsr initial value, `rvc` when the code under
 * test is compressed, `uses`: x registers the code names (so B and C avoid them).
 */
function mk(op, asm, { x = {}, f = {}, frm = 0, fflags = 0, rvc = false, uses = [] } = {}) {
  return { op, asm: Array.isArray(asm) ? asm : [asm], x, f, fcsr: (frm << 5) | fflags, rvc, uses };
}

const groups = {};

// ---- RV64I
{
  const cs = [];
  const rtype = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw", "sllw", "srlw", "sraw"];
  for (const op of rtype) {
    const shift = /^s(ll|rl|ra)/.test(op);
    const ps = shift ? pairs(XV, SHAMT_REG) : pairs(XV);
    ps.forEach(([a, b], k) => {
      const [rs1, rs2, r3] = pick(XP, k, 3);
      const rd = k % 7 === 3 ? rs1 : k % 11 === 5 ? 0 : r3;
      cs.push(mk(op, `${op} ${xn(rd)},${xn(rs1)},${xn(rs2)}`, { x: { [rs1]: a, [rs2]: b }, uses: [rd, rs1, rs2] }));
    });
    // both sources the same register
    cs.push(mk(op, `${op} x7,x9,x9`, { x: { 9: 0x8000000000000021n }, uses: [7, 9] }));
    // x0 as a source
    cs.push(mk(op, `${op} x7,x0,x9`, { x: { 9: 0xfedcba9876543210n }, uses: [7, 9] }));
  }
  for (const op of ["addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"]) {
    pairs(XV, IMM12).forEach(([a, imm], k) => {
      const [rs1, r2] = pick(XP, k, 2);
      const rd = k % 7 === 3 ? rs1 : k % 13 === 5 ? 0 : r2;
      cs.push(mk(op, `${op} ${xn(rd)},${xn(rs1)},${imm}`, { x: { [rs1]: a }, uses: [rd, rs1] }));
    });
  }
  for (const [op, amounts] of [["slli", [0, 1, 31, 32, 63]], ["srli", [0, 1, 31, 32, 63]], ["srai", [0, 1, 31, 32, 63]],
    ["slliw", [0, 1, 15, 31]], ["srliw", [0, 1, 15, 31]], ["sraiw", [0, 1, 15, 31]]]) {
    pairs(XV, amounts).forEach(([a, sh], k) => {
      const [rs1, r2] = pick(XP, k, 2);
      const rd = k % 7 === 3 ? rs1 : r2;
      cs.push(mk(op, `${op} ${xn(rd)},${xn(rs1)},${sh}`, { x: { [rs1]: a }, uses: [rd, rs1] }));
    });
  }
  for (const op of ["lui", "auipc"]) {
    [0, 1, 0x7ffff, 0x80000, 0xfffff, 0x12345].forEach((imm, k) => {
      const [rd] = pick(XP, k, 1);
      cs.push(mk(op, `${op} ${xn(rd)},${imm}`, { x: { [rd]: 0x5555n }, uses: [rd] }));
    });
    cs.push(mk(op, `${op} x0,0x80000`, {}));
  }
  // branches: every pair of a value set, taken target alternately forward and backward
  for (const op of ["beq", "bne", "blt", "bge", "bltu", "bgeu"]) {
    pairs([0n, 1n, u64(-1), 0x7fffffffffffffffn, 0x8000000000000000n, 0x80000000n, 0xffffffff80000000n]).forEach(([a, b], k) => {
      const [rs1, rs2] = pick(XP, k, 2);
      cs.push(mk(op, `${op} ${xn(rs1)},${xn(rs2)},${k % 2 ? "{Pb}" : "{Pt}"}`, { x: { [rs1]: a, [rs2]: b }, uses: [rs1, rs2] }));
    });
    cs.push(mk(op, `${op} x5,x5,{Pt}`, { x: { 5: 7n }, uses: [5] }));
    cs.push(mk(op, `${op} x0,x6,{Pt}`, { x: { 6: u64(-1) }, uses: [6] }));
  }
  [0, 1, 5, 31, 10].forEach((rd, k) => {
    cs.push(mk("jal", `jal ${xn(rd)},${k % 2 ? "{Pb}" : "{Pt}"}`, { uses: [rd] }));
  });
  // jalr: target = rs1 + imm with bit 0 cleared
  [[1, 5, 0, 0], [5, 6, 4, 0], [31, 10, -4, 1], [0, 11, 2047, 0], [12, 12, -2048, 0], [13, 14, 100, 1], [1, 1, 0, 1]].forEach(([rd, rs1, imm, odd], k) => {
    const target = k % 2 ? "{Pb}" : "{Pt}";
    cs.push(mk("jalr", `jalr ${xn(rd)},${imm}(${xn(rs1)})`, { x: { [rs1]: `${target}-(${imm})+${odd}` }, uses: [rd, rs1] }));
  });
  // loads and stores around the scratch pointer (scratch+32)
  const loads = [["lb", [-32, -31, -1, 0, 1, 5, 17, 31]], ["lbu", [-32, -31, -1, 0, 1, 5, 17, 31]], ["lh", [-32, -2, 0, 2, 6, 30]],
    ["lhu", [-32, -2, 0, 2, 6, 30]], ["lw", [-32, -4, 0, 4, 28]], ["lwu", [-32, -4, 0, 4, 28]], ["ld", [-32, -8, 0, 8, 24]]];
  for (const [op, offs] of loads) {
    offs.forEach((off, k) => {
      const [rs1, r2] = pick(XP, k, 2);
      const rd = k === 2 ? rs1 : k === 3 ? 0 : r2;
      cs.push(mk(op, `${op} ${xn(rd)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch+32" }, uses: [rd, rs1] }));
    });
  }
  for (const [op, offs] of [["sb", [-32, -1, 0, 31]], ["sh", [-32, -2, 0, 30]], ["sw", [-32, -4, 0, 28]], ["sd", [-32, -8, 0, 24]]]) {
    pairs(XS, offs).forEach(([v, off], k) => {
      const [rs1, rs2] = pick(XP, k, 2);
      cs.push(mk(op, `${op} ${xn(rs2)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch+32", [rs2]: v }, uses: [rs1, rs2] }));
    });
    cs.push(mk(op, `${op} x0,0(x9)`, { x: { 9: "scratch+32" }, uses: [9] }));
    cs.push(mk(op, `${op} x9,0(x9)`, { x: { 9: "scratch+32" }, uses: [9] }));
  }
  cs.push(mk("fence", "fence", { x: { 5: 1n } }));
  cs.push(mk("fence", "fence rw,w", { x: { 5: 1n } }));
  cs.push(mk("fence.tso", "fence.tso", { x: { 5: 1n } }));
  cs.push(mk("fence.i", "fence.i", { x: { 5: 1n } }));
  groups.rv64i = cs;
}

// ---- RV64M: every pair of edge values (division by zero, signed overflow at 64 and 32 bits)
{
  const cs = [];
  for (const op of ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw", "divuw", "remw", "remuw"]) {
    pairs([...XV, u64(-2), 0xffffffffn << 32n]).forEach(([a, b], k) => {
      const [rs1, rs2, r3] = pick(XP, k, 3);
      const rd = k % 7 === 3 ? rs1 : k % 7 === 4 ? rs2 : r3;
      cs.push(mk(op, `${op} ${xn(rd)},${xn(rs1)},${xn(rs2)}`, { x: { [rs1]: a, [rs2]: b }, uses: [rd, rs1, rs2] }));
    });
    cs.push(mk(op, `${op} x7,x9,x9`, { x: { 9: 0x8000000000000000n }, uses: [7, 9] }));
  }
  groups.rv64m = cs;
}

// ---- RV64A (addresses: scratch+32 is 8-aligned; AMO results in rd, memory in the scratch dump)
{
  const cs = [];
  const amos = ["amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu"];
  for (const w of ["w", "d"]) {
    for (const op of amos) {
      const name = `${op}.${w}`;
      pairs(XS, [0, w === "w" ? -4 : -8]).forEach(([v, off], k) => {
        const [rs1, rs2, r3] = pick(XP, k, 3);
        const rd = k % 5 === 2 ? 0 : k % 5 === 3 ? rs2 : r3;
        cs.push(mk(name, `${name} ${xn(rd)},${xn(rs2)},(${xn(rs1)})`, { x: { [rs1]: `scratch+32+(${off})`, [rs2]: v }, uses: [rd, rs1, rs2] }));
      });
      for (const ord of [".aq", ".rl", ".aqrl"]) {
        cs.push(mk(name, `${name}${ord} x5,x6,(x7)`, { x: { 7: "scratch+16", 6: 0x8000000000000001n }, uses: [5, 6, 7] }));
      }
    }
    // lr/sc: success, sc to another address (fails), then a lone sc (no reservation: fails)
    for (const ord of ["", ".aq", ".rl", ".aqrl"]) {
      const sz = w === "w" ? 4 : 8;
      cs.push(mk(`lr.${w}`, [`lr.${w}${ord} x5,(x6)`, `sc.${w}${ord} x7,x8,(x6)`], { x: { 6: "scratch+8", 8: 0xfedcba9876543210n }, uses: [5, 6, 7, 8] }));
      cs.push(mk(`lr.${w}`, [`lr.${w}${ord} x5,(x6)`, `sc.${w} x7,x8,(x9)`], { x: { 6: "scratch+8", 9: `scratch+${8 + sz}`, 8: 0x1234n }, uses: [5, 6, 7, 8, 9] }));
      cs.push(mk(`sc.${w}`, `sc.${w}${ord} x7,x8,(x6)`, { x: { 6: "scratch+8", 8: 0x1234n }, uses: [6, 7, 8] }));
    }
    cs.push(mk(`lr.${w}`, [`lr.${w} x6,(x6)`, `sc.${w} x7,x7,(x8)`], { x: { 6: "scratch+32", 8: "scratch+32", 7: u64(-1) }, uses: [6, 7, 8] }));
  }
  groups.rv64a = cs;
}

// ---- F and D
/** FP groups differ in precision: helpers parametrised by the value table, suffix and boxing */
function fpGroup(P, sfx, toReg, intTo) {
  const cs = [];
  const v = (name) => toReg(P[name]);
  const frs = (k, n) => pick(Array.from({ length: 32 }, (_, i) => i), k, n);
  const big = ["p0", "n0", "one", "m1", "three", "tenth", "minsub", "maxsub", "minnorm", "max", "inf", "minf", "qnan", "snan", "nanp"];
  const small = ["p0", "n0", "one", "m1", "tenth", "minsub", "inf", "qnan", "snan"];
  const rmPairs = [["one", "tenth"], ["mtenth", "three"], ["max", "max"], ["one", "one"], ["minsub", "half"], ["mmax", "mmax"],
    ["one", sfx === "s" ? "ulp24" : "ulp53"], ["onep", sfx === "s" ? "ulp24" : "ulp53"], ["tenth", "ten"]];
  // binary arithmetic: all pairs with RNE, rounding-sensitive pairs in every rounding mode
  for (const op of ["fadd", "fsub", "fmul", "fdiv"]) {
    const name = `${op}.${sfx}`;
    pairs(big).forEach(([a, b], k) => {
      const [fd, f1, f2] = frs(k, 3);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${fn(f2)},rne`, { f: { [f1]: v(a), [f2]: v(b) } }));
    });
    rmPairs.forEach(([a, b], k) => RM_CHOICES.forEach(({ rm, frm }, j) => {
      const [fd, f1, f2] = frs(k * 10 + j, 3);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${fn(f2)},${rm}`, { f: { [f1]: v(a), [f2]: v(b) }, frm }));
    }));
    // accrued flags stay set; the same register as both sources
    cs.push(mk(name, `${name} f1,f2,f2`, { f: { 2: v("tenth") }, fflags: 0x10 }));
  }
  for (const op of ["fmin", "fmax", "feq", "flt", "fle", "fsgnj", "fsgnjn", "fsgnjx"]) {
    const name = `${op}.${sfx}`;
    const cmp = op.startsWith("fe") || op.startsWith("fl");
    const set = op.startsWith("fsgnj") ? ["p0", "n0", "one", "m1", "qnan", "nanp", "snan", "minf"] : big;
    pairs(set).forEach(([a, b], k) => {
      const [f1, f2] = frs(k, 2);
      const rd = cmp ? pick(XP, k, 1)[0] : frs(k + 7, 1)[0];
      cs.push(mk(name, `${name} ${cmp ? xn(rd) : fn(rd)},${fn(f1)},${fn(f2)}`, { f: { [f1]: v(a), [f2]: v(b) }, uses: cmp ? [rd] : [] }));
    });
  }
  // fused multiply-add: all triples of a small set, special cases, rounding modes
  for (const op of ["fmadd", "fmsub", "fnmsub", "fnmadd"]) {
    const name = `${op}.${sfx}`;
    const tri = ["p0", "n0", "one", "m1", "tenth", "inf"];
    tri.flatMap((a) => tri.flatMap((b) => tri.map((c) => [a, b, c]))).forEach(([a, b, c], k) => {
      const [fd, f1, f2, f3] = frs(k, 4);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${fn(f2)},${fn(f3)},rne`, { f: { [f1]: v(a), [f2]: v(b), [f3]: v(c) } }));
    });
    const special = [["inf", "p0", "qnan"], ["p0", "inf", "one"], ["snan", "one", "one"], ["one", "one", "snan"], ["qnan", "one", "one"],
      ["max", "max", "minf"], ["inf", "one", "minf"], ["minsub", "half", "p0"], ["nanp", "p0", "inf"], ["tenth", "ten", "m1"]];
    special.forEach(([a, b, c], k) => {
      const [fd, f1, f2, f3] = frs(k + 3, 4);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${fn(f2)},${fn(f3)},rne`, { f: { [f1]: v(a), [f2]: v(b), [f3]: v(c) } }));
    });
    [["tenth", "ten", "m1"], ["one", "tenth", "three"], ["max", "max", "m1"], ["minsub", "half", "n0"]].forEach(([a, b, c], k) =>
      RM_CHOICES.forEach(({ rm, frm }, j) => {
        const [fd, f1, f2, f3] = frs(k * 10 + j, 4);
        cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${fn(f2)},${fn(f3)},${rm}`, { f: { [f1]: v(a), [f2]: v(b), [f3]: v(c) }, frm }));
      }));
  }
  {
    const name = `fsqrt.${sfx}`;
    [...big, "m1", "half", "ten", "mminsub"].forEach((a, k) => {
      const [fd, f1] = frs(k, 2);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},rne`, { f: { [f1]: v(a) } }));
    });
    ["tenth", "three", "ten", "maxsub"].forEach((a, k) => RM_CHOICES.forEach(({ rm, frm }, j) => {
      const [fd, f1] = frs(k * 10 + j, 2);
      cs.push(mk(name, `${name} ${fn(fd)},${fn(f1)},${rm}`, { f: { [f1]: v(a) }, frm }));
    }));
  }
  // classification and moves
  {
    const name = `fclass.${sfx}`;
    [...big, "mminsub", "mmax", "half"].forEach((a, k) => {
      const [rd] = pick(XP, k, 1);
      const [f1] = frs(k, 1);
      cs.push(mk(name, `${name} ${xn(rd)},${fn(f1)}`, { f: { [f1]: v(a) }, uses: [rd] }));
    });
  }
  const mvx = sfx === "s" ? "fmv.x.w" : "fmv.x.d";
  const mvf = sfx === "s" ? "fmv.w.x" : "fmv.d.x";
  [...big].forEach((a, k) => {
    const [rd] = pick(XP, k, 1);
    cs.push(mk(mvx, `${mvx} ${xn(rd)},${fn(k)}`, { f: { [k]: v(a) }, uses: [rd] }));
  });
  [...XV].forEach((a, k) => {
    const [rs1] = pick(XP, k, 1);
    cs.push(mk(mvf, `${mvf} ${fn(k + 3)},${xn(rs1)}`, { x: { [rs1]: a }, uses: [rs1] }));
  });
  // float -> integer conversions in every rounding mode
  const cvtIn = ["p0", "n0", "half", "m15", "p15", "p25", "m25", "one", "m1", "tenth", "two31", "m2_31", "below31", "two32",
    "two63", "m2_63", "two64", "max", "mmax", "inf", "minf", "qnan", "snan", "nanp", "minsub"];
  for (const t of ["w", "wu", "l", "lu"]) {
    const name = `fcvt.${t}.${sfx}`;
    cvtIn.forEach((a, k) => RM_CHOICES.forEach(({ rm, frm }, j) => {
      if (j >= 6 && k % 3 !== 0) return; // dyn with every frm on a third of the values
      const [rd] = pick(XP, k * 10 + j, 1);
      const [f1] = frs(k * 10 + j, 1);
      cs.push(mk(name, `${name} ${xn(rd)},${fn(f1)},${rm}`, { f: { [f1]: v(a) }, frm, uses: [rd] }));
    }));
  }
  // integer -> float conversions
  const intIn = [...XV, (1n << 24n) + 1n, (1n << 53n) + 1n, u64(-((1n << 53n) + 1n)), 3n];
  for (const t of ["w", "wu", "l", "lu"]) {
    const name = `fcvt.${sfx}.${t}`;
    // int32 -> double is exact: the assembler takes no rounding mode
    const exact = sfx === "d" && (t === "w" || t === "wu");
    intIn.forEach((a, k) => RM_CHOICES.forEach(({ rm, frm }, j) => {
      if (j >= 6 && k % 3 !== 0 || exact && j > 0) return;
      const [rs1] = pick(XP, k * 10 + j, 1);
      const [fd] = frs(k * 10 + j, 1);
      cs.push(mk(name, `${name} ${fn(fd)},${xn(rs1)}${exact ? "" : "," + rm}`, { x: { [rs1]: a }, frm, uses: [rs1] }));
    }));
  }
  // loads and stores
  const lw = sfx === "s" ? "flw" : "fld";
  const sw = sfx === "s" ? "fsw" : "fsd";
  const step = sfx === "s" ? 4 : 8;
  [-32, -step, 0, step, 32 - step].forEach((off, k) => {
    const [rs1] = pick(XP, k, 1);
    cs.push(mk(lw, `${lw} ${fn(k * 5)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch+32" }, f: { [k * 5]: v("one") }, uses: [rs1] }));
    cs.push(mk(sw, `${sw} ${fn(k * 7 % 32)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch+32" }, f: { [k * 7 % 32]: [v("tenth"), v("nanp"), v("minf"), v("n0"), v("snan")][k] }, uses: [rs1] }));
  });
  intTo(cs, v, frs);
  return cs;
}
groups.rv64f = fpGroup(S, "s", box, (cs, v) => {
  // single operands that are not NaN-boxed are read as the canonical NaN (except by moves and stores)
  const bad = [0x3f800000n, 0xffff00003f800000n, 0x7fffffff3f800000n];
  bad.forEach((b, k) => {
    cs.push(mk("fadd.s", `fadd.s f1,f${k + 2},f10,rne`, { f: { [k + 2]: b, 10: v("one") } }));
    cs.push(mk("fsgnj.s", `fsgnj.s f1,f${k + 2},f10`, { f: { [k + 2]: b, 10: v("m1") } }));
    cs.push(mk("fsgnjx.s", `fsgnjx.s f1,f10,f${k + 2}`, { f: { [k + 2]: b, 10: v("one") } }));
    cs.push(mk("fclass.s", `fclass.s x5,f${k + 2}`, { f: { [k + 2]: b }, uses: [5] }));
    cs.push(mk("fmv.x.w", `fmv.x.w x5,f${k + 2}`, { f: { [k + 2]: b }, uses: [5] }));
    cs.push(mk("fsw", `fsw f${k + 2},0(x6)`, { f: { [k + 2]: b }, x: { 6: "scratch+32" }, uses: [6] }));
    cs.push(mk("feq.s", `feq.s x5,f${k + 2},f${k + 2}`, { f: { [k + 2]: b }, uses: [5] }));
    cs.push(mk("fcvt.d.s", `fcvt.d.s f1,f${k + 2}`, { f: { [k + 2]: b } }));
    cs.push(mk("fcvt.w.s", `fcvt.w.s x5,f${k + 2},rtz`, { f: { [k + 2]: b }, uses: [5] }));
  });
});
groups.rv64d = fpGroup(D, "d", (d) => d, (cs, v, frs) => {
  // precision conversions
  // single -> double is exact: the assembler takes no rounding mode
  Object.keys(S).forEach((a, k) => {
    const [fd, f1] = frs(k, 2);
    cs.push(mk("fcvt.d.s", `fcvt.d.s ${fn(fd)},${fn(f1)}`, { f: { [f1]: box(S[a]) } }));
  });
  Object.keys(D).forEach((a, k) => RM_CHOICES.forEach(({ rm, frm }, j) => {
    if (j >= 6 && k % 3) return;
    const [fd, f1] = frs(k * 10 + j, 2);
    cs.push(mk("fcvt.s.d", `fcvt.s.d ${fn(fd)},${fn(f1)},${rm}`, { f: { [f1]: D[a] }, frm }));
  }));
});

// ---- Zicsr on the FP CSRs
{
  const cs = [];
  const init = [0, 0x1f, 0x9b, 0xe0];
  for (const op of ["csrrw", "csrrs", "csrrc"]) for (const csr of ["fflags", "frm", "fcsr"]) {
    pairs([0n, 0x1fn, 0xffn, u64(-1), 0x15n, 0xe0n, 0xan], init).forEach(([val, fcsr], k) => {
      const [rd, rs1] = pick(XP, k, 2);
      const r = k % 9 === 4 ? 0 : rd;
      cs.push(mk(op, `${op} ${xn(r)},${csr},${xn(rs1)}`, { x: { [rs1]: val }, frm: fcsr >> 5, fflags: fcsr & 31, uses: [r, rs1] }));
    });
    init.forEach((fcsr, k) => cs.push(mk(op, `${op} x5,${csr},x0`, { frm: fcsr >> 5, fflags: fcsr & 31, uses: [5] })));
  }
  for (const op of ["csrrwi", "csrrsi", "csrrci"]) for (const csr of ["fflags", "frm", "fcsr"]) {
    pairs([0, 1, 0x1f, 0x15, 0xa], init).forEach(([imm, fcsr], k) => {
      const [rd] = pick(XP, k, 1);
      const r = k % 9 === 4 ? 0 : rd;
      cs.push(mk(op, `${op} ${xn(r)},${csr},${imm}`, { frm: fcsr >> 5, fflags: fcsr & 31, uses: [r] }));
    });
  }
  groups.zicsr = cs;
}

// ---- C: every compressed encoding separately
{
  const cs = [];
  const c = (op, asm, o) => cs.push(mk(op, asm, { ...o, rvc: true }));
  const vals = [0n, 1n, u64(-1), 0x7fffffffffffffffn, 0x8000000000000000n, 0x7fffffffn, 0xffffffff80000000n, 0xfedcba9876543210n];
  [4, 8, 1020, 512, 100].forEach((imm, k) => {
    const [rd] = pick(CP, k, 1);
    c("c.addi4spn", `c.addi4spn ${xn(rd)},x2,${imm}`, { x: { 2: vals[k] + 0x1000n & M64 }, uses: [rd, 2] });
  });
  for (const [op, offs, base] of [["c.lw", [0, 4, 60], ""], ["c.ld", [0, 8, 56], ""], ["c.fld", [0, 8, 56], "f"]]) {
    offs.forEach((off, k) => {
      const [rs1, rd] = pick(CP, k, 2);
      if (base) c(op, `${op} ${fn(rd)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch" }, uses: [rs1] });
      else c(op, `${op} ${xn(k === 1 ? rs1 : rd)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch" }, uses: [rs1, rd] });
    });
  }
  for (const [op, offs, base] of [["c.sw", [0, 4, 60], ""], ["c.sd", [0, 8, 56], ""], ["c.fsd", [0, 8, 56], "f"]]) {
    offs.forEach((off, k) => {
      const [rs1, rs2] = pick(CP, k, 2);
      if (base) c(op, `${op} ${fn(rs2)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch" }, f: { [rs2]: D.tenth }, uses: [rs1] });
      else c(op, `${op} ${xn(rs2)},${off}(${xn(rs1)})`, { x: { [rs1]: "scratch", [rs2]: vals[k + 4] }, uses: [rs1, rs2] });
    });
  }
  c("c.nop", "c.nop", { x: { 5: 3n } });
  for (const [op, imms, regs] of [["c.addi", [1, -1, 31, -32], XP], ["c.addiw", [0, 1, -1, 31, -32], XP], ["c.li", [0, 1, -1, 31, -32], XP],
    ["c.andi", [0, 1, -1, 31, -32], CP]]) {
    pairs(vals, imms).forEach(([a, imm], k) => {
      const [rd] = pick(regs.filter((r) => r !== 2), k, 1);
      c(op, `${op} ${xn(rd)},${imm}`, { x: { [rd]: a }, uses: [rd] });
    });
  }
  [16, -16, 496, -512, 32].forEach((imm, k) => c("c.addi16sp", `c.addi16sp x2,${imm}`, { x: { 2: vals[k] }, uses: [2] }));
  [1, 0x1f, 0xfffe0, 0xfffff, 0x10].forEach((imm, k) => {
    const [rd] = pick(XP.filter((r) => r !== 2), k, 1);
    c("c.lui", `c.lui ${xn(rd)},${imm}`, { x: { [rd]: 0x5555n }, uses: [rd] });
  });
  for (const [op, amts, regs] of [["c.srli", [1, 31, 32, 63], CP], ["c.srai", [1, 31, 32, 63], CP], ["c.slli", [1, 31, 32, 63], XP]]) {
    pairs(vals, amts).forEach(([a, sh], k) => {
      const [rd] = pick(regs, k, 1);
      c(op, `${op} ${xn(rd)},${sh}`, { x: { [rd]: a }, uses: [rd] });
    });
  }
  for (const op of ["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"]) {
    pairs(vals.slice(0, 7)).forEach(([a, b], k) => {
      const [rd, rs2] = pick(CP, k, 2);
      c(op, `${op} ${xn(rd)},${xn(rs2)}`, { x: { [rd]: a, [rs2]: b }, uses: [rd, rs2] });
    });
  }
  for (const op of ["c.add", "c.mv"]) {
    pairs(vals.slice(0, 6)).forEach(([a, b], k) => {
      const [rd, rs2] = pick(XP, k, 2);
      c(op, `${op} ${xn(rd)},${xn(rs2)}`, { x: { [rd]: a, [rs2]: b }, uses: [rd, rs2] });
    });
  }
  c("c.j", "c.j {Pt}", {});
  c("c.j", "c.j {Pb}", {});
  for (const op of ["c.beqz", "c.bnez"]) {
    [0n, 1n, u64(-1), 0x8000000000000000n, 0x100000000n].forEach((a, k) => {
      const [rs1] = pick(CP, k, 1);
      c(op, `${op} ${xn(rs1)},${k % 2 ? "{Pb}" : "{Pt}"}`, { x: { [rs1]: a }, uses: [rs1] });
    });
  }
  [5, 1, 31, 10].forEach((rs1, k) => c("c.jr", `c.jr ${xn(rs1)}`, { x: { [rs1]: k % 2 ? "{Pb}" : "{Pt}" }, uses: [rs1] }));
  [5, 1, 31, 10].forEach((rs1, k) => c("c.jalr", `c.jalr ${xn(rs1)}`, { x: { [rs1]: k % 2 ? "{Pb}" : "{Pt}" }, uses: [rs1, 1] }));
  for (const [op, offs, fp] of [["c.lwsp", [0, 4, 60], false], ["c.ldsp", [0, 8, 56], false], ["c.fldsp", [0, 8, 56], true]]) {
    offs.forEach((off, k) => {
      const [rd] = pick(XP.filter((r) => r !== 2), k, 1);
      c(op, `${op} ${fp ? fn(rd) : xn(rd)},${off}(x2)`, { x: { 2: "scratch" }, uses: [2, ...(fp ? [] : [rd])] });
    });
  }
  for (const [op, offs, fp] of [["c.swsp", [0, 4, 60], false], ["c.sdsp", [0, 8, 56], false], ["c.fsdsp", [0, 8, 56], true]]) {
    offs.forEach((off, k) => {
      const [rs2] = pick(XP.filter((r) => r !== 2), k, 1);
      c(op, `${op} ${fp ? fn(rs2) : xn(rs2)},${off}(x2)`, { x: { 2: "scratch", ...(fp ? {} : { [rs2]: vals[k + 3] }) }, f: fp ? { [rs2]: D.nanp } : {}, uses: [2, ...(fp ? [] : [rs2])] });
    });
  }
  groups.rvc = cs;
}

// ---- traps: each case runs alone; qemu-user dies with the signal. The expected pc is the manual's: the
// trapping instruction (which does not execute), or the target of a jump whose fetch faults.
/** trap cases: `signal` is filled in from the reference run; `at`: "insn" or "target" (a register's value) */
const trapCases = [];
{
  const t = (op, asm, o, at = "insn") => trapCases.push({ ...mk(op, asm, o), at });
  t("ebreak", "ebreak", {});
  t("c.ebreak", "c.ebreak", { rvc: true });
  t("c.unimp", ".half 0x0000", { rvc: true });
  t("illegal", ".word 0xffffffff", {});
  t("c.lui", ".half 0x6501", { rvc: true }); // c.lui a0,0: reserved
  t("c.jr", ".half 0x8002", { rvc: true }); // c.jr x0: reserved
  t("c.addi4spn", ".half 0x0004", { rvc: true }); // c.addi4spn with imm 0: reserved
  t("csrrw", "csrrw x0,cycle,x5", { x: { 5: 1n }, uses: [5] }); // write to a read-only CSR
  t("csrrs", "csrrs x6,0x7c0,x0", { uses: [6] }); // a CSR that does not exist in user mode
  for (const frm of [5, 6, 7]) {
    t("fadd.s", "fadd.s f1,f2,f3,dyn", { frm }); // dynamic rounding with an invalid frm
    t("fcvt.w.d", "fcvt.w.d x5,f2,dyn", { frm, uses: [5] });
  }
  t("lw", "lw x5,0(x6)", { x: { 6: 0x10n }, uses: [5, 6] }); // unmapped
  t("ld", "ld x5,-8(x6)", { x: { 6: 8n }, uses: [5, 6] });
  t("sw", "sw x5,0(x6)", { x: { 6: "_start" }, uses: [5, 6] }); // read-only code
  t("amoadd.w", "amoadd.w x5,x6,(x7)", { x: { 7: "scratch+2" }, uses: [5, 6, 7] }); // misaligned AMO
  t("lr.d", "lr.d x5,(x7)", { x: { 7: "scratch+4" }, uses: [5, 7] });
  // qemu 7.2 checks the reservation first and fails this sc.w (rd = 1) without trapping; the manual (A
  // extension, "Load-Reserved/Store-Conditional"): an address that is not naturally aligned raises an
  // address-misaligned or access-fault exception. Recorded: the manual's answer, the signal qemu gives the
  // other misaligned LR/AMO accesses.
  trapCases.push({ ...mk("sc.w", "sc.w x5,x6,(x7)", { x: { 7: "scratch+1" }, uses: [5, 6, 7] }), at: "insn",
    manual: { signal: "SIGBUS", why: "qemu-riscv64 7.2 fails a misaligned sc.w without a reservation instead of trapping; the ISA manual requires an address-misaligned (or access-fault) exception" } });
  t("jalr", "jalr x1,0(x5)", { x: { 5: 0x20n }, uses: [1, 5] }, "target"); // fetch from an unmapped page
  t("c.jr", "c.jr x5", { x: { 5: 0x20n }, uses: [5], rvc: true }, "target");
}

// Random sequences (risu-style differential testing) are generated and run by conformance/riscv64/random.ts
// and conformance/random.ts (`npm run conformance -- --random N --seed S`), not here.

// ---------------------------------------------------------------- assembly

/** Lines of a case's asm that are instructions (not directives, not label-only lines). */
const isInstruction = (line) => !/^\s*\./.test(line) && !/^\s*[\w{}]+:\s*$/.test(line);

function regsOf(cs) {
  const used = new Set(cs.uses);
  for (const r of Object.keys(cs.x)) used.add(Number(r));
  for (const line of cs.asm) for (const m of line.matchAll(/\bx(\d+)\b/g)) used.add(Number(m[1]));
  const free = [];
  for (let r = 31; r >= 1 && free.length < 2; r--) if (!used.has(r)) free.push(r);
  return { B: free[0], C: free[1] };
}

function program(cases) {
  const L = [];
  const e = (s) => L.push(s);
  e(".option norelax");
  e(".option norvc");
  e(".text");
  e(".globl _start");
  e("_start:");
  cases.forEach((cs, k) => {
    const { B, C } = regsOf(cs);
    cs.B = B; cs.C = C;
    e(`# case ${k}: ${cs.asm.join("; ")}`);
    e("call reset_scratch");
    e(`la x${B}, in_${k}`);
    e(`ld x${C}, ${64 * 8}(x${B})`);
    e(`csrw fcsr, x${C}`);
    for (let i = 0; i < 32; i++) e(`fld f${i}, ${(32 + i) * 8}(x${B})`);
    for (let i = 1; i < 32; i++) if (i !== B) e(`ld x${i}, ${i * 8}(x${B})`);
    e(`ld x${B}, ${B * 8}(x${B})`);
    e(`j L_${k}`);
    e(`Pb_${k}: auipc x${C}, 0`);
    e(`j S_${k}`);
    e(`L_${k}:`);
    if (cs.rvc) e(".option rvc");
    for (const a of cs.asm) e(a.replaceAll("{Pt}", `Pt_${k}`).replaceAll("{Pb}", `Pb_${k}`).replaceAll("{k}", String(k)));
    if (cs.rvc) e(".option norvc");
    e(`auipc x${C}, 0`);
    e(`j S_${k}`);
    e(`Pt_${k}: auipc x${C}, 0`);
    e(`S_${k}:`);
    e(`la x${B}, out_${k}`);
    for (let i = 1; i < 32; i++) if (i !== B) e(`sd x${i}, ${i * 8}(x${B})`);
    for (let i = 0; i < 32; i++) e(`fsd f${i}, ${(32 + i) * 8}(x${B})`);
    e("csrr x1, fcsr");
    e(`sd x1, ${64 * 8}(x${B})`);
    e(`la x1, L_${k}`);
    e(`sd x1, 0(x${B})`);
    e(`addi a0, x${B}, ${64 * 8 + 8}`);
    e("call save_scratch");
  });
  // write the input and output tables to stdout, then exit(0)
  e("la a1, in_0");
  e("la a2, tables_end");
  e("sub a2, a2, a1");
  e("1: li a0, 1");
  e("li a7, 64");
  e("ecall");
  e("blez a0, 2f");
  e("add a1, a1, a0");
  e("sub a2, a2, a0");
  e("bnez a2, 1b");
  e("2: li a0, 0");
  e("li a7, 94");
  e("ecall");
  for (const [name, from, to] of [["reset_scratch", "pattern", "scratch"], ["save_scratch", "scratch", "a0"]]) {
    e(`${name}:`);
    e(`la t0, ${from}`);
    e(to === "a0" ? "mv t1, a0" : `la t1, ${to}`);
    e("li t2, 8");
    e("3: ld t3, 0(t0)");
    e("sd t3, 0(t1)");
    e("addi t0, t0, 8");
    e("addi t1, t1, 8");
    e("addi t2, t2, -1");
    e("bnez t2, 3b");
    e("ret");
  }
  e(".section .rodata");
  e(".balign 8");
  e(`pattern: .byte ${PATTERN.join(",")}`);
  e(".data");
  e(".balign 64");
  e(`scratch: .zero ${SCRATCH}`);
  cases.forEach((cs, k) => {
    const slots = [];
    for (let i = 0; i < 32; i++) {
      const val = cs.x[i];
      slots.push(val === undefined ? "0" : typeof val === "string" ? val.replaceAll("{Pt}", `Pt_${k}`).replaceAll("{Pb}", `Pb_${k}`) : hex(val));
    }
    for (let i = 0; i < 32; i++) slots.push(cs.f[i] === undefined ? "0" : hex(cs.f[i]));
    slots.push(String(cs.fcsr));
    e(`in_${k}: .dword ${slots.join(",")}`);
  });
  cases.forEach((_, k) => e(`out_${k}: .zero ${OUT_SIZE}`));
  e("tables_end:");
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------- run and record

function objdumpMap(elf) {
  const text = execFileSync("riscv64-linux-gnu-objdump", ["-d", "-M", "no-aliases", elf], { maxBuffer: 1 << 30 }).toString();
  const map = new Map();
  for (const line of text.split("\n")) {
    const m = /^\s+([0-9a-f]+):\t([0-9a-f]+)\s*\t(.*)$/.exec(line);
    if (m) map.set(parseInt(m[1], 16), { enc: m[2], dis: m[3].replace(/\s+#.*$/, "").replace(/\s+<[^>]*>$/, "").replace("\t", " ").trim() });
  }
  return map;
}

function symbol(elf, name) {
  const text = execFileSync("riscv64-linux-gnu-nm", [elf]).toString();
  const m = new RegExp(`^([0-9a-f]+) \\w ${name}$`, "m").exec(text);
  if (!m) throw new Error(`no symbol ${name}`);
  return BigInt("0x" + m[1]);
}

function runGroup(name, cases, qemuVersion) {
  const dir = mkdtempSync(join(tmpdir(), `rv-vectors-${name}-`));
  try {
    writeFileSync(join(dir, "t.S"), program(cases));
    execFileSync("riscv64-linux-gnu-gcc", ["-nostdlib", "-static", "-march=rv64gc", "-mabi=lp64d", "-Wl,--no-relax", "-o", join(dir, "t"), join(dir, "t.S")]);
    const out = execFileSync("qemu-riscv64", [join(dir, "t")], { maxBuffer: 1 << 30 });
    if (out.length !== cases.length * (IN_SIZE + OUT_SIZE)) throw new Error(`${name}: got ${out.length} bytes`);
    const dv = new DataView(out.buffer, out.byteOffset, out.length);
    const code = objdumpMap(join(dir, "t"));
    const scratch = symbol(join(dir, "t"), "scratch");
    const patternHex = Buffer.from(PATTERN).toString("hex");
    const counts = new Map();
    const records = cases.map((cs, k) => {
      const inAt = k * IN_SIZE;
      const outAt = cases.length * IN_SIZE + k * OUT_SIZE;
      const rd = (at, i) => dv.getBigUint64(at + i * 8, true);
      const pc = rd(outAt, 0);
      const enc = [];
      const dis = [];
      let a = Number(pc);
      for (let i = 0; i < cs.asm.filter(isInstruction).length; i++) {
        const d = code.get(a);
        if (!d) throw new Error(`${name} case ${k}: no instruction at ${a.toString(16)}`);
        enc.push(d.enc);
        dis.push(d.dis);
        a += d.enc.length / 2;
      }
      const n = (counts.get(cs.op) ?? 0) + 1;
      counts.set(cs.op, n);
      const rec = { id: `${cs.op}#${n}`, dis, enc, pc: hex(pc), in: {}, out: {} };
      const init = [];
      for (let i = 1; i < 64; i++) init[i] = rd(inAt, i);
      const fcsrIn = Number(rd(inAt, 64));
      for (let i = 1; i < 64; i++) if (init[i] !== 0n) rec.in[i < 32 ? `x${i}` : `f${i - 32}`] = hex(init[i]);
      if (fcsrIn >> 5) rec.in.frm = fcsrIn >> 5;
      if (fcsrIn & 31) rec.in.fflags = fcsrIn & 31;
      let npc;
      for (let i = 1; i < 64; i++) {
        let v = rd(outAt, i);
        if (i === cs.B) v = init[i]; // the base register is not touched by the case
        if (i === cs.C) { npc = v; v = init[i]; } // C holds the pc after the case; its own value is unchanged
        if (v !== init[i]) rec.out[i < 32 ? `x${i}` : `f${i - 32}`] = hex(v);
      }
      const fcsrOut = Number(rd(outAt, 64));
      if ((fcsrOut >> 5) !== (fcsrIn >> 5)) rec.out.frm = fcsrOut >> 5;
      if ((fcsrOut & 31) !== (fcsrIn & 31)) rec.out.fflags = fcsrOut & 31;
      rec.npc = hex(npc);
      const memHex = Buffer.from(out.subarray(outAt + 65 * 8, outAt + 65 * 8 + SCRATCH)).toString("hex");
      if (memHex !== patternHex) rec.mem = memHex;
      return rec;
    });
    return { guest: "riscv64", group: name, reference: qemuVersion, generator: "conformance/riscv64/gen-vectors.mjs",
      scratch: { addr: hex(scratch), bytes: patternHex }, cases: records };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One case per line: diffs of regenerated vectors stay readable. */
function formatVectors(v) {
  const { cases, ...rest } = v;
  return `${JSON.stringify(rest).slice(0, -1)},"cases":[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`;
}

/** Value of a trap case's register: a number, or `symbol(+offset)` resolved with nm. */
function resolveValue(v, elf) {
  if (typeof v !== "string") return v;
  const m = /^(\w+)(?:\+(\d+))?$/.exec(v);
  if (!m) throw new Error(`cannot resolve ${v}`);
  return symbol(elf, m[1]) + BigInt(m[2] ?? 0);
}

/** Runs each trap case as its own program under qemu; records the signal it dies from. */
function runTraps(cases, qemuVersion) {
  const counts = new Map();
  const records = cases.map((cs) => {
    const dir = mkdtempSync(join(tmpdir(), "rv-trap-"));
    try {
      const elf = join(dir, "t");
      writeFileSync(join(dir, "t.S"), program([cs]));
      execFileSync("riscv64-linux-gnu-gcc", ["-nostdlib", "-static", "-march=rv64gc", "-mabi=lp64d", "-Wl,--no-relax", "-o", elf, join(dir, "t.S")]);
      const r = spawnSync("qemu-riscv64", [elf]);
      if (r.signal === null && !cs.manual) throw new Error(`trap case ${cs.asm} did not trap (status ${r.status})`);
      if (r.signal !== null && cs.manual) throw new Error(`trap case ${cs.asm} traps under qemu now: drop its manual override`);
      const signal = osConstants.signals[cs.manual ? cs.manual.signal : r.signal];
      const pc = symbol(elf, "L_0");
      const code = objdumpMap(elf);
      const d = code.get(Number(pc));
      const n = (counts.get(cs.op) ?? 0) + 1;
      counts.set(cs.op, n);
      const rec = { id: `${cs.op}#${n}`, dis: [d.dis], enc: [d.enc], pc: hex(pc), in: {}, out: {} };
      for (const [reg, v] of Object.entries(cs.x)) { const val = resolveValue(v, elf); if (val !== 0n) rec.in[`x${reg}`] = hex(val); }
      if (cs.fcsr >> 5) rec.in.frm = cs.fcsr >> 5;
      rec.npc = cs.at === "target" ? rec.in[`x${Object.keys(cs.x)[0]}`] : hex(pc);
      // a jump to a page that cannot be fetched completes (its link register is written); the fetch at the
      // target traps
      if (cs.at === "target" && /^jalr x1,/.test(cs.asm[0])) rec.out.x1 = hex(pc + 4n);
      rec.trap = { signal };
      if (cs.manual) rec.reference = `ISA manual: ${cs.manual.why}`;
      return { rec, scratch: symbol(elf, "scratch") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return { guest: "riscv64", group: "traps", reference: qemuVersion, generator: "conformance/riscv64/gen-vectors.mjs",
    scratch: { addr: hex(records[0].scratch), bytes: Buffer.from(PATTERN).toString("hex") }, cases: records.map((r) => r.rec) };
}

const qemuVersion = execFileSync("qemu-riscv64", ["--version"]).toString().split("\n")[0];
const argv = process.argv.slice(2);
{
  // node gen-vectors.mjs [group ...]: the committed per-instruction vectors
  mkdirSync(OUT_DIR, { recursive: true });
  const wanted = argv;
  for (const [name, cases] of Object.entries(groups)) {
    if (wanted.length && !wanted.includes(name)) continue;
    const v = runGroup(name, cases, qemuVersion);
    writeFileSync(join(OUT_DIR, `${name}.json`), formatVectors(v));
    console.log(`${name}: ${v.cases.length} cases`);
  }
  if (!wanted.length || wanted.includes("traps")) {
    const v = runTraps(trapCases, qemuVersion);
    writeFileSync(join(OUT_DIR, "traps.json"), formatVectors(v));
    console.log(`traps: ${v.cases.length} cases`);
  }
}
