/**
 * The contract between translated code and the runtime: how a region function reports why it returned.
 * Shared by the backend (which emits the stores) and the runtime (which reads them); pure data, no binaryen.
 *
 * A region function takes no parameters and returns an i32: the guest pc to continue at (or, for a trap or
 * slow path, the pc of the instruction concerned). Before returning it writes the exit kind and, for traps,
 * details into the control block at CONTROL_BASE, and has written every guest register it changed back to
 * the CPU state.
 */

/** Why a region returned (i32 at CONTROL_BASE + {@link CTRL.kind}). */
export const enum ExitKind {
  /** continue at the returned pc (a jump, branch or indirect jump left the region) */
  Jump = 0,
  /** the guest made a syscall; continue at the returned pc afterwards */
  Syscall = 1,
  /** fence.i: drop translations, continue at the returned pc */
  FenceI = 2,
  /** a guest trap at the returned pc: signal, code and address are in the control block */
  Trap = 3,
  /**
   * the memory access of the instruction at the returned pc needs the runtime (a fault, an access across
   * pages, a store to a page holding translated code): the runtime executes from that instruction in the
   * interpreter, then continues; the state is committed up to the instruction before
   */
  Slow = 4,
}

/** Byte offsets inside the control block. */
export const CTRL = {
  /** i32 ExitKind */
  kind: 0,
  /** i32 signal number (Trap) */
  signal: 4,
  /** i32 signal code (Trap) */
  code: 8,
  /** i64 instructions executed in translated code, accumulated */
  icount: 16,
  /**
   * i64 of those, instructions executed in code translated at run time (modules compiled without `aot`):
   * the ahead-of-time count is the difference, so the far more frequent exits of AOT code update one counter
   */
  icountDyn: 48,
  /** i64 operands a, b, c and result r of an FP arithmetic helper call (bit patterns; f32 in the low half) */
  fpa: 56,
  fpb: 64,
  fpc: 72,
  fpr: 80,
  /**
   * i32 call depth: bits 0-7 count the region functions on the Wasm stack that wait in a guest call for its
   * return (see {@link MAX_CALL_DEPTH}), bits 8-31 add up their frames' sizes in stack units (see
   * {@link CALL_STACK_UNITS}); the runtime sets it to 0 before it enters translated code. The return sites
   * they wait for are the i32s at `returns + 4 * i` (i below the count): a return (an indirect jump through
   * the link register) to the innermost one returns the pc to that waiting caller.
   */
  depth: 88,
  returns: 512,
  /** i32 scratch: IEEE flags raised by the last FP helper call */
  fpflags: 24,
  /**
   * i32, 0 while ahead-of-time code may jump straight to the region of a direct target in its own module
   * (a tail call, no jump-cache lookup); the runtime sets it for good once it drops any translation (code
   * written or fence.i), after which every exit goes through the jump cache, which it keeps current.
   */
  noDirect: 28,
  /**
   * i32, Trap: 1 when `addr` holds a fault address (memory faults), 0 for traps without one (illegal
   * instruction, ebreak). The memory helpers also set it to tell translated code that an access faulted.
   */
  fault: 12,
  /** i64 fault address (Trap, when `fault` is 1) */
  addr: 32,
  /**
   * i64 chaining limit: a region that leaves with a Jump continues directly into the next translated region
   * (found in the jump cache) only while `icount` is below this value; otherwise it returns to the runtime.
   */
  limit: 40,
  /**
   * Jump-cache counters (i64 each), kept by translated code when a region leaves with a Jump below the
   * chaining limit and looks its target up in the jump cache: per exit class ({@link ExitClass}) the
   * misses at `chain + 16 * class` and the hits at `chain + 16 * class + 8` (lookups = misses + hits).
   */
  chain: 96,
} as const;

/**
 * Guest calls made as Wasm calls at most this deep: a call whose return site is in the caller's region calls
 * the callee's region function (directly in the same module, else through the jump cache) and, when the
 * callee returns that return site, continues in the caller's function with the registers reloaded; any
 * other outcome continues at the pc returned (through the jump cache) or returns it to the runtime. Deeper
 * calls leave the region as other exits do (so deep guest recursion cannot exhaust the host's stack).
 */
export const MAX_CALL_DEPTH = 96;
/**
 * The host stack calls made that way may fill, in units of 8 bytes: a caller's frame counts its Wasm locals
 * plus {@link FRAME_OVERHEAD_UNITS} (V8's baseline compiler measured at 8 bytes per i64 local and about 130
 * bytes per frame: 62 nested frames of 2000 locals exhausted Node's default 984 KiB stack, 1174 of 100).
 * 384 KiB leaves the rest of the stack to the runtime below and the innermost callee and its helpers.
 */
export const CALL_STACK_UNITS = 48 * 1024;
export const FRAME_OVERHEAD_UNITS = 24;

/** How a region left with a Jump, for the jump-cache counters: the IR exit's kind and hint. */
export const enum ExitClass {
  /** a direct jump, call or branch out of the region (or a loop head when the budget ran out) */
  Direct = 0,
  /** an indirect jump or call (`jalr` not a return) */
  Indirect = 1,
  /** a return (an indirect jump through the link register) */
  Return = 2,
}
export const EXIT_CLASSES = 3;

/**
 * The jump cache (QEMU's tb_jmp_cache, two-way set-associative): a table in the reserved low 64 KiB of
 * linear memory, guest pc → index of the region's function in the shared function table. Translated code
 * looks up the target of every region exit there and tail-calls the region it finds
 * (`return_call_indirect`), so jumps between regions, calls and returns stay inside Wasm; the runtime fills
 * entries on misses and clears the whole cache when translations are dropped. Set s (of
 * {@link JUMP_CACHE_SETS}) holds two ways at base + 16s and base + 16s + 8, each an i32 pc and an i32 table
 * index (pc 0 marks an empty way: no guest code lives below 64 KiB); the runtime inserts at way 0 and moves
 * the old way 0 to way 1, so two hot pcs that share a set both stay (a direct-mapped cache of 2048 entries
 * missed on 1 in 11 region exits of bench-strings).
 */
export const JUMP_CACHE_BASE = 0x4000;
export const JUMP_CACHE_SETS = 2048;
/** Bytes of the jump cache. */
export const JUMP_CACHE_BYTES = 16 * JUMP_CACHE_SETS;

/** The jump-cache set of guest pc (the same hash in translated code and the runtime). */
export function jumpCacheSet(pc: number): number {
  return ((pc >>> 1) ^ (pc >>> 12)) & (JUMP_CACHE_SETS - 1);
}

/** Records `pc` → table `index` in the jump cache held in `dv` (most recent at way 0). */
export function fillJumpCache(dv: DataView, pc: number, index: number): void {
  const set = JUMP_CACHE_BASE + 16 * jumpCacheSet(pc);
  if (dv.getInt32(set, true) === (pc | 0)) { dv.setInt32(set + 4, index, true); return; }
  if (dv.getInt32(set + 8, true) === (pc | 0)) { dv.setInt32(set + 12, index, true); return; }
  dv.setInt32(set + 8, dv.getInt32(set, true), true);
  dv.setInt32(set + 12, dv.getInt32(set + 4, true), true);
  dv.setInt32(set, pc, true);
  dv.setInt32(set + 4, index, true);
}

