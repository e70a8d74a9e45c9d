/**
 * Whole-program analysis of a guest's FP environment: can the program observe the accrued IEEE exception
 * flags, and can it change the dynamic rounding mode?
 *
 * Exact flags cost every translated FP op a test (translator/codegen/fpfast.ts: the native result is the
 * whole effect only in round-to-nearest with NX already accrued and a result far from the subnormal and
 * overflow ranges, or after proving it exact). When no instruction of the program ever reads the flags, no
 * execution can tell whether they were accrued, and translated code may skip them; when none writes the
 * rounding mode it stays round-to-nearest (its value at exec) and the mode tests fold away.
 *
 * The analysis is guest-independent: it works on the IR of single instructions (Guest.lift), with the guest
 * naming its flags and rounding-mode slots. It looks at every instruction-aligned offset of the executable
 * ranges (so code it cannot see through discovery still counts; misaligned decodes only make it more
 * conservative):
 * - an instruction that writes the rounding slot means the rounding mode can change;
 * - an instruction that reads the flags slot is a *use* unless its value provably goes nowhere but back into
 *   the flags. Compilers save and restore the flags around quiet comparisons (GCC's `isless` on RISC-V is
 *   `frflags t; flt.d; fsflags t`), which must not count: from the read, the value is followed through
 *   registers (taint on IR temps and state slots) along every path of direct jumps, branches and calls
 *   (into the callee) until no copy is left, or until a function boundary leaves copies only in registers
 *   the calling convention does not preserve across calls (RISC-V psABI: t0-t6 and a2-a7): at a return
 *   (callers cannot rely on them), and at a call once the value has been written back into the flags.
 *   These are the analysis' two assumptions beyond the machine semantics, both the psABI's: a caller does
 *   not read a scratch register after a call returns, and a value that a save/restore idiom left in one is
 *   not an argument of the next call (compilers pass arguments they computed; the leftover copy of a saved
 *   flags value is not one). Any other consumer (memory, an
 *   address, a branch condition, an FP or helper operand, a system call, a trap, an indirect jump), a call
 *   before the restore into code that cannot be followed, or a path too long makes it a use.
 *
 * Not seen: a signal handler reading the fcsr saved in its signal frame (memory, not a CSR access); with
 * the flags skipped, the value there is not exact.
 *
 * The result lists the instructions the proofs depend on (pc → encoding) so that the runtime can check that
 * code lifted later is what was analysed (runtime/interp/lift.ts checkFpAssumptions).
 */
import { BlockBuilder } from "./builder.ts";
import type { Block, Slot, Temp } from "./ir.ts";
import type { CodeReader, Guest } from "../guests/guest.ts";

/** What translated code may assume about a program's FP environment. */
export interface FpAssumptions {
  /** no instruction reads the accrued exception flags (other than to write them back) */
  flagsUnobserved: boolean;
  /** no instruction writes the dynamic rounding mode: it stays round-to-nearest-even */
  roundingStatic: boolean;
  /** instructions whose encodings the flags proof depends on: pc → raw encoding */
  proof: Map<number, number>;
  /** why an assumption does not hold (the first reason found), for --stats and the tests */
  reasons: string[];
}

/** The assumptions of a program analysed as a whole when no analysis ran: none. */
export const NO_FP_ASSUMPTIONS: FpAssumptions = { flagsUnobserved: false, roundingStatic: false, proof: new Map(), reasons: ["not analysed"] };

/** Longest path followed from a flags read, in instructions, and most instructions visited per read. */
const MAX_PATH = 512, MAX_VISITS = 4096;

/** The IR of the single instruction at `pc`, or undefined when it cannot be fetched or decoded. */
function liftOne(guest: Guest, code: CodeReader, pc: number): { block: Block; raw: number; size: number } | undefined {
  let d;
  try {
    d = guest.decode(code, pc);
  } catch {
    return undefined;
  }
  if (d === undefined) return undefined;
  const b = new BlockBuilder(pc, guest.state.slots.map((s) => s.ty));
  b.insn(pc, d.size);
  const exit = guest.lift(d, pc, b);
  return { block: b.finish(exit ?? { kind: "jump", target: pc + d.size }), raw: d.raw, size: d.size };
}

/** The temps an op reads. */
function reads(op: Block["ops"][number]): Temp[] {
  switch (op.op) {
    case "insn": case "const": case "get": case "getflag": return [];
    case "set": return [op.value];
    case "bin": return [op.a, op.b];
    case "un": case "conv": return [op.a];
    case "select": return [op.cond, op.a, op.b];
    case "load": return [op.addr];
    case "store": return op.cond === undefined ? [op.addr, op.value] : [op.addr, op.value, op.cond];
    case "farith": return [op.a, op.rm, ...(op.b === undefined ? [] : [op.b]), ...(op.c === undefined ? [] : [op.c])];
    case "fcmp": return [op.a, op.b];
    case "ftoint": case "inttof": case "fconv": return [op.a, op.rm];
    case "fclass": return [op.a];
    case "setflags": return op.x === undefined ? [op.a, op.b] : [op.a, op.b, op.x];
    case "trapif": return [op.cond];
    case "call": return op.args;
  }
}

/**
 * Follows the flags value read by the instruction at `pc` (whose IR reads slot `flags`). Returns the pcs
 * of the instructions visited when every copy provably dies or returns into the flags, else a reason.
 */
function followFlagsRead(guest: Guest, code: CodeReader, pc: number, flags: Slot, clobbered: ReadonlySet<Slot>): { visited: Map<number, number> } | { use: string } {
  const visited = new Map<number, number>();
  const seen = new Set<string>();
  let visits = 0;
  const hex = (a: number) => `0x${a.toString(16)}`;
  // depth-first over (pc, tainted slots, whether the value went back into the flags on this path)
  const stack: Array<{ pc: number; tainted: Set<Slot>; restored: boolean; depth: number }> = [{ pc, tainted: new Set(), restored: false, depth: 0 }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const key = `${at.pc}:${at.restored ? "r" : ""}${[...at.tainted].sort((a, b) => a - b).join(",")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (++visits > MAX_VISITS || at.depth > MAX_PATH) return { use: `flags read at ${hex(pc)}: its value is live too long to follow` };
    const one = liftOne(guest, code, at.pc);
    if (one === undefined) return { use: `flags read at ${hex(pc)}: its value reaches undecodable code at ${hex(at.pc)}` };
    visited.set(at.pc, one.raw);
    const slots = new Set(at.tainted);
    let restored = at.restored;
    const temps = new Set<Temp>();
    const taintedTemp = (t: Temp) => temps.has(t);
    for (const op of one.block.ops) {
      const anyIn = reads(op).some(taintedTemp);
      switch (op.op) {
        case "get":
          if (op.slot === flags || slots.has(op.slot)) temps.add(op.dst);
          continue;
        case "set":
          if (op.slot === flags) {
            restored ||= anyIn; // back into the flags: not an observation
            continue;
          }
          if (anyIn) slots.add(op.slot);
          else slots.delete(op.slot);
          continue;
        case "const": case "insn": case "getflag":
          continue;
        case "bin": case "un": case "conv": case "select":
          if (anyIn) temps.add(op.dst);
          continue;
        default:
          if (anyIn) return { use: `flags read at ${hex(pc)}: its value is used by ${op.op} at ${hex(at.pc)}` };
      }
    }
    const exit = one.block.exit;
    if ((exit.kind === "branch" && taintedTemp(exit.cond)) || (exit.kind === "indirect" && taintedTemp(exit.target))) {
      return { use: `flags read at ${hex(pc)}: control flow at ${hex(at.pc)} depends on its value` };
    }
    if (slots.size === 0) continue; // every copy is dead on this path
    const leftovers = [...slots].every((s) => clobbered.has(s));
    // a return with copies only in registers the calling convention leaves undefined after a call
    if (exit.kind === "indirect" && exit.hint === "return" && leftovers) continue;
    // a call after the restore, with leftover copies only in registers the callee may not rely on
    if (restored && leftovers && (exit.kind === "call" || (exit.kind === "indirect" && exit.hint === "call"))) continue;
    const next = (target: number) => ({ pc: target, tainted: new Set(slots), restored, depth: at.depth + 1 });
    if (exit.kind === "jump" || exit.kind === "call") stack.push(next(exit.target)); // a direct call continues in the callee
    else if (exit.kind === "branch") stack.push(next(exit.taken), next(exit.fallthrough));
    else return { use: `flags read at ${hex(pc)}: a copy is live at the ${exit.kind} exit at ${hex(at.pc)}` };
  }
  return { visited };
}

/**
 * Analyses the code in `ranges` (the program's executable memory) for the guest's FP environment; a guest
 * without one (no `fpEnvironment`) gets no assumptions.
 */
export function analyzeFpEnvironment(guest: Guest, code: CodeReader, ranges: ReadonlyArray<{ start: number; end: number }>): FpAssumptions {
  const env = guest.fpEnvironment;
  if (env === undefined) return NO_FP_ASSUMPTIONS;
  const flags = guest.state.slot(env.flags), rounding = guest.state.slot(env.rounding);
  const clobbered = new Set(env.clobberedByCall.map((n) => guest.state.slot(n)));
  const out: FpAssumptions = { flagsUnobserved: true, roundingStatic: true, proof: new Map(), reasons: [] };
  for (const r of ranges) {
    for (let pc = r.start; pc < r.end; pc += guest.insnAlign) {
      if (!env.mayAccess(code, pc)) continue;
      const one = liftOne(guest, code, pc);
      if (one === undefined) continue;
      const ops = one.block.ops;
      if (out.roundingStatic && ops.some((op) => op.op === "set" && op.slot === rounding)) {
        out.roundingStatic = false;
        out.reasons.push(`rounding mode written at 0x${pc.toString(16)}`);
      }
      if (out.flagsUnobserved && ops.some((op) => op.op === "get" && op.slot === flags)) {
        const f = followFlagsRead(guest, code, pc, flags, clobbered);
        if ("use" in f) {
          out.flagsUnobserved = false;
          out.reasons.push(f.use);
        } else for (const [p, raw] of f.visited) out.proof.set(p, raw);
      }
      if (!out.flagsUnobserved && !out.roundingStatic) break;
    }
  }
  if (!out.flagsUnobserved) out.proof.clear();
  return out;
}

/**
 * Checks a block lifted at run time against the assumptions translated code was built with: a flags read
 * must be one whose proof covered it, every instruction of a proof must still have its analysed encoding,
 * and no instruction may write the rounding mode when it was assumed static. Returns the violation, if any.
 * (Code the analysis saw always passes; this catches code made or changed at run time.)
 */
export function fpAssumptionViolation(guest: Guest, assume: FpAssumptions, block: Block, rawAt: (pc: number, size: number) => number): string | undefined {
  const env = guest.fpEnvironment;
  if (env === undefined || (!assume.flagsUnobserved && !assume.roundingStatic)) return undefined;
  const flags = guest.state.slot(env.flags), rounding = guest.state.slot(env.rounding);
  let pc = block.pc, size = 0;
  for (const op of block.ops) {
    if (op.op === "insn") {
      pc = op.pc;
      size = op.size;
      const raw = assume.flagsUnobserved ? assume.proof.get(pc) : undefined;
      if (raw !== undefined && rawAt(pc, size) !== raw) return `the instruction at 0x${pc.toString(16)} changed after translation assumed the FP exception flags are never read`;
    } else if (op.op === "get" && op.slot === flags && assume.flagsUnobserved && !assume.proof.has(pc)) {
      return `guest code at 0x${pc.toString(16)} reads the FP exception flags, which translated code assumed are never read`;
    } else if (op.op === "set" && op.slot === rounding && assume.roundingStatic) {
      return `guest code at 0x${pc.toString(16)} sets the FP rounding mode, which translated code assumed never changes`;
    }
  }
  return undefined;
}

/** The lowering's view of `assume` (translator/codegen/lower.ts FpModel): flags unobserved, the rounding slot when static. */
export function fpModelOf(guest: Guest, assume: FpAssumptions): { flagsUnobserved: boolean; staticRounding?: Slot } {
  const env = guest.fpEnvironment;
  if (env === undefined) return { flagsUnobserved: false };
  return assume.roundingStatic ? { flagsUnobserved: assume.flagsUnobserved, staticRounding: guest.state.slot(env.rounding) } : { flagsUnobserved: assume.flagsUnobserved };
}
