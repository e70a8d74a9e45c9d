/**
 * Signals: dispositions, the blocked and pending masks, the alternate stack, delivery of synchronous
 * traps and of signals the process sends itself, signal frames on the guest stack (through the guest's
 * {@link SignalFrameAbi}) and rt_sigreturn.
 */
import { E, SyscallError } from "./errno.ts";
import { GuestFault, PAGE_SIZE, PROT_EXEC, PROT_READ } from "../memory/memory.ts";
import type { LinuxKernel } from "./kernel.ts";
import { num, type KernelAction, type SyscallTable } from "./syscall.ts";

export const SIGKILL = 9, SIGSEGV = 11, SIGSTOP = 19, NSIG = 64;
const SIG_DFL = 0, SIG_IGN = 1;
const SA_SIGINFO = 4, SA_ONSTACK = 0x0800_0000, SA_NODEFER = 0x4000_0000, SA_RESETHAND = 0x8000_0000;
const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
const MINSIGSTKSZ = 2048;
/** si_code of signals sent with tkill/tgkill (glibc's raise) */
const SI_TKILL = -6;

/** Signals whose default action is to be ignored (stop signals too: there is no job control). */
const IGNORED_BY_DEFAULT = new Set([17, 18, 19, 20, 21, 22, 23, 28]);
const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

/** One signal's disposition. */
interface SigAction { handler: number; flags: number; mask: bigint }

/** Details of a signal being delivered. */
interface SigInfo { signo: number; code: number; addr?: number; pid?: number; uid?: number }

/** The signal state of the process. */
export class SignalState {
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n }));
  blocked = 0n;
  pending = 0n;
  altstack = { sp: 0, size: 0, enabled: false };
  private trampoline = 0;

  constructor(private readonly k: LinuxKernel) {}

  /** Marks `sig` pending (delivered after the current syscall when not blocked). */
  raise(sig: number): void { this.pending |= bit(sig); }

  /** Delivers the lowest pending unblocked signal, if any. */
  deliverPending(): KernelAction {
    const ready = this.pending & ~this.blocked;
    if (ready === 0n) return { kind: "continue" };
    for (let sig = 1; sig <= NSIG; sig++) {
      if (ready & bit(sig)) {
        this.pending &= ~bit(sig);
        return this.deliver({ signo: sig, code: SI_TKILL, pid: this.k.pid, uid: this.k.host.ids.uid }, this.pc());
      }
    }
    return { kind: "continue" };
  }

  private pc(): number {
    const v = this.k.state.get("pc");
    return typeof v === "bigint" ? Number(BigInt.asUintN(64, v)) : v >>> 0;
  }

  /** A synchronous trap at `pc`: a blocked or ignored fault signal still kills, as Linux's force_sig. */
  trap(signal: number, code: number, pc: number, addr?: number): KernelAction {
    const act = this.actions[signal]!;
    if (this.blocked & bit(signal) || act.handler === SIG_IGN) {
      this.blocked &= ~bit(signal);
      act.handler = SIG_DFL;
    }
    return this.deliver({ signo: signal, code, addr: addr ?? pc }, pc);
  }

  /**
   * The default action of `sig`: ignore, or terminate. The message is empty because the reference,
   * qemu-user 7.2, prints no "uncaught target signal" line for any signal (checked with RLIMIT_CORE 0 and
   * unlimited); the shell reports the 128+N status.
   */
  private defaultAction(sig: number): KernelAction {
    if (IGNORED_BY_DEFAULT.has(sig)) return { kind: "continue" };
    return { kind: "killed", signal: sig, message: "" };
  }

  /** Runs the handler of `info.signo` (frame on the guest stack, resuming later at `pc`) or its default action. */
  deliver(info: SigInfo, pc: number): KernelAction {
    const sig = info.signo;
    const act = this.actions[sig]!;
    if (act.handler === SIG_IGN && sig !== SIGKILL) return { kind: "continue" };
    if (act.handler === SIG_DFL || sig === SIGKILL) return this.defaultAction(sig);
    const frame = this.k.abi.signalFrame;
    if (!frame) {
      this.k.warnOnce("signal-frame", `isa2wasm: signal handlers are not supported on ${this.k.abi.name}; default action taken`);
      return this.defaultAction(sig);
    }
    const k = this.k, io = k.io, state = k.state;
    let sp = frame.stackPointer(state);
    const onAlt = this.onAltStack(sp);
    if (act.flags & SA_ONSTACK && this.altstack.enabled && !onAlt) sp = this.altstack.sp + this.altstack.size;
    sp = Math.floor((sp - frame.size) / 16) * 16;
    const infoAddr = sp + frame.siginfo, uc = sp + frame.uc;
    try {
      const fields: Record<string, number> = { si_signo: sig, si_errno: 0, si_code: info.code };
      if (info.pid !== undefined) Object.assign(fields, { si_pid: info.pid, si_uid: info.uid ?? 0 });
      else if (info.addr !== undefined) fields.si_addr = info.addr;
      io.write(infoAddr, k.abi.structs.siginfo, fields);
      k.mem.writeBytes(uc, new Uint8Array(frame.size - frame.uc));
      io.write(sp + frame.ucStack, k.abi.structs.stack, {
        ss_sp: this.altstack.sp, ss_size: this.altstack.size,
        ss_flags: !this.altstack.enabled ? SS_DISABLE : onAlt ? SS_ONSTACK : 0,
      });
      io.writeField(sp + frame.ucSigmask, "sigset", this.blocked);
      frame.saveRegisters(io, state, sp, pc);
      frame.enterHandler(io, state, sig, act.handler, sp, this.trampolineAddress());
    } catch (e) {
      if (!(e instanceof GuestFault)) throw e;
      return this.defaultAction(SIGSEGV);
    }
    this.blocked |= (act.mask | (act.flags & SA_NODEFER ? 0n : bit(sig))) & ~UNBLOCKABLE;
    if (act.flags & SA_RESETHAND) this.actions[sig] = { handler: SIG_DFL, flags: 0, mask: 0n };
    return { kind: "continue" };
  }

  private onAltStack(sp: number): boolean {
    return this.altstack.enabled && sp > this.altstack.sp && sp <= this.altstack.sp + this.altstack.size;
  }

  /** The address of the sigreturn trampoline, mapping its page on first use. */
  private trampolineAddress(): number {
    if (this.trampoline) return this.trampoline;
    const frame = this.k.abi.signalFrame!;
    const at = this.k.mm.findFree(PAGE_SIZE);
    this.k.mem.map(at, PAGE_SIZE, PROT_READ | PROT_EXEC);
    const code = new Uint8Array(frame.trampoline.length * 4);
    const dv = new DataView(code.buffer);
    frame.trampoline.forEach((w, i) => dv.setUint32(i * 4, w, !this.k.abi.bigEndian));
    this.k.mem.writeBytes(at, code, true);
    this.trampoline = at;
    return at;
  }

  /** rt_sigreturn: restores registers and the signal mask from the frame at the stack pointer. */
  sigreturn(): void {
    const frame = this.k.abi.signalFrame;
    if (!frame) throw new SyscallError(E.ENOSYS);
    const at = frame.frameAtSigreturn(this.k.state);
    const mask = this.k.io.readField(at + frame.ucSigmask, "sigset");
    frame.restoreRegisters(this.k.io, this.k.state, at);
    this.blocked = mask & ~UNBLOCKABLE;
  }
}

function checkSignal(sig: number): void {
  if (sig < 1 || sig > NSIG) throw new SyscallError(E.EINVAL);
}

/** Sends `sig` to this process (sig 0 only checks). */
function sendSelf(k: LinuxKernel, sig: number): number {
  if (sig === 0) return 0;
  checkSignal(sig);
  k.signals.raise(sig);
  return 0;
}

/** Signal syscalls. */
export const SIGNAL_SYSCALLS: SyscallTable = {
  rt_sigaction: {
    args: ["sig", "ptr", "ptr", "size"],
    run: (k, [sigv, act, oact, size]) => {
      const sig = num(sigv);
      checkSignal(sig);
      if (num(size) !== 8) throw new SyscallError(E.EINVAL);
      const layout = k.abi.structs.sigaction;
      const next = num(act) ? k.io.read(num(act), layout) : null;
      if (next && (sig === SIGKILL || sig === SIGSTOP)) throw new SyscallError(E.EINVAL);
      const cur = k.signals.actions[sig]!;
      if (num(oact)) k.writeStruct(num(oact), layout, { sa_handler: cur.handler, sa_flags: cur.flags, sa_mask: cur.mask });
      if (next) {
        k.signals.actions[sig] = { handler: Number(next.sa_handler), flags: Number(next.sa_flags! & 0xffff_ffffn), mask: next.sa_mask! };
        if (Number(next.sa_handler) === SIG_IGN) k.signals.pending &= ~bit(sig);
      }
      return 0;
    },
  },
  rt_sigprocmask: {
    args: ["int", "ptr", "ptr", "size"],
    run: (k, [how, set, oset, size]) => {
      if (num(size) !== 8) throw new SyscallError(E.EINVAL);
      const s = k.signals;
      const old = s.blocked;
      if (num(set)) {
        const m = k.io.readField(num(set), "sigset");
        switch (num(how)) {
          case SIG_BLOCK: s.blocked |= m; break;
          case SIG_UNBLOCK: s.blocked &= ~m; break;
          case SIG_SETMASK: s.blocked = m; break;
          default: throw new SyscallError(E.EINVAL);
        }
        s.blocked &= ~UNBLOCKABLE;
      }
      if (num(oset)) k.io.writeField(num(oset), "sigset", old);
      return 0;
    },
  },
  rt_sigpending: {
    args: ["ptr", "size"],
    run: (k, [set, size]) => {
      if (num(size) > 8) throw new SyscallError(E.EINVAL);
      k.io.writeField(num(set), "sigset", k.signals.pending & k.signals.blocked);
      return 0;
    },
  },
  sigaltstack: {
    args: ["ptr", "ptr"],
    run: (k, [ss, oss]) => {
      const s = k.signals, layout = k.abi.structs.stack;
      const sp = k.abi.signalFrame?.stackPointer(k.state) ?? 0;
      const on = s.altstack.enabled && sp > s.altstack.sp && sp <= s.altstack.sp + s.altstack.size;
      const next = num(ss) ? k.io.read(num(ss), layout) : null;
      if (num(oss)) {
        k.writeStruct(num(oss), layout, {
          ss_sp: s.altstack.sp, ss_size: s.altstack.size, ss_flags: !s.altstack.enabled ? SS_DISABLE : on ? SS_ONSTACK : 0,
        });
      }
      if (next) {
        if (on) throw new SyscallError(E.EPERM);
        const flags = Number(next.ss_flags!) & ~SS_AUTODISARM;
        if (flags !== 0 && flags !== SS_DISABLE) throw new SyscallError(E.EINVAL);
        if (flags === SS_DISABLE) s.altstack = { sp: 0, size: 0, enabled: false };
        else {
          if (next.ss_size! < BigInt(MINSIGSTKSZ)) throw new SyscallError(E.ENOMEM);
          s.altstack = { sp: Number(next.ss_sp), size: Number(next.ss_size), enabled: true };
        }
      }
      return 0;
    },
  },
  kill: {
    args: ["int", "sig"],
    partial: "only this process (its pid, 0 or -1) can be signalled; other pids ESRCH",
    run: (k, [pid, sig]) => {
      if (num(pid) !== k.pid && num(pid) !== 0 && num(pid) !== -1) throw new SyscallError(E.ESRCH);
      return sendSelf(k, num(sig));
    },
  },
  tgkill: {
    args: ["int", "int", "sig"],
    run: (k, [tgid, tid, sig]) => {
      if (num(tgid) <= 0 || num(tid) <= 0) throw new SyscallError(E.EINVAL);
      if (num(tgid) !== k.pid || num(tid) !== k.pid) throw new SyscallError(E.ESRCH);
      return sendSelf(k, num(sig));
    },
  },
  tkill: {
    args: ["int", "sig"],
    run: (k, [tid, sig]) => {
      if (num(tid) <= 0) throw new SyscallError(E.EINVAL);
      if (num(tid) !== k.pid) throw new SyscallError(E.ESRCH);
      return sendSelf(k, num(sig));
    },
  },
  rt_sigreturn: {
    args: [],
    noResult: true,
    run: (k) => { k.signals.sigreturn(); return 0; },
  },
};
