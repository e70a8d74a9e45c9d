/**
 * Test harness for the kernel: a riscv64 GuestMemory + CpuState with a scratch area, a kernel over a
 * host adapter (in-memory by default), and `sys(name, ...args)` that places string arguments in guest
 * memory, sets a7/a0..a5, runs the syscall and returns a0 (negative = -errno).
 */
import { GuestMemory, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { CpuState } from "../state.ts";
import { RISCV64_STATE } from "../../translator/guests/riscv64/state.ts";
import { memoryHost, type MemoryHostOptions } from "../host/memory.ts";
import type { HostAdapter } from "../host/host.ts";
import { LinuxKernel, type KernelOptions } from "./kernel.ts";
import { RISCV64_ABI } from "./abi/riscv64.ts";
import type { KernelAction } from "./syscall.ts";

/** Where the harness keeps strings and buffers. */
export const SCRATCH = 0x100000, SCRATCH_SIZE = 0x100000;
const NUMBERS = new Map(Object.entries(RISCV64_ABI.syscalls).map(([n, name]) => [name, Number(n)]));

/** A kernel under test and helpers to drive it. */
export interface TestKernel {
  k: LinuxKernel;
  mem: GuestMemory;
  state: CpuState;
  host: HostAdapter;
  /** everything the guest wrote to fd 1 and 2 (memory host only) */
  output: { 1: string; 2: string };
  /** the action of the last syscall */
  last: KernelAction;
  /** Runs syscall `name`; strings are copied into guest memory. Returns a0 as a number. */
  sys(name: string, ...args: Array<number | bigint | string>): number;
  /** Allocates `n` zeroed scratch bytes. */
  alloc(n: number): number;
  /** Copies a NUL-terminated string into scratch memory. */
  str(s: string): number;
  /** Reads a NUL-terminated string. */
  readStr(addr: number): string;
  reg(name: string): bigint;
  setReg(name: string, v: number | bigint): void;
}

/** Builds a riscv64 kernel over `host` (default: an in-memory host with /work as the working directory). */
export function testKernel(opts: Partial<KernelOptions> & { hostOptions?: MemoryHostOptions } = {}): TestKernel {
  const mem = new GuestMemory();
  const state = new CpuState(mem, RISCV64_STATE);
  state.clear();
  mem.map(SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
  const output = { 1: "", 2: "" };
  const dec = new TextDecoder();
  let host = opts.host;
  if (!host) {
    const mh = memoryHost({ output: (fd, d) => { output[fd] += dec.decode(d); }, ...opts.hostOptions });
    if (!opts.hostOptions?.fs) mh.fs.mkdir("/work", 0o755);
    host = mh;
  }
  state.set("x2", 0x300000n);
  mem.map(0x2f0000, 0x10000, PROT_READ | PROT_WRITE);
  const k = new LinuxKernel({
    guest: "riscv64", mem, state, host, mounts: [{ host: "/work", guest: "/work", readonly: false }], cwd: "/work",
    brk: 0x400000, mmapTop: 0x3f000000, argv0: "/work/prog", ...opts,
  });
  let next = SCRATCH;
  const alloc = (n: number): number => {
    const at = next;
    next += (n + 15) & ~15;
    if (next > SCRATCH + SCRATCH_SIZE) throw new Error("scratch exhausted");
    mem.writeBytes(at, new Uint8Array(n));
    return at;
  };
  const str = (s: string): number => {
    const b = new TextEncoder().encode(s);
    const at = alloc(b.length + 1);
    mem.writeBytes(at, b);
    return at;
  };
  const t: TestKernel = {
    k, mem, state, host, output, last: { kind: "continue" }, alloc, str,
    readStr: (addr) => dec.decode(mem.readCString(addr)),
    reg: (name) => BigInt(state.get(name)),
    setReg: (name, v) => state.set(name, v),
    sys(name, ...args) {
      const nr = NUMBERS.get(name);
      if (nr === undefined) throw new Error(`no riscv64 syscall ${name}`);
      state.set("x17", nr);
      args.forEach((a, i) => state.set(`x${10 + i}`, typeof a === "string" ? BigInt(str(a)) : BigInt(a)));
      t.last = k.syscall();
      return Number(BigInt.asIntN(64, BigInt(state.get("x10"))));
    },
  };
  return t;
}
