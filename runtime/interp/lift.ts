/** Lifting one basic block of guest code to IR (shared by the interpreter and the dynamic tier). */
import { BlockBuilder } from "../../translator/ir/builder.ts";
import { Signal, type Block } from "../../translator/ir/ir.ts";
import type { CodeReader, Guest } from "../../translator/guests/guest.ts";
import { GuestFault } from "../memory/memory.ts";
import { fpAssumptionViolation, type FpAssumptions } from "../../translator/ir/fpenv.ts";

/** Linux si_code values used for traps raised while fetching or decoding. */
export const ILL_ILLOPC = 1, SEGV_MAPERR = 1, SEGV_ACCERR = 2;

/**
 * Lifts the block starting at `pc`: decodes and lifts instructions until one ends the block, or
 * `maxInsns` instructions (then the block ends with a jump to the next address).
 *
 * An instruction that cannot be fetched (fault) or decoded (illegal encoding) ends the block with a trap
 * exit at its pc: SIGSEGV (addr = fault address, code SEGV_MAPERR/SEGV_ACCERR) or SIGILL (ILL_ILLOPC). The
 * instructions before it are kept, so the trap is raised only when execution reaches it. A block whose
 * first instruction traps has no instructions. Errors other than guest faults (lifter bugs) propagate.
 *
 * `isLeader(addr)`, when given, ends the block (with a jump) before an instruction at which another block
 * starts, so that ahead-of-time translation gets non-overlapping blocks.
 */
export function liftBlock(guest: Guest, code: CodeReader, pc: number, maxInsns: number, isLeader?: (addr: number) => boolean): Block {
  const b = new BlockBuilder(pc, guest.state.slots.map((s) => s.ty));
  let at = pc;
  for (let i = 0; i < maxInsns; i++) {
    if (i > 0 && isLeader?.(at)) break;
    let d;
    try {
      d = guest.decode(code, at);
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      return b.finish({ kind: "trap", signal: Signal.SIGSEGV, code: e.mapped ? SEGV_ACCERR : SEGV_MAPERR, pc: at, addr: e.addr });
    }
    if (d === undefined) return b.finish({ kind: "trap", signal: Signal.SIGILL, code: ILL_ILLOPC, pc: at });
    b.insn(at, d.size);
    const exit = guest.lift(d, at, b);
    at += d.size;
    if (exit !== undefined) return b.finish(exit);
  }
  return b.finish({ kind: "jump", target: at });
}

/** A {@link CodeReader} over guest memory that checks execute permission (faults throw GuestFault). */
export function memoryCodeReader(mem: import("../memory/memory.ts").GuestMemory, endian: "le" | "be"): CodeReader {
  const le = endian === "le";
  return {
    fetch16(addr: number): number { mem.check(addr, 2, "exec"); return mem.dv.getUint16(addr, le); },
    fetch32(addr: number): number { mem.check(addr, 4, "exec"); return mem.dv.getUint32(addr, le); },
  };
}

/**
 * Guest code broke an assumption translated code was built with (translator/ir/fpenv.ts): code made or
 * changed at run time reads the FP flags or sets the rounding mode. The process cannot go on exactly.
 */
export class FpAssumptionError extends Error {}

/** What an {@link FpAssumptionError} message tells the user to do. */
export const RERUN_EXACT_FP = "run it with --exact-fp (translate it again with --exact-fp)";

/** Throws {@link FpAssumptionError} when `block`, lifted at run time, breaks `assume`. */
export function checkFpAssumptions(guest: Guest, assume: FpAssumptions, block: Block, code: CodeReader): void {
  const v = fpAssumptionViolation(guest, assume, block, (pc, size) => (size === 2 ? code.fetch16(pc) : code.fetch32(pc)));
  if (v !== undefined) throw new FpAssumptionError(`${v}; ${RERUN_EXACT_FP}`);
}
