/**
 * The RV64GC lifter: the single definition of each instruction's meaning, as IR. The interpreter executes
 * this IR, the Wasm backend lowers it, the conformance suite checks it.
 *
 * Families of instructions that differ only in one IR operation are table rows (op name → IR op, width,
 * sign-extension); each family's shape is written once, with the ISA manual's rule as its comment.
 * References are to "The RISC-V Instruction Set Manual, Volume I: Unprivileged ISA" (20191213).
 */
import type { BlockBuilder } from "../../ir/builder.ts";
import { Signal, type BinOp, type Exit, type FpArith, type FpCmp, type FpFormat, type Temp } from "../../ir/ir.ts";
import { ILL_ILLOPC } from "../../../runtime/interp/lift.ts";
import type { Decoded } from "../guest.ts";
import { RISCV64_STATE } from "./state.ts";

/** si_code of SIGTRAP raised by ebreak (Linux TRAP_BRKPT). */
export const TRAP_BRKPT = 1;
/** si_code of SIGBUS raised by a misaligned atomic access (Linux BUS_ADRALN). */
export const BUS_ADRALN = 1;

const S = RISCV64_STATE;
const X_SLOT = Array.from({ length: 32 }, (_, i) => S.slot(`x${i}`));
const F_SLOT = Array.from({ length: 32 }, (_, i) => S.slot(`f${i}`));
const FFLAGS = S.slot("fflags");
const FRM = S.slot("frm");
const RESV_ADDR = S.slot("resv_addr");
const RESV_VALID = S.slot("resv_valid");

/** Upper 32 bits of a NaN-boxed f32 in a 64-bit f register. */
const NAN_BOX = -0x1_0000_0000n;
/** The canonical quiet NaN of f32, which an f32 operand that is not properly NaN-boxed reads as (§12.2). */
const F32_CANONICAL_NAN = 0x7fc00000;

/** Fields of a decoded instruction, read with a check that the decoder supplied them. */
class Fields {
  constructor(private readonly d: Decoded) {}
  get(name: string): number {
    const v = this.d.f[name];
    if (v === undefined) throw new Error(`riscv64 lifter: ${this.d.op} lacks field ${name}`);
    return v;
  }
  get rd(): number { return this.get("rd"); }
  get rs1(): number { return this.get("rs1"); }
  get rs2(): number { return this.get("rs2"); }
  get rs3(): number { return this.get("rs3"); }
  get imm(): number { return this.get("imm"); }
}

/** Per-instruction lifting context: the builder, the instruction's pc/size/fields and register access. */
class Ctx {
  readonly f: Fields;
  constructor(readonly b: BlockBuilder, readonly d: Decoded, readonly pc: number) {
    this.f = new Fields(d);
  }
  /** Address of the next instruction (pc + 2 for compressed encodings). */
  get next(): number { return this.pc + this.d.size; }

  /** x register value (i64); x0 reads as 0. */
  x(r: number): Temp { return r === 0 ? this.b.i64(0n) : this.b.get(X_SLOT[r]!); }
  /** Writes an x register (i64 value); writes to x0 are dropped. */
  setX(r: number, v: Temp): void { if (r !== 0) this.b.set(X_SLOT[r]!, v); }
  /** Writes an i32 value sign-extended to 64 bits (the rule for all RV64 W results). */
  setXw(r: number, v: Temp): void { if (r !== 0) this.setX(r, this.b.conv("sext", v)); }
  /** Writes an i32 0/1 (or any unsigned i32) zero-extended. */
  setXu(r: number, v: Temp): void { if (r !== 0) this.setX(r, this.b.conv("zext", v)); }
  /** Low 32 bits of an x register. */
  xw(r: number): Temp { return r === 0 ? this.b.i32(0) : this.b.conv("wrap", this.x(r)); }
  /** rs1 + imm: the effective address of loads, stores and jalr. */
  addr(): Temp { return this.b.bin("i64", "add", this.x(this.f.rs1), this.b.i64(BigInt(this.f.imm))); }

  /**
   * An FP operand of format `fmt` from f register r: f64 is the raw register; f32 is the low half if the
   * upper 32 bits are all ones (NaN-boxed), otherwise the canonical NaN (§12.2).
   */
  fr(r: number, fmt: FpFormat): Temp {
    const raw = this.b.get(F_SLOT[r]!);
    if (fmt === "f64") return raw;
    const hi = this.b.bin("i64", "shru", raw, this.b.i64(32n));
    const boxed = this.b.bin("i64", "eq", hi, this.b.i64(0xffff_ffffn));
    return this.b.select("i32", boxed, this.b.conv("wrap", raw), this.b.i32(F32_CANONICAL_NAN));
  }
  /** Writes an FP result of format `fmt` (f32 NaN-boxed). */
  setF(r: number, fmt: FpFormat, v: Temp): void {
    this.b.set(F_SLOT[r]!, fmt === "f64" ? v : this.box(v));
  }
  /** NaN-boxes 32 bits into a 64-bit pattern. */
  box(v32: Temp): Temp { return this.b.bin("i64", "or", this.b.conv("zext", v32), this.b.i64(NAN_BOX)); }

  /**
   * The rounding mode of an instruction with an rm field (§11.2): 0-4 static; 7 dynamic (frm, which must
   * itself be 0-4); anything else is an illegal instruction. Returns a trap exit when rm is statically
   * invalid; emits a trapIf on frm >= 5 for dynamic rm.
   */
  rm(): Temp | Exit {
    const rm = this.f.get("rm");
    if (rm <= 4) return this.b.i32(rm);
    if (rm !== 7) return this.illegal();
    const frm = this.b.get(FRM);
    this.b.trapIf(this.b.bin("i32", "geu", frm, this.b.i32(5)), Signal.SIGILL, ILL_ILLOPC);
    return frm;
  }
  /** The trap exit of an illegal instruction at this pc. */
  illegal(): Exit { return { kind: "trap", signal: Signal.SIGILL, code: ILL_ILLOPC, pc: this.pc }; }
}

type Lift = (c: Ctx) => Exit | undefined;
const LIFTS = new Map<string, Lift>();
function def(names: string[], lift: Lift): void {
  for (const n of names) {
    if (LIFTS.has(n)) throw new Error(`riscv64 lifter: ${n} defined twice`);
    LIFTS.set(n, lift);
  }
}
/** Defines one lift per table row. */
function rows<T>(table: Record<string, T>, lift: (row: T) => Lift): void {
  for (const [name, row] of Object.entries(table)) def([name], lift(row));
}

// ---- RV64I / M integer computation (§2.4, §5.2, §7) ----

/** IR op of each register-register operation; comparisons yield i32 and are zero-extended. */
const RR64: Record<string, BinOp> = {
  add: "add", sub: "sub", sll: "shl", slt: "lts", sltu: "ltu", xor: "xor", srl: "shru", sra: "shrs", or: "or", and: "and",
  mul: "mul", mulh: "mulhs", mulhsu: "mulhsu", mulhu: "mulhu", div: "divs", divu: "divu", rem: "rems", remu: "remu",
};
/** Register-immediate forms: same IR ops with imm (shamt for shifts) as the second operand. */
const RI64: Record<string, BinOp> = {
  addi: "add", slti: "lts", sltiu: "ltu", xori: "xor", ori: "or", andi: "and", slli: "shl", srli: "shru", srai: "shrs",
};
/** W forms: operate on the low 32 bits, result sign-extended to 64 (IR i32 shifts use 5 bits of the amount). */
const RR32: Record<string, BinOp> = {
  addw: "add", subw: "sub", sllw: "shl", srlw: "shru", sraw: "shrs",
  mulw: "mul", divw: "divs", divuw: "divu", remw: "rems", remuw: "remu",
};
const RI32: Record<string, BinOp> = { addiw: "add", slliw: "shl", srliw: "shru", sraiw: "shrs" };

/** Writes a 64-bit bin op result (comparisons are i32 0/1: zero-extended). IR i64 shifts use 6 bits. */
function setBin64(c: Ctx, op: BinOp, a: Temp, b: Temp): void {
  const r = c.b.bin("i64", op, a, b);
  if (c.b.temps[r] === "i32") c.setXu(c.f.rd, r);
  else c.setX(c.f.rd, r);
}
rows(RR64, (op) => (c) => { setBin64(c, op, c.x(c.f.rs1), c.x(c.f.rs2)); return undefined; });
rows(RI64, (op) => (c) => { setBin64(c, op, c.x(c.f.rs1), c.b.i64(BigInt(c.f.imm))); return undefined; });
rows(RR32, (op) => (c) => { c.setXw(c.f.rd, c.b.bin("i32", op, c.xw(c.f.rs1), c.xw(c.f.rs2))); return undefined; });
rows(RI32, (op) => (c) => { c.setXw(c.f.rd, c.b.bin("i32", op, c.xw(c.f.rs1), c.b.i32(c.f.imm))); return undefined; });

/** lui: rd = imm (already imm[31:12] << 12, sign-extended). auipc: rd = pc + imm. */
def(["lui"], (c) => { c.setX(c.f.rd, c.b.i64(BigInt(c.f.imm))); return undefined; });
def(["auipc"], (c) => { c.setX(c.f.rd, c.b.i64(BigInt(c.pc) + BigInt(c.f.imm))); return undefined; });

// ---- control transfer (§2.5) ----

/** x1 (ra) and x5 (t0) are the link registers of the return-address-stack hints (§2.5, Table 2.1). */
const isLink = (r: number): boolean => r === 1 || r === 5;

/** jal: rd = pc + size; jump to pc + imm. With a link rd it is a call. */
def(["jal"], (c) => {
  const rd = c.f.rd, target = c.pc + c.f.imm;
  c.setX(rd, c.b.i64(BigInt(c.next)));
  return isLink(rd) ? { kind: "call", target, ret: c.next } : { kind: "jump", target };
});
/**
 * jalr: target = (rs1 + imm) & ~1, computed before rd = pc + size is written (rd may equal rs1).
 * Hints per Table 2.1: link rd → call (push); otherwise link rs1 → return (pop); otherwise a plain jump.
 */
def(["jalr"], (c) => {
  const rd = c.f.rd, rs1 = c.f.rs1;
  const target = c.b.bin("i64", "and", c.addr(), c.b.i64(-2n));
  c.setX(rd, c.b.i64(BigInt(c.next)));
  if (isLink(rd)) return { kind: "indirect", target, hint: "call", ret: c.next };
  return { kind: "indirect", target, hint: isLink(rs1) ? "return" : "jump" };
});
/** Conditional branches: compare rs1 with rs2, taken to pc + imm. */
const BRANCH: Record<string, BinOp> = { beq: "eq", bne: "ne", blt: "lts", bge: "ges", bltu: "ltu", bgeu: "geu" };
rows(BRANCH, (op) => (c) => ({
  kind: "branch", cond: c.b.bin("i64", op, c.x(c.f.rs1), c.x(c.f.rs2)), taken: c.pc + c.f.imm, fallthrough: c.next,
}));

// ---- loads and stores (§2.6): little-endian, misaligned accesses allowed (Linux emulates them) ----

const LOAD: Record<string, { size: 1 | 2 | 4 | 8; signed: boolean }> = {
  lb: { size: 1, signed: true }, lh: { size: 2, signed: true }, lw: { size: 4, signed: true }, ld: { size: 8, signed: true },
  lbu: { size: 1, signed: false }, lhu: { size: 2, signed: false }, lwu: { size: 4, signed: false },
};
rows(LOAD, ({ size, signed }) => (c) => { c.setX(c.f.rd, c.b.load("i64", c.addr(), size, signed, "le")); return undefined; });
const STORE: Record<string, 1 | 2 | 4 | 8> = { sb: 1, sh: 2, sw: 4, sd: 8 };
rows(STORE, (size) => (c) => { c.b.store(c.addr(), c.x(c.f.rs2), size, "le"); return undefined; });

// ---- system (§2.7, §2.8) ----

/** Memory ordering is trivially satisfied by a single-threaded guest: fence and fence.tso are no-ops. */
def(["fence", "fence.tso"], () => undefined);
def(["fence.i"], (c) => ({ kind: "runtime", request: "fence.i", next: c.next }));
def(["ecall"], (c) => ({ kind: "runtime", request: "syscall", next: c.next }));
def(["ebreak"], (c) => ({ kind: "trap", signal: Signal.SIGTRAP, code: TRAP_BRKPT, pc: c.pc }));

// ---- Zicsr (§9) ----

/** Read-only user counters and the runtime helper that reads each (§10.1). */
const COUNTER_CSR: Record<number, string> = { 0xc00: "rdcycle", 0xc01: "rdtime", 0xc02: "rdinstret" };
const CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003;

/** Reads a CSR as an i32 (FP CSRs) or i64 (counters) temp; undefined for CSRs that do not exist. */
function readCsr(c: Ctx, csr: number): Temp | undefined {
  const b = c.b;
  switch (csr) {
    case CSR_FFLAGS: return b.get(FFLAGS);
    case CSR_FRM: return b.get(FRM);
    case CSR_FCSR: return b.bin("i32", "or", b.bin("i32", "shl", b.get(FRM), b.i32(5)), b.get(FFLAGS));
  }
  const helper = COUNTER_CSR[csr];
  return helper === undefined ? undefined : b.call(helper, [], "i64");
}
/** Writes an FP CSR from an i32 value (fields are WARL-masked: fflags 5 bits, frm 3 bits). */
function writeFpCsr(c: Ctx, csr: number, v: Temp): void {
  const b = c.b;
  const field = (x: Temp, shift: number, mask: number) =>
    b.bin("i32", "and", shift === 0 ? x : b.bin("i32", "shru", x, b.i32(shift)), b.i32(mask));
  if (csr === CSR_FFLAGS || csr === CSR_FCSR) b.set(FFLAGS, field(v, 0, 0x1f));
  if (csr === CSR_FRM) b.set(FRM, field(v, 0, 7));
  if (csr === CSR_FCSR) b.set(FRM, field(v, 5, 7));
}
/**
 * csrrw/csrrs/csrrc and the immediate forms: rd = old CSR value (zero-extended); the new value is the
 * source (rw), old | source (rs), old & ~source (rc). csrrs/csrrc with rs1 = x0 (or zimm = 0) do not write;
 * csrrw always writes, even with rd = x0. Writing a read-only counter or touching an unknown CSR is illegal.
 */
const CSR_OPS: Record<string, { kind: "w" | "s" | "c"; imm: boolean }> = {
  csrrw: { kind: "w", imm: false }, csrrs: { kind: "s", imm: false }, csrrc: { kind: "c", imm: false },
  csrrwi: { kind: "w", imm: true }, csrrsi: { kind: "s", imm: true }, csrrci: { kind: "c", imm: true },
};
rows(CSR_OPS, ({ kind, imm }) => (c) => {
  const b = c.b, csr = c.f.get("csr");
  const srcField = imm ? c.f.imm : c.f.rs1;
  const writes = kind === "w" || srcField !== 0;
  const isFp = csr === CSR_FFLAGS || csr === CSR_FRM || csr === CSR_FCSR;
  if (!isFp && (writes || COUNTER_CSR[csr] === undefined)) return c.illegal();
  const old = readCsr(c, csr)!;
  if (writes) {
    const src = imm ? b.i32(srcField) : c.xw(srcField);
    const v = kind === "w" ? src
      : kind === "s" ? b.bin("i32", "or", old, src)
      : b.bin("i32", "and", old, b.un("i32", "not", src));
    writeFpCsr(c, csr, v);
  }
  if (b.temps[old] === "i32") c.setXu(c.f.rd, old);
  else c.setX(c.f.rd, old);
  return undefined;
});

// ---- A: atomics (§8), single-threaded: lr/sc reservation in the state, AMOs as load + op + store ----

/** Access size of the .w and .d forms. */
const AMO_SIZE = [["w", 4], ["d", 8]] as const;

/** Misaligned atomics raise an address-misaligned exception, which Linux reports as SIGBUS. */
function checkAligned(c: Ctx, addr: Temp, size: 4 | 8): void {
  const b = c.b;
  const low = b.bin("i64", "and", addr, b.i64(BigInt(size - 1)));
  b.trapIf(b.bin("i64", "ne", low, b.i64(0n)), Signal.SIGBUS, BUS_ADRALN);
}

/** AMO operation on (old, src), both sign-extended from the access width (so signed and unsigned order hold). */
const AMO_OPS: Record<string, (b: BlockBuilder, old: Temp, src: Temp) => Temp> = {
  amoswap: (_b, _old, src) => src,
  amoadd: (b, old, src) => b.bin("i64", "add", old, src),
  amoxor: (b, old, src) => b.bin("i64", "xor", old, src),
  amoand: (b, old, src) => b.bin("i64", "and", old, src),
  amoor: (b, old, src) => b.bin("i64", "or", old, src),
  amomin: (b, old, src) => b.select("i64", b.bin("i64", "lts", old, src), old, src),
  amomax: (b, old, src) => b.select("i64", b.bin("i64", "gts", old, src), old, src),
  amominu: (b, old, src) => b.select("i64", b.bin("i64", "ltu", old, src), old, src),
  amomaxu: (b, old, src) => b.select("i64", b.bin("i64", "gtu", old, src), old, src),
};
for (const [suffix, size] of AMO_SIZE) {
  /** lr: rd = sign-extended load; registers a reservation on the address. */
  def([`lr.${suffix}`], (c) => {
    const addr = c.x(c.f.rs1);
    checkAligned(c, addr, size);
    const v = c.b.load("i64", addr, size, true, "le");
    c.b.set(RESV_ADDR, addr);
    c.b.set(RESV_VALID, c.b.i32(1));
    c.setX(c.f.rd, v);
    return undefined;
  });
  /** sc: stores iff a reservation on this address is valid; rd = 0 on success, 1 on failure; clears it. */
  def([`sc.${suffix}`], (c) => {
    const b = c.b, addr = c.x(c.f.rs1);
    checkAligned(c, addr, size);
    const ok = b.bin("i32", "and", b.get(RESV_VALID), b.bin("i64", "eq", b.get(RESV_ADDR), addr));
    b.store(addr, c.x(c.f.rs2), size, "le", ok);
    b.set(RESV_VALID, b.i32(0));
    c.setXu(c.f.rd, b.bin("i32", "xor", ok, b.i32(1)));
    return undefined;
  });
  for (const [name, op] of Object.entries(AMO_OPS)) {
    /** AMO: rd = old memory value (sign-extended for .w); memory = op(old, rs2) at the access width. */
    def([`${name}.${suffix}`], (c) => {
      const b = c.b, addr = c.x(c.f.rs1);
      checkAligned(c, addr, size);
      const old = b.load("i64", addr, size, true, "le");
      const rs2 = c.x(c.f.rs2);
      const src = size === 4 ? b.un("i64", "sext32", rs2) : rs2;
      b.store(addr, op(b, old, src), size, "le");
      c.setX(c.f.rd, old);
      return undefined;
    });
  }
}

// ---- F and D (§11, §12) ----

const FMT: Record<string, FpFormat> = { s: "f32", d: "f64" };
const ity = (fmt: FpFormat): "i32" | "i64" => (fmt === "f32" ? "i32" : "i64");

for (const [sfx, fmt] of Object.entries(FMT)) {
  const size = fmt === "f32" ? 4 : 8;
  const signBit = (b: BlockBuilder) => (fmt === "f32" ? b.i32(-0x8000_0000) : b.i64(-0x8000_0000_0000_0000n));
  const neg = (b: BlockBuilder, v: Temp) => b.bin(ity(fmt), "xor", v, signBit(b));
  const ls = fmt === "f32" ? "w" : "d";

  /** flw/fld: load the bit pattern (flw NaN-boxes); fsw/fsd: store the low bits of the register as is. */
  def([`fl${ls}`], (c) => { c.setF(c.f.rd, fmt, c.b.load(ity(fmt), c.addr(), size, false, "le")); return undefined; });
  def([`fs${ls}`], (c) => { c.b.store(c.addr(), c.b.get(F_SLOT[c.f.rs2]!), size, "le"); return undefined; });

  /** Rounded arithmetic: rd = rs1 op rs2 (sqrt: rs1), canonical NaN, flags accrue into fflags. */
  const ARITH: Record<string, FpArith> = { fadd: "add", fsub: "sub", fmul: "mul", fdiv: "div", fsqrt: "sqrt" };
  for (const [name, fop] of Object.entries(ARITH)) {
    def([`${name}.${sfx}`], (c) => {
      const rm = c.rm();
      if (typeof rm !== "number") return rm;
      const b = c.b, dst = b.temp(ity(fmt));
      const a = c.fr(c.f.rs1, fmt);
      b.push(fop === "sqrt"
        ? { op: "farith", dst, fmt, fop, a, rm, flags: FFLAGS, nan: "canonical" }
        : { op: "farith", dst, fmt, fop, a, b: c.fr(c.f.rs2, fmt), rm, flags: FFLAGS, nan: "canonical" });
      c.setF(c.f.rd, fmt, dst);
      return undefined;
    });
  }
  /** Fused multiply-add family, one rounding: which of the product and addend are negated (§11.6). */
  const FMA: Record<string, { negProduct: boolean; negAddend: boolean }> = {
    fmadd: { negProduct: false, negAddend: false }, // rs1*rs2 + rs3
    fmsub: { negProduct: false, negAddend: true }, // rs1*rs2 - rs3
    fnmsub: { negProduct: true, negAddend: false }, // -(rs1*rs2) + rs3
    fnmadd: { negProduct: true, negAddend: true }, // -(rs1*rs2) - rs3
  };
  for (const [name, { negProduct, negAddend }] of Object.entries(FMA)) {
    def([`${name}.${sfx}`], (c) => {
      const rm = c.rm();
      if (typeof rm !== "number") return rm;
      const b = c.b, dst = b.temp(ity(fmt));
      const a = c.fr(c.f.rs1, fmt), m = c.fr(c.f.rs2, fmt), add = c.fr(c.f.rs3, fmt);
      b.push({
        op: "farith", dst, fmt, fop: "madd", a: negProduct ? neg(b, a) : a, b: m, c: negAddend ? neg(b, add) : add,
        rm, flags: FFLAGS, nan: "canonical",
      });
      c.setF(c.f.rd, fmt, dst);
      return undefined;
    });
  }
  /** minimumNumber/maximumNumber (§11.6); no rounding (the rm operand is unused). */
  for (const fop of ["min", "max"] as const) {
    def([`f${fop}.${sfx}`], (c) => {
      const b = c.b, dst = b.temp(ity(fmt));
      b.push({ op: "farith", dst, fmt, fop, a: c.fr(c.f.rs1, fmt), b: c.fr(c.f.rs2, fmt), rm: b.i32(0), flags: FFLAGS, nan: "canonical" });
      c.setF(c.f.rd, fmt, dst);
      return undefined;
    });
  }
  /** Sign injection: rs1's magnitude with a sign from rs2 (j), its inverse (jn), or the xor of both (jx). Pure bit ops. */
  const SGNJ: Record<string, (b: BlockBuilder, s1: Temp, s2: Temp) => Temp> = {
    fsgnj: (_b, _s1, s2) => s2,
    fsgnjn: (b, _s1, s2) => b.un(ity(fmt), "not", s2),
    fsgnjx: (b, s1, s2) => b.bin(ity(fmt), "xor", s1, s2),
  };
  for (const [name, sign] of Object.entries(SGNJ)) {
    def([`${name}.${sfx}`], (c) => {
      const b = c.b, t = ity(fmt);
      const s1 = c.fr(c.f.rs1, fmt), s2 = c.fr(c.f.rs2, fmt);
      const mag = b.bin(t, "and", s1, b.un(t, "not", signBit(b)));
      c.setF(c.f.rd, fmt, b.bin(t, "or", mag, b.bin(t, "and", sign(b, s1, s2), signBit(b))));
      return undefined;
    });
  }
  /** Comparisons write 0/1 to rd: feq quiet, flt/fle signaling (§11.8). */
  const CMP: Record<string, FpCmp> = { feq: "eq", flt: "lt", fle: "le" };
  for (const [name, cmp] of Object.entries(CMP)) {
    def([`${name}.${sfx}`], (c) => {
      const dst = c.b.temp("i32");
      c.b.push({ op: "fcmp", dst, fmt, cmp, a: c.fr(c.f.rs1, fmt), b: c.fr(c.f.rs2, fmt), flags: FFLAGS });
      c.setXu(c.f.rd, dst);
      return undefined;
    });
  }
  def([`fclass.${sfx}`], (c) => {
    const dst = c.b.temp("i32");
    c.b.push({ op: "fclass", dst, fmt, a: c.fr(c.f.rs1, fmt) });
    c.setXu(c.f.rd, dst);
    return undefined;
  });
  /** fp → integer with saturation (§11.7); 32-bit results (also .wu) are sign-extended to 64. */
  const TOINT: Record<string, { width: 32 | 64; signed: boolean }> = {
    w: { width: 32, signed: true }, wu: { width: 32, signed: false }, l: { width: 64, signed: true }, lu: { width: 64, signed: false },
  };
  for (const [isfx, { width, signed }] of Object.entries(TOINT)) {
    def([`fcvt.${isfx}.${sfx}`], (c) => {
      const rm = c.rm();
      if (typeof rm !== "number") return rm;
      const dst = c.b.temp(width === 32 ? "i32" : "i64");
      c.b.push({ op: "ftoint", dst, fmt, a: c.fr(c.f.rs1, fmt), width, signed, rm, flags: FFLAGS });
      if (width === 32) c.setXw(c.f.rd, dst);
      else c.setX(c.f.rd, dst);
      return undefined;
    });
    /** integer → fp, rounded with rm: the source is the low 32 bits for w/wu, all 64 for l/lu. */
    def([`fcvt.${sfx}.${isfx}`], (c) => {
      const rm = c.rm();
      if (typeof rm !== "number") return rm;
      const dst = c.b.temp(ity(fmt));
      const a = width === 32 ? c.xw(c.f.rs1) : c.x(c.f.rs1);
      c.b.push({ op: "inttof", dst, fmt, a, signed, rm, flags: FFLAGS });
      c.setF(c.f.rd, fmt, dst);
      return undefined;
    });
  }
}
/** fcvt.s.d / fcvt.d.s: format conversion, rounded with rm, canonical NaN. */
for (const [name, from, to] of [["fcvt.s.d", "f64", "f32"], ["fcvt.d.s", "f32", "f64"]] as const) {
  def([name], (c) => {
    const rm = c.rm();
    if (typeof rm !== "number") return rm;
    const dst = c.b.temp(ity(to));
    c.b.push({ op: "fconv", dst, fmt: to, a: c.fr(c.f.rs1, from), rm, flags: FFLAGS, nan: "canonical" });
    c.setF(c.f.rd, to, dst);
    return undefined;
  });
}
/** Bit moves between x and f registers (§11.7), no NaN-box check: fmv.x.w sign-extends the low 32 bits. */
def(["fmv.x.w"], (c) => { c.setXw(c.f.rd, c.b.conv("wrap", c.b.get(F_SLOT[c.f.rs1]!))); return undefined; });
def(["fmv.w.x"], (c) => { c.setF(c.f.rd, "f32", c.xw(c.f.rs1)); return undefined; });
def(["fmv.x.d"], (c) => { c.setX(c.f.rd, c.b.get(F_SLOT[c.f.rs1]!)); return undefined; });
def(["fmv.d.x"], (c) => { c.setF(c.f.rd, "f64", c.x(c.f.rs1)); return undefined; });

/** Names of all instructions the lifter defines. */
export const LIFTED_OPS: readonly string[] = [...LIFTS.keys()];

/**
 * Appends the IR of one RV64GC instruction `d` at `pc` (after `b.insn(pc, d.size)`); see `Guest.lift`.
 * Throws for an op name the lifter does not know (a decoder/lifter mismatch, not a guest fault).
 */
export function liftRiscv64(d: Decoded, pc: number, b: BlockBuilder): Exit | undefined {
  const lift = LIFTS.get(d.op);
  if (lift === undefined) throw new Error(`riscv64 lifter: no semantics for "${d.op}" (${d.name} at 0x${pc.toString(16)})`);
  return lift(new Ctx(b, d, pc));
}
