/**
 * The dynamic translation tier (staged emulation): cold code runs in the interpreter; a block entered more
 * than `threshold` times becomes the entry of a region (regions.ts) that is compiled to Wasm and entered
 * directly from then on. Translated code leaves to this dispatcher only at region exits; syscalls, traps and
 * slow-path memory accesses are handed back to the interpreter/run loop.
 *
 * The compiler is injected (`compile`), so that this file and everything the runtime imports stays free of
 * binaryen: the CLI passes translator/codegen's compileRegions.
 */
import type { Block } from "../../translator/ir/ir.ts";
import type { Guest } from "../../translator/guests/guest.ts";
import { CTRL, ExitKind, JUMP_CACHE_BASE, JUMP_CACHE_BYTES, fillJumpCache } from "../../translator/codegen/exits.ts";
import { CONTROL_BASE, PAGE_SIZE, type GuestMemory } from "../memory/memory.ts";
import type { CpuState } from "../state.ts";
import type { Interpreter, Stop } from "../interp/interpreter.ts";
import { checkFpAssumptions, liftBlock } from "../interp/lift.ts";
import { DEFAULT_REGION_LIMITS, formRegion, type RegionLimits } from "./regions.ts";
import { translationImports, type HelperTable } from "./imports.ts";
import { AOT_TABLE_BASE } from "../../translator/aot/format.ts";

/** What the injected compiler returns (translator/codegen/module.ts CompiledModule, structurally). */
export interface CompiledBatch {
  binary: Uint8Array;
  regions: Array<{ entry: number; name: string }>;
  rejected: Array<{ entry: number; reason: string }>;
  compileMs: number;
}

/** Compiles regions of lifted blocks to a Wasm module. */
export type RegionCompiler = (regions: Array<{ entry: number; blocks: Block[] }>) => CompiledBatch;

/** Options of the dynamic tier. */
export interface DynamicOptions {
  /** executions of a block before its region is translated (default 50) */
  threshold?: number;
  limits?: RegionLimits;
  helpers?: HelperTable;
  /**
   * loads the region compiler when the first region gets hot, when none was given (binaryen takes about
   * 0.4 s to load: a run whose code is all translated ahead of time, or that never gets hot, skips it).
   * The executor returns a budget stop at once and interprets until the loading finished ({@link pending}).
   */
  loadCompiler?: () => Promise<RegionCompiler>;
}

/** Counters reported by `--stats`. */
export interface DynamicStats {
  regionsCompiled: number;
  regionsRejected: number;
  modulesCompiled: number;
  /** binaryen time, ms */
  translateMs: number;
  /** WebAssembly.Module compile + instantiate time, ms */
  wasmCompileMs: number;
  /** dispatcher lookups of a guest pc, and how many found no translation */
  codeMapLookups: number;
  codeMapMisses: number;
  invalidations: number;
}

interface RegionEntry { fn: (() => number) | undefined; index: number; pages: readonly number[]; start: number; end: number }

/** Most targets of one indirect jump that region formation brings into a region. */
const MAX_OBSERVED = 16;

export class DynamicExecutor {
  readonly stats: DynamicStats = {
    regionsCompiled: 0, regionsRejected: 0, modulesCompiled: 0, translateMs: 0, wasmCompileMs: 0,
    codeMapLookups: 0, codeMapMisses: 0, invalidations: 0,
  };
  /** the code map: guest pc → translated region */
  private readonly code = new Map<number, RegionEntry>();
  private readonly hot = new Map<number, number>();
  /** pcs each interpreted block was seen to continue at (at most MAX_OBSERVED), for region formation */
  private readonly successors = new Map<number, Set<number>>();
  private readonly rejected = new Set<number>();
  private readonly threshold: number;
  private readonly limits: RegionLimits;
  private readonly imports: WebAssembly.Imports;
  /** whether translated code's f64 fused multiply-adds run on the host's FMA (runtime/jit/hwfma.ts) */
  readonly hostFma: boolean;
  /** every region function, by index: translated code tail-calls through it (exits.ts jump cache) */
  private readonly table = new WebAssembly.Table({ element: "anyfunc", initial: 1 });
  private loadCompiler: (() => Promise<RegionCompiler>) | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    readonly guest: Guest,
    readonly mem: GuestMemory,
    readonly state: CpuState,
    readonly interp: Interpreter,
    /**
     * the region compiler (translator/codegen); undefined: no dynamic translation (only installed modules),
     * unless `opts.loadCompiler` loads one
     */
    private compile: RegionCompiler | undefined,
    opts: DynamicOptions = {},
  ) {
    this.loadCompiler = opts.loadCompiler;
    this.threshold = opts.threshold ?? 50;
    this.limits = opts.limits ?? DEFAULT_REGION_LIMITS;
    this.imports = translationImports(mem, this.table, opts.helpers ?? {});
    this.hostFma = (this.imports.env!.fma_fused as WebAssembly.Global).value === 1;
    this.clearJumpCache();
    mem.onCodeWrite = (addr, len) => this.invalidate(addr, addr + len);
  }

  /** Guest instructions executed in translated code so far (ahead-of-time and dynamic). */
  get translatedInstructions(): number {
    return Number(this.mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true));
  }
  /** Guest instructions executed in ahead-of-time translated code so far. */
  get aotInstructions(): number {
    return this.translatedInstructions - Number(this.mem.dv.getBigInt64(CONTROL_BASE + CTRL.icountDyn, true));
  }

  /**
   * Installs an ahead-of-time translated module: instantiates it (its data segments initialise guest
   * memory, which must be mapped already) and enters its entries into the code map. `entries` are in the
   * order the module's element segment writes them into the shared table from the imported global
   * `table_base` on (translator/aot/format.ts AOT_ENTRIES_SECTION); a module without that import exports
   * them by `name` instead. `code` lists the guest address ranges its code was translated from (writes
   * there drop the translations).
   */
  async installModule(module: WebAssembly.Module, entries: Array<{ entry: number; name: string }>, code: Array<{ start: number; end: number }>): Promise<void> {
    const inTable = WebAssembly.Module.imports(module).some((i) => i.module === "env" && i.name === AOT_TABLE_BASE && i.kind === "global");
    const base = this.table.grow(entries.length);
    const t0 = performance.now();
    const imports = inTable ? { ...this.imports, env: { ...this.imports.env, [AOT_TABLE_BASE]: base } } : this.imports;
    const instance = await WebAssembly.instantiate(module, imports);
    this.stats.wasmCompileMs += performance.now() - t0;
    const pages = new Set<number>();
    for (const r of code) {
      for (let p = Math.floor(r.start / PAGE_SIZE); p <= Math.floor((r.end - 1) / PAGE_SIZE); p++) pages.add(p);
      this.mem.addCodeRange(r.start, r.end);
    }
    const start = Math.min(...code.map((r) => r.start)), end = Math.max(...code.map((r) => r.end));
    const pageList = [...pages];
    let index = base;
    for (const { entry, name } of entries) {
      let fn: (() => number) | undefined;
      if (!inTable) {
        const f = instance.exports[name];
        if (typeof f !== "function") throw new Error(`translated module lacks the export ${name}`);
        fn = f as () => number;
        this.table.set(index, fn);
      }
      // in the table already: its JS function is made when the dispatcher first enters it
      this.code.set(entry, { fn, index: index++, pages: pageList, start, end });
    }
  }

  /** Runs from `pc` until a syscall, fence.i, trap or about `maxInsns` instructions. */
  run(pc: number, maxInsns: number): Stop {
    const start = this.translatedInstructions + this.interp.instructions;
    for (;;) {
      if (this.translatedInstructions + this.interp.instructions - start >= maxInsns) {
        this.writePc(pc);
        return { kind: "budget", pc };
      }
      this.stats.codeMapLookups++;
      const region = this.code.get(pc);
      if (region !== undefined) {
        fillJumpCache(this.mem.dv, pc, region.index);
        const done = this.translatedInstructions + this.interp.instructions - start;
        this.mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, BigInt(this.translatedInstructions + (maxInsns - done)), true);
        this.mem.dv.setInt32(CONTROL_BASE + CTRL.depth, 0, true);
        const next = (region.fn ??= this.table.get(region.index) as () => number)() >>> 0;
        const mdv = this.mem.dv;
        const kind = mdv.getInt32(CONTROL_BASE + CTRL.kind, true) as ExitKind;
        switch (kind) {
          case ExitKind.Jump: pc = next; continue;
          case ExitKind.Slow: {
            const s = this.interp.run(next, 1);
            if (s.kind !== "budget") return s;
            pc = s.pc;
            continue;
          }
          case ExitKind.Syscall:
            this.writePc(next);
            return { kind: "syscall", next };
          case ExitKind.FenceI:
            this.invalidate();
            this.interp.invalidate();
            this.writePc(next);
            return { kind: "fence.i", next };
          case ExitKind.Trap: {
            this.writePc(next);
            const raw = mdv.getBigInt64(CONTROL_BASE + CTRL.addr, true);
            const signal = mdv.getInt32(CONTROL_BASE + CTRL.signal, true), code = mdv.getInt32(CONTROL_BASE + CTRL.code, true);
            return mdv.getInt32(CONTROL_BASE + CTRL.fault, true) === 0
              ? { kind: "trap", signal, code, pc: next }
              : { kind: "trap", signal, code, pc: next, addr: Number(BigInt.asUintN(64, raw)) };
          }
          default: throw new Error(`internal error: translated code returned exit kind ${kind}`);
        }
      }
      this.stats.codeMapMisses++;
      const n = (this.hot.get(pc) ?? 0) + 1;
      this.hot.set(pc, n);
      if (n >= this.threshold && !this.rejected.has(pc)) {
        if (this.compile !== undefined) {
          this.translate(pc);
          if (this.code.has(pc)) continue;
        } else if (this.loadCompiler !== undefined) {
          // the first hot region: start loading the compiler and let the caller wait for it (pending())
          const load = this.loadCompiler;
          this.loadCompiler = undefined;
          this.loading = load().then((c) => { this.compile = c; }, () => { /* no compiler: interpret */ })
            .finally(() => { this.loading = undefined; });
          this.writePc(pc);
          return { kind: "budget", pc };
        }
      }
      const s = this.interp.run(pc, 1);
      if (s.kind !== "budget") return s;
      this.observe(pc, s.pc);
      pc = s.pc;
    }
  }

  /**
   * The loading of the region compiler while it is under way (see DynamicOptions.loadCompiler): a caller
   * that can wait awaits it before running on; one that cannot (a synchronous run) interprets meanwhile.
   */
  pending(): Promise<void> | undefined { return this.loading; }

  /** Records that the block at `from` continued at `to` (indirect jumps' targets join regions). */
  private observe(from: number, to: number): void {
    let s = this.successors.get(from);
    if (s === undefined) { s = new Set(); this.successors.set(from, s); }
    if (s.size < MAX_OBSERVED) s.add(to);
  }

  /** Forms, compiles and installs the region entered at `pc`. */
  private translate(pc: number): void {
    const reader = {
      fetch16: (a: number) => { this.mem.check(a, 2, "exec"); return this.mem.dv.getUint16(a, this.guest.endian === "le"); },
      fetch32: (a: number) => { this.mem.check(a, 4, "exec"); return this.mem.dv.getUint32(a, this.guest.endian === "le"); },
    };
    const lift = (p: number): Block | undefined => {
      // a block that breaks the FP assumptions stays out (the interpreter stops the process when it runs it)
      try {
        const b = liftBlock(this.guest, reader, p, 64);
        if (this.interp.fpAssumptions !== undefined) checkFpAssumptions(this.guest, this.interp.fpAssumptions, b, reader);
        return b;
      } catch { return undefined; }
    };
    const blocks = formRegion(pc, lift, (p) => this.hot.has(p), this.limits, (p) => this.successors.get(p));
    if (blocks.length === 0) { this.rejected.add(pc); return; }
    const batch = this.compile!([{ entry: pc, blocks }]);
    this.stats.translateMs += batch.compileMs;
    for (const r of batch.rejected) { this.rejected.add(r.entry); this.stats.regionsRejected++; }
    if (batch.regions.length === 0) return;
    const t0 = performance.now();
    const module = new WebAssembly.Module(batch.binary as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(module, this.imports);
    this.stats.wasmCompileMs += performance.now() - t0;
    this.stats.modulesCompiled++;
    for (const { entry, name } of batch.regions) {
      const start = Math.min(...blocks.map((b) => b.pc)), end = Math.max(...blocks.map((b) => b.end));
      const pages = new Set<number>();
      for (const b of blocks) for (let p = Math.floor(b.pc / PAGE_SIZE); p <= Math.floor((b.end - 1) / PAGE_SIZE); p++) pages.add(p);
      for (const b of blocks) this.mem.addCodeRange(b.pc, b.end);
      const fn = instance.exports[name] as () => number;
      const index = this.table.grow(1);
      this.table.set(index, fn);
      this.code.set(entry, { fn, index, pages: [...pages], start, end });
      this.stats.regionsCompiled++;
    }
  }

  /** Stores the guest pc in the state's pc slot (i64 or i32 by guest). */
  private writePc(pc: number): void {
    const slot = this.guest.state.slot("pc");
    if (this.guest.state.slots[slot]!.ty === "i64") this.state.setI64(slot, BigInt(pc));
    else this.state.setI32(slot, pc);
  }

  private clearJumpCache(): void {
    this.mem.u8.fill(0, JUMP_CACHE_BASE, JUMP_CACHE_BASE + JUMP_CACHE_BYTES);
  }

  /** Drops translations overlapping [start, end) (all when no range is given). */
  invalidate(start = 0, end = Number.MAX_SAFE_INTEGER): void {
    let dropped = 0;
    for (const [pc, r] of this.code) {
      if (r.end > start && r.start < end) { this.code.delete(pc); dropped++; }
    }
    if (dropped === 0) return;
    this.stats.invalidations += dropped;
    // translated code no longer jumps straight to its module's regions (one of them may be stale)
    this.mem.dv.setInt32(CONTROL_BASE + CTRL.noDirect, 1, true);
    this.clearJumpCache();
    this.mem.clearCodeRanges();
    // entries of one module share their page list
    for (const pages of new Set([...this.code.values()].map((r) => r.pages))) {
      for (const p of pages) this.mem.addCodeRange(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
    }
    this.interp.invalidate(start, end);
    this.hot.clear();
  }
}
