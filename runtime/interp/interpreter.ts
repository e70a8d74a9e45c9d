/**
 * The interpreter tier: executes guest code block by block. Each basic block is lifted once to IR
 * (lift.ts), compiled to a specialised JavaScript function (compile.ts) and cached by guest pc; blocks
 * remember their last two successors so that hot paths skip the cache lookup.
 *
 * It is the correctness reference of isa2wasm and the fallback for code no translation covers.
 */
import { Signal, type Block } from "../../translator/ir/ir.ts";
import type { Guest } from "../../translator/guests/guest.ts";
import { GuestFault, type GuestMemory } from "../memory/memory.ts";
import type { CpuState } from "../state.ts";
import { BlockResult, compileBlock, type BlockContext, type BlockFunction } from "./compile.ts";
import { evaluator } from "./evaluate.ts";
import { makeHelpers, type HelperTable } from "./helpers.ts";
import { checkFpAssumptions, liftBlock, memoryCodeReader, SEGV_ACCERR, SEGV_MAPERR } from "./lift.ts";
import type { FpAssumptions } from "../../translator/ir/fpenv.ts";

/** Why {@link Interpreter.run} returned. In every case the state's pc slot holds `next`/`pc`. */
export type Stop =
  /** the guest made a system call; resume at `next` after handling it */
  | { kind: "syscall"; next: number }
  /** the guest executed fence.i (cached code was dropped); resume at `next` */
  | { kind: "fence.i"; next: number }
  /** a guest trap at instruction `pc` (that instruction did not execute); `addr` for memory faults */
  | { kind: "trap"; signal: number; code: number; pc: number; addr?: number }
  /** the instruction budget ran out; resume at `pc` */
  | { kind: "budget"; pc: number };

/** Options of an {@link Interpreter}. */
export interface InterpreterOptions {
  /** most guest instructions in one block (default 64) */
  maxBlockInsns?: number;
  /** extra or replacement runtime helpers (default: helpers.ts makeHelpers) */
  helpers?: HelperTable;
  /**
   * how blocks execute: "compile" (generated JavaScript, the default where `new Function` is allowed) or
   * "evaluate" (the direct IR evaluator, evaluate.ts: slower, needs no code generation)
   */
  executor?: "compile" | "evaluate";
  /**
   * with the "compile" executor, a block runs in the evaluator until it has run this many times, then is
   * compiled (compiling costs about as much as 10-20 evaluations; most blocks run only a few times).
   * Default 10; 0 compiles every block before its first run.
   */
  compileThreshold?: number;
}

/** True when the host allows generating functions from source (not blocked by a CSP). */
function canGenerateCode(): boolean {
  try { return new Function("return 1")() === 1; } catch { return false; }
}

/** A cached, compiled block. */
interface CachedBlock {
  readonly block: Block;
  fn: BlockFunction;
  /** executions so far while not yet compiled; -1 once compiled (or when never to be compiled) */
  runs: number;
  /** pc of each instruction, by index */
  readonly insnPcs: number[];
  /** set when invalidated: successor links to it must not be followed */
  dead: boolean;
  /** true when the block ends in a fetch fault (it may become valid when memory is mapped) */
  readonly fetchFault: boolean;
  succPc0: number; succ0: CachedBlock | undefined;
  succPc1: number; succ1: CachedBlock | undefined;
}

export class Interpreter {
  /** total guest instructions executed (completed) by this interpreter */
  instructions = 0;
  /** blocks lifted so far */
  blocksLifted = 0;
  /** blocks compiled to JavaScript so far */
  blocksCompiledToJs = 0;
  /**
   * what translated code of this process assumes of the FP environment (translator/ir/fpenv.ts), when it
   * assumes anything: every block lifted is checked against it (FpAssumptionError)
   */
  fpAssumptions: FpAssumptions | undefined;
  private readonly cache = new Map<number, CachedBlock>();
  private readonly ctx: BlockContext;
  private readonly helpers: HelperTable;
  private readonly maxBlockInsns: number;
  private readonly pcSlot: number;
  private readonly pcWide: boolean;
  private generation: number;
  /** how blocks are made executable */
  readonly executor: "compile" | "evaluate";
  private readonly compileThreshold: number;

  constructor(readonly guest: Guest, readonly mem: GuestMemory, readonly state: CpuState, options: InterpreterOptions = {}) {
    this.maxBlockInsns = options.maxBlockInsns ?? 64;
    this.executor = options.executor ?? (canGenerateCode() ? "compile" : "evaluate");
    this.compileThreshold = options.compileThreshold ?? 10;
    this.helpers = { ...makeHelpers({ instret: () => BigInt(this.instructions + this.ctx.k) }), ...options.helpers };
    this.pcSlot = guest.state.slot("pc");
    const pcTy = guest.state.slots[this.pcSlot]!.ty;
    this.pcWide = pcTy === "i64" || pcTy === "f64";
    this.generation = mem.generation;
    this.ctx = { S: new BigInt64Array(0), W: new Int32Array(0), dv: mem.dv, P: mem.prot, mem, k: 0, fa: 0, fw: 0, sig: 0, code: 0 };
    this.refreshViews();
  }

  /** Re-creates the typed-array views after linear memory grew. */
  private refreshViews(): void {
    const mem = this.mem;
    if (mem.u8.buffer !== mem.memory.buffer) mem.refresh();
    const buf = mem.memory.buffer;
    const c = this.ctx;
    if (c.dv.buffer === buf && c.S.buffer === buf) return;
    const size = this.state.layout.size;
    c.S = new BigInt64Array(buf, this.state.base, size / 8);
    c.W = new Int32Array(buf, this.state.base, size / 4);
    c.dv = new DataView(buf);
  }

  /** After map/unmap/protect: drops blocks no longer executable and blocks that ended in a fetch fault. */
  private revalidate(): void {
    this.generation = this.mem.generation;
    for (const [pc, b] of this.cache) {
      let ok = !b.fetchFault;
      if (ok && b.block.end > b.block.pc) {
        try { this.mem.check(b.block.pc, b.block.end - b.block.pc, "exec"); } catch { ok = false; }
      }
      if (!ok) { b.dead = true; this.cache.delete(pc); }
    }
  }

  private writePc(pc: number): void {
    if (this.pcWide) this.state.setI64(this.pcSlot, BigInt(pc));
    else this.state.setI32(this.pcSlot, pc);
  }

  private compile(block: Block): BlockFunction {
    this.blocksCompiledToJs++;
    return compileBlock(block, this.guest.state, this.helpers);
  }

  /** Returns the cached block at `pc`, lifting it on first use. */
  private lookup(pc: number): CachedBlock {
    const hit = this.cache.get(pc);
    if (hit !== undefined) return hit;
    const code = memoryCodeReader(this.mem, this.guest.endian);
    const block = liftBlock(this.guest, code, pc, this.maxBlockInsns);
    if (this.fpAssumptions !== undefined) checkFpAssumptions(this.guest, this.fpAssumptions, block, code);
    const insnPcs: number[] = [];
    for (const op of block.ops) if (op.op === "insn") insnPcs.push(op.pc);
    const x = block.exit;
    const compileNow = this.executor === "compile" && this.compileThreshold <= 0;
    const cb: CachedBlock = {
      block, insnPcs, dead: false,
      fn: compileNow ? this.compile(block) : evaluator(block, this.guest.state, this.helpers),
      runs: this.executor === "compile" && !compileNow ? 0 : -1,
      fetchFault: x.kind === "trap" && x.signal === Signal.SIGSEGV && x.pc === block.end,
      succPc0: -1, succ0: undefined, succPc1: -1, succ1: undefined,
    };
    this.blocksLifted++;
    this.cache.set(pc, cb);
    return cb;
  }

  /**
   * Executes blocks from `pc` until a runtime request (syscall, fence.i), a trap, or until at least
   * `maxInsns` instructions ran (whole blocks: at least one block runs when maxInsns > 0).
   */
  run(pc: number, maxInsns: number): Stop {
    this.refreshViews();
    if (this.mem.generation !== this.generation) this.revalidate();
    const c = this.ctx;
    let done = 0;
    let b = this.lookup(pc);
    for (;;) {
      if (done >= maxInsns) {
        this.writePc(pc);
        return { kind: "budget", pc };
      }
      if (b.runs >= 0 && ++b.runs >= this.compileThreshold) {
        b.fn = this.compile(b.block);
        b.runs = -1;
      }
      c.k = 0;
      const r = b.fn(c);
      if (r >= 0) {
        const n = b.block.ninsns;
        this.instructions += n;
        done += n;
        pc = r;
        let next: CachedBlock | undefined;
        if (b.succPc0 === r) next = b.succ0;
        else if (b.succPc1 === r) next = b.succ1;
        if (next === undefined || next.dead) {
          next = this.lookup(r);
          if (b.succ0 === undefined || b.succ0.dead || b.succPc0 === r) { b.succPc0 = r; b.succ0 = next; }
          else { b.succPc1 = r; b.succ1 = next; }
        }
        b = next;
        continue;
      }
      return this.stop(b, r);
    }
  }

  /** Builds the Stop for a block that returned a negative result. */
  private stop(b: CachedBlock, r: number): Stop {
    const c = this.ctx;
    if (r === BlockResult.Special) {
      this.instructions += b.block.ninsns;
      const x = b.block.exit;
      if (x.kind === "runtime") {
        this.writePc(x.next);
        if (x.request === "fence.i") { this.invalidate(); return { kind: "fence.i", next: x.next }; }
        return { kind: "syscall", next: x.next };
      }
      if (x.kind !== "trap") throw new Error(`internal error: block 0x${b.block.pc.toString(16)} returned ${r}`);
      this.writePc(x.pc);
      return x.addr === undefined
        ? { kind: "trap", signal: x.signal, code: x.code, pc: x.pc }
        : { kind: "trap", signal: x.signal, code: x.code, pc: x.pc, addr: x.addr };
    }
    const pc = b.insnPcs[c.k];
    if (pc === undefined) throw new Error(`internal error: block 0x${b.block.pc.toString(16)} stopped at instruction ${c.k}`);
    this.instructions += c.k;
    this.writePc(pc);
    if (r === BlockResult.Trap) return { kind: "trap", signal: c.sig, code: c.code, pc };
    if (r === BlockResult.Fault) {
      const { addr, code } = this.faultDetails(c.fa, c.fw === 1);
      return { kind: "trap", signal: Signal.SIGSEGV, code, pc, addr };
    }
    throw new Error(`internal error: block 0x${b.block.pc.toString(16)} returned ${r}`);
  }

  /** The exact fault address (first inaccessible byte) and si_code of an access starting at `addr`. */
  private faultDetails(addr: number, write: boolean): { addr: number; code: number } {
    if (!(addr >= 0 && addr < 0x1_0000_0000)) return { addr, code: SEGV_MAPERR };
    try {
      this.mem.check(addr, 8, write ? "write" : "read");
    } catch (e) {
      if (e instanceof GuestFault) return { addr: e.addr, code: e.mapped ? SEGV_ACCERR : SEGV_MAPERR };
      throw e;
    }
    return { addr, code: SEGV_MAPERR };
  }

  /** Drops cached blocks overlapping [start, end) (all blocks when no range is given). */
  invalidate(start = 0, end = Number.MAX_SAFE_INTEGER): void {
    for (const [pc, b] of this.cache) {
      const bEnd = Math.max(b.block.end, b.block.pc + 1);
      if (b.block.pc < end && bEnd > start) { b.dead = true; this.cache.delete(pc); }
    }
  }
}
