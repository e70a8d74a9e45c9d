/**
 * How a syscall is described in the semantics core: its arguments (how to read and print them) and its
 * implementation, plus whether Linux's semantics are implemented fully or in part. Each area file
 * (fs.ts, mm.ts, ...) exports a table of these; kernel.ts merges them.
 */
import type { LinuxKernel } from "./kernel.ts";

/**
 * Argument kinds. Reading: `off` is a 64-bit bigint (a register pair on 32-bit guests), `long` a signed
 * long, `int`/`fd`/`dirfd`/`oflags`/`sig`/`clock` a signed 32-bit int, `uint`/`mode`/`hex`/`prot`/`mapflags` an unsigned
 * 32-bit int, `ptr`/`path`/`size` an unsigned long. The kind also selects the strace rendering.
 */
export type ArgKind =
  | "fd" | "dirfd" | "int" | "uint" | "long" | "ptr" | "path" | "size" | "off"
  | "oflags" | "mode" | "hex" | "sig" | "clock" | "prot" | "mapflags";

/** The values of a syscall's arguments, in declaration order. */
export type ArgValues = Array<number | bigint>;

/** One syscall of the semantics core. */
export interface SyscallDef {
  args: readonly ArgKind[];
  /**
   * Performs the syscall; returns the result (≥ 0) or throws a SyscallError. A returned
   * {@link KernelAction} other than continue ends or redirects the guest (exit, signal delivery).
   */
  run(k: LinuxKernel, a: ArgValues): number | bigint | SyscallOutcome;
  /** set when only part of Linux's semantics is implemented: what is missing */
  partial?: string;
  /** deliberately not provided: the syscall fails with ENOSYS without a warning; says why */
  unsupported?: string;
  /** the result register is left untouched (rt_sigreturn restores it from the frame) */
  noResult?: boolean;
}

/** What happens to the guest after a syscall or trap. */
export type KernelAction =
  /** resume at the state's pc */
  | { kind: "continue" }
  /** exit/exit_group: status 0..255 */
  | { kind: "exit"; status: number }
  /** terminated by a signal (exit status 128+signal); `message` as qemu prints it (empty when it prints none) */
  | { kind: "killed"; signal: number; message: string };

/** A syscall result that also changes control flow. */
export interface SyscallOutcome { result: number | bigint; action: KernelAction }

/** A table of syscalls by core name. */
export type SyscallTable = Readonly<Record<string, SyscallDef>>;

/** Shorthand for integer arguments (syscall implementations know each argument's kind). */
export const num = (v: number | bigint): number => Number(v);

/** dirfd value meaning "the current directory". */
export const AT_FDCWD = -100;
