/**
 * The isa2wasm IR: one small, typed, guest-independent representation of guest instructions.
 *
 * A lifted basic block is a straight-line list of {@link Op}s over numbered temporaries (each temp is
 * defined exactly once, by one op, and has one {@link Ty}), ended by one {@link Exit}. There is no control
 * flow inside a block: conditional effects use `select`, conditional stores and `trapIf`.
 *
 * The same IR is executed by the interpreter (runtime/interp) and lowered to Wasm by the backend
 * (translator/codegen), so every op's meaning is defined here, in its doc comment, and nowhere else.
 *
 * Design points that serve both guests (RV64GC, little-endian, no flags; PowerPC 32, big-endian, CR/XER):
 * - memory ops carry width, signedness and byte order;
 * - condition codes are lazy flag records ({@link SetFlags}/{@link GetFlag}): the op and operands that
 *   produced them are stored, a flag is computed only where read (see flags.ts);
 * - floating-point values travel as bit patterns in integer temps (i32 for f32, i64 for f64), so NaN
 *   payloads, signed zeros and NaN-boxing are exact; FP ops take a rounding-mode operand and accrue
 *   IEEE exception flags into a guest state slot.
 */

/** Value types of temporaries and state slots. */
export type Ty = "i32" | "i64" | "f32" | "f64";
/** A temporary: index into {@link Block.temps}. */
export type Temp = number;
/** A guest state slot: index into the guest's {@link StateLayout.slots}. */
export type Slot = number;
/** Byte order of a memory access. */
export type Endian = "le" | "be";

/**
 * Integer binary operations; both operands and the result have the op's `ty` (i32 or i64), except
 * comparisons, which yield i32 0/1.
 * - shifts and rotates use the amount modulo the width (like Wasm);
 * - `mulhs`/`mulhu`/`mulhsu`: high half of the double-width product (signed×signed, unsigned×unsigned,
 *   signed×unsigned);
 * - division is total (RISC-V rules): `divs(x,0) = -1`, `divu(x,0) = all ones`, `rems(x,0) = remu(x,0) = x`,
 *   `divs(MIN,-1) = MIN`, `rems(MIN,-1) = 0`.
 */
export type BinOp =
  | "add" | "sub" | "mul" | "mulhs" | "mulhu" | "mulhsu"
  | "divs" | "divu" | "rems" | "remu"
  | "and" | "or" | "xor" | "shl" | "shrs" | "shru" | "rotl" | "rotr"
  | "eq" | "ne" | "lts" | "ltu" | "les" | "leu" | "gts" | "gtu" | "ges" | "geu";

/**
 * Integer unary operations on `ty`: `neg`, `not`, `clz`, `ctz`, `popcnt`, `eqz` (yields i32),
 * `sext8`/`sext16`/`sext32` (sign-extend the low bits within the same type), `zext8`/`zext16`/`zext32`
 * (zero-extend likewise), `bswap16`/`bswap32`/`bswap64` (reverse the bytes of the low 2/4/8 bytes; bswap16
 * leaves higher bits zero).
 */
export type UnOp =
  | "neg" | "not" | "clz" | "ctz" | "popcnt" | "eqz"
  | "sext8" | "sext16" | "sext32" | "zext8" | "zext16" | "zext32"
  | "bswap16" | "bswap32" | "bswap64";

/** Conversions between integer widths: `wrap` i64→i32 (low half), `sext`/`zext` i32→i64. */
export type ConvOp = "wrap" | "sext" | "zext";

/** IEEE-754 formats of FP ops. Values are bit patterns: f32 in an i32 temp, f64 in an i64 temp. */
export type FpFormat = "f32" | "f64";

/**
 * Rounding modes, numbered as RISC-V's `rm` field (other guests map theirs onto these):
 * 0 RNE (nearest, ties to even), 1 RTZ (towards zero), 2 RDN (down), 3 RUP (up), 4 RMM (nearest, ties to
 * max magnitude).
 */
export const enum Rounding { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4 }

/** IEEE exception flag bits, as RISC-V's fflags: NX inexact, UF underflow, OF overflow, DZ divide by zero, NV invalid. */
export const enum FpFlag { NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16 }

/**
 * NaN results: `canonical` returns the format's canonical quiet NaN (RISC-V); `propagate` returns the
 * first NaN operand, quieted (PowerPC, x87-style), or the default NaN when an invalid op makes one.
 */
export type NanPolicy = "canonical" | "propagate";

/**
 * FP arithmetic with IEEE-754 semantics in rounding mode `rm`; accrues exception flags (OR) into the i32
 * state slot `flags`. Tininess is detected after rounding (RISC-V, PowerPC).
 * - `add`, `sub`, `mul`, `div`: binary; `sqrt`: unary (uses `a`);
 * - `madd`: `a*b + c` with a single rounding (fused); guests build msub/nmadd/nmsub by negating operands;
 * - `min`/`max`: IEEE 754-2019 minimumNumber/maximumNumber (RISC-V 2.2+: -0 < +0, a quiet NaN operand is
 *   ignored, both NaN → canonical NaN; a signaling NaN operand raises NV). No rounding.
 */
export type FpArith = "add" | "sub" | "mul" | "div" | "sqrt" | "madd" | "min" | "max";

/**
 * FP comparisons yielding i32 0/1: `eq` is quiet (NV only for signaling NaN), `lt`/`le` are signaling
 * (NV for any NaN), `ltq`/`leq` quiet variants, `unord` 1 when either is NaN (quiet).
 */
export type FpCmp = "eq" | "lt" | "le" | "ltq" | "leq" | "unord";

/** Lazy condition-code record kinds; see flags.ts for the exact meaning of each flag under each kind. */
export type FlagKind =
  /** a, b compared as signed integers of `width`; `x` holds the summary-overflow (SO) bit. */
  | "cmps"
  /** a, b compared as unsigned integers of `width`; `x` holds SO. */
  | "cmpu"
  /** `a` holds the field's bits directly (PowerPC CR field: LT=8, GT=4, EQ=2, SO=1). */
  | "bits"
  /** carry out of `a + b + x` at `width` bits (x = carry in, 0 or 1); also the result's signed overflow. */
  | "addc"
  /** a and b are f64 bit patterns compared as FP: LT/GT/EQ/UN (PowerPC fcmpu/fcmpo). */
  | "fcmp";

/** Flags readable from a lazy record. `un` is the unordered bit of FP compares (same position as SO). */
export type Flag = "lt" | "gt" | "eq" | "so" | "un" | "ca" | "ov";

/** Linux signal numbers used by traps (generic numbering shared by riscv64 and powerpc). */
export const enum Signal { SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11 }

/** Marks the start of a guest instruction at `pc` of `size` bytes; faults inside report this pc. */
export interface Insn { op: "insn"; pc: number; size: number }
/** dst = constant (number for i32/f32 bits, bigint for i64/f64 bits). */
export interface Const { op: "const"; dst: Temp; ty: Ty; value: number | bigint }
/** dst = guest state slot. */
export interface Get { op: "get"; dst: Temp; slot: Slot }
/** guest state slot = value. */
export interface Set { op: "set"; slot: Slot; value: Temp }
export interface Bin { op: "bin"; dst: Temp; ty: "i32" | "i64"; bin: BinOp; a: Temp; b: Temp }
export interface Un { op: "un"; dst: Temp; ty: "i32" | "i64"; un: UnOp; a: Temp }
export interface Conv { op: "conv"; dst: Temp; conv: ConvOp; a: Temp }
/** dst = cond != 0 ? a : b (cond is i32). */
export interface Select { op: "select"; dst: Temp; ty: Ty; cond: Temp; a: Temp; b: Temp }
/**
 * dst = memory[addr .. addr+size) read in byte order `endian`, sign- or zero-extended to `ty`.
 * `addr` is an i64 or i32 temp: the guest virtual address. Faults (unmapped, not readable) stop the block
 * with SIGSEGV at the current instruction, before any later op of it has run.
 */
export interface Load { op: "load"; dst: Temp; ty: "i32" | "i64"; addr: Temp; size: 1 | 2 | 4 | 8; signed: boolean; endian: Endian }
/**
 * memory[addr .. addr+size) = low `size` bytes of value, in byte order `endian`; when `cond` is given, the
 * store happens only if cond (i32) != 0 (store-conditional).
 */
export interface Store { op: "store"; addr: Temp; value: Temp; size: 1 | 2 | 4 | 8; endian: Endian; cond?: Temp }
/** FP arithmetic on bit patterns; see {@link FpArith}. `rm` is an i32 temp holding a {@link Rounding}. */
export interface FArith {
  op: "farith"; dst: Temp; fmt: FpFormat; fop: FpArith; a: Temp; b?: Temp; c?: Temp; rm: Temp;
  flags: Slot; nan: NanPolicy;
}
/** FP compare on bit patterns, dst is i32; accrues NV into `flags`. */
export interface FCompare { op: "fcmp"; dst: Temp; fmt: FpFormat; cmp: FpCmp; a: Temp; b: Temp; flags: Slot }
/**
 * FP → integer conversion (RISC-V fcvt semantics): round `a` with `rm` to a signed/unsigned integer of
 * `width` bits; out-of-range and NaN saturate (NaN → max) and raise NV; inexact raises NX. dst is i64 for
 * width 64, i32 for width 32.
 */
export interface FToInt { op: "ftoint"; dst: Temp; fmt: FpFormat; a: Temp; width: 32 | 64; signed: boolean; rm: Temp; flags: Slot }
/** integer (i32 or i64 temp, signed/unsigned) → FP bits, rounded with `rm`; may raise NX. */
export interface IntToF { op: "inttof"; dst: Temp; fmt: FpFormat; a: Temp; signed: boolean; rm: Temp; flags: Slot }
/** FP format conversion f32↔f64 (`fmt` is the destination), rounded with `rm`. */
export interface FConvert { op: "fconv"; dst: Temp; fmt: FpFormat; a: Temp; rm: Temp; flags: Slot; nan: NanPolicy }
/** RISC-V fclass: dst (i32) has one bit set for the class of `a`. */
export interface FClass { op: "fclass"; dst: Temp; fmt: FpFormat; a: Temp }
/** Records a lazy condition-code result in flag group `group` (see {@link FlagKind}); `x` is optional (0). */
export interface SetFlags { op: "setflags"; group: number; kind: FlagKind; width: 32 | 64; a: Temp; b: Temp; x?: Temp }
/** dst (i32 0/1) = one flag computed from the group's current record. */
export interface GetFlag { op: "getflag"; dst: Temp; group: number; flag: Flag }
/** If cond (i32) != 0, the block stops here with a guest trap (signal) at the current instruction. */
export interface TrapIf { op: "trapif"; cond: Temp; signal: Signal; code: number }
/**
 * Calls a named runtime helper (guest-independent services such as cycle/time counters). Helpers are pure
 * functions of their arguments and the runtime's clocks; they never touch guest registers.
 */
export interface CallHelper { op: "call"; dst?: Temp; ty?: Ty; helper: string; args: Temp[] }

export type Op =
  | Insn | Const | Get | Set | Bin | Un | Conv | Select | Load | Store
  | FArith | FCompare | FToInt | IntToF | FConvert | FClass
  | SetFlags | GetFlag | TrapIf | CallHelper;

/** How control leaves a block. Guest addresses are numbers (all guest code lives below 2^53). */
export type Exit =
  /** continue at a known address. */
  | { kind: "jump"; target: number }
  /** continue at `taken` if cond (i32) != 0, else at `fallthrough`. */
  | { kind: "branch"; cond: Temp; taken: number; fallthrough: number }
  /** direct call: continue at `target`; the guest's return address is `ret` (a prediction hint). */
  | { kind: "call"; target: number; ret: number }
  /**
   * continue at the address in `target` (i64/i32 temp); `hint` says what the guest meant. `targets`, set
   * by region formation, lists blocks of the same region the jump is known to reach (a switch's cases): the
   * backend branches there directly when the address matches one, and leaves the region otherwise.
   */
  | { kind: "indirect"; target: Temp; hint: "call" | "return" | "jump"; ret?: number; targets?: number[] }
  /** ask the runtime: `syscall` (the ABI layer reads the state), `fence.i` (drop translations); continue at `next`. */
  | { kind: "runtime"; request: "syscall" | "fence.i"; next: number }
  /** raise a signal at `pc` (illegal instruction, ebreak, ...); `addr` is the fault address for si_addr. */
  | { kind: "trap"; signal: Signal; code: number; pc: number; addr?: number };

/** A lifted basic block of guest code. */
export interface Block {
  /** guest address of the first instruction */
  pc: number;
  /** address just past the last instruction */
  end: number;
  ops: Op[];
  exit: Exit;
  /** type of each temp */
  temps: Ty[];
  /** number of guest instructions */
  ninsns: number;
}

/** One slot of guest CPU state: a register, a special register, or a field of a lazy flag record. */
export interface StateSlot { name: string; ty: Ty; offset: number }

/** A lazy flag group: four state slots holding the record (kind as i32, a, b, x as i64). */
export interface FlagGroup { name: string; kind: Slot; a: Slot; b: Slot; x: Slot }

/** Layout of a guest's CPU state in linear memory (byte offsets from the state base, little-endian). */
export interface StateLayout {
  slots: StateSlot[];
  flagGroups: FlagGroup[];
  /** total size in bytes */
  size: number;
  /** slot index by name */
  slot(name: string): Slot;
}

/** Builds a {@link StateLayout} from (name, type) pairs, 8-byte aligned slots, with flag groups appended. */
export function makeStateLayout(regs: Array<[string, Ty]>, flagGroupNames: string[] = []): StateLayout {
  const slots: StateSlot[] = [];
  const byName = new Map<string, Slot>();
  const add = (name: string, ty: Ty): Slot => {
    if (byName.has(name)) throw new Error(`duplicate state slot ${name}`);
    const s = slots.length;
    slots.push({ name, ty, offset: s * 8 });
    byName.set(name, s);
    return s;
  };
  for (const [name, ty] of regs) add(name, ty);
  const flagGroups = flagGroupNames.map((name) => ({
    name,
    kind: add(`${name}.kind`, "i32"),
    a: add(`${name}.a`, "i64"),
    b: add(`${name}.b`, "i64"),
    x: add(`${name}.x`, "i64"),
  }));
  return {
    slots,
    flagGroups,
    size: slots.length * 8,
    slot(name: string): Slot {
      const s = byName.get(name);
      if (s === undefined) throw new Error(`no state slot ${name}`);
      return s;
    },
  };
}

/** Numeric codes of flag kinds as stored in a flag group's `kind` slot (0 = never set). */
export const FLAG_KIND_CODE: Record<FlagKind, number> = { cmps: 1, cmpu: 2, bits: 3, addc: 4, fcmp: 5 };
