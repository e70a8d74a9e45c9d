/**
 * The ABI tables against their references: syscall numbers from the kernel's tables (asm-generic
 * unistd.h for riscv64, arch/powerpc syscall.tbl for ppc32), the ppc32 conventions (64-bit arguments in
 * an aligned register pair, errors as CR0.SO + positive errno in r3, big-endian structures).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeStateLayout, type Ty } from "../../../translator/ir/ir.ts";
import { GuestMemory, PROT_READ, PROT_WRITE } from "../../memory/memory.ts";
import { CpuState } from "../../state.ts";
import { memoryHost } from "../../host/memory.ts";
import { LinuxKernel, CORE_SYSCALLS } from "../kernel.ts";
import { RISCV64_ABI } from "./riscv64.ts";
import { PPC32_ABI } from "./ppc32.ts";

test("syscall numbers match the kernel tables (spot checks)", () => {
  // include/uapi/asm-generic/unistd.h
  const rv: Record<number, string> = { 17: "getcwd", 56: "openat", 63: "read", 64: "write", 93: "exit", 94: "exit_group", 139: "rt_sigreturn", 214: "brk", 222: "mmap", 259: "riscv_flush_icache", 261: "prlimit64", 278: "getrandom", 291: "statx", 435: "clone3" };
  for (const [n, name] of Object.entries(rv)) assert.is(RISCV64_ABI.syscalls[Number(n)], name);
  // arch/powerpc/kernel/syscalls/syscall.tbl
  const ppc: Record<number, string> = { 0: "restart_syscall", 1: "exit", 3: "read", 4: "write", 5: "open", 45: "brk", 85: "readlink", 90: "mmap", 140: "_llseek", 172: "rt_sigreturn", 179: "pread64", 192: "mmap2", 197: "fstat64", 234: "exit_group", 286: "openat", 383: "statx", 403: "clock_gettime64" };
  for (const [n, name] of Object.entries(ppc)) assert.is(PPC32_ABI.syscalls[Number(n)], name);
});

test("every alias names a core syscall, and every core syscall exists on some guest", () => {
  for (const [from, to] of Object.entries(PPC32_ABI.aliases)) {
    assert.ok(Object.values(PPC32_ABI.syscalls).includes(from), `${from} is a ppc32 syscall`);
    assert.ok(CORE_SYSCALLS[to], `${to} is implemented`);
  }
  const reachable = new Set([
    ...Object.values(RISCV64_ABI.syscalls), ...Object.values(PPC32_ABI.syscalls), ...Object.values(PPC32_ABI.aliases),
  ]);
  assert.equal(Object.keys(CORE_SYSCALLS).filter((n) => !reachable.has(n)), []);
});

/** A ppc32-like CPU state: r0..r31, pc, and a packed CR. */
function ppcKernel() {
  const regs: Array<[string, Ty]> = [];
  for (let i = 0; i < 32; i++) regs.push([`r${i}`, "i32"]);
  regs.push(["pc", "i32"], ["cr", "i32"], ["lr", "i32"], ["ctr", "i32"], ["xer", "i32"], ["fpscr", "i32"]);
  for (let i = 0; i < 32; i++) regs.push([`f${i}`, "i64"]);
  const mem = new GuestMemory();
  const state = new CpuState(mem, makeStateLayout(regs));
  state.clear();
  mem.map(0x100000, 0x20000, PROT_READ | PROT_WRITE);
  const host = memoryHost();
  host.fs.mkdir("/w", 0o755);
  host.fs.writeFile("/w/f", "0123456789");
  const k = new LinuxKernel({ guest: "ppc32", mem, state, host, mounts: [{ host: "/w", guest: "/w", readonly: false }], cwd: "/w", brk: 0x200000, mmapTop: 0x3f000000 });
  const call = (nr: number, ...args: number[]): number => {
    state.set("r0", nr);
    args.forEach((a, i) => state.set(`r${3 + i}`, a));
    k.syscall();
    return state.getI32(state.layout.slot("r3"));
  };
  const so = (): boolean => (state.getI32(state.layout.slot("cr")) & 0x1000_0000) !== 0;
  return { k, mem, state, call, so };
}

test("ppc32: errors set CR0.SO with the positive errno in r3; success clears it", () => {
  const p = ppcKernel();
  p.mem.writeBytes(0x100000, new TextEncoder().encode("missing\0f\0"));
  assert.is(p.call(286 /* openat */, -100, 0x100000, 0, 0), 2, "ENOENT as +2");
  assert.ok(p.so());
  assert.is(p.call(286, -100, 0x100008, 0, 0), 3);
  assert.not.ok(p.so());
});

test("ppc32: pread64 takes its offset from the aligned pair r7:r8; structures are big-endian", () => {
  const p = ppcKernel();
  p.mem.writeBytes(0x100000, new TextEncoder().encode("f\0"));
  const fd = p.call(286, -100, 0x100000, 0, 0);
  assert.is(p.call(179 /* pread64 */, fd, 0x100100, 4, 0xdead /* pad */, 0, 6), 4);
  assert.is(new TextDecoder().decode(p.mem.readBytes(0x100100, 4)), "6789");
  assert.is(p.call(197 /* fstat64 */, fd, 0x100200), 0);
  assert.is(p.mem.dv.getBigInt64(0x100200 + 48, false), 10n, "st_size at 48, big-endian");
  assert.is(p.mem.dv.getUint32(0x100200 + 16, false) & 0o170000, 0o100000, "st_mode at 16");
  assert.is(p.call(140 /* _llseek */, fd, 0, 3, 0x100300, 0), 0);
  assert.is(p.mem.dv.getBigInt64(0x100300, false), 3n);
  assert.is(p.call(108 /* old fstat */, fd, 0x100200), 38, "ENOSYS");
});

test("ppc32 signal frames: handler entry per signal_32.c, rt_sigreturn restores the registers", () => {
  const p = ppcKernel();
  const { mem, state } = p;
  const act = 0x100400;
  mem.dv.setUint32(act, 0x12340, false); // sa_handler
  mem.dv.setUint32(act + 4, 4, false); // SA_SIGINFO
  assert.is(p.call(173 /* rt_sigaction */, 11, act, 0, 8), 0);
  for (let i = 0; i < 32; i++) state.set(`r${i}`, 0x100 + i);
  state.set("r1", 0x110000);
  state.set("lr", 0x4444); state.set("ctr", 0x5555); state.set("xer", 0x2000_0000); state.set("cr", 0x8400_0000);
  state.set("f1", 0x3ff0_0000_0000_0000n); state.set("fpscr", 0x82000000 | 0);
  assert.equal(p.k.trap(11, 2 /* SEGV_ACCERR */, 0x10080, 0x20000), { kind: "continue" });
  const r = (n: string) => state.getI32(state.layout.slot(n)) >>> 0;
  const frame = r("r6");
  assert.ok(frame % 16 === 0 && frame < 0x110000);
  assert.equal([r("r1"), r("r3"), r("r4"), r("r5"), r("pc")], [frame - 80, 11, frame, frame + 128, 0x12340]);
  assert.is(mem.dv.getUint32(frame - 80, false), 0x110000, "back chain to the interrupted stack");
  const dv = mem.dv, mc = frame + 128 + 192;
  assert.is(dv.getUint32(frame + 128 + 48, false), mc, "uc_regs points to uc_mcontext");
  assert.is(dv.getInt32(frame + 8, false), 2, "si_code");
  assert.is(dv.getUint32(frame + 12, false), 0x20000, "si_addr at 12");
  assert.equal([dv.getUint32(mc + 32 * 4, false), dv.getUint32(mc + 1 * 4, false), dv.getUint32(mc + 36 * 4, false), dv.getUint32(mc + 38 * 4, false)], [0x10080, 0x110000, 0x4444, 0x8400_0000]);
  assert.is(dv.getBigUint64(mc + 192 + 8, false), 0x3ff0_0000_0000_0000n, "f1 in mc_fregs");
  const tramp = r("lr");
  assert.equal([mem.read32(tramp, true), mem.read32(tramp + 4, true)], [0x380000ac, 0x44000002], "li r0,172; sc");
  // the handler returns through the trampoline with r1 restored to frame - 80
  state.set("r3", 0); state.set("lr", 0); state.set("cr", 0);
  assert.is(p.call(172 /* rt_sigreturn */), 0x103, "r3 restored, not a result");
  assert.equal([r("pc"), r("r1"), r("lr"), r("ctr"), r("cr"), r("xer")], [0x10080, 0x110000, 0x4444, 0x5555, 0x8400_0000, 0x2000_0000]);
  assert.is(BigInt(state.get("f1")), 0x3ff0_0000_0000_0000n);
  assert.is(p.k.signals.blocked, 0n);
});

test.run();
