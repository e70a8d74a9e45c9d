/**
 * The guest-independent Linux kernel: decodes a syscall through the guest's ABI table, runs the one
 * implementation of it (fs.ts, mm.ts, time.ts, process.ts, signal.ts), writes the result back in the
 * guest's convention, and delivers signals (signal.ts) for syscalls and synchronous traps.
 */
import { GuestFault, type GuestMemory } from "../memory/memory.ts";
import type { CpuState } from "../state.ts";
import { HostError, type HostAdapter, type HostFileSystem } from "../host/host.ts";
import { MemoryFileSystem } from "../host/memory.ts";
import { StructIO, type GuestAbi, type StructLayout } from "./abi/abi.ts";
import { RISCV64_ABI } from "./abi/riscv64.ts";
import { PPC32_ABI } from "./abi/ppc32.ts";
import { E, SyscallError, errnoNumber } from "./errno.ts";
import { FdTable, Pipe, type OpenFile } from "./fd.ts";
import { Vfs, joinGuest, splitGuest, type Resolved } from "./vfs.ts";
import { AT_FDCWD, type ArgKind, type ArgValues, type KernelAction, type SyscallDef, type SyscallOutcome } from "./syscall.ts";
import { FS_SYSCALLS, LEGACY_FS_SYSCALLS } from "./fs.ts";
import { MM_SYSCALLS, MemoryManager } from "./mm.ts";
import { TIME_SYSCALLS } from "./time.ts";
import { PROCESS_SYSCALLS } from "./process.ts";
import { SIGNAL_SYSCALLS, SignalState } from "./signal.ts";
import { formatCall, formatResult } from "./strace.ts";

export type { KernelAction } from "./syscall.ts";

/** Options of a {@link LinuxKernel}. */
export interface KernelOptions {
  guest: "riscv64" | "ppc32";
  mem: GuestMemory;
  /** registers by slot name: riscv64 "x0".."x31", "f0".."f31", "pc", "fflags", "frm" */
  state: CpuState;
  host: HostAdapter;
  /**
   * the sandbox: guest directories backed by host directories; `fs` overrides host.fs. Unless a mount is at
   * "/" or "/tmp", the guest also gets an empty writable in-memory /tmp.
   */
  mounts: Array<{ host: string; guest: string; readonly: boolean; fs?: HostFileSystem }>;
  /** guest working directory (a guest path inside a mount) */
  cwd: string;
  /** initial program break (page-aligned end of the highest loaded segment) */
  brk: number;
  /** mmap allocations are placed below this address, growing down */
  mmapTop: number;
  /** guest path of the program, for /proc/self/exe */
  argv0?: string;
  /** unknown syscall → fatal (name and number) */
  strict?: boolean;
  /** receives one line per syscall, in qemu -strace style */
  strace?: (line: string) => void;
  /** one-time warnings (unknown syscalls) */
  warn?: (line: string) => void;
  /** munmap/mprotect of code, riscv_flush_icache: drop translations of [start, end) */
  onCodeChange?: (start: number, end: number) => void;
  /** process id the guest sees (default: the host's) */
  pid?: number;
}

/** Every syscall of the semantics core, by core name. */
export const CORE_SYSCALLS: Readonly<Record<string, SyscallDef>> = {
  ...FS_SYSCALLS, ...LEGACY_FS_SYSCALLS, ...MM_SYSCALLS, ...TIME_SYSCALLS, ...PROCESS_SYSCALLS, ...SIGNAL_SYSCALLS,
};

/** The ABI description of a guest. */
export function abiOf(guest: "riscv64" | "ppc32"): GuestAbi { return guest === "riscv64" ? RISCV64_ABI : PPC32_ABI; }

const AT_EMPTY_PATH = 0x1000;

/** One Linux process's kernel state, driven by the run loop through {@link syscall} and {@link trap}. */
export class LinuxKernel {
  readonly abi: GuestAbi;
  readonly mem: GuestMemory;
  readonly state: CpuState;
  readonly host: HostAdapter;
  readonly io: StructIO;
  readonly vfs: Vfs;
  readonly fds: FdTable;
  readonly mm: MemoryManager;
  readonly signals: SignalState;
  readonly pid: number;
  readonly argv0: string;
  /** current directory, absolute guest components */
  cwd: string[];
  umask = 0o022;
  /** address given to set_tid_address */
  clearChildTid = 0;
  /** soft/hard resource limits set by the guest, by RLIMIT_* number */
  readonly rlimits = new Map<number, [bigint, bigint]>();
  readonly stats = { syscalls: 0, byName: {} as Record<string, number>, unknown: {} as Record<string, number> };
  private readonly warned = new Set<string>();

  constructor(readonly opts: KernelOptions) {
    this.abi = abiOf(opts.guest);
    this.mem = opts.mem;
    this.state = opts.state;
    this.host = opts.host;
    this.io = new StructIO(opts.mem, this.abi);
    this.pid = opts.pid ?? opts.host.ids.pid;
    this.argv0 = opts.argv0 ?? "/proc/self/exe";
    this.cwd = splitGuest(opts.cwd);
    this.fds = new FdTable((f) => this.release(f));
    const mounts = opts.mounts.map((m) => ({ host: m.host, guest: m.guest, readonly: m.readonly, fs: m.fs ?? opts.host.fs }));
    if (!mounts.some((m) => splitGuest(m.guest).length === 0 || joinGuest(splitGuest(m.guest)) === "/tmp")) {
      mounts.push({ host: "/", guest: "/tmp", readonly: false, fs: new MemoryFileSystem(() => opts.host.realtimeNs()) });
    }
    this.vfs = new Vfs(
      mounts,
      {
        exe: () => this.argv0,
        cwd: () => joinGuest(this.cwd),
        fds: () => this.fds.list(),
        fdTarget: (fd) => this.fdTarget(fd),
      },
    );
    for (const s of [0, 1, 2] as const) {
      const file: OpenFile = { kind: "stdio", stream: s, flags: s === 0 ? 0 : 1, pos: 0n, refs: 0, path: null };
      this.fds.install(file, false, s);
    }
    this.mm = new MemoryManager(this, opts.brk, opts.mmapTop);
    this.signals = new SignalState(this);
  }

  /** What /proc/self/fd/N points to. */
  private fdTarget(fd: number): string | null {
    if (!this.fds.has(fd)) return null;
    const f = this.fds.get(fd);
    if (f.path) return joinGuest(f.path);
    if (f.kind === "pipe") return `pipe:[${4000 + fd}]`;
    if (f.kind === "stdio") return this.host.stdio.isTerminal(f.stream) ? "/dev/pts/0" : `pipe:[${4000 + fd}]`;
    return null;
  }

  /** Releases host resources of an open file whose last descriptor closed. */
  private release(f: OpenFile): void {
    if (f.kind === "file") { try { f.fs.close(f.handle); } catch { /* closing cannot fail visibly after the fd is gone */ } }
    if (f.kind === "pipe") { if (f.end === "read") f.pipe.readers--; else f.pipe.writers--; }
  }

  /** Creates a pipe's two open files. */
  newPipe(flags: number): [OpenFile, OpenFile] {
    const pipe = new Pipe();
    const r: OpenFile = { kind: "pipe", pipe, end: "read", flags: flags & ~3, pos: 0n, refs: 0, path: null };
    const w: OpenFile = { kind: "pipe", pipe, end: "write", flags: (flags & ~3) | 1, pos: 0n, refs: 0, path: null };
    pipe.readers = 1; pipe.writers = 1;
    return [r, w];
  }

  // ---- guest memory helpers used by the syscall implementations ----

  /** Reads a NUL-terminated path (ENAMETOOLONG beyond PATH_MAX, EFAULT when unmapped). */
  readPath(addr: number): string {
    if (addr === 0) throw new SyscallError(E.EFAULT);
    let bytes: Uint8Array;
    try { bytes = this.mem.readCString(addr, 4096); } catch (e) {
      if (e instanceof GuestFault && e.mapped && this.mem.isMapped(addr, 4096)) throw new SyscallError(E.ENAMETOOLONG);
      throw e;
    }
    return new TextDecoder().decode(bytes);
  }

  /** Writes a structure of the guest's layout. */
  writeStruct(addr: number, layout: StructLayout, values: Record<string, number | bigint>): void {
    this.io.write(addr, layout, values);
  }

  /** Resolves `path` relative to `dirfd` (AT_FDCWD = cwd); AT_EMPTY_PATH with "" names dirfd itself. */
  resolveAt(dirfd: number, path: string, follow: boolean, flags = 0): Resolved {
    if (path === "" && flags & AT_EMPTY_PATH) {
      if (dirfd === AT_FDCWD) return this.vfs.resolve(".", this.cwd, true);
      const f = this.fds.get(dirfd);
      if (!f.path) throw new SyscallError(E.EBADF);
      return this.vfs.resolve(joinGuest(f.path), [], false);
    }
    let base = this.cwd;
    if (!path.startsWith("/") && dirfd !== AT_FDCWD) {
      const f = this.fds.get(dirfd);
      if (f.kind !== "dir" && !(f.kind === "opath" && f.path)) throw new SyscallError(E.ENOTDIR);
      base = f.path ?? [];
    }
    return this.vfs.resolve(path, base, follow);
  }

  // ---- entry points for the run loop ----

  /** Executes the syscall in the guest registers (pc already after the syscall instruction); writes the result per the ABI. */
  syscall(): KernelAction {
    const nr = this.abi.syscallNumber(this.state);
    const name = this.abi.syscalls[nr] ?? `syscall_${nr}`;
    const def = name in this.abi.unsupported ? undefined : CORE_SYSCALLS[this.abi.aliases[name] ?? name];
    this.stats.syscalls++;
    this.stats.byName[name] = (this.stats.byName[name] ?? 0) + 1;
    if (!def) {
      this.stats.unknown[name] = (this.stats.unknown[name] ?? 0) + 1;
      if (this.opts.strict) {
        return { kind: "killed", signal: 31, message: `isa2wasm: unsupported syscall ${name} (${nr})` };
      }
      if (!this.warned.has(name)) {
        this.warned.add(name);
        this.opts.warn?.(`isa2wasm: unsupported syscall ${name} (${nr}) returns ENOSYS`);
      }
      this.opts.strace?.(`${this.pid} ${name}(...) = -1 errno=${E.ENOSYS} (Function not implemented)`);
      this.abi.setResult(this.state, BigInt(-E.ENOSYS));
      return this.signals.deliverPending();
    }
    const args = this.readArgs(def.args);
    let callText = "";
    if (this.opts.strace) {
      callText = `${this.pid} ${formatCall(this, name, def.args, args)}`;
      if (name === "exit" || name === "exit_group") this.opts.strace(callText);
    }
    let out: number | bigint | SyscallOutcome;
    try {
      out = def.run(this, args);
    } catch (e) {
      if (e instanceof SyscallError) out = -e.errno;
      else if (e instanceof GuestFault) out = -E.EFAULT;
      else if (e instanceof HostError) out = -errnoNumber(e.code);
      else throw e;
    }
    const outcome = typeof out === "object" ? out : { result: out, action: { kind: "continue" } as KernelAction };
    if (callText && name !== "exit" && name !== "exit_group") this.opts.strace!(`${callText} = ${formatResult(name, outcome.result)}`);
    if (!def.noResult) this.abi.setResult(this.state, BigInt(outcome.result));
    if (outcome.action.kind !== "continue") return outcome.action;
    return this.signals.deliverPending();
  }

  /** A synchronous guest trap at `pc` (signal, si_code, fault address): handler or default action. */
  trap(signal: number, code: number, pc: number, addr?: number): KernelAction {
    return this.signals.trap(signal, code, pc, addr);
  }

  /** Reads the syscall's arguments from the guest registers according to their kinds. */
  private readArgs(kinds: readonly ArgKind[]): ArgValues {
    const out: ArgValues = [];
    const wide = this.abi.wordSize === 8;
    let slot = 0;
    for (const kind of kinds) {
      if (kind === "off") {
        if (wide) out.push(BigInt.asIntN(64, this.abi.arg(this.state, slot++)));
        else {
          if (slot & 1) slot++;
          const hi = this.abi.arg(this.state, slot++), lo = this.abi.arg(this.state, slot++);
          out.push(BigInt.asIntN(64, (hi << 32n) | lo));
        }
        continue;
      }
      const raw = this.abi.arg(this.state, slot++);
      switch (kind) {
        case "fd": case "dirfd": case "int": case "oflags": case "sig": case "clock":
          out.push(Number(BigInt.asIntN(32, raw))); break;
        case "uint": case "mode": case "hex": case "prot": case "mapflags":
          out.push(Number(BigInt.asUintN(32, raw))); break;
        case "long":
          out.push(Number(BigInt.asIntN(wide ? 64 : 32, raw))); break;
        case "ptr": case "path": case "size":
          out.push(Number(raw)); break;
      }
    }
    return out;
  }

  /** Emits a one-time warning. */
  warnOnce(key: string, line: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.warn?.(line);
  }
}
