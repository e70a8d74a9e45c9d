/**
 * A guest Linux process and its run loop: loads the program (an ELF file, or whatever a loader callback
 * maps, such as the image of an ahead-of-time translated module), builds the initial stack, and alternates
 * between an execution tier (which runs guest code) and the Linux kernel (which handles the syscalls
 * and traps the tier stops at) until the guest exits or is killed.
 */
import type { ElfFile } from "../../translator/elf/elf.ts";
import type { Guest, GuestName } from "../../translator/guests/guest.ts";
import type { HostAdapter, HostFileSystem } from "../host/host.ts";
import { Interpreter, type InterpreterOptions, type Stop } from "../interp/interpreter.ts";
import { LinuxKernel } from "../linux/kernel.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { CpuState } from "../state.ts";
import { MMAP_TOP, STACK_SIZE, STACK_TOP } from "./layout.ts";
import { loadElf, type ProcessImage } from "./loader.ts";
import { FpAssumptionError } from "../interp/lift.ts";
import { seededRandomBytes } from "./random.ts";
import { buildInitialStack, STACK_ABIS } from "./stack.ts";

/**
 * An execution tier: runs guest code from `pc` until a syscall, fence.i, a trap, or until about `budget`
 * instructions ran (see {@link Stop}); the state's pc slot then holds the pc to resume at. The
 * interpreter is one; the dynamic translation tier (runtime/jit) is another.
 */
export interface ExecutionTier {
  run(pc: number, budget: number): Stop;
  /** Drops whatever the tier derived from guest code in [start, end) (after the code changed). */
  invalidate(start: number, end: number): void;
  /** Guest instructions executed so far, by tier name ("interp", "dynamic", "aot"). */
  instructionCounts(): Record<string, number>;
  /** Blocks lifted to IR and blocks compiled to JavaScript so far. */
  readonly blocksLifted: number;
  readonly blocksCompiledToJs: number;
  /** The tier's own counters, added to the process's `--stats` (e.g. the dynamic tier's translation counters). */
  stats?(): object;
  /** Work the tier waits for before it runs on at full speed (the dynamic tier loading its compiler), if any. */
  pending?(): Promise<unknown> | undefined;
}

/** What a process hands the builder of its execution tier. */
export interface TierParts { guest: Guest; mem: GuestMemory; state: CpuState; interp: Interpreter; image: ProcessImage }

/** The interpreter as an execution tier. */
export class InterpreterTier implements ExecutionTier {
  constructor(readonly interp: Interpreter) {}
  run(pc: number, budget: number): Stop { return this.interp.run(pc, budget); }
  invalidate(start: number, end: number): void { this.interp.invalidate(start, end); }
  instructionCounts(): Record<string, number> { return { interp: this.interp.instructions }; }
  get blocksLifted(): number { return this.interp.blocksLifted; }
  get blocksCompiledToJs(): number { return this.interp.blocksCompiledToJs; }
}

const SIGILL = 4;

/** The stack-pointer register of each guest, by CPU state slot name. */
const STACK_POINTER: Record<GuestName, string> = { riscv64: "x2", ppc32: "r1" };

/**
 * Puts a program into a fresh guest memory (maps its segments, fills in what it can) and describes it:
 * {@link loadElf} for an ELF file; an ahead-of-time translated module maps its image (runtime/aot/load.ts).
 */
export type ProgramLoader = (mem: GuestMemory) => ProcessImage;

/** Everything a process is started with. */
export interface ProcessOptions {
  guest: Guest;
  /** the program: an ELF executable (loaded with {@link loadElf}), or a loader callback */
  elf: ElfFile | ProgramLoader;
  /** argv as the guest sees it (argv[0] included) */
  argv: string[];
  /** environment strings NAME=VALUE */
  env: string[];
  /** the program path as given to execve (AT_EXECFN); default argv[0] */
  execfn?: string;
  /** the program's absolute guest path (/proc/self/exe); default `execfn` */
  execPath?: string;
  host: HostAdapter;
  /** guest directories backed by host directories */
  mounts: Array<{ host: string; guest: string; readonly: boolean; fs?: HostFileSystem }>;
  /** guest working directory */
  cwd: string;
  /** seed for AT_RANDOM and getrandom: repeatable runs; default: the host's secure random source */
  seed?: bigint;
  /** unknown syscalls kill the guest instead of returning ENOSYS */
  strict?: boolean;
  strace?: (line: string) => void;
  warn?: (line: string) => void;
  interpreter?: InterpreterOptions;
  /** builds the execution tier (default: the interpreter) */
  tier?: (p: TierParts) => ExecutionTier;
  /** instructions per tier call (default 10M; the loop only re-enters the tier after a budget stop) */
  budget?: number;
}

/** How a process ended. */
export type ProcessExit =
  | { kind: "exit"; status: number }
  | { kind: "killed"; signal: number; message: string };

/** Counters of a finished (or running) process. */
export interface ProcessStats {
  instructions: Record<string, number>;
  blocksLifted: number;
  blocksCompiledToJs: number;
  syscalls: number;
  syscallsByName: Record<string, number>;
  unknownSyscalls: Record<string, number>;
  wallMs: number;
  /** guest instructions (all tiers) per microsecond of wall time */
  guestMips: number;
}

/** The exit status a shell sees: the guest's status, or 128 + signal number when killed. */
export function exitCode(e: ProcessExit): number {
  return e.kind === "exit" ? e.status & 0xff : 128 + e.signal;
}

/** A loaded guest process, ready to {@link run}. */
export class GuestProcess {
  readonly mem: GuestMemory;
  readonly state: CpuState;
  readonly image: ProcessImage;
  readonly kernel: LinuxKernel;
  readonly interp: Interpreter;
  readonly tier: ExecutionTier;
  /** the initial stack pointer */
  readonly sp: number;
  private wallMs = 0;
  private readonly budget: number;
  private readonly pcSlot: number;
  private readonly pcWide: boolean;

  constructor(readonly opts: ProcessOptions) {
    const { guest } = opts;
    this.mem = new GuestMemory();
    this.image = typeof opts.elf === "function" ? opts.elf(this.mem) : loadElf(opts.elf, guest, this.mem);
    this.mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE | (this.image.executableStack ? PROT_EXEC : 0));
    const random = opts.seed === undefined ? (b: Uint8Array) => opts.host.randomBytes(b) : seededRandomBytes(opts.seed);
    const host: HostAdapter = opts.seed === undefined ? opts.host : { ...opts.host, randomBytes: random };
    const randomBytes = new Uint8Array(16);
    random(randomBytes);
    const execfn = opts.execfn ?? opts.argv[0] ?? "";
    const ids = host.ids;
    const stack = buildInitialStack(this.mem, STACK_ABIS[guest.name], {
      argv: opts.argv, envp: opts.env, execfn, image: this.image, random: randomBytes,
      ids: { uid: ids.uid, euid: ids.uid, gid: ids.gid, egid: ids.gid },
      top: STACK_TOP, bottom: STACK_TOP - STACK_SIZE,
    });
    this.sp = stack.sp;

    this.state = new CpuState(this.mem, guest.state);
    this.state.clear();
    this.state.set(STACK_POINTER[guest.name], stack.sp);
    this.pcSlot = guest.state.slot("pc");
    const pcTy = guest.state.slots[this.pcSlot]!.ty;
    this.pcWide = pcTy === "i64" || pcTy === "f64";
    this.state.set("pc", this.image.entry);

    this.interp = new Interpreter(guest, this.mem, this.state, opts.interpreter);
    this.tier = opts.tier?.({ guest, mem: this.mem, state: this.state, interp: this.interp, image: this.image }) ?? new InterpreterTier(this.interp);
    this.kernel = new LinuxKernel({
      guest: guest.name, mem: this.mem, state: this.state, host, mounts: opts.mounts, cwd: opts.cwd,
      brk: this.image.brk, mmapTop: MMAP_TOP, argv0: opts.execPath ?? execfn, strict: opts.strict, strace: opts.strace, warn: opts.warn,
      onCodeChange: (start, end) => this.tier.invalidate(start, end),
    });
    this.budget = opts.budget ?? 10_000_000;
  }

  /** The pc to resume at, from the state's pc slot. */
  private pc(): number {
    return this.pcWide ? Number(BigInt.asUintN(64, this.state.getI64(this.pcSlot))) : this.state.getI32(this.pcSlot) >>> 0;
  }

  /** Runs the guest until it exits or is killed. */
  run(): ProcessExit { return this.runUntil(() => false)!; }

  /**
   * Runs the guest like {@link run}, but awaits the tier's pending work ({@link ExecutionTier.pending})
   * whenever the tier reports some: the dynamic tier loads its compiler only once code gets hot.
   */
  async runAsync(): Promise<ProcessExit> {
    for (;;) {
      const end = this.runUntil(() => this.tier.pending?.() !== undefined);
      if (end !== undefined) return end;
      await this.tier.pending?.();
    }
  }

  /** Runs the guest until it exits or is killed (the exit), or until `pause()` holds after a tier stop (undefined). */
  private runUntil(pause: () => boolean): ProcessExit | undefined {
    const t0 = performance.now();
    try {
      for (;;) {
        if (pause()) return undefined;
        let stop;
        try {
          stop = this.tier.run(this.pc(), this.budget);
        } catch (e) {
          // code made or changed at run time broke what translated code assumed: no exact way on
          if (e instanceof FpAssumptionError) return { kind: "killed", signal: SIGILL, message: `isa2wasm: ${e.message}` };
          throw e;
        }
        let action;
        switch (stop.kind) {
          case "budget": case "fence.i": continue;
          case "syscall": action = this.kernel.syscall(); break;
          case "trap": action = this.kernel.trap(stop.signal, stop.code, stop.pc, stop.addr); break;
        }
        if (action.kind === "exit") return { kind: "exit", status: action.status };
        if (action.kind === "killed") return { kind: "killed", signal: action.signal, message: action.message };
      }
    } finally {
      this.wallMs += performance.now() - t0;
    }
  }

  /** Counters for `--stats`, followed by the tier's own ({@link ExecutionTier.stats}). */
  stats(): ProcessStats & Record<string, unknown> {
    const instructions = this.tier.instructionCounts();
    const total = Object.values(instructions).reduce((a, b) => a + b, 0);
    const k = this.kernel.stats;
    return {
      instructions, blocksLifted: this.tier.blocksLifted, blocksCompiledToJs: this.tier.blocksCompiledToJs,
      syscalls: k.syscalls, syscallsByName: { ...k.byName }, unknownSyscalls: { ...k.unknown },
      wallMs: Math.round(this.wallMs), guestMips: this.wallMs > 0 ? Math.round(total / this.wallMs / 10) / 100 : 0,
      ...this.tier.stats?.(),
    };
  }
}
