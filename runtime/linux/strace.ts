/** Syscall trace lines in qemu-user's `-strace` style: `name(arg,arg,...) = result`. */
import { ERRNO_TEXT } from "./errno.ts";
import type { LinuxKernel } from "./kernel.ts";
import { AT_FDCWD, type ArgKind, type ArgValues } from "./syscall.ts";
import { O_ACCMODE, O_CREAT } from "./fd.ts";

/** Results printed as addresses. */
const POINTER_RESULTS = new Set(["brk", "mmap", "mmap2", "mremap"]);

function hex(v: number | bigint, digits: number): string {
  return "0x" + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(digits, "0");
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function openFlags(k: LinuxKernel, v: number): string {
  const names: Array<[string, number]> = [
    ["O_CREAT", 0o100], ["O_EXCL", 0o200], ["O_NOCTTY", 0o400], ["O_TRUNC", 0o1000], ["O_APPEND", 0o2000],
    ["O_NONBLOCK", 0o4000], ["O_DIRECTORY", k.abi.openFlags.O_DIRECTORY], ["O_NOFOLLOW", k.abi.openFlags.O_NOFOLLOW],
    ["O_LARGEFILE", k.abi.openFlags.O_LARGEFILE], ["O_CLOEXEC", 0o2000000], ["O_PATH", 0o10000000],
  ];
  const parts = [["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][v & O_ACCMODE]!];
  let rest = v & ~O_ACCMODE;
  for (const [name, b] of names) if (rest & b) { parts.push(name); rest &= ~b; }
  if (rest) parts.push(hex(rest, 0));
  return parts.join("|");
}

/** Names the set bits of `v` (`zero` when none), leftover bits in hex. */
function bitNames(v: number, names: ReadonlyArray<readonly [string, number]>, zero: string): string {
  const parts: string[] = [];
  let rest = v;
  for (const [name, b] of names) if (rest & b) { parts.push(name); rest &= ~b; }
  if (rest) parts.push(hex(rest, 0));
  return parts.length ? parts.join("|") : zero;
}

const PROT_NAMES = [["PROT_READ", 1], ["PROT_WRITE", 2], ["PROT_EXEC", 4]] as const;
const MAP_NAMES = [
  ["MAP_SHARED", 1], ["MAP_PRIVATE", 2], ["MAP_FIXED", 0x10], ["MAP_ANONYMOUS", 0x20], ["MAP_NORESERVE", 0x4000],
  ["MAP_FIXED_NOREPLACE", 0x100000],
] as const;

function formatArg(k: LinuxKernel, kind: ArgKind, v: number | bigint): string {
  const digits = k.abi.wordSize * 2;
  switch (kind) {
    case "dirfd": return v === AT_FDCWD ? "AT_FDCWD" : String(v);
    case "ptr": return v === 0 ? "NULL" : hex(v, digits);
    case "path": {
      if (v === 0) return "NULL";
      try { return quote(k.readPath(Number(v))); } catch { return hex(v, digits); }
    }
    case "oflags": return openFlags(k, Number(v));
    case "mode": return "0" + Number(v).toString(8);
    case "hex": return hex(v, 0);
    case "prot": return bitNames(Number(v), PROT_NAMES, "PROT_NONE");
    case "mapflags": return bitNames(Number(v), MAP_NAMES, "0");
    default: return String(v);
  }
}

/** `name(args)` for a syscall about to run. */
export function formatCall(k: LinuxKernel, name: string, kinds: readonly ArgKind[], values: ArgValues): string {
  // like qemu, openat shows its mode only when it creates a file
  const shown = name === "openat" && !(Number(values[2]) & O_CREAT) ? kinds.slice(0, 3) : kinds;
  return `${name}(${shown.map((kind, i) => formatArg(k, kind, values[i]!)).join(",")})`;
}

/** The result part: a number, an address, or `-1 errno=N (text)`. */
export function formatResult(name: string, result: number | bigint): string {
  const r = BigInt(result);
  if (r < 0n && r >= -4095n) {
    const errno = Number(-r);
    return `-1 errno=${errno} (${ERRNO_TEXT.get(errno) ?? "Unknown error"})`;
  }
  return POINTER_RESULTS.has(name) ? hex(r, 16) : r.toString();
}
