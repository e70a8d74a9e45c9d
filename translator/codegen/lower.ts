/**
 * IR → WebAssembly with binaryen: the only module (with module.ts) that talks to binaryen.
 *
 * A region is a set of lifted blocks with a main entry and possibly further entries (translator/ir/region.ts);
 * it becomes one body function taking the entry's ordinal and one exported function `() -> i32` per entry
 * (see exits.ts for the return contract). Inside a region:
 * - every guest state slot the region touches lives in a Wasm local, loaded once at entry and written back
 *   (only if the region writes it) at the single exit sequence: register mapping;
 * - branches between blocks of the region are Wasm control flow rendered by binaryen's Relooper, so loops
 *   stay inside the function with registers in locals; an indirect jump with known targets in the region
 *   branches to them (comparing, or with a br_table on the address when there are many), else leaves;
 * - a call whose return site is a block of the region is a Wasm call of the callee's region function, after
 *   which the caller goes on at the return site with its registers reloaded (callThrough; exits.ts
 *   MAX_CALL_DEPTH): a return to the site the innermost waiting caller waits for is a Wasm `return`, so
 *   calls and returns use the host's call stack (and its return prediction) instead of the jump cache;
 * - loads and stores check the page map (memory.ts) inline and leave through the slow-path exit when the
 *   fast path does not apply, with the state committed up to the instruction;
 * - big-endian accesses are byte-swapped after loads / before stores.
 */
import binaryen from "binaryen";
import type { Block, FpArith, Op, Slot, StateLayout, Temp, Ty } from "../ir/ir.ts";
import { flowSuccessors, loopHeads, regionEntries, type Region } from "../ir/region.ts";
import { planAccessGroups, type AccessPlan } from "./access.ts";
import { CONTROL_BASE, PAGE_FAST_READ, PAGE_FAST_READ2, PAGE_FAST_WRITE, PAGE_FAST_WRITE2, PAGE_MAP_BASE, PAGE_MAP_SIZE, PAGE_SIZE, STATE_BASE } from "../../runtime/memory/memory.ts";
import { CALL_STACK_UNITS, CTRL, ExitClass, ExitKind, FRAME_OVERHEAD_UNITS, JUMP_CACHE_BASE, JUMP_CACHE_SETS, MAX_CALL_DEPTH } from "./exits.ts";
import { FLAG_INDEX, FLAG_WIDTH_64, flagKindWord } from "../ir/flags.ts";
import { FpFlag, Rounding } from "../ir/ir.ts";
import { canonical64, fastArith, fastCompare, fastConvert, fastFromInt, fastToInt, HW_FMA, type FastPath, type FpContext } from "./fpfast.ts";

type X = binaryen.ExpressionRef;

export { loopHeads, regionEntries, type Region } from "../ir/region.ts";

/** Names of the JS functions translated code imports from module "env" (see runtime/jit/imports.ts). */
export const FP_IMPORTS = {
  arith: "fp_arith", cmp: "fp_cmp", toint: "fp_toint", fromint: "fp_fromint", conv: "fp_conv", fclass: "fp_class",
} as const;


/** Numeric codes passed to the FP imports. */
export const FP_CODES = {
  fmt: { f32: 0, f64: 1 },
  arith: { add: 0, sub: 1, mul: 2, div: 3, sqrt: 4, madd: 5, min: 6, max: 7 },
  cmp: { eq: 0, lt: 1, le: 2, ltq: 3, leq: 4, unord: 5 },
  nan: { canonical: 0, propagate: 1 },
} as const;

/**
 * The support function running the exact FP arithmetic helper for its result only (flags unobserved):
 * (fmt, op, rm, nan, a, b, c) → result bits; added to `m` on first use.
 */
function slowArith(m: binaryen.Module): string {
  const name = "fp_arith_value";
  if (slowArithAdded.has(m)) return name;
  slowArithAdded.add(m);
  const { i32, i64 } = binaryen;
  const zero = () => m.i32.const(0);
  m.addFunction(name, binaryen.createType([i32, i32, i32, i32, i64, i64, i64]), i64, [], m.block(null, [
    m.i64.store(CONTROL_BASE + CTRL.fpa, 8, zero(), m.local.get(4, i64)),
    m.i64.store(CONTROL_BASE + CTRL.fpb, 8, zero(), m.local.get(5, i64)),
    m.i64.store(CONTROL_BASE + CTRL.fpc, 8, zero(), m.local.get(6, i64)),
    m.drop(m.call(FP_IMPORTS.arith, [m.local.get(0, i32), m.local.get(1, i32), m.local.get(2, i32), m.local.get(3, i32)], i32)),
    m.i64.load(CONTROL_BASE + CTRL.fpr, 8, zero()),
  ], i64));
  return name;
}
const slowArithAdded = new WeakSet<binaryen.Module>();

/** Most guest instructions one call of a region function runs before it leaves at a loop head. */
const MAX_RUN = 1 << 30;

/** Thrown for IR this backend cannot lower; the runtime keeps such code in the interpreter. */
export class UnsupportedIR extends Error {}

const wasmTy = (ty: Ty): binaryen.Type => (ty === "i64" || ty === "f64" ? binaryen.i64 : binaryen.i32);

/** Name of the exported function `() -> i32` that enters translated code at guest `pc`. */
export function regionName(pc: number): string { return `r${pc.toString(16)}`; }
/** Name of a region's body function `(entry ordinal) -> i32`. */
export function bodyName(region: Region): string { return `body_${region.entry.toString(16)}`; }
/** Known indirect-jump targets from which on the lowering switches (br_table) instead of comparing one by one. */
const SWITCH_MIN_TARGETS = 5;

/** A br_table over known indirect-jump targets: the target's offset from the lowest, in 2-byte units. */
interface SwitchTable {
  /** the table index of an address (an odd offset rotates to a huge index: the default, which leaves) */
  index(m: binaryen.Module, target: X): X;
  /** the table index of known target `t` */
  slot(t: number): number;
}

/** The switch over `known` targets, when there are enough of them and they lie close enough together. */
function switchTable(known: number[]): SwitchTable | undefined {
  if (known.length < SWITCH_MIN_TARGETS) return undefined;
  const lo = Math.min(...known), hi = Math.max(...known);
  if ((hi - lo) / 2 > 16 * 1024) return undefined;
  return {
    index: (m, target) => m.i32.rotr(m.i32.sub(target, m.i32.const(lo | 0)), m.i32.const(1)),
    slot: (t) => (t - lo) / 2,
  };
}

/**
 * Adds the functions of `regions` to module `m` (which must already import memory and the helpers through
 * {@link declareImports}).
 */
export function addRegion(m: binaryen.Module, layout: StateLayout, region: Region, aot = false, structure: Structure = "relooper",
  fp: FpModel = EXACT_FP, direct: ReadonlyMap<number, DirectTarget> = new Map()): void {
  new RegionLowering(m, layout, region, aot, structure, fp, direct).lower();
}

/**
 * How FP ops are lowered: with inline fast paths (fpfast.ts) before the exact helpers or helpers only, and
 * what the program lets translated code assume (translator/ir/fpenv.ts): `flagsUnobserved`, no instruction
 * reads the accrued flags, so fast paths need not keep them; `staticRounding`, the rounding-mode slot, which
 * then always holds its initial value RNE (reads of it are the constant).
 */
export interface FpModel {
  fastPaths: boolean; flagsUnobserved: boolean; staticRounding?: Slot;
  /** f64 fused multiply-adds inline with relaxed SIMD (fpfast.ts FpContext.inlineFma) */
  inlineFma?: boolean;
}
/** Exact flags and a dynamic rounding mode, with fast paths. */
export const EXACT_FP: FpModel = { fastPaths: true, flagsUnobserved: false };

/** A region entry of the same module that exits to its pc may tail-call directly: its body function and entry ordinal. */
export interface DirectTarget { body: string; ordinal: number }

/** The direct targets of a module's regions: every entry pc of every region. */
export function directTargets(regions: Region[]): Map<number, DirectTarget> {
  const out = new Map<number, DirectTarget>();
  for (const r of regions) regionEntries(r).forEach((pc, ordinal) => out.set(pc, { body: bodyName(r), ordinal }));
  return out;
}

/**
 * How a region's control flow becomes Wasm: binaryen's Relooper (loops and ifs; the dispatch loop when it
 * rejects the graph), or always the dispatch loop (tests).
 */
export type Structure = "relooper" | "switch";

/** The support function every region tail-calls on exit: chains to the next translated region (exits.ts). */
const CHAIN = "chain";
/** Name of the shared function table (import "env" "table") holding every region function. */
export const REGION_TABLE = "table";

/** Declares the memory, table and helper imports every translation module uses. */
export function declareImports(m: binaryen.Module, helpers: Map<string, { params: Ty[]; result?: Ty }>,
  data: ReadonlyArray<{ offset: number; data: Uint8Array }> = []): void {
  const segments = data.map((d) => ({ offset: m.i32.const(d.offset | 0), data: d.data, passive: false }));
  m.setMemory(1, -1, null, segments, false, false, "0");
  m.addMemoryImport("0", "env", "memory");
  m.addTable(REGION_TABLE, 1, 0xffffffff);
  m.addTableImport(REGION_TABLE, "env", REGION_TABLE);
  const { i32, i64 } = binaryen;
  m.addFunctionImport(FP_IMPORTS.arith, "env", FP_IMPORTS.arith, binaryen.createType([i32, i32, i32, i32]), i32);
  m.addFunctionImport(FP_IMPORTS.cmp, "env", FP_IMPORTS.cmp, binaryen.createType([i32, i32, i64, i64]), i32);
  m.addFunctionImport(FP_IMPORTS.toint, "env", FP_IMPORTS.toint, binaryen.createType([i32, i64, i32, i32, i32]), i64);
  m.addFunctionImport(FP_IMPORTS.fromint, "env", FP_IMPORTS.fromint, binaryen.createType([i32, i64, i32, i32, i32]), i64);
  m.addFunctionImport(FP_IMPORTS.conv, "env", FP_IMPORTS.conv, binaryen.createType([i32, i64, i32, i32]), i64);
  m.addFunctionImport(FP_IMPORTS.fclass, "env", FP_IMPORTS.fclass, binaryen.createType([i32, i64]), i32);
  m.addFunctionImport(HW_FMA.fn, HW_FMA.module, HW_FMA.fn, binaryen.createType([binaryen.f64, binaryen.f64, binaryen.f64]), binaryen.f64);
  m.addGlobalImport(HW_FMA.fused, HW_FMA.module, HW_FMA.fused, i32, false);
  for (const [name, sig] of helpers) {
    m.addFunctionImport(`h_${name}`, "env", `h_${name}`, binaryen.createType(sig.params.map(wasmTy)), sig.result ? wasmTy(sig.result) : binaryen.none);
  }
}

/** The helper calls used by a region, with their signatures. */
export function helpersUsed(regions: Region[], into = new Map<string, { params: Ty[]; result?: Ty }>()) {
  for (const r of regions) for (const b of r.blocks) for (const op of b.ops) {
    if (op.op === "call" && !into.has(op.helper)) {
      into.set(op.helper, { params: op.args.map((a) => b.temps[a]!), ...(op.ty ? { result: op.ty } : {}) });
    }
  }
  return into;
}

class RegionLowering {
  private readonly locals: binaryen.Type[] = [];
  /** local index of each state slot the region touches */
  private readonly slotLocal = new Map<Slot, number>();
  private readonly written = new Set<Slot>();
  private readonly icount: number;
  /** counter for unique block labels */
  private labels = 0;
  /** local: instructions this call may run (see lower()) */
  private readonly budget: number;
  /** pcs of blocks that check the budget on entry */
  private readonly budgetChecked = new Set<number>();
  private readonly ret: number;
  /** local: the ExitClass of a Jump exit (0, Direct, unless set on the way out) */
  private readonly exitClass: number;
  private tempLocal: number[] = [];
  private block!: Block;
  /** index of the current instruction within the block, and its pc */
  private insnIndex = 0;
  private insnPc = 0;

  constructor(private readonly m: binaryen.Module, private readonly layout: StateLayout, private readonly region: Region,
    /** ahead-of-time code (code translated at run time also counts its instructions in CTRL.icountDyn) */
    private readonly aot: boolean,
    private readonly structure: Structure,
    /** FP lowering: fast paths and the program's FP assumptions */
    private readonly fp: FpModel,
    /** regions of the same module that direct exits may tail-call (ahead-of-time modules) */
    private readonly direct: ReadonlyMap<number, DirectTarget>) {
    this.icount = this.local(binaryen.i32);
    this.budget = this.local(binaryen.i32);
    this.ret = this.local(binaryen.i32);
    this.exitClass = this.local(binaryen.i32);
    this.accessPlan = planAccessGroups(region);
    for (const b of region.blocks) for (const op of b.ops) {
      if (op.op === "get" || op.op === "set") this.slot(op.slot);
      if (op.op === "set") this.written.add(op.slot);
      if (op.op === "farith" || op.op === "fcmp" || op.op === "ftoint" || op.op === "inttof" || op.op === "fconv") {
        this.slot(op.flags); this.written.add(op.flags);
      }
      if (op.op === "setflags") {
        const g = layout.flagGroups[op.group];
        if (!g) throw new UnsupportedIR(`no flag group ${op.group}`);
        for (const s of [g.kind, g.a, g.b, g.x]) { this.slot(s); this.written.add(s); }
      }
      if (op.op === "getflag") {
        const g = layout.flagGroups[op.group];
        if (!g) throw new UnsupportedIR(`no flag group ${op.group}`);
        for (const s of [g.kind, g.a, g.b, g.x]) this.slot(s);
      }
    }
  }

  /** Adds a local (after the one parameter, the entry ordinal). */
  private local(ty: binaryen.Type): number { this.locals.push(ty); return this.locals.length; }
  /**
   * Block-scoped locals (temps and per-op scratch) are reused from block to block: no value lives across
   * a block boundary, so a function needs as many as its largest block, not the sum over its blocks
   * (whole-function regions of ahead-of-time translation have thousands of blocks).
   */
  private readonly pool = new Map<binaryen.Type, number[]>();
  private readonly poolUsed = new Map<binaryen.Type, number>();
  private scratch(ty: binaryen.Type): number {
    let list = this.pool.get(ty);
    if (!list) { list = []; this.pool.set(ty, list); }
    const i = this.poolUsed.get(ty) ?? 0;
    this.poolUsed.set(ty, i + 1);
    if (i === list.length) list.push(this.local(ty));
    return list[i]!;
  }
  private slot(s: Slot): number {
    let l = this.slotLocal.get(s);
    if (l === undefined) { l = this.local(wasmTy(this.layout.slots[s]!.ty)); this.slotLocal.set(s, l); }
    return l;
  }

  lower(): void {
    const m = this.m;
    // loop heads check the instruction budget when entered from inside the region (see loopHeads)
    for (const pc of loopHeads(this.region)) this.budgetChecked.add(pc);
    this.computeWrittenOnEntry();
    const entryPcs = regionEntries(this.region);
    let body: X | undefined;
    if (this.structure === "relooper") body = this.structureRelooper(entryPcs, false) ?? this.structureRelooper(entryPcs, true);
    // binaryen's Relooper rejects some graphs even so (an exception from its C++ code): the dispatch loop,
    // which structures any graph
    body ??= this.structureSwitch(entryPcs);
    // Prologue: load every touched slot. Epilogue (reached by `br $exit` with the pc): write back, return.
    const prologue: X[] = [];
    for (const [s, l] of this.slotLocal) prologue.push(m.local.set(l, this.loadSlot(s)));
    // budget = clamp(limit - icount, 0, 2^30): guest instructions this call may run before leaving at a loop
    // head (a region without loops runs to an exit: no budget)
    prologue.push(...this.setBudget());
    const epilogue = [...this.writeBack(this.written), ...this.chainTo(this.ret, () => m.local.get(this.exitClass, binaryen.i32), true,
      m.i32.and(m.i32.eq(m.local.get(this.exitClass, binaryen.i32), m.i32.const(ExitClass.Return)),
        m.i32.eqz(m.i32.load(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0)))))];
    const fn = m.block(null, [
      ...prologue,
      m.local.set(this.ret, m.block("exit", [body, m.unreachable()], binaryen.i32)),
      ...epilogue,
    ], binaryen.none);
    const name = bodyName(this.region);
    const frame = this.locals.length + 1 + FRAME_OVERHEAD_UNITS;
    for (const { expr, value } of this.frameConsts) setConstI32(expr, value(frame));
    m.addFunction(name, binaryen.i32, binaryen.i32, this.locals, fn);
    entryPcs.forEach((pc, i) => {
      m.addFunction(regionName(pc), binaryen.none, binaryen.i32, [], m.return_call(name, [m.i32.const(i)], binaryen.i32));
      // an ahead-of-time module puts its entries into the table itself (module.ts AOT_ENTRIES_SECTION)
      if (!this.aot) m.addFunctionExport(regionName(pc), regionName(pc));
    });
  }

  /**
   * The region's blocks (lowered again on a second try) as binaryen's Relooper structures them: Wasm loops,
   * ifs and blocks; undefined when the Relooper rejects the graph. The Relooper renames the labels it made
   * when it used one for two blocks (a loop entered at several blocks), and that renaming throws at every
   * branch to a label outside its code: the branches to `$exit` that leave the region. On the second try
   * (`markExits`) those are made after rendering instead (see exitTo).
   */
  private structureRelooper(entryPcs: number[], markExits: boolean): X | undefined {
    const m = this.m;
    this.exitMarks = markExits ? [] : undefined;
    const relooper = new binaryen.Relooper(m);
    const entries = new Map<number, binaryen.RelooperBlockRef>();
    const bodies: X[][] = [];
    const pcs = new Set(this.region.blocks.map((b) => b.pc));
    // Lower every block's ops first, then wire branches.
    for (const b of this.region.blocks) {
      const code = this.lowerBlock(b);
      bodies.push(code);
    }
    const leave = (from: Block, pc: number): binaryen.RelooperBlockRef =>
      relooper.addBlock(this.leaveFrom(from, ExitKind.Jump, ExitClass.Direct, m.i32.const(pc | 0), pc));
    /** indirect jumps with known targets in the region: the local holding the address, and the leaving block */
    const indirect = new Map<number, { known: number[]; target: number; leave: binaryen.RelooperBlockRef; table: SwitchTable | undefined }>();
    this.region.blocks.forEach((b, i) => {
      const exit = b.exit;
      const code = bodies[i]!;
      // the exit's code reads the block's own temps (an indirect jump's target)
      this.block = b;
      this.tempLocal = this.blockTemps.get(b)!;
      // The exit's own code (for non-branching exits) is appended to the block.
      if (this.callReturnSite(b) !== undefined) {
        // a call returning into the region: the callee runs as a Wasm call, then its return site (wired below)
        entries.set(b.pc, relooper.addBlock(m.block(null, [...code, this.callThrough(b)])));
        return;
      }
      switch (exit.kind) {
        case "jump": case "call": {
          const target = exit.target;
          if (pcs.has(target)) entries.set(b.pc, relooper.addBlock(m.block(null, code)));
          else entries.set(b.pc, relooper.addBlock(m.block(null, [...code, this.leaveFrom(b, ExitKind.Jump, ExitClass.Direct, m.i32.const(target | 0), target)])));
          break;
        }
        case "branch": entries.set(b.pc, relooper.addBlock(m.block(null, code))); break;
        case "indirect": {
          const leaveIndirect = [this.leaveFrom(b, ExitKind.Jump, exit.hint === "return" ? ExitClass.Return : ExitClass.Indirect, this.toPc(exit.target))];
          const known = (exit.targets ?? []).filter((t) => pcs.has(t));
          if (known.length === 0) { entries.set(b.pc, relooper.addBlock(m.block(null, [...code, ...leaveIndirect]))); break; }
          // known targets inside the region: compare and branch there (wired below), else leave
          const target = this.scratch(binaryen.i32);
          const set = m.local.set(target, this.toPc(exit.target));
          const table = switchTable(known);
          entries.set(b.pc, table
            ? relooper.addBlockWithSwitch(m.block(null, [...code, set]), table.index(m, m.local.get(target, binaryen.i32)))
            : relooper.addBlock(m.block(null, [...code, set])));
          indirect.set(b.pc, { known, target, leave: relooper.addBlock(m.block(null, leaveIndirect)), table });
          break;
        }
        case "runtime": entries.set(b.pc, relooper.addBlock(m.block(null, [...code,
          this.leaveFrom(b, exit.request === "syscall" ? ExitKind.Syscall : ExitKind.FenceI, ExitClass.Direct, m.i32.const(exit.next | 0))]))); break;
        case "trap": entries.set(b.pc, relooper.addBlock(m.block(null, [...code,
          this.trapExit(exit.signal, exit.code, m.i32.const(exit.pc | 0), exit.addr !== undefined ? m.i64.const(BigInt(exit.addr)) : undefined)]))); break;
      }
    });
    this.region.blocks.forEach((b) => {
      const from = entries.get(b.pc)!;
      const exit = b.exit;
      const site = this.callReturnSite(b);
      if (site !== undefined) relooper.addBranch(from, entries.get(site)!, 0, 0);
      else if (exit.kind === "jump" || exit.kind === "call") {
        if (pcs.has(exit.target)) relooper.addBranch(from, entries.get(exit.target)!, 0, 0);
      } else if (exit.kind === "indirect" && indirect.has(b.pc)) {
        const { known, target, leave: out, table } = indirect.get(b.pc)!;
        if (table) {
          for (const t of known) relooper.addBranchForSwitch(from, entries.get(t)!, [table.slot(t)], 0);
          relooper.addBranchForSwitch(from, out, [], 0);
        } else {
          for (const t of known) relooper.addBranch(from, entries.get(t)!, m.i32.eq(m.local.get(target, binaryen.i32), m.i32.const(t | 0)), 0);
          relooper.addBranch(from, out, 0, 0);
        }
      } else if (exit.kind === "branch" && exit.taken === exit.fallthrough) {
        // a branch to the next instruction: both ways lead to the same block (the Relooper aborts on two
        // branches between the same pair of blocks)
        relooper.addBranch(from, pcs.has(exit.taken) ? entries.get(exit.taken)! : leave(b, exit.taken), 0, 0);
      } else if (exit.kind === "branch") {
        this.block = b;
        this.tempLocal = this.blockTemps.get(b)!;
        const cond = m.local.get(this.tempLocal[exit.cond]!, binaryen.i32);
        relooper.addBranch(from, pcs.has(exit.taken) ? entries.get(exit.taken)! : leave(b, exit.taken), cond, 0);
        relooper.addBranch(from, pcs.has(exit.fallthrough) ? entries.get(exit.fallthrough)! : leave(b, exit.fallthrough), 0, 0);
      }
    });
    // Several entries: a dispatch block switches on the entry ordinal (the function's parameter).
    let start = entries.get(this.region.entry)!;
    if (entryPcs.length > 1) {
      // a br_table on the ordinal (the main entry is the default)
      const dispatch = relooper.addBlockWithSwitch(m.nop(), m.local.get(0, binaryen.i32));
      entryPcs.forEach((pc, i) => {
        const to = entries.get(pc);
        if (!to) throw new Error(`internal error: region entry 0x${pc.toString(16)} is not one of its blocks`);
        if (i > 0) relooper.addBranchForSwitch(dispatch, to, [i], 0);
      });
      relooper.addBranchForSwitch(dispatch, entries.get(this.region.entry)!, [], 0);
      start = dispatch;
    }
    const label = this.local(binaryen.i32);
    let body: X;
    try {
      body = relooper.renderAndDispose(start, label);
    } catch {
      this.exitMarks = undefined;
      return undefined;
    }
    for (const { block, pc } of this.exitMarks ?? []) setBlockChild(block, 1, m.br("exit", 0, pc));
    this.exitMarks = undefined;
    return body;
  }

  /** Sets the budget local from the control block (none for a region without loops). */
  private budgetLeft = 0;
  private setBudget(): X[] {
    if (this.budgetChecked.size === 0) return [];
    const m = this.m;
    const { i32, i64 } = binaryen;
    const left = m.i64.sub(m.i64.load(CONTROL_BASE + CTRL.limit, 8, m.i32.const(0)), m.i64.load(CONTROL_BASE + CTRL.icount, 8, m.i32.const(0)));
    if (this.budgetLeft === 0) this.budgetLeft = this.local(i64);
    const l = () => m.local.get(this.budgetLeft, i64);
    return [
      m.local.set(this.budgetLeft, left),
      m.local.set(this.budget, m.select(m.i64.gt_s(l(), m.i64.const(BigInt(MAX_RUN))), m.i32.const(MAX_RUN),
        m.select(m.i64.lt_s(l(), m.i64.const(0n)), m.i32.const(0), m.i32.wrap(l())))),
    ];
  }

  /** constants of the call sequences that depend on this function's frame size (see callThrough) */
  private readonly frameConsts: Array<{ expr: X; value: (frameUnits: number) => number }> = [];

  /**
   * The return site of the call block `b` ends in, when it is a block of the region and the call runs as a
   * Wasm call (callThrough): not a direct call to a block of the region that is no region
   * entry of this module (code translated at run time), which stays a branch inside the region.
   */
  private callReturnSite(b: Block): number | undefined {
    const x = b.exit;
    if (!(x.kind === "call" || (x.kind === "indirect" && x.hint === "call")) || x.ret === undefined) return undefined;
    this.regionPcs ??= new Set(this.region.blocks.map((bl) => bl.pc));
    if (x.kind === "call" && this.regionPcs.has(x.target) && !this.direct.has(x.target)) return undefined;
    return this.regionPcs.has(x.ret) ? x.ret : undefined;
  }
  private regionPcs: Set<number> | undefined;

  /**
   * A call at the end of block `b` whose return site is in the region (exits.ts MAX_CALL_DEPTH): with the
   * registers written so far stored, calls the callee's region function — directly when it is a region of
   * this module, else the one the jump cache holds for the target — and, when it comes back with a Jump to
   * the return site, reloads the registers and budget and falls through (the caller wires the return site
   * next). A callee that stops for the runtime (syscall, trap, slow path) is returned from at once; one
   * that continues elsewhere (a return to another site, a longjmp, the instruction limit) continues there
   * through the jump cache. Over the depth limit, after a dropped translation, at the instruction limit, or
   * on a jump-cache miss, the call leaves the region as any exit does.
   */
  private callThrough(b: Block): X {
    const m = this.m;
    const { i32 } = binaryen;
    const x = b.exit;
    if (!(x.kind === "call" || x.kind === "indirect") || x.ret === undefined) throw new Error("internal error: not a call");
    const ret = x.ret;
    this.block = b;
    this.tempLocal = this.blockTemps.get(b)!;
    const target = this.scratch(i32);
    const result = this.scratch(i32);
    const cls = x.kind === "call" ? ExitClass.Direct : ExitClass.Indirect;
    const direct = x.kind === "call" ? this.direct.get(x.target) : undefined;
    const slots = this.writtenAt(b);
    // the depth word (exits.ts CTRL.depth) on entry to the call, restored after it
    const saved = this.scratch(i32);
    const word = () => m.local.get(saved, i32);
    const setDepth = (v: X) => m.i32.store(CONTROL_BASE + CTRL.depth, 4, m.i32.const(0), v);
    // this function's frame in stack units (its locals are all known only once it is lowered: patched then)
    const unitsLeft = m.i32.const(0), push = m.i32.const(0);
    this.frameConsts.push({ expr: unitsLeft, value: (w) => CALL_STACK_UNITS - w }, { expr: push, value: (w) => (w << 8) | 1 });
    const kindIsJump = () => m.i32.eqz(m.i32.load(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0)));
    /** the call itself: `result` = the callee's pc, depth counted around it */
    const callWith = (callee: X): X => m.block(null, [
      m.i32.store(CONTROL_BASE + CTRL.returns, 4, m.i32.shl(m.i32.and(word(), m.i32.const(0xff)), m.i32.const(2)), m.i32.const(ret | 0)),
      setDepth(m.i32.add(word(), push)),
      m.local.set(result, callee),
      setDepth(word()),
    ]);
    /** after the call: return for the runtime, continue elsewhere, or reload and fall through */
    const after: X[] = [
      m.if(m.i32.eqz(kindIsJump()), m.return(m.local.get(result, i32))),
      m.if(m.i32.ne(m.local.get(result, i32), m.i32.const(ret | 0)), m.block(null, this.chainTo(result, () => m.i32.const(ExitClass.Return), false))),
      ...[...this.slotLocal].map(([sl, l]) => m.local.set(l, this.loadSlot(sl))),
      ...this.setBudget(),
    ];
    const mayCall = m.i32.and(belowLimit(m), m.i32.and(
      m.i32.lt_u(m.i32.and(m.local.tee(saved, m.i32.load(CONTROL_BASE + CTRL.depth, 4, m.i32.const(0)), i32), m.i32.const(0xff)), m.i32.const(MAX_CALL_DEPTH)),
      m.i32.le_u(m.i32.shr_u(word(), m.i32.const(8)), unitsLeft)));
    let call: X;
    let leave: X[];
    if (direct) {
      const noDirect = () => m.i32.load(CONTROL_BASE + CTRL.noDirect, 4, m.i32.const(0));
      call = m.if(m.i32.and(m.i32.eqz(noDirect()), mayCall),
        m.block(null, [callWith(m.call(direct.body, [m.i32.const(direct.ordinal)], i32)), ...after]),
        m.block(null, [
          m.if(m.i32.and(m.i32.eqz(noDirect()), belowLimit(m)), m.return_call(direct.body, [m.i32.const(direct.ordinal)], i32)),
          m.return_call(CHAIN, [m.local.get(target, i32), m.i32.const(cls)], i32),
        ]));
      leave = [];
    } else {
      // the jump cache's region for the target (its table index), else leave
      if (this.chainEntry === 0) this.chainEntry = this.local(i32);
      const t = () => m.local.get(target, i32);
      const callDone = `call${this.labels++}`;
      call = m.block(callDone, [
        m.if(m.i32.and(mayCall, m.i32.ne(t(), m.i32.const(0))), jumpCacheProbe(m, t, this.chainEntry, (index) => m.block(null, [
          bump(m, () => m.i32.const(ExitClass.Indirect), 8),
          callWith(m.call_indirect(REGION_TABLE, index, [], binaryen.none, i32)), m.br(callDone)]))),
        // not called: leave as an indirect call does
        ...this.chainTo(target, () => m.i32.const(cls), false),
      ]);
      leave = after;
    }
    return m.block(null, [
      m.local.set(target, x.kind === "call" ? m.i32.const(x.target | 0) : this.toPc(x.target)),
      ...this.writeBack(slots),
      m.local.set(this.icount, m.i32.const(0)),
      m.i32.store(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0), m.i32.const(ExitKind.Jump)),
      call,
      ...leave,
    ]);
  }

  /** Stores the locals of `slots` back to the CPU state and adds the instructions run to the counters. */
  private writeBack(slots: Iterable<Slot>): X[] {
    const m = this.m;
    const out: X[] = [];
    for (const s of slots) out.push(this.storeSlot(s, m.local.get(this.slotLocal.get(s)!, wasmTy(this.layout.slots[s]!.ty))));
    const add = (offset: number) => m.i64.store(CONTROL_BASE + offset, 8, m.i32.const(0),
      m.i64.add(m.i64.load(CONTROL_BASE + offset, 8, m.i32.const(0)), m.i64.extend_u(m.local.get(this.icount, binaryen.i32))));
    out.push(add(CTRL.icount));
    if (!this.aot) out.push(add(CTRL.icountDyn));
    return out;
  }

  /**
   * Per block, the state slots some path from a region entry, or from the return site of a call run as a
   * Wasm call (after which every local is reloaded), may have written by the block's end (a forward
   * may-analysis over the region's blocks; a block's own writes included). An exit at the end of a block
   * writes back only those: a call out of a region that keeps twenty guest registers in locals stores the
   * few changed since the region was entered or the last call returned, not all twenty.
   */
  private readonly writtenBy = new Map<number, Set<Slot>>();
  private computeWrittenOnEntry(): void {
    for (const b of this.region.blocks) {
      const w = new Set<Slot>();
      for (const op of b.ops) {
        if (op.op === "set") w.add(op.slot);
        if (op.op === "farith" || op.op === "fcmp" || op.op === "ftoint" || op.op === "inttof" || op.op === "fconv") w.add(op.flags);
        if (op.op === "setflags") { const g = this.layout.flagGroups[op.group]!; for (const s of [g.kind, g.a, g.b, g.x]) w.add(s); }
      }
      this.writtenBy.set(b.pc, w);
    }
    const byPc = new Map(this.region.blocks.map((b) => [b.pc, b]));
    const work = this.region.blocks.map((b) => b.pc);
    const queued = new Set(work);
    while (work.length > 0) {
      const pc = work.pop()!;
      queued.delete(pc);
      const out = this.writtenBy.get(pc)!;
      // a call run as a Wasm call (callThrough) stores these before it and reloads every local after it: its
      // return site starts clean, and the next exit or call stores only what was written since
      if (this.callReturnSite(byPc.get(pc)!) !== undefined) continue;
      for (const succ of flowSuccessors(byPc.get(pc)!, (p) => byPc.has(p))) {
        const into = this.writtenBy.get(succ);
        if (!into) continue;
        const before = into.size;
        for (const sl of out) into.add(sl);
        if (into.size !== before && !queued.has(succ)) { queued.add(succ); work.push(succ); }
      }
    }
  }

  /** The slots an exit at the end of block `b` writes back (see computeWrittenOnEntry), in slot order. */
  private writtenAt(b: Block): Slot[] {
    return [...this.writtenBy.get(b.pc)!].filter((sl) => this.written.has(sl)).sort((a, c) => a - c);
  }

  /**
   * Leaves the region at the end of block `from`: writes back the slots written on the way (see
   * computeWrittenOnEntry), records `kind` and chains to `pc` with exit class `cls`.
   */
  private leaveFrom(from: Block, kind: ExitKind, cls: ExitClass, pc: X, directPc?: number): X {
    const m = this.m;
    const slots = this.writtenAt(from);
    const direct = kind === ExitKind.Jump && directPc !== undefined ? this.direct.get(directPc) : undefined;
    if (!direct && 2 * slots.length >= this.written.size) {
      // most of them: the shared epilogue (one copy of the stores)
      return m.block(null, [...(cls === ExitClass.Direct ? [] : [m.local.set(this.exitClass, m.i32.const(cls))]), this.exitTo(kind, pc)]);
    }
    const target = this.scratch(binaryen.i32);
    const chain = () => m.return_call(CHAIN, [m.local.get(target, binaryen.i32), m.i32.const(cls)], binaryen.i32);
    let continueAt: X[];
    if (direct) {
      // a region of this module: tail-call it while below the instruction limit and while no translation
      // has been dropped, else through the jump cache
      continueAt = [
        m.if(m.i32.and(m.i32.eqz(m.i32.load(CONTROL_BASE + CTRL.noDirect, 4, m.i32.const(0))), belowLimit(m)),
          m.return_call(direct.body, [m.i32.const(direct.ordinal)], binaryen.i32)),
        chain(),
      ];
    } else {
      continueAt = kind === ExitKind.Jump ? this.chainTo(target, () => m.i32.const(cls), false, cls === ExitClass.Return ? m.i32.const(1) : undefined) : [chain()];
    }
    return m.block(null, [
      m.local.set(target, pc),
      ...this.writeBack(slots),
      m.i32.store(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0), m.i32.const(kind)),
      ...continueAt,
    ]);
  }

  /**
   * Continues at the guest pc in local `pc` after the state is written back: the jump-cache lookup of
   * `chain` (exits.ts), inline, so that each exit has its own indirect call site (one shared site predicts
   * badly); on a miss, over the instruction limit or (when `checkKind`) after an exit other than a Jump,
   * `chain` itself, which counts the lookup and returns the pc to the runtime.
   */
  private chainEntry = 0;
  private chainTo(pc: number, cls: () => X, checkKind: boolean, isReturn?: X): X[] {
    const m = this.m;
    const { i32 } = binaryen;
    if (this.chainEntry === 0) this.chainEntry = this.local(i32);
    const target = () => m.local.get(pc, i32);
    let go = belowLimit(m);
    if (checkKind) go = m.i32.and(m.i32.eqz(m.i32.load(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0))), go);
    // a return to the site the innermost waiting caller (callThrough) waits for: back to it
    const back = isReturn === undefined ? [] : [m.if(m.i32.and(isReturn, returnsToCaller(m, target())), m.return(target()))];
    return [
      ...back,
      m.if(m.i32.and(go, m.i32.ne(target(), m.i32.const(0))), jumpCacheLookup(m, target, this.chainEntry, cls)),
      m.return_call(CHAIN, [target(), cls()], i32),
    ];
  }

  /**
   * The region's blocks (lowered again) in address order under one dispatch loop: `loop { block ... block
   * { br_table(label) } code0 ... } codeN }`. A branch to the next block falls through; any other branch
   * inside the region sets the label and restarts the loop. Linear in the region's size, for any graph.
   */
  private structureSwitch(entryPcs: number[]): X {
    const m = this.m;
    const blocks = this.region.blocks;
    const index = new Map(blocks.map((b, i) => [b.pc, i]));
    const label = this.local(binaryen.i32);
    const name = (i: number) => `sw${i}`;
    const go = (from: number, pc: number): X => {
      const to = index.get(pc);
      if (to === undefined) return this.exitTo(ExitKind.Jump, m.i32.const(pc | 0));
      if (to === from + 1) return m.nop();
      return m.block(null, [m.local.set(label, m.i32.const(to)), m.br("dispatch")]);
    };
    let nest: X = m.block(name(0), [m.switch(blocks.map((_, i) => name(i)), name(0), m.local.get(label, binaryen.i32))]);
    let last: X[] = [];
    blocks.forEach((b, i) => {
      const code = this.lowerBlock(b);
      const x = b.exit;
      const site = this.callReturnSite(b);
      if (site !== undefined) {
        code.push(this.callThrough(b), go(i, site));
        if (i + 1 < blocks.length) nest = m.block(name(i + 1), [nest, ...code]);
        else last = code;
        return;
      }
      switch (x.kind) {
        case "jump": case "call": code.push(go(i, x.target)); break;
        case "branch":
          code.push(m.if(m.local.get(this.blockTemps.get(b)![x.cond]!, binaryen.i32), go(i, x.taken), go(i, x.fallthrough)));
          break;
        case "indirect": {
          const target = this.scratch(binaryen.i32);
          code.push(m.local.set(target, this.toPc(x.target)));
          // known targets in the region first (an if-else chain: `go` to the next block falls through), else leave
          let chain: X = m.block(null, [m.local.set(this.exitClass, m.i32.const(x.hint === "return" ? ExitClass.Return : ExitClass.Indirect)),
            this.exitTo(ExitKind.Jump, m.local.get(target, binaryen.i32))]);
          for (const t of [...(x.targets ?? [])].reverse()) {
            if (index.has(t)) chain = m.if(m.i32.eq(m.local.get(target, binaryen.i32), m.i32.const(t | 0)), go(i, t), chain);
          }
          code.push(chain);
          break;
        }
        case "runtime": code.push(this.exitTo(x.request === "syscall" ? ExitKind.Syscall : ExitKind.FenceI, m.i32.const(x.next | 0))); break;
        case "trap":
          code.push(this.trapExit(x.signal, x.code, m.i32.const(x.pc | 0), x.addr !== undefined ? m.i64.const(BigInt(x.addr)) : undefined));
          break;
      }
      if (i + 1 < blocks.length) nest = m.block(name(i + 1), [nest, ...code]);
      else last = code;
    });
    // the entry ordinal (parameter 0) selects the first block
    let init: X = m.i32.const(0);
    for (let k = entryPcs.length - 1; k > 0; k--) {
      init = m.select(m.i32.eq(m.local.get(0, binaryen.i32), m.i32.const(k)), m.i32.const(index.get(entryPcs[k]!)!), init);
    }
    return m.block(null, [m.local.set(label, init), m.loop("dispatch", m.block(null, [nest, ...last])), m.unreachable()]);
  }

  private readonly blockTemps = new Map<Block, number[]>();
  /** the region's grouped memory accesses (see planAccessGroups) */
  private readonly accessPlan: Map<Op, AccessPlan>;

  private lowerBlock(b: Block): X[] {
    this.block = b;
    this.narrow.clear();
    this.rawTemps.clear();
    this.rawSlots.clear();
    this.constI32.clear();
    this.slotNarrow.clear();
    this.poolUsed.clear();
    this.tempLocal = b.temps.map((ty) => this.scratch(wasmTy(ty)));
    this.blockTemps.set(b, this.tempLocal);
    this.insnIndex = -1;
    const m = this.m;
    const out: X[] = [];
    if (this.budgetChecked.has(b.pc)) {
      out.push(m.if(m.i32.ge_u(m.local.get(this.icount, binaryen.i32), m.local.get(this.budget, binaryen.i32)),
        this.exitTo(ExitKind.Jump, m.i32.const(b.pc | 0))));
    }
    out.push(m.local.set(this.icount, m.i32.add(m.local.get(this.icount, binaryen.i32), m.i32.const(b.ninsns))));
    for (const op of b.ops) out.push(...this.lowerOp(op));
    out.push(...this.flush(), ...this.canonicalSlots());
    this.rawTemps.clear();
    return out;
  }

  /**
   * Deferred NaN canonicalisation. Without observed FP flags, an f64 add, sub, mul, div, sqrt or fused
   * multiply-add is the bare Wasm instruction, whose NaN results may carry any sign and payload where RISC-V
   * gives its canonical NaN. Such a result feeds further ops of that kind as it is (any NaN in gives a NaN
   * out), and is made canonical only where something else reads it: any other op through `t`, and state
   * slots at the block's end and before any exit (mid-block exits included). `rawTemps`: temps of the
   * current block holding such a result; `rawSlots`: slot locals holding one; `pendingRaw`: pending writes
   * of one.
   */
  private readonly rawTemps = new Set<Temp>();
  private readonly rawSlots = new Set<Slot>();
  private readonly pendingRaw = new Set<Slot>();
  private static readonly RAW_NAN_OPS: ReadonlySet<FpArith> = new Set<FpArith>(["add", "sub", "mul", "div", "sqrt", "madd"]);
  /** At the block's end: makes the slot locals that may hold a raw NaN canonical. */
  private canonicalSlots(): X[] {
    const out = this.canonicalSlotsOnExit();
    this.rawSlots.clear();
    return out;
  }
  /** A temp's local as it is, a raw NaN included (only for NaN-propagating ops). */
  private tRaw(temp: Temp): X { return this.m.local.get(this.tempLocal[temp]!, wasmTy(this.block.temps[temp]!)); }

  /**
   * State writes of the current guest instruction, applied at its end (flush): an instruction that leaves
   * early (fault, trap, slow path) has no effect on the state, as in the interpreter.
   */
  private readonly pending = new Map<Slot, () => X>();
  /**
   * i64 temps of the current block known to be sign extensions of an i32 value, with that value (a local or
   * constant, stable for the rest of the block); and the same for state slots holding such a temp.
   */
  private readonly narrow = new Map<Temp, () => X>();
  /** i32 temps of the current block known to hold a constant (rounding modes: the FP fast paths fold on them) */
  private readonly constI32 = new Map<Temp, number>();
  /** A temp's value as an expression: the constant itself when known. */
  private tc(temp: Temp): X { const c = this.constI32.get(temp); return c === undefined ? this.t(temp) : this.m.i32.const(c); }
  private readonly slotNarrow = new Map<Slot, () => X>();
  private flush(): X[] {
    const out: X[] = [];
    for (const [s, v] of this.pending) {
      out.push(this.m.local.set(this.slotLocal.get(s)!, v()));
      if (this.pendingRaw.has(s)) this.rawSlots.add(s); else this.rawSlots.delete(s);
    }
    this.pending.clear();
    this.pendingRaw.clear();
    return out;
  }
  /** Whether slotValue(s) may be a raw NaN (see rawTemps). */
  private slotRaw(s: Slot): boolean { return this.pending.has(s) ? this.pendingRaw.has(s) : this.rawSlots.has(s); }
  /** The current value of a state slot, including writes of the current instruction. */
  private slotValue(s: Slot): X {
    return this.pending.get(s)?.() ?? this.m.local.get(this.slotLocal.get(s)!, wasmTy(this.layout.slots[s]!.ty));
  }

  private t(temp: Temp): X {
    if (this.rawTemps.has(temp)) return canonical64(this.m, () => this.tRaw(temp));
    return this.m.local.get(this.tempLocal[temp]!, wasmTy(this.block.temps[temp]!));
  }
  private def(temp: Temp, value: X): X { this.rawTemps.delete(temp); return this.m.local.set(this.tempLocal[temp]!, value); }
  private is64(temp: Temp): boolean { const ty = this.block.temps[temp]!; return ty === "i64" || ty === "f64"; }

  private loadSlot(s: Slot): X {
    const off = STATE_BASE + this.layout.slots[s]!.offset;
    return wasmTy(this.layout.slots[s]!.ty) === binaryen.i64 ? this.m.i64.load(off, 8, this.m.i32.const(0)) : this.m.i32.load(off, 4, this.m.i32.const(0));
  }
  private storeSlot(s: Slot, v: X): X {
    const off = STATE_BASE + this.layout.slots[s]!.offset;
    return wasmTy(this.layout.slots[s]!.ty) === binaryen.i64 ? this.m.i64.store(off, 8, this.m.i32.const(0), v) : this.m.i32.store(off, 4, this.m.i32.const(0), v);
  }

  /** exits made while the Relooper's second try lowers the blocks: their block and pc (see structureRelooper) */
  private exitMarks: Array<{ block: X; pc: X }> | undefined;
  /** Leaves the region: records `kind`, then branches to the write-back epilogue with `pc`. */
  private exitTo(kind: ExitKind, pc: X): X {
    const m = this.m;
    const store = m.i32.store(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0), m.i32.const(kind));
    // slot locals holding a raw NaN are made canonical on this path only: they stay raw after it
    const raw = this.rawSlots.size ? this.canonicalSlotsOnExit() : [];
    if (this.exitMarks) {
      // a stand-in for the branch (a named block: the Relooper keeps it whole), replaced once rendered
      const block = m.block(`x${this.exitMarks.length}`, [store, m.nop(), m.unreachable()]);
      this.exitMarks.push({ block, pc });
      return raw.length ? m.block(null, [...raw, block]) : block;
    }
    return m.block(null, [...raw, store, m.br("exit", 0, pc)]);
  }
  private canonicalSlotsOnExit(): X[] {
    const m = this.m;
    return [...this.rawSlots].map((s) => {
      const l = this.slotLocal.get(s)!;
      return m.local.set(l, canonical64(m, () => m.local.get(l, binaryen.i64)));
    });
  }
  /** Leaves mid-block before the current instruction: uncounts the instructions not executed. */
  private sideExit(kind: ExitKind, extra: X[] = []): X {
    const m = this.m;
    const notRun = this.block.ninsns - this.insnIndex;
    return m.block(null, [
      m.local.set(this.icount, m.i32.sub(m.local.get(this.icount, binaryen.i32), m.i32.const(notRun))),
      ...extra,
      this.exitTo(kind, m.i32.const(this.insnPc | 0)),
    ]);
  }
  private trapExit(signal: number, code: number, pc: X, addr: X | undefined): X {
    const m = this.m;
    return m.block(null, [
      m.i32.store(CONTROL_BASE + CTRL.signal, 4, m.i32.const(0), m.i32.const(signal)),
      m.i32.store(CONTROL_BASE + CTRL.code, 4, m.i32.const(0), m.i32.const(code)),
      m.i32.store(CONTROL_BASE + CTRL.fault, 4, m.i32.const(0), m.i32.const(addr === undefined ? 0 : 1)),
      ...(addr === undefined ? [] : [m.i64.store(CONTROL_BASE + CTRL.addr, 8, m.i32.const(0), addr)]),
      this.exitTo(ExitKind.Trap, pc),
    ]);
  }

  /** A guest address temp (i64 or i32) as an i32 pc. */
  private toPc(temp: Temp): X { return this.is64(temp) ? this.m.i32.wrap(this.t(temp)) : this.t(temp); }

  /**
   * A memory access of `size` bytes at guest address temp `addr` (`a32` already holds its low half): the
   * inline `access` when the page map allows it — a 64-bit address below 4 GiB, the page's `bit` set, the
   * access inside the page — else a side exit before the instruction (ExitKind.Slow), after which the
   * runtime executes the instruction in the interpreter: faults, accesses across pages and stores to pages
   * holding translated code. Keeping calls out of the fast path lets the host compiler keep guest registers
   * in machine registers across loops.
   */
  private checkedAccess(addr: Temp, size: number, bit: number, a32: number, access: X, ty: binaryen.Type, plan?: AccessPlan): X {
    const m = this.m;
    // a group's leader checks the group's whole span [addr + lo, addr + lo + span) instead of its own bytes
    const lo = plan?.lo ?? 0;
    if (plan !== undefined) size = plan.span;
    // the low half of the checked span's start
    const pre: X[] = [];
    let get = () => m.local.get(a32, binaryen.i32);
    if (lo !== 0) {
      const h = this.scratch(binaryen.i32);
      pre.push(m.local.set(h, m.i32.add(get(), m.i32.const(lo))));
      get = () => m.local.get(h, binaryen.i32);
    }
    const slow = `slow${this.labels++}`, ok = `ok${this.labels++}`;
    // the checks branch to $ok when the access may go ahead, to $slow when the runtime must do it
    const checks: X[] = [];
    let page: () => X;
    if (this.is64(addr)) {
      // the 64-bit page number, below 2^20 (a 32-bit address), indexes the map
      const p = this.scratch(binaryen.i64);
      const start = lo === 0 ? this.t(addr) : m.i64.add(this.t(addr), m.i64.const(BigInt(lo)));
      checks.push(m.br(slow, m.i64.ge_u(m.local.tee(p, m.i64.shr_u(start, m.i64.const(12n)), binaryen.i64), m.i64.const(BigInt(PAGE_MAP_SIZE)))));
      page = () => m.i32.wrap(m.local.get(p, binaryen.i64));
    } else {
      page = () => m.i32.shr_u(get(), m.i32.const(12));
    }
    const mapAllows = (b: number) => m.i32.and(m.i32.load8_u(PAGE_MAP_BASE, 1, page()), m.i32.const(b));
    // several bytes: the page and the next one both allow it, so the access may cross pages
    if (size > 1) checks.push(m.br(ok, mapAllows(bit === PAGE_FAST_READ ? PAGE_FAST_READ2 : PAGE_FAST_WRITE2)));
    // else (one byte, or the last page of a mapping): the page allows it and the access stays inside the page
    checks.push(m.br(slow, m.i32.eqz(mapAllows(bit))));
    if (size > 1) checks.push(m.br(slow, m.i32.gt_u(m.i32.and(get(), m.i32.const(PAGE_SIZE - 1)), m.i32.const(PAGE_SIZE - size))));
    checks.push(m.br(ok));
    // one copy of the access after the checks (no value merged from several copies)
    const check = m.block(ok, [m.block(slow, checks), this.sideExit(ExitKind.Slow)]);
    return ty === binaryen.none ? m.block(null, [...pre, check, access]) : m.block(null, [...pre, check, access], ty);
  }

  private lowerOp(op: Op): X[] {
    const m = this.m;
    switch (op.op) {
      case "insn": {
        const out = this.flush();
        this.insnIndex++; this.insnPc = op.pc;
        return out;
      }
      case "const": {
        const v = op.value;
        if (typeof v === "number" && op.ty === "i32") this.constI32.set(op.dst, v | 0);
        if (typeof v === "bigint" && BigInt.asIntN(32, v) === BigInt.asIntN(64, v)) { const n = Number(BigInt.asIntN(32, v)); this.narrow.set(op.dst, () => m.i32.const(n)); }
        return [this.def(op.dst, typeof v === "bigint" ? m.i64.const(BigInt.asIntN(64, v)) : m.i32.const(v | 0))];
      }
      case "get": {
        if (op.slot === this.fp.staticRounding) {
          this.constI32.set(op.dst, Rounding.RNE);
          return [this.def(op.dst, m.i32.const(Rounding.RNE))];
        }
        const n = this.slotNarrow.get(op.slot);
        if (n !== undefined) this.narrow.set(op.dst, n);
        const raw = this.slotRaw(op.slot);
        const out = [this.def(op.dst, this.slotValue(op.slot))];
        if (raw) this.rawTemps.add(op.dst);
        return out;
      }
      case "set": {
        const v = op.value;
        if (this.rawTemps.has(v) && wasmTy(this.layout.slots[op.slot]!.ty) === binaryen.i64) {
          this.pending.set(op.slot, () => this.tRaw(v));
          this.pendingRaw.add(op.slot);
        } else {
          this.pending.set(op.slot, () => this.t(v));
          this.pendingRaw.delete(op.slot);
        }
        const n = this.narrow.get(v);
        if (n !== undefined) this.slotNarrow.set(op.slot, n); else this.slotNarrow.delete(op.slot);
        return [];
      }
      case "bin": {
        // and/or/xor of sign-extended 32-bit values is the sign extension of the 32-bit operation: keep it
        // in i32 (the host compiler then sees 32-bit idioms such as rotates written as two shifts and an or)
        const na = this.narrow.get(op.a), nb = this.narrow.get(op.b);
        if (op.ty === "i64" && na && nb && (op.bin === "and" || op.bin === "or" || op.bin === "xor")) {
          const l = this.scratch(binaryen.i32);
          const v = op.bin === "and" ? m.i32.and(na(), nb()) : op.bin === "or" ? m.i32.or(na(), nb()) : m.i32.xor(na(), nb());
          this.narrow.set(op.dst, () => m.local.get(l, binaryen.i32));
          return [m.local.set(l, v), this.def(op.dst, m.i64.extend_s(m.local.get(l, binaryen.i32)))];
        }
        return [this.def(op.dst, this.bin(op.ty, op.bin, this.t(op.a), this.t(op.b), op.a, op.b))];
      }
      case "un": return [this.def(op.dst, this.un(op.ty, op.un, this.t(op.a)))];
      case "conv": {
        const n = this.narrow.get(op.a);
        if (op.conv === "wrap" && n) return [this.def(op.dst, n())];
        if (op.conv === "sext") { const a = op.a; this.narrow.set(op.dst, () => this.t(a)); }
        return [this.def(op.dst, op.conv === "wrap" ? m.i32.wrap(this.t(op.a)) : op.conv === "sext" ? m.i64.extend_s(this.t(op.a)) : m.i64.extend_u(this.t(op.a)))];
      }
      case "select": return [this.def(op.dst, m.select(this.t(op.cond), this.t(op.a), this.t(op.b)))];
      case "load": {
        const a32 = this.scratch(binaryen.i32);
        const ptr = m.local.get(a32, binaryen.i32);
        let v: X;
        if (op.ty === "i64") {
          v = op.size === 8 ? m.i64.load(0, 1, ptr)
            : op.size === 4 ? (op.signed && op.endian === "le" ? m.i64.load32_s(0, 1, ptr) : m.i64.load32_u(0, 1, ptr))
            : op.size === 2 ? (op.signed && op.endian === "le" ? m.i64.load16_s(0, 1, ptr) : m.i64.load16_u(0, 1, ptr))
            : (op.signed ? m.i64.load8_s(0, 1, ptr) : m.i64.load8_u(0, 1, ptr));
          if (op.endian === "be" && op.size > 1) {
            v = this.un("i64", op.size === 8 ? "bswap64" : op.size === 4 ? "bswap32" : "bswap16", v);
            if (op.signed && op.size < 8) v = op.size === 4 ? m.i64.extend32_s(v) : m.i64.extend16_s(v);
          }
        } else {
          v = op.size >= 4 ? m.i32.load(0, 1, ptr)
            : op.size === 2 ? (op.signed && op.endian === "le" ? m.i32.load16_s(0, 1, ptr) : m.i32.load16_u(0, 1, ptr))
            : (op.signed ? m.i32.load8_s(0, 1, ptr) : m.i32.load8_u(0, 1, ptr));
          if (op.endian === "be" && op.size > 1) {
            v = this.un("i32", op.size === 4 ? "bswap32" : "bswap16", v);
            if (op.signed && op.size === 2) v = m.i32.extend16_s(v);
          }
        }
        const plan = this.accessPlan.get(op);
        if (plan?.covered) return [m.local.set(a32, this.toPc(op.addr)), this.def(op.dst, v)];
        return [m.local.set(a32, this.toPc(op.addr)), this.def(op.dst, this.checkedAccess(op.addr, op.size, plan?.bit ?? PAGE_FAST_READ, a32, v, wasmTy(op.ty), plan))];
      }
      case "store": {
        const a32 = this.scratch(binaryen.i32);
        const ptr = m.local.get(a32, binaryen.i32);
        const is64 = this.is64(op.value);
        let v = this.t(op.value);
        if (op.endian === "be" && op.size > 1) {
          v = this.un(is64 ? "i64" : "i32", op.size === 8 ? "bswap64" : op.size === 4 ? "bswap32" : "bswap16", v);
        }
        const st = is64
          ? (op.size === 8 ? m.i64.store(0, 1, ptr, v) : op.size === 4 ? m.i64.store32(0, 1, ptr, v) : op.size === 2 ? m.i64.store16(0, 1, ptr, v) : m.i64.store8(0, 1, ptr, v))
          : (op.size >= 4 ? m.i32.store(0, 1, ptr, v) : op.size === 2 ? m.i32.store16(0, 1, ptr, v) : m.i32.store8(0, 1, ptr, v));
        const plan = this.accessPlan.get(op);
        const access = plan?.covered ? [m.local.set(a32, this.toPc(op.addr)), st]
          : [m.local.set(a32, this.toPc(op.addr)), this.checkedAccess(op.addr, op.size, PAGE_FAST_WRITE, a32, st, binaryen.none, plan)];
        return op.cond === undefined ? access : [m.if(this.t(op.cond), m.block(null, access))];
      }
      case "trapif": {
        const m2 = this.m;
        return [m2.if(this.t(op.cond), this.sideExitTrap(op.signal, op.code))];
      }
      case "farith": {
        // operands and result travel through the control block (no BigInt conversions on the JS side)
        const arg = (t: Temp | undefined) => (t === undefined ? m.i64.const(0n) : this.is64(t) ? this.t(t) : m.i64.extend_u(this.t(t)));
        const zero = () => m.i32.const(0);
        const slow: X[] = [m.i64.store(CONTROL_BASE + CTRL.fpa, 8, zero(), arg(op.a))];
        if (op.b !== undefined) slow.push(m.i64.store(CONTROL_BASE + CTRL.fpb, 8, zero(), arg(op.b)));
        if (op.c !== undefined) slow.push(m.i64.store(CONTROL_BASE + CTRL.fpc, 8, zero(), arg(op.c)));
        const raised = m.call(FP_IMPORTS.arith, [m.i32.const(FP_CODES.fmt[op.fmt]), m.i32.const(FP_CODES.arith[op.fop]),
          this.t(op.rm), m.i32.const(FP_CODES.nan[op.nan])], binaryen.i32);
        const r = m.i64.load(CONTROL_BASE + CTRL.fpr, 8, zero());
        const operands = [op.a, op.b, op.c];
        const sameWidth = operands.every((t) => t === undefined || this.is64(t) === (op.fmt === "f64"));
        // with the flags unobserved, the helper as one out-of-line call (its raised flags are not needed)
        const anyCall = this.fp.flagsUnobserved ? () => {
          const v = m.call(slowArith(m), [m.i32.const(FP_CODES.fmt[op.fmt]), m.i32.const(FP_CODES.arith[op.fop]), this.t(op.rm),
            m.i32.const(FP_CODES.nan[op.nan]), arg(op.a), arg(op.b), arg(op.c)], binaryen.i64);
          return op.fmt === "f64" ? v : m.i32.wrap(v);
        } : undefined;
        // a NaN-propagating f64 op without flags: raw NaNs in and out (see rawTemps)
        const raw = this.fp.fastPaths && this.fp.flagsUnobserved && op.fmt === "f64" && sameWidth && op.nan === "canonical"
          && RegionLowering.RAW_NAN_OPS.has(op.fop);
        const out = this.fpOp(op.dst, op.flags, slow, op.fmt === "f64" ? r : m.i32.wrap(r), raised, (nx) => (sameWidth
          ? fastArith(raw ? { ...this.fpContext, rawNaN: true } : this.fpContext, op.fmt, op.fop,
            (i) => (raw ? this.tRaw(operands[i]!) : this.t(operands[i]!)), () => this.tc(op.rm), nx, op.nan)
          : undefined), anyCall);
        if (raw) this.rawTemps.add(op.dst);
        return out;
      }
      case "fcmp": {
        const arg = (t: Temp) => (this.is64(t) ? this.t(t) : m.i64.extend_u(this.t(t)));
        const call = m.call(FP_IMPORTS.cmp, [m.i32.const(FP_CODES.fmt[op.fmt]), m.i32.const(FP_CODES.cmp[op.cmp]), arg(op.a), arg(op.b)], binaryen.i32);
        const sameWidth = this.is64(op.a) === (op.fmt === "f64") && this.is64(op.b) === (op.fmt === "f64") && !this.is64(op.dst);
        return this.fpOp(op.dst, op.flags, [], call, undefined, () => (sameWidth
          ? fastCompare(this.fpContext, op.fmt, op.cmp, () => this.t(op.a), () => this.t(op.b)) : undefined));
      }
      case "ftoint": {
        const a = this.is64(op.a) ? this.t(op.a) : m.i64.extend_u(this.t(op.a));
        const call = m.call(FP_IMPORTS.toint, [m.i32.const(FP_CODES.fmt[op.fmt]), a, m.i32.const(op.width), m.i32.const(op.signed ? 1 : 0), this.t(op.rm)], binaryen.i64);
        const fits = this.is64(op.a) === (op.fmt === "f64") && this.is64(op.dst) === (op.width === 64);
        return this.fpOp(op.dst, op.flags, [], this.is64(op.dst) ? call : m.i32.wrap(call), undefined, (nx) => (fits
          ? fastToInt(this.fpContext, op.fmt, () => this.t(op.a), op.width, op.signed, () => this.tc(op.rm), nx) : undefined));
      }
      case "inttof": {
        const wide = this.is64(op.a);
        const a = wide ? this.t(op.a) : op.signed ? m.i64.extend_s(this.t(op.a)) : m.i64.extend_u(this.t(op.a));
        const call = m.call(FP_IMPORTS.fromint, [m.i32.const(FP_CODES.fmt[op.fmt]), a, m.i32.const(op.signed ? 1 : 0), m.i32.const(wide ? 64 : 32), this.t(op.rm)], binaryen.i64);
        const fits = this.is64(op.dst) === (op.fmt === "f64");
        return this.fpOp(op.dst, op.flags, [], op.fmt === "f64" ? call : m.i32.wrap(call), undefined, (nx) => (fits
          ? fastFromInt(this.fpContext, op.fmt, () => this.t(op.a), wide, op.signed, () => this.tc(op.rm), nx) : undefined));
      }
      case "fconv": {
        const a = this.is64(op.a) ? this.t(op.a) : m.i64.extend_u(this.t(op.a));
        const call = m.call(FP_IMPORTS.conv, [m.i32.const(FP_CODES.fmt[op.fmt]), a, this.t(op.rm), m.i32.const(FP_CODES.nan[op.nan])], binaryen.i64);
        const fits = this.is64(op.dst) === (op.fmt === "f64") && this.is64(op.a) !== (op.fmt === "f64");
        return this.fpOp(op.dst, op.flags, [], op.fmt === "f64" ? call : m.i32.wrap(call), undefined, (nx) => (fits
          ? fastConvert(this.fpContext, op.fmt, () => this.t(op.a), () => this.tc(op.rm), nx, op.nan) : undefined));
      }
      case "fclass": {
        const a = this.is64(op.a) ? this.t(op.a) : m.i64.extend_u(this.t(op.a));
        return [this.def(op.dst, m.call(FP_IMPORTS.fclass, [m.i32.const(FP_CODES.fmt[op.fmt]), a], binaryen.i32))];
      }
      case "call": {
        const call = m.call(`h_${op.helper}`, op.args.map((a) => this.t(a)), op.ty ? wasmTy(op.ty) : binaryen.none);
        return [op.dst !== undefined ? this.def(op.dst, call) : call];
      }
      case "setflags": {
        // the record as the interpreter stores it: i32 operands sign-extended to i64
        const g = this.layout.flagGroups[op.group]!;
        for (const s of [g.kind, g.a, g.b, g.x]) this.slotNarrow.delete(s);
        const wide = (t: Temp) => () => (this.is64(t) ? this.t(t) : m.i64.extend_s(this.t(t)));
        const kind = flagKindWord(op.kind, op.width);
        this.pending.set(g.kind, () => m.i32.const(kind));
        this.pending.set(g.a, wide(op.a));
        this.pending.set(g.b, wide(op.b));
        this.pending.set(g.x, op.x === undefined ? () => m.i64.const(0n) : wide(op.x));
        return [];
      }
      case "getflag": {
        const g = this.layout.flagGroups[op.group]!;
        const v = m.call("flag_eval", [this.slotValue(g.kind), this.slotValue(g.a), this.slotValue(g.b), this.slotValue(g.x),
          m.i32.const(FLAG_INDEX[op.flag])], binaryen.i32);
        return [this.def(op.dst, this.is64(op.dst) ? m.i64.extend_u(v) : v)];
      }
    }
  }

  private sideExitTrap(signal: number, code: number): X {
    const m = this.m;
    const notRun = this.block.ninsns - this.insnIndex;
    return m.block(null, [
      m.local.set(this.icount, m.i32.sub(m.local.get(this.icount, binaryen.i32), m.i32.const(notRun))),
      this.trapExit(signal, code, m.i32.const(this.insnPc | 0), undefined),
    ]);
  }

  /** Locals and module for the FP fast paths (translator/codegen/fpfast.ts). */
  private get fpContext(): FpContext { return { m: this.m, scratch: (ty) => this.scratch(ty), flagsUnobserved: this.fp.flagsUnobserved, inlineFma: this.fp.inlineFma === true }; }

  /**
   * An FP op with an exact helper call and an optional inline fast path. `slowPre` runs before `result`
   * (the helper call's value, or the load of its result after the call `raised`, which then returns the
   * flags it raised; otherwise they are read from the control block). The fast path, given the i32
   * "NX already accrued", proves its own result and leaves the flags unchanged.
   */
  private fpOp(dst: Temp, flags: Slot, slowPre: X[], result: X, raised: X | undefined, fast: (nx: () => X) => FastPath | undefined,
    slowValue?: () => X): X[] {
    const m = this.m;
    const old = this.scratch(binaryen.i32), acc = this.scratch(binaryen.i32);
    const res = this.scratch(this.is64(dst) ? binaryen.i64 : binaryen.i32);
    const out: X[] = [m.local.set(old, this.slotValue(flags))];
    const oldFlags = () => m.local.get(old, binaryen.i32);
    const slow: X[] = [...slowPre];
    if (raised !== undefined) {
      const l = this.scratch(binaryen.i32);
      slow.push(m.local.set(l, raised), m.local.set(res, result), m.local.set(acc, m.i32.or(oldFlags(), m.local.get(l, binaryen.i32))));
    } else {
      slow.push(m.local.set(res, result), m.local.set(acc, m.i32.or(oldFlags(), m.i32.load(CONTROL_BASE + CTRL.fpflags, 4, m.i32.const(0)))));
    }
    const nx = this.fp.flagsUnobserved ? () => m.i32.const(1) : () => m.i32.and(oldFlags(), m.i32.const(FpFlag.NX));
    const f = this.fp.fastPaths ? fast(nx) : undefined;
    const ty = this.is64(dst) ? binaryen.i64 : binaryen.i32;
    if (f === undefined) out.push(...slow);
    else if (f.total !== undefined) {
      // no test: the fast path's result in every case, the helper only where it says
      const block = m.block(null, [...slow, m.local.get(res, ty)], ty);
      let used = 0; // the helper's block is one expression: a second use takes a copy
      const slowOnce = () => (used++ === 0 ? block : m.copyExpression(block));
      out.push(...f.pre, m.local.set(acc, oldFlags()), m.local.set(res, f.total(slowValue ?? slowOnce)));
    } else {
      let uses = 0; // f.value is one expression: a second use takes a copy
      const fastSet = () => m.block(null, [m.local.set(res, uses++ === 0 ? f.value : m.copyExpression(f.value)), m.local.set(acc, oldFlags())]);
      const checked = m.if(f.ok, fastSet(), m.block(null, slow));
      // the common state first, in one branch; the full condition only when that fails
      out.push(...f.pre, f.hot === undefined ? checked : m.if(f.hot, fastSet(), checked));
    }
    out.push(this.def(dst, m.local.get(res, this.is64(dst) ? binaryen.i64 : binaryen.i32)));
    this.pending.set(flags, () => m.local.get(acc, binaryen.i32));
    return out;
  }

  private bin(ty: "i32" | "i64", op: string, a: X, b: X, ta: Temp, tb: Temp): X {
    const m = this.m;
    const I = ty === "i64" ? m.i64 : m.i32;
    const c = (v: number) => (ty === "i64" ? m.i64.const(BigInt(v)) : m.i32.const(v));
    const min = ty === "i64" ? m.i64.const(-(1n << 63n)) : m.i32.const(-0x80000000);
    switch (op) {
      case "add": return I.add(a, b);
      case "sub": return I.sub(a, b);
      case "mul": return I.mul(a, b);
      case "and": return I.and(a, b);
      case "or": return I.or(a, b);
      case "xor": return I.xor(a, b);
      case "shl": return I.shl(a, b);
      case "shrs": return I.shr_s(a, b);
      case "shru": return I.shr_u(a, b);
      case "rotl": return I.rotl(a, b);
      case "rotr": return I.rotr(a, b);
      case "eq": return I.eq(a, b);
      case "ne": return I.ne(a, b);
      case "lts": return I.lt_s(a, b);
      case "ltu": return I.lt_u(a, b);
      case "les": return I.le_s(a, b);
      case "leu": return I.le_u(a, b);
      case "gts": return I.gt_s(a, b);
      case "gtu": return I.gt_u(a, b);
      case "ges": return I.ge_s(a, b);
      case "geu": return I.ge_u(a, b);
      // Total division (ir.ts): a zero divisor is replaced by 1 before the Wasm op, and the result chosen
      // by select; MIN / -1 is computed as MIN / 1 (= MIN) and Wasm's rem_s(MIN, -1) is already 0.
      case "divs": {
        const bz = I.eqz(this.t(tb));
        const ovf = m.i32.and(I.eq(this.t(ta), min), I.eq(this.t(tb), c(-1)));
        const safe = m.select(m.i32.or(bz, ovf), c(1), b);
        return m.select(I.eqz(this.t(tb)), c(-1), I.div_s(a, safe));
      }
      case "divu": return m.select(I.eqz(this.t(tb)), c(-1), I.div_u(a, m.select(I.eqz(this.t(tb)), c(1), b)));
      case "rems": return m.select(I.eqz(this.t(tb)), this.t(ta), I.rem_s(a, m.select(I.eqz(this.t(tb)), c(1), b)));
      case "remu": return m.select(I.eqz(this.t(tb)), this.t(ta), I.rem_u(a, m.select(I.eqz(this.t(tb)), c(1), b)));
      case "mulhu": case "mulhs": case "mulhsu": {
        if (ty === "i32") {
          const ea = op === "mulhu" ? m.i64.extend_u(a) : m.i64.extend_s(a);
          const eb = op === "mulhs" ? m.i64.extend_s(b) : m.i64.extend_u(b);
          return m.i32.wrap(m.i64.shr_u(m.i64.mul(ea, eb), m.i64.const(32n)));
        }
        return m.call(`mulh_${op}`, [a, b], binaryen.i64);
      }
    }
    throw new UnsupportedIR(`binary op ${op}`);
  }

  private un(ty: "i32" | "i64", op: string, a: X): X {
    const m = this.m;
    if (ty === "i64") {
      const I = m.i64;
      switch (op) {
        case "neg": return I.sub(I.const(0n), a);
        case "not": return I.xor(a, I.const(-1n));
        case "clz": return I.clz(a);
        case "ctz": return I.ctz(a);
        case "popcnt": return I.popcnt(a);
        case "eqz": return I.eqz(a);
        case "sext8": return I.extend8_s(a);
        case "sext16": return I.extend16_s(a);
        case "sext32": return I.extend32_s(a);
        case "zext8": return I.and(a, I.const(0xffn));
        case "zext16": return I.and(a, I.const(0xffffn));
        case "zext32": return I.and(a, I.const(0xffffffffn));
        case "bswap16": return m.i64.extend_u(this.un("i32", "bswap16", m.i32.wrap(a)));
        case "bswap32": return m.i64.extend_u(this.un("i32", "bswap32", m.i32.wrap(a)));
        case "bswap64": return m.call("bswap64", [a], binaryen.i64);
      }
    } else {
      const I = m.i32;
      switch (op) {
        case "neg": return I.sub(I.const(0), a);
        case "not": return I.xor(a, I.const(-1));
        case "clz": return I.clz(a);
        case "ctz": return I.ctz(a);
        case "popcnt": return I.popcnt(a);
        case "eqz": return I.eqz(a);
        case "sext8": return I.extend8_s(a);
        case "sext16": return I.extend16_s(a);
        case "sext32": return a;
        case "zext8": return I.and(a, I.const(0xff));
        case "zext16": return I.and(a, I.const(0xffff));
        case "zext32": return a;
        case "bswap16": return m.call("bswap16", [a], binaryen.i32);
        case "bswap32": return m.call("bswap32", [a], binaryen.i32);
        case "bswap64": throw new UnsupportedIR("bswap64 on i32");
      }
    }
    throw new UnsupportedIR(`unary op ${op}`);
  }
}

/** Adds the small internal functions the lowering calls (byte swaps, 64-bit high multiplies). */
export function addSupportFunctions(m: binaryen.Module): void {
  const { i32, i64 } = binaryen;
  const g32 = (i: number) => m.local.get(i, i32), g64 = (i: number) => m.local.get(i, i64);
  // bswap16(x) = ((x & 0xff) << 8) | ((x >> 8) & 0xff)
  m.addFunction("bswap16", binaryen.createType([i32]), i32, [], m.i32.or(
    m.i32.shl(m.i32.and(g32(0), m.i32.const(0xff)), m.i32.const(8)),
    m.i32.and(m.i32.shr_u(g32(0), m.i32.const(8)), m.i32.const(0xff))));
  // bswap32(x) = rotl(x & 0xff00ff00, 8) | rotr(x & 0x00ff00ff, 8)
  m.addFunction("bswap32", binaryen.createType([i32]), i32, [], m.i32.or(
    m.i32.rotl(m.i32.and(g32(0), m.i32.const(0xff00ff00 | 0)), m.i32.const(8)),
    m.i32.rotr(m.i32.and(g32(0), m.i32.const(0x00ff00ff)), m.i32.const(8))));
  m.addFunction("bswap64", binaryen.createType([i64]), i64, [], m.i64.or(
    m.i64.shl(m.i64.extend_u(m.call("bswap32", [m.i32.wrap(g64(0))], i32)), m.i64.const(32n)),
    m.i64.extend_u(m.call("bswap32", [m.i32.wrap(m.i64.shr_u(g64(0), m.i64.const(32n)))], i32))));
  // mulhu(a, b): schoolbook on 32-bit halves. locals: 2 alo 3 ahi 4 blo 5 bhi 6 p0 7 p1 8 p2 9 mid
  const lo = (x: X) => m.i64.and(x, m.i64.const(0xffffffffn));
  const hi = (x: X) => m.i64.shr_u(x, m.i64.const(32n));
  m.addFunction("mulh_mulhu", binaryen.createType([i64, i64]), i64, [i64, i64, i64, i64, i64, i64, i64, i64], m.block(null, [
    m.local.set(2, lo(g64(0))), m.local.set(3, hi(g64(0))), m.local.set(4, lo(g64(1))), m.local.set(5, hi(g64(1))),
    m.local.set(6, m.i64.mul(g64(2), g64(4))),
    m.local.set(7, m.i64.mul(g64(2), g64(5))),
    m.local.set(8, m.i64.mul(g64(3), g64(4))),
    m.local.set(9, m.i64.add(m.i64.add(hi(g64(6)), lo(g64(7))), lo(g64(8)))),
    m.return(m.i64.add(m.i64.add(m.i64.mul(g64(3), g64(5)), m.i64.add(hi(g64(7)), hi(g64(8)))), hi(g64(9)))),
  ], i64));
  // mulhs = mulhu - (a < 0 ? b : 0) - (b < 0 ? a : 0); mulhsu = mulhu - (a < 0 ? b : 0)
  const neg = (x: X) => m.i64.lt_s(x, m.i64.const(0n));
  m.addFunction("mulh_mulhs", binaryen.createType([i64, i64]), i64, [], m.i64.sub(m.i64.sub(
    m.call("mulh_mulhu", [g64(0), g64(1)], i64),
    m.select(neg(g64(0)), g64(1), m.i64.const(0n))),
    m.select(neg(g64(1)), g64(0), m.i64.const(0n))));
  m.addFunction("mulh_mulhsu", binaryen.createType([i64, i64]), i64, [], m.i64.sub(
    m.call("mulh_mulhu", [g64(0), g64(1)], i64),
    m.select(neg(g64(0)), g64(1), m.i64.const(0n))));
  addFlagEvaluation(m);
  addChaining(m);
}

/**
 * `chain(pc, class) -> i32`: after a region's epilogue. When the region left with a Jump to `pc`, the
 * instruction limit is not reached and the jump cache holds a translation of `pc`, tail-calls it; otherwise
 * returns pc. Counts the hit or the miss of exit class `class` in the control block (CTRL.chain).
 */
function addChaining(m: binaryen.Module): void {
  const { i32 } = binaryen;
  const PC = 0, CLASS = 1, ENTRY = 2;
  const pc = () => m.local.get(PC, i32);
  const cls = () => m.local.get(CLASS, i32);
  const body = m.block(null, [
    m.if(m.i32.and(m.i32.eq(m.i32.load(CONTROL_BASE + CTRL.kind, 4, m.i32.const(0)), m.i32.const(ExitKind.Jump)), belowLimit(m)),
      // a hit tail-calls (and counts itself); falling through counts a miss
      m.block(null, [m.if(m.i32.ne(pc(), m.i32.const(0)), jumpCacheLookup(m, pc, ENTRY, cls)), bump(m, cls, 0)])),
    m.return(pc()),
  ], i32);
  m.addFunction(CHAIN, binaryen.createType([i32, i32]), i32, [i32], body);
}

/** Changes the value of an i32.const expression (binaryen.js has the setter; its type declarations lack it). */
function setConstI32(expr: X, value: number): void {
  (binaryen as unknown as { Const: { setValueI32(e: X, v: number): void } }).Const.setValueI32(expr, value);
}

/** Replaces a child of a block expression (binaryen.js has the setter; its type declarations lack it). */
function setBlockChild(block: X, index: number, child: X): void {
  (binaryen as unknown as { Block: { setChildAt(b: X, i: number, c: X): void } }).Block.setChildAt(block, index, child);
}

/**
 * A guest return to `pc` goes back to the innermost caller waiting on the Wasm stack (exits.ts CTRL.depth):
 * some caller waits and its return site is `pc`.
 */
function returnsToCaller(m: binaryen.Module, pc: X): X {
  // (at depth 0 the load reads the unused word below the return sites)
  const depth = () => m.i32.and(m.i32.load(CONTROL_BASE + CTRL.depth, 4, m.i32.const(0)), m.i32.const(0xff));
  return m.i32.and(m.i32.ne(depth(), m.i32.const(0)),
    m.i32.eq(m.i32.load(CONTROL_BASE + CTRL.returns - 4, 4, m.i32.shl(depth(), m.i32.const(2))), pc));
}

/** Translated code's instruction count is below the chaining limit (CTRL.limit). */
function belowLimit(m: binaryen.Module): X {
  return m.i64.lt_u(m.i64.load(CONTROL_BASE + CTRL.icount, 8, m.i32.const(0)), m.i64.load(CONTROL_BASE + CTRL.limit, 8, m.i32.const(0)));
}

/** Adds one to the jump-cache counter at `offset` (0 misses, 8 hits) of exit class `cls` (CTRL.chain). */
function bump(m: binaryen.Module, cls: () => X, offset: number): X {
  const counter = () => m.i32.add(m.i32.const(CONTROL_BASE + CTRL.chain), m.i32.shl(cls(), m.i32.const(4)));
  return m.i64.store(offset, 8, counter(), m.i64.add(m.i64.load(offset, 8, counter()), m.i64.const(1n)));
}

/**
 * The jump-cache lookup of guest pc `target` (exits.ts): finds its set (address kept in local `entry`) and
 * tail-calls the region of the way that holds the pc, counting the hit for exit class `cls`; falls through
 * on a miss (counted by `chain`: one counter on the hot path, and lookups = hits + misses).
 */
function jumpCacheLookup(m: binaryen.Module, target: () => X, entry: number, cls: () => X): X {
  return jumpCacheProbe(m, target, entry, (index) => m.block(null, [
    bump(m, cls, 8),
    m.return_call_indirect(REGION_TABLE, index, [], binaryen.none, binaryen.i32)]));
}

/**
 * Finds the jump-cache set of guest pc `target` (its address kept in local `entry`) and runs `hit` with
 * the table index of the way that holds the pc (falls through when neither does).
 */
function jumpCacheProbe(m: binaryen.Module, target: () => X, entry: number, hit: (index: X) => X): X {
  const { i32 } = binaryen;
  const set = () => m.local.get(entry, i32);
  const hash = m.i32.and(m.i32.xor(m.i32.shr_u(target(), m.i32.const(1)), m.i32.shr_u(target(), m.i32.const(12))), m.i32.const(JUMP_CACHE_SETS - 1));
  const way = (at: number) => m.if(m.i32.eq(m.i32.load(at, 4, set()), target()), hit(m.i32.load(at + 4, 4, set())));
  return m.block(null, [m.local.set(entry, m.i32.add(m.i32.const(JUMP_CACHE_BASE), m.i32.shl(hash, m.i32.const(4)))), way(0), way(8)]);
}

/**
 * `flag_eval(kind, a, b, x, flag) -> i32`: one flag of a lazy flag record, the Wasm mirror of
 * translator/ir/flags.ts evalFlag (same rules, same kind word and flag indices).
 */
function addFlagEvaluation(m: binaryen.Module): void {
  const { i32, i64 } = binaryen;
  const KIND = 0, A = 1, B = 2, X = 3, FLAG = 4, SA = 5, SB = 6, UA = 7, UB = 8, CIN = 9, R = 10, FIELD = 11;
  const g32 = (i: number) => m.local.get(i, i32), g64 = (i: number) => m.local.get(i, i64);
  const c64 = (v: bigint) => m.i64.const(v), c32 = (v: number) => m.i32.const(v);
  const is64 = () => m.i32.ne(m.i32.and(g32(KIND), c32(FLAG_WIDTH_64)), c32(0));
  const code = () => m.i32.and(g32(KIND), c32(0xff));
  const cmp3 = (lt: X, gt: X) => m.select(lt, c32(8), m.select(gt, c32(4), c32(2)));
  const f64 = (i: number) => m.f64.reinterpret(g64(i));
  const nan = (i: number) => m.f64.ne(f64(i), f64(i));
  // signed/unsigned operands at the record's width
  const setup = [
    m.local.set(SA, m.select(is64(), g64(A), m.i64.extend32_s(g64(A)))),
    m.local.set(SB, m.select(is64(), g64(B), m.i64.extend32_s(g64(B)))),
    m.local.set(UA, m.select(is64(), g64(A), m.i64.and(g64(A), c64(0xffffffffn)))),
    m.local.set(UB, m.select(is64(), g64(B), m.i64.and(g64(B), c64(0xffffffffn)))),
    m.local.set(CIN, m.i64.and(g64(X), c64(1n))),
    // the signed result of an addc record at its width
    m.local.set(R, m.select(is64(), m.i64.add(m.i64.add(g64(A), g64(B)), g64(CIN)),
      m.i64.extend32_s(m.i64.add(m.i64.add(g64(A), g64(B)), g64(CIN))))),
  ];
  const so = () => m.i32.wrap(g64(CIN));
  const fieldValue = m.if(m.i32.eq(code(), c32(1)), m.i32.or(cmp3(m.i64.lt_s(g64(SA), g64(SB)), m.i64.gt_s(g64(SA), g64(SB))), so()),
    m.if(m.i32.eq(code(), c32(2)), m.i32.or(cmp3(m.i64.lt_u(g64(UA), g64(UB)), m.i64.gt_u(g64(UA), g64(UB))), so()),
      m.if(m.i32.eq(code(), c32(3)), m.i32.wrap(m.i64.and(g64(A), c64(15n))),
        m.if(m.i32.eq(code(), c32(4)), cmp3(m.i64.lt_s(g64(R), c64(0n)), m.i64.gt_s(g64(R), c64(0n))),
          m.if(m.i32.eq(code(), c32(5)), m.select(m.i32.or(nan(A), nan(B)), c32(1), cmp3(m.f64.lt(f64(A), f64(B)), m.f64.gt(f64(A), f64(B)))),
            c32(0))))));
  // carry: 32-bit: (uA + uB + cin) >> 32; 64-bit: unsigned wrap-around of either addition
  const s1 = () => m.i64.add(g64(A), g64(B));
  const carry64 = m.i32.or(m.i64.lt_u(s1(), g64(A)), m.i64.lt_u(m.i64.add(s1(), g64(CIN)), s1()));
  const carry32 = m.i32.wrap(m.i64.shr_u(m.i64.add(m.i64.add(g64(UA), g64(UB)), g64(CIN)), c64(32n)));
  // overflow: the operands have the same sign and the result's sign differs
  const ov = m.i64.lt_s(m.i64.and(m.i64.xor(g64(SA), g64(R)), m.i64.xor(g64(SB), g64(R))), c64(0n));
  const body = m.block(null, [
    ...setup,
    m.if(m.i32.ge_u(g32(FLAG), c32(5)),
      m.return(m.select(m.i32.eq(code(), c32(4)), m.select(m.i32.eq(g32(FLAG), c32(5)), m.select(is64(), carry64, carry32), ov), c32(0)))),
    m.local.set(FIELD, fieldValue),
    m.return(m.i32.and(m.i32.shr_u(g32(FIELD), m.select(m.i32.ge_u(g32(FLAG), c32(3)), c32(0), m.i32.sub(c32(3), g32(FLAG)))), c32(1))),
  ]);
  m.addFunction("flag_eval", binaryen.createType([i32, i64, i64, i64, i32]), i32, [i64, i64, i64, i64, i64, i64, i32], body);
}
