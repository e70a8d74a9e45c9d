/**
 * The initial process stack, laid out as Linux's create_elf_tables (fs/binfmt_elf.c) builds it. From the
 * top of the stack down:
 *
 *     8 zero bytes (bprm->p starts one kernel pointer below the top: 8 bytes on 64-bit kernels, which also
 *     run 32-bit programs; qemu-ppc leaves the same 8 bytes)
 *     the program's path (AT_EXECFN), the environment strings, the argument strings (argv[0] lowest)
 *     (aligned down to 16)
 *     the platform string, when the guest has one (AT_PLATFORM)
 *     16 random bytes (AT_RANDOM)
 *     auxv pairs ending with AT_NULL, envp pointers + NULL, argv pointers + NULL, argc  ← sp, 16-aligned
 *
 * Words are the guest's pointer size in the guest's byte order.
 */
import type { GuestName } from "../../translator/guests/guest.ts";
import { alignDown, type GuestMemory } from "../memory/memory.ts";
import type { ProcessImage } from "./loader.ts";

/** Auxiliary vector entry types (include/uapi/linux/auxvec.h, arch/powerpc/include/uapi/asm/auxvec.h). */
export const AT_NULL = 0, AT_IGNORE = 1, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
  AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
  AT_HWCAP = 16, AT_CLKTCK = 17, AT_DCACHEBSIZE = 19, AT_ICACHEBSIZE = 20, AT_UCACHEBSIZE = 21,
  AT_IGNOREPPC = 22, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31;

/** What a guest's initial stack depends on besides the program. */
export interface StackAbi {
  pointerBytes: 4 | 8;
  endian: "le" | "be";
  /** AT_HWCAP */
  hwcap: number;
  /** AT_HWCAP2, on architectures that define it */
  hwcap2?: number;
  /** AT_PLATFORM string, on architectures that report one */
  platform?: string;
  /** the entries of the architecture's ARCH_DLINFO, which Linux puts first */
  archAux: Array<[number, number]>;
}

/** RISC-V hwcap: bit (letter - 'a') for each single-letter extension. */
function riscvHwcap(letters: string): number {
  let bits = 0;
  for (const c of letters) bits |= 1 << (c.charCodeAt(0) - 97);
  return bits;
}

/**
 * Per-guest stack ABI. Values follow Linux and agree with what qemu-user 7.2 reports (the reference the
 * fixtures were recorded with):
 * - riscv64: hwcap IMAFDC, no AT_PLATFORM (ELF_PLATFORM is NULL on RISC-V);
 * - ppc32: AT_IGNOREPPC twice (glibc relies on them), 32-byte cache blocks (glibc's memset uses dcbz with
 *   AT_DCACHEBSIZE), hwcap PPC_FEATURE_HAS_FPU, hwcap2 0, no AT_PLATFORM (qemu reports none).
 * No AT_SYSINFO_EHDR (there is no vDSO) and no AT_MINSIGSTKSZ (qemu reports none; glibc then uses
 * its MINSIGSTKSZ constant).
 */
export const STACK_ABIS: Record<GuestName, StackAbi> = {
  riscv64: { pointerBytes: 8, endian: "le", hwcap: riscvHwcap("imafdc"), archAux: [] },
  ppc32: {
    pointerBytes: 4, endian: "be", hwcap: 0x0800_0000, hwcap2: 0,
    archAux: [[AT_IGNOREPPC, AT_IGNOREPPC], [AT_IGNOREPPC, AT_IGNOREPPC], [AT_DCACHEBSIZE, 32], [AT_ICACHEBSIZE, 32], [AT_UCACHEBSIZE, 0]],
  },
};

/** Inputs of {@link buildInitialStack}. */
export interface StackSpec {
  argv: string[];
  envp: string[];
  /** the program path as given to execve (AT_EXECFN) */
  execfn: string;
  image: ProcessImage;
  /** the 16 bytes behind AT_RANDOM */
  random: Uint8Array;
  /** AT_UID, AT_EUID, AT_GID, AT_EGID (default 0) */
  ids?: { uid: number; euid: number; gid: number; egid: number };
  /** end (exclusive) of the stack mapping */
  top: number;
  /** lowest usable stack address: the strings and tables must fit above it */
  bottom: number;
}

/** Where {@link buildInitialStack} put things. */
export interface InitialStack {
  /** the initial stack pointer (address of argc) */
  sp: number;
  /** the auxiliary vector as written, AT_NULL included */
  auxv: Array<[number, number]>;
}

/** Thrown when the arguments and environment do not fit (Linux's E2BIG). */
export class ArgumentsTooLong extends Error {}

/** Writes the initial stack into `mem` (the stack must be mapped) and returns the stack pointer. */
export function buildInitialStack(mem: GuestMemory, abi: StackAbi, spec: StackSpec): InitialStack {
  const n = abi.pointerBytes;
  const enc = new TextEncoder();
  let p = spec.top - 8;
  const room = (len: number) => {
    if (p - len < spec.bottom) throw new ArgumentsTooLong("argument list too long for the stack");
  };
  const putString = (s: string): number => {
    const bytes = enc.encode(s);
    room(bytes.length + 1);
    p -= bytes.length + 1;
    mem.writeBytes(p, bytes, true);
    mem.u8[p + bytes.length] = 0;
    return p;
  };
  mem.u8.fill(0, p, spec.top);
  const execfn = putString(spec.execfn);
  // strings are copied last first, so that argv[0] ends up lowest
  const envAddrs = spec.envp.map(() => 0), argAddrs = spec.argv.map(() => 0);
  for (let i = spec.envp.length - 1; i >= 0; i--) envAddrs[i] = putString(spec.envp[i]!);
  for (let i = spec.argv.length - 1; i >= 0; i--) argAddrs[i] = putString(spec.argv[i]!);
  p = alignDown(p, 16);
  const platform = abi.platform !== undefined ? putString(abi.platform) : undefined;
  if (spec.random.length !== 16) throw new RangeError("AT_RANDOM needs 16 bytes");
  room(16);
  p -= 16;
  const random = p;
  mem.writeBytes(random, spec.random, true);

  const ids = spec.ids ?? { uid: 0, euid: 0, gid: 0, egid: 0 };
  const img = spec.image;
  const auxv: Array<[number, number]> = [
    ...abi.archAux,
    [AT_HWCAP, abi.hwcap], [AT_PAGESZ, 4096], [AT_CLKTCK, 100],
    [AT_PHDR, img.phdr], [AT_PHENT, img.phent], [AT_PHNUM, img.phnum],
    [AT_BASE, 0], [AT_FLAGS, 0], [AT_ENTRY, img.entry],
    [AT_UID, ids.uid], [AT_EUID, ids.euid], [AT_GID, ids.gid], [AT_EGID, ids.egid],
    [AT_SECURE, 0], [AT_RANDOM, random],
  ];
  if (abi.hwcap2 !== undefined) auxv.push([AT_HWCAP2, abi.hwcap2]);
  auxv.push([AT_EXECFN, execfn]);
  if (platform !== undefined) auxv.push([AT_PLATFORM, platform]);
  auxv.push([AT_NULL, 0]);

  const words = 2 * auxv.length + (spec.argv.length + 1) + (spec.envp.length + 1) + 1;
  room(words * n + 16);
  const sp = alignDown(p - words * n, 16);
  const le = abi.endian === "le";
  let at = sp;
  const put = (v: number) => {
    if (n === 8) mem.dv.setBigUint64(at, BigInt(v), le);
    else mem.dv.setUint32(at, v >>> 0, le);
    at += n;
  };
  put(spec.argv.length);
  for (const a of argAddrs) put(a);
  put(0);
  for (const e of envAddrs) put(e);
  put(0);
  for (const [type, value] of auxv) { put(type); put(value); }
  return { sp, auxv };
}
