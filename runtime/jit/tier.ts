/**
 * The dynamic translation tier as a process execution tier (runtime/process ExecutionTier): the
 * {@link DynamicExecutor} with the interpreter it falls back to, its instruction counts by tier and the
 * counters `isa2wasm run --stats` reports.
 *
 * The region compiler (translator/codegen/module.ts `compileRegions`) is injected: this file, like the rest of
 * the runtime, never imports binaryen, so that a run in the interpreter never loads it.
 */
import { Rounding, type Block, type StateLayout } from "../../translator/ir/ir.ts";
import { CTRL, ExitClass } from "../../translator/codegen/exits.ts";
import type { Stop } from "../interp/interpreter.ts";
import { makeHelpers } from "../interp/helpers.ts";
import { CONTROL_BASE } from "../memory/memory.ts";
import { FpAssumptionError, RERUN_EXACT_FP, memoryCodeReader } from "../interp/lift.ts";
import { codeRanges } from "../process/loader.ts";
import { analyzeFpEnvironment, fpModelOf, NO_FP_ASSUMPTIONS, type FpAssumptions } from "../../translator/ir/fpenv.ts";
import type { ExecutionTier, TierParts } from "../process/process.ts";
import { DynamicExecutor, type CompiledBatch, type DynamicOptions, type DynamicStats } from "./dynamic.ts";

/** translator/codegen/module.ts `compileRegions`, structurally (the runtime does not import it). */
export type CompileRegions = (
  layout: StateLayout,
  regions: Array<{ entry: number; blocks: Block[] }>,
  opts: { optimize?: number; scope?: "module" | "regions"; fpAssumptions?: { flagsUnobserved: boolean; staticRounding?: number }; relaxedSimdFma?: boolean },
) => CompiledBatch;

/** Options of the dynamic tier. */
export interface DynamicTierOptions extends Omit<DynamicOptions, "loadCompiler"> {
  /** loads the region compiler when code first gets hot, when none is given (DynamicOptions.loadCompiler) */
  loadCompiler?: () => Promise<CompileRegions>;
  /**
   * binaryen optimisation level of region bodies (default 0: the host's Wasm compiler optimises hot code
   * anyway; measured on the benchmarks, binaryen's passes cost more translation time than they save)
   */
  optimize?: number;
  /**
   * the FP environment (translator/ir/fpenv.ts): "analyse" (default) lets code translated at run time skip
   * the accrued flags and rounding-mode tests when the program's executable segments show it never reads
   * the flags or sets the mode (every block lifted later is checked); "exact" assumes nothing
   */
  fpEnvironment?: "analyse" | "exact";
}

/** Lookups and hits of the jump cache by translated code, for one kind of region exit. */
export interface JumpCacheCounts { lookups: number; hits: number }

/** What `--stats` reports of the dynamic tier (besides the process's own counters). */
export interface DynamicTierStats extends DynamicStats {
  /** share of guest instructions executed in translated code (0..1) */
  translatedShare: number;
  /**
   * the jump cache as translated code uses it when a region leaves with a jump: direct jumps and branches
   * out of a region, indirect jumps and calls, returns
   */
  jumpCache: { direct: JumpCacheCounts; indirect: JumpCacheCounts; return: JumpCacheCounts };
  /** hits / lookups of indirect jumps and calls in the jump cache (null: none looked up) */
  indirectHitRate: number | null;
  /** hits / lookups of returns in the jump cache: how often a return found its target translated (null: none) */
  returnHitRate: number | null;
  /** f64 fused multiply-adds run on the host's FMA (relaxed SIMD, fused) rather than the exact emulation */
  hostFma: boolean;
  /** translated FP code skips the accrued exception flags: the program never reads them (translator/ir/fpenv.ts) */
  fpFlagsSkipped: boolean;
  /** translated FP code takes the rounding mode as round-to-nearest-even: the program never sets it */
  fpRoundingStatic: boolean;
}

/** The dynamic executor and its interpreter as an {@link ExecutionTier}. */
export class DynamicTier implements ExecutionTier {
  readonly dyn: DynamicExecutor;
  readonly interp: TierParts["interp"];
  /** whether an ahead-of-time module was installed (its instructions are then reported as "aot") */
  private aot = false;
  private fp: FpAssumptions = NO_FP_ASSUMPTIONS;
  /** the rounding-mode slot when translated code takes it as RNE */
  private staticRounding: number | undefined;
  private readonly guest: TierParts["guest"];
  private readonly state: TierParts["state"];

  /**
   * `compile`: the region compiler; undefined runs only code installed with {@link installModule} (and
   * everything else in the interpreter).
   */
  constructor(parts: TierParts, compile: CompileRegions | undefined, opts: DynamicTierOptions = {}) {
    const { guest, mem, state, interp } = parts;
    this.interp = interp;
    this.guest = guest;
    this.state = state;
    // rdcycle/rdinstret/rdtime in translated code: instret counts instructions retired in every tier
    const helpers = { ...makeHelpers({ instret: () => BigInt(interp.instructions + this.dyn.translatedInstructions) }), ...opts.helpers };
    if (opts.fpEnvironment !== "exact") {
      // code elsewhere (in executable data, or made at run time) is checked when it is lifted
      this.assumeFp(analyzeFpEnvironment(guest, memoryCodeReader(mem, guest.endian), codeRanges(parts.image)));
    }
    const bind = (c: CompileRegions) => (regions: Parameters<CompileRegions>[1]) =>
      // the host's FMA inline where this engine's relaxed_madd is fused (the modules run here only)
      c(guest.state, regions, { optimize: opts.optimize ?? 0, scope: "regions", fpAssumptions: fpModelOf(guest, this.fp), relaxedSimdFma: this.dyn.hostFma });
    const { loadCompiler, fpEnvironment: _, ...rest } = opts;
    this.dyn = new DynamicExecutor(guest, mem, state, interp, compile === undefined ? undefined : bind(compile),
      { ...rest, helpers, ...(loadCompiler ? { loadCompiler: async () => bind(await loadCompiler()) } : {}) });
  }

  /**
   * What code translated for this process assumes of the FP environment: the analysis of its image, or an
   * ahead-of-time module's (which must then also hold for code translated at run time and be checked).
   */
  assumeFp(a: FpAssumptions): void {
    this.fp = a;
    this.staticRounding = fpModelOf(this.guest, a).staticRounding;
    this.interp.fpAssumptions = a.flagsUnobserved || a.roundingStatic ? a : undefined;
  }

  /** The FP assumptions in force. */
  get fpAssumptions(): FpAssumptions { return this.fp; }

  pending(): Promise<void> | undefined { return this.dyn.pending(); }

  run(pc: number, budget: number): Stop {
    // the rounding mode can also change through a signal frame (rt_sigreturn restores fcsr)
    if (this.staticRounding !== undefined && this.state.getI32(this.staticRounding) !== Rounding.RNE) {
      throw new FpAssumptionError(`the FP rounding mode was changed (through a signal frame) at 0x${pc.toString(16)}, which translated code assumed never changes; ${RERUN_EXACT_FP}`);
    }
    return this.dyn.run(pc, budget);
  }
  invalidate(start: number, end: number): void { this.dyn.invalidate(start, end); this.interp.invalidate(start, end); }

  /** Installs an ahead-of-time translated module (see DynamicExecutor.installModule). */
  async installModule(...args: Parameters<DynamicExecutor["installModule"]>): Promise<void> {
    this.aot = true;
    await this.dyn.installModule(...args);
  }

  instructionCounts(): Record<string, number> {
    const translated = this.dyn.translatedInstructions, aot = this.dyn.aotInstructions;
    return { interp: this.interp.instructions, dynamic: translated - aot, ...(this.aot || aot > 0 ? { aot } : {}) };
  }
  get blocksLifted(): number { return this.interp.blocksLifted; }
  get blocksCompiledToJs(): number { return this.interp.blocksCompiledToJs; }

  /** Jump-cache lookups and hits by translated code so far (CTRL.chain counters). */
  jumpCacheCounts(): DynamicTierStats["jumpCache"] {
    const dv = this.dyn.mem.dv;
    const at = (cls: ExitClass): JumpCacheCounts => {
      const misses = Number(dv.getBigInt64(CONTROL_BASE + CTRL.chain + 16 * cls, true));
      const hits = Number(dv.getBigInt64(CONTROL_BASE + CTRL.chain + 16 * cls + 8, true));
      return { lookups: misses + hits, hits };
    };
    return { direct: at(ExitClass.Direct), indirect: at(ExitClass.Indirect), return: at(ExitClass.Return) };
  }

  stats(): DynamicTierStats {
    const translated = this.dyn.translatedInstructions;
    const total = translated + this.interp.instructions;
    const jumpCache = this.jumpCacheCounts();
    const rate = (c: JumpCacheCounts) => (c.lookups === 0 ? null : round4(c.hits / c.lookups));
    return {
      ...this.dyn.stats,
      translateMs: Math.round(this.dyn.stats.translateMs), wasmCompileMs: Math.round(this.dyn.stats.wasmCompileMs),
      translatedShare: total === 0 ? 0 : Math.round(translated / total * 1e6) / 1e6,
      jumpCache, indirectHitRate: rate(jumpCache.indirect), returnHitRate: rate(jumpCache.return),
      hostFma: this.dyn.hostFma,
      fpFlagsSkipped: this.fp.flagsUnobserved, fpRoundingStatic: this.fp.roundingStatic,
    };
  }
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** A GuestProcess `tier` option: the dynamic tier with the region compiler `compile`. */
export function dynamicTier(compile: CompileRegions | undefined, opts: DynamicTierOptions = {}): (parts: TierParts) => DynamicTier {
  return (parts) => new DynamicTier(parts, compile, opts);
}
