/**
 * What differs between guests at the syscall boundary, as data: syscall numbers, argument registers, the
 * error convention, open(2) flag bits, ioctl numbers and structure layouts. The semantics core
 * (runtime/linux/*.ts) is written once against this description.
 */
import type { GuestMemory } from "../../memory/memory.ts";
import type { CpuState } from "../../state.ts";

/** Scalar field types of guest structures. `sigset` is a 64-signal mask stored as the guest's longs. */
export type FieldType = "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "sigset";

/** A guest structure: its size and each field's offset and type. */
export interface StructLayout {
  size: number;
  fields: Readonly<Record<string, readonly [offset: number, type: FieldType]>>;
}

/** The structures the kernel reads or writes, by role. Layouts checked against the cross toolchains' headers. */
export interface GuestStructs {
  /** struct stat as newfstatat/fstat write it (ppc32: struct stat64 of fstatat64/fstat64) */
  stat: StructLayout;
  statx: StructLayout;
  /** struct timespec with the guest's time_t */
  timespec: StructLayout;
  /** struct __kernel_timespec (64-bit seconds) of the *_time64 syscalls */
  timespec64: StructLayout;
  timeval: StructLayout;
  iovec: StructLayout;
  rlimit: StructLayout;
  /** struct rlimit64 of prlimit64 */
  rlimit64: StructLayout;
  /** struct sigaction as rt_sigaction passes it */
  sigaction: StructLayout;
  /** stack_t of sigaltstack */
  stack: StructLayout;
  sysinfo: StructLayout;
  /** the kernel's struct termios (TCGETS) */
  termios: StructLayout;
  winsize: StructLayout;
  /** struct rusage: the two timevals and ru_maxrss (the other longs stay 0) */
  rusage: StructLayout;
  /** struct tms of times(2) */
  tms: StructLayout;
  /** siginfo_t: si_signo, si_errno, si_code and the union members the kernel fills (si_addr, si_pid, si_uid) */
  siginfo: StructLayout;
}

/**
 * How a guest's signal frame (rt_sigframe: siginfo + ucontext) is laid out and how registers move in and
 * out of it. Offsets are from the start of the frame.
 */
export interface SignalFrameAbi {
  /** bytes of the frame (it is placed 16-byte aligned below the stack pointer) */
  size: number;
  siginfo: number;
  /** offsets of the ucontext and of the fields the kernel fills */
  uc: number;
  ucStack: number;
  ucSigmask: number;
  ucMcontext: number;
  /** instruction words of the sigreturn trampoline (placed in a runtime-owned executable page) */
  trampoline: readonly number[];
  stackPointer(state: CpuState): number;
  /** Saves the guest registers into the frame at `frame`, with `pc` as the resume address. */
  saveRegisters(io: StructIO, state: CpuState, frame: number, pc: number): void;
  /** Restores the guest registers (and pc) from the frame at `frame`. */
  restoreRegisters(io: StructIO, state: CpuState, frame: number): void;
  /** Sets up the registers (and stack) to run `handler(sig, info, uc)`, returning to `restorer`. */
  enterHandler(io: StructIO, state: CpuState, sig: number, handler: number, frame: number, restorer: number): void;
  /** Where rt_sigreturn finds the frame, from the registers at the trampoline's system call. */
  frameAtSigreturn(state: CpuState): number;
}

/** The guest's open(2) flag bits that differ between architectures. */
export interface OpenFlagBits {
  O_DIRECTORY: number;
  O_NOFOLLOW: number;
  O_LARGEFILE: number;
  O_DIRECT: number;
}

/** Everything the kernel needs to know about one guest's Linux ABI. */
export interface GuestAbi {
  name: "riscv64" | "ppc32";
  /** `uname -m` */
  machine: string;
  bigEndian: boolean;
  /** bytes in a long / pointer */
  wordSize: 4 | 8;
  /** syscall number → kernel name (from the kernel's own tables) */
  syscalls: Readonly<Record<number, string>>;
  /** guest syscall names served by a core syscall of another name (ppc32 fstat64 → fstat ...) */
  aliases: Readonly<Record<string, string>>;
  /** guest syscalls that share a core name but not its semantics, so they are ENOSYS here: why */
  unsupported: Readonly<Record<string, string>>;
  /** number of the syscall being made */
  syscallNumber(state: CpuState): number;
  /** raw register value of syscall argument `i` (0-based), zero-extended to the register width */
  arg(state: CpuState, i: number): bigint;
  /** Writes a syscall result: `value` ≥ 0 on success, or -errno. */
  setResult(state: CpuState, value: bigint): void;
  openFlags: OpenFlagBits;
  ioctl: { TCGETS: number; TIOCGWINSZ: number };
  structs: GuestStructs;
  /** signal frames; null while delivery to handlers is not implemented for the guest */
  signalFrame: SignalFrameAbi | null;
}

/** Reads and writes guest structures described by a {@link StructLayout}, in the guest's byte order. */
export class StructIO {
  constructor(readonly mem: GuestMemory, readonly abi: GuestAbi) {}

  /** Writes the given fields at `addr` (the whole struct is zeroed first: unnamed fields read as 0). */
  write(addr: number, layout: StructLayout, values: Record<string, number | bigint>): void {
    this.mem.check(addr, layout.size, "write");
    this.mem.writeBytes(addr, new Uint8Array(layout.size));
    for (const [name, v] of Object.entries(values)) {
      const f = layout.fields[name];
      if (!f) throw new Error(`struct field ${name} not in layout`);
      this.writeField(addr + f[0], f[1], v);
    }
  }

  /** Reads the named fields (all of them by default) at `addr`. */
  read(addr: number, layout: StructLayout): Record<string, bigint> {
    this.mem.check(addr, layout.size, "read");
    const out: Record<string, bigint> = {};
    for (const [name, [off, ty]] of Object.entries(layout.fields)) out[name] = this.readField(addr + off, ty);
    return out;
  }

  /** Writes one field value of type `ty` at `addr`. */
  writeField(addr: number, ty: FieldType, v: number | bigint): void {
    const be = this.abi.bigEndian, m = this.mem;
    switch (ty) {
      case "u8": m.write8(addr, Number(v) & 0xff); break;
      case "u16": m.write16(addr, Number(v) & 0xffff, be); break;
      case "u32": case "i32": m.write32(addr, Number(BigInt.asUintN(32, BigInt(v))), be); break;
      case "u64": case "i64": m.write64(addr, BigInt(v), be); break;
      case "sigset": {
        const mask = BigInt.asUintN(64, BigInt(v));
        if (this.abi.wordSize === 8) m.write64(addr, mask, be);
        else { m.write32(addr, Number(mask & 0xffffffffn), be); m.write32(addr + 4, Number(mask >> 32n), be); }
        break;
      }
    }
  }

  /** Reads one field of type `ty` at `addr` (signed types sign-extended). */
  readField(addr: number, ty: FieldType): bigint {
    const be = this.abi.bigEndian, m = this.mem;
    switch (ty) {
      case "u8": return BigInt(m.read8(addr));
      case "u16": return BigInt(m.read16(addr, be));
      case "u32": return BigInt(m.read32(addr, be));
      case "i32": return BigInt(m.read32(addr, be) | 0);
      case "u64": return m.read64(addr, be);
      case "i64": return BigInt.asIntN(64, m.read64(addr, be));
      case "sigset":
        return this.abi.wordSize === 8 ? m.read64(addr, be)
          : BigInt(m.read32(addr, be)) | (BigInt(m.read32(addr + 4, be)) << 32n);
    }
  }

  /** Reads a guest `long`-sized word (unsigned). */
  readWord(addr: number): bigint { return this.readField(addr, this.abi.wordSize === 8 ? "u64" : "u32"); }
  /** Writes a guest `long`-sized word. */
  writeWord(addr: number, v: number | bigint): void { this.writeField(addr, this.abi.wordSize === 8 ? "u64" : "u32", v); }
}

/** struct statx: the same layout on every architecture (include/uapi/linux/stat.h). */
export const STATX_LAYOUT: StructLayout = {
  size: 256,
  fields: {
    stx_mask: [0, "u32"], stx_blksize: [4, "u32"], stx_attributes: [8, "u64"], stx_nlink: [16, "u32"],
    stx_uid: [20, "u32"], stx_gid: [24, "u32"], stx_mode: [28, "u16"], stx_ino: [32, "u64"], stx_size: [40, "u64"],
    stx_blocks: [48, "u64"], stx_attributes_mask: [56, "u64"],
    stx_atime_sec: [64, "i64"], stx_atime_nsec: [72, "u32"], stx_btime_sec: [80, "i64"], stx_btime_nsec: [88, "u32"],
    stx_ctime_sec: [96, "i64"], stx_ctime_nsec: [104, "u32"], stx_mtime_sec: [112, "i64"], stx_mtime_nsec: [120, "u32"],
    stx_rdev_major: [128, "u32"], stx_rdev_minor: [132, "u32"], stx_dev_major: [136, "u32"], stx_dev_minor: [140, "u32"],
  },
};

/** struct __kernel_timespec: 64-bit seconds and nanoseconds on every architecture. */
export const TIMESPEC64_LAYOUT: StructLayout = { size: 16, fields: { tv_sec: [0, "i64"], tv_nsec: [8, "i64"] } };
/** struct rlimit64: two u64 on every architecture. */
export const RLIMIT64_LAYOUT: StructLayout = { size: 16, fields: { rlim_cur: [0, "u64"], rlim_max: [8, "u64"] } };
/** struct winsize: four unsigned shorts on every architecture. */
export const WINSIZE_LAYOUT: StructLayout = {
  size: 8, fields: { ws_row: [0, "u16"], ws_col: [2, "u16"], ws_xpixel: [4, "u16"], ws_ypixel: [6, "u16"] },
};
