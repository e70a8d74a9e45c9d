/**
 * Signals on riscv64: handler frames, rt_sigreturn, masks, default actions. Frame offsets are the
 * ones riscv64-linux-gnu-gcc reports with offsetof() on glibc's ucontext_t/siginfo_t (uc_sigmask 40,
 * uc_mcontext 176, __fpregs 176+256, fcsr 176+512, si_addr 16) and the kernel's rt_sigframe
 * (siginfo first, 128 bytes, then the ucontext).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testKernel } from "./testkit.ts";

const SIGILL = 4, SIGABRT = 6, SIGUSR1 = 10, SIGSEGV = 11, SIGKILL = 9;
const SA_SIGINFO = 4, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_ONSTACK = 0x08000000;
const SEGV_MAPERR = 1;
const EINVAL = 22, ESRCH = 3;
const UC = 128, UC_SIGMASK = UC + 40, MCONTEXT = UC + 176;

function install(t: ReturnType<typeof testKernel>, sig: number, handler: number, flags: number, mask = 0n): number {
  const act = t.alloc(24);
  t.mem.dv.setBigUint64(act, BigInt(handler), true);
  t.mem.dv.setBigUint64(act + 8, BigInt(flags), true);
  t.mem.dv.setBigUint64(act + 16, mask, true);
  return t.sys("rt_sigaction", sig, act, 0, 8);
}

test("a trap with a handler builds the frame; rt_sigreturn restores every register", () => {
  const t = testKernel();
  assert.is(install(t, SIGSEGV, 0x12340, SA_SIGINFO), 0);
  for (let i = 1; i < 32; i++) if (i !== 2) t.setReg(`x${i}`, 0x1000n + BigInt(i));
  t.setReg("f7", 0x4009_21fb_5444_2d18n);
  t.setReg("fflags", 0x11);
  t.setReg("frm", 2);
  const sp0 = t.reg("x2");
  const action = t.k.trap(SIGSEGV, SEGV_MAPERR, 0x10444, 0xdead0);
  assert.equal(action, { kind: "continue" });
  const sp = Number(t.reg("x2"));
  assert.ok(sp < Number(sp0) && sp % 16 === 0, "frame below the old stack pointer, 16-byte aligned");
  assert.is(t.reg("pc"), 0x12340n);
  assert.is(t.reg("x10"), BigInt(SIGSEGV));
  assert.is(t.reg("x11"), BigInt(sp), "siginfo at the frame start");
  assert.is(t.reg("x12"), BigInt(sp + UC));
  const dv = t.mem.dv;
  assert.equal([dv.getInt32(sp, true), dv.getInt32(sp + 8, true)], [SIGSEGV, SEGV_MAPERR]);
  assert.is(dv.getBigUint64(sp + 16, true), 0xdead0n, "si_addr");
  assert.is(dv.getBigUint64(sp + MCONTEXT, true), 0x10444n, "sc_regs.pc = faulting instruction");
  assert.is(dv.getBigUint64(sp + MCONTEXT + 10 * 8, true), 0x100an, "a0 saved");
  assert.is(dv.getBigUint64(sp + MCONTEXT + 2 * 8, true), BigInt(sp0), "sp saved");
  assert.is(dv.getBigUint64(sp + MCONTEXT + 256 + 7 * 8, true), 0x4009_21fb_5444_2d18n, "f7 saved");
  assert.is(dv.getUint32(sp + MCONTEXT + 512, true), (2 << 5) | 0x11, "fcsr saved");
  assert.is(dv.getBigUint64(sp + UC_SIGMASK, true), 0n, "mask before delivery");
  assert.is(t.k.signals.blocked, 1n << BigInt(SIGSEGV - 1), "the signal is blocked inside its handler");
  // the return address is the trampoline: li a7, 139; ecall
  const ra = Number(t.reg("x1"));
  assert.equal([t.mem.read32(ra), t.mem.read32(ra + 4)], [0x08b00893, 0x00000073]);
  // the handler advances the saved pc (as a SIGILL handler skipping an instruction would) and returns
  dv.setBigUint64(sp + MCONTEXT, 0x10448n, true);
  t.setReg("x10", 0); t.setReg("x5", 0);
  t.setReg("x17", 139);
  assert.equal(t.k.syscall(), { kind: "continue" });
  assert.is(t.reg("pc"), 0x10448n);
  assert.is(t.reg("x10"), 0x100an, "a0 restored, not overwritten by a result");
  assert.is(t.reg("x5"), 0x1005n);
  assert.is(t.reg("x2"), sp0);
  assert.is(t.reg("frm"), 2n);
  assert.is(t.reg("fflags"), 0x11n);
  assert.is(t.k.signals.blocked, 0n, "mask restored");
});

test("default actions: SIGSEGV without a handler kills with 11; raise(SIGABRT) kills with 6", () => {
  const t = testKernel();
  assert.equal(t.k.trap(SIGSEGV, SEGV_MAPERR, 0x1000, 0), { kind: "killed", signal: SIGSEGV, message: "" });
  const pid = t.k.pid;
  t.sys("tgkill", pid, pid, SIGABRT);
  assert.equal(t.last, { kind: "killed", signal: SIGABRT, message: "" });
});

test("a blocked synchronous fault still kills (force_sig); an ignored SIGUSR1 is dropped", () => {
  const t = testKernel();
  install(t, SIGILL, 0x20000, 0);
  const set = t.alloc(8);
  t.mem.dv.setBigUint64(set, 1n << BigInt(SIGILL - 1), true);
  t.sys("rt_sigprocmask", 0, set, 0, 8);
  assert.equal(t.k.trap(SIGILL, 1, 0x1000), { kind: "killed", signal: SIGILL, message: "" });
  const u = testKernel();
  install(u, SIGUSR1, 1 /* SIG_IGN */, 0);
  u.sys("kill", u.k.pid, SIGUSR1);
  assert.equal(u.last, { kind: "continue" });
});

test("signals sent while blocked stay pending until rt_sigprocmask unblocks them", () => {
  const t = testKernel();
  install(t, SIGUSR1, 0x30000, SA_SIGINFO);
  const set = t.alloc(8), old = t.alloc(8);
  t.mem.dv.setBigUint64(set, 1n << BigInt(SIGUSR1 - 1), true);
  assert.is(t.sys("rt_sigprocmask", 0 /* SIG_BLOCK */, set, 0, 8), 0);
  t.setReg("pc", 0x5000);
  t.sys("kill", t.k.pid, SIGUSR1);
  assert.is(t.reg("pc"), 0x5000n, "not delivered while blocked");
  const pend = t.alloc(8);
  t.sys("rt_sigpending", pend, 8);
  assert.is(t.mem.dv.getBigUint64(pend, true), 1n << BigInt(SIGUSR1 - 1));
  assert.is(t.sys("rt_sigprocmask", 1 /* SIG_UNBLOCK */, set, old, 8), SIGUSR1, "a0 = signal number in the handler");
  const frame = Number(t.reg("x2"));
  assert.is(t.mem.dv.getBigUint64(frame + MCONTEXT + 10 * 8, true), 0n, "the syscall's result 0 is saved in the frame");
  assert.is(t.mem.dv.getBigUint64(old, true), 1n << BigInt(SIGUSR1 - 1), "old mask");
  assert.is(t.reg("pc"), 0x30000n, "delivered on unblock");
  assert.is(t.reg("x10"), BigInt(SIGUSR1));
  const info = Number(t.reg("x11"));
  assert.is(t.mem.dv.getInt32(info + 8, true), -6, "si_code SI_TKILL");
  assert.is(t.mem.dv.getInt32(info + 16, true), t.k.pid, "si_pid");
  assert.is(t.sys("rt_sigprocmask", 9, set, 0, 8), -EINVAL);
});

test("rt_sigaction: old action, SIGKILL refused, bad numbers; SA_RESETHAND and SA_NODEFER", () => {
  const t = testKernel();
  install(t, SIGUSR1, 0x40000, SA_RESETHAND | SA_NODEFER, 1n << 20n);
  const oact = t.alloc(24);
  assert.is(t.sys("rt_sigaction", SIGUSR1, 0, oact, 8), 0);
  assert.is(t.mem.dv.getBigUint64(oact, true), 0x40000n);
  assert.is(t.mem.dv.getBigUint64(oact + 8, true), BigInt((SA_RESETHAND | SA_NODEFER) >>> 0));
  assert.is(t.mem.dv.getBigUint64(oact + 16, true), 1n << 20n);
  assert.is(install(t, SIGKILL, 0x40000, 0), -EINVAL);
  assert.is(t.sys("rt_sigaction", 65, 0, 0, 8), -EINVAL);
  assert.is(t.sys("rt_sigaction", SIGUSR1, 0, 0, 4), -EINVAL, "sigsetsize must be 8");
  t.sys("tkill", t.k.pid, SIGUSR1);
  assert.is(t.k.signals.blocked, 1n << 20n, "SA_NODEFER: only sa_mask blocked");
  assert.is(t.k.signals.actions[SIGUSR1]!.handler, 0, "SA_RESETHAND reset the handler");
  assert.is(t.sys("kill", 99999, SIGUSR1), -ESRCH);
  assert.is(t.sys("kill", t.k.pid, 0), 0);
});

test("sigaltstack: SA_ONSTACK handlers run on the alternate stack", () => {
  const t = testKernel();
  const ss = t.alloc(24), oss = t.alloc(24);
  const stack = t.alloc(0x4000);
  t.mem.dv.setBigUint64(ss, BigInt(stack), true);
  t.mem.dv.setInt32(ss + 8, 0, true);
  t.mem.dv.setBigUint64(ss + 16, 0x4000n, true);
  assert.is(t.sys("sigaltstack", ss, oss), 0);
  assert.is(t.mem.dv.getInt32(oss + 8, true), 2, "SS_DISABLE before");
  install(t, SIGSEGV, 0x50000, SA_SIGINFO | SA_ONSTACK);
  t.k.trap(SIGSEGV, SEGV_MAPERR, 0x1000, 0);
  const sp = Number(t.reg("x2"));
  assert.ok(sp >= stack && sp < stack + 0x4000, "frame on the alternate stack");
  assert.is(t.sys("sigaltstack", 0, oss), 0);
  assert.is(t.mem.dv.getInt32(oss + 8, true), 1, "SS_ONSTACK inside the handler");
  t.mem.dv.setBigUint64(ss + 16, 100n, true);
  t.setReg("x2", 0x300000);
  assert.is(t.sys("sigaltstack", ss, 0), -12, "ENOMEM below MINSIGSTKSZ");
});

test.run();
