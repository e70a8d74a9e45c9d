/** Process-wide syscalls: exit, identity, limits, system information, scheduling, randomness, sockets. */
import { E, SyscallError } from "./errno.ts";
import type { LinuxKernel } from "./kernel.ts";
import { num, type SyscallDef, type SyscallTable } from "./syscall.ts";

const RLIM_INFINITY = (1n << 64n) - 1n;
const RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_NOFILE = 7, RLIM_NLIMITS = 16;
const GRND_FLAGS = 1 | 2 | 4;
const UTS_FIELD = 65;

/** The default (soft, hard) limit of a resource. */
function defaultLimit(resource: number): [bigint, bigint] {
  switch (resource) {
    case RLIMIT_STACK: return [8n << 20n, RLIM_INFINITY];
    case RLIMIT_CORE: return [0n, RLIM_INFINITY];
    case RLIMIT_NOFILE: return [1024n, 4096n];
    default: return [RLIM_INFINITY, RLIM_INFINITY];
  }
}

function getLimit(k: LinuxKernel, resource: number): [bigint, bigint] {
  if (resource < 0 || resource >= RLIM_NLIMITS) throw new SyscallError(E.EINVAL);
  return k.rlimits.get(resource) ?? defaultLimit(resource);
}

function setLimit(k: LinuxKernel, resource: number, cur: bigint, max: bigint): void {
  const [, oldMax] = getLimit(k, resource);
  if (cur > max) throw new SyscallError(E.EINVAL);
  if (max > oldMax) throw new SyscallError(E.EPERM);
  k.rlimits.set(resource, [cur, max]);
  if (resource === RLIMIT_NOFILE) k.fds.limit = Number(cur > 65536n ? 65536n : cur);
}

function exitDef(): SyscallDef {
  return {
    args: ["int"],
    run: (_k, [status]) => ({ result: 0, action: { kind: "exit", status: num(status) & 0xff } }),
  };
}

const id = (pick: (k: LinuxKernel) => number): SyscallDef => ({ args: [], run: (k) => pick(k) });

const NETWORK = "network access is not allowed: EACCES";
const denied: SyscallDef = { args: ["int", "ptr", "int"], partial: NETWORK, run: () => { throw new SyscallError(E.EACCES); } };
const notProvided = (why: string): SyscallDef => ({ args: [], unsupported: why, run: () => { throw new SyscallError(E.ENOSYS); } });

/** Process syscalls. */
export const PROCESS_SYSCALLS: SyscallTable = {
  exit: exitDef(),
  exit_group: exitDef(),
  getpid: id((k) => k.pid),
  gettid: id((k) => k.pid),
  getppid: id((k) => k.host.ids.ppid),
  getuid: id((k) => k.host.ids.uid),
  geteuid: id((k) => k.host.ids.uid),
  getgid: id((k) => k.host.ids.gid),
  getegid: id((k) => k.host.ids.gid),
  getpgid: {
    args: ["int"],
    run: (k, [pid]) => { if (num(pid) !== 0 && num(pid) !== k.pid) throw new SyscallError(E.ESRCH); return k.pid; },
  },
  getsid: {
    args: ["int"],
    run: (k, [pid]) => { if (num(pid) !== 0 && num(pid) !== k.pid) throw new SyscallError(E.ESRCH); return k.pid; },
  },
  getpgrp: id((k) => k.pid),
  getresuid: { args: ["ptr", "ptr", "ptr"], run: (k, a) => { for (const p of a) k.io.writeField(num(p), "u32", k.host.ids.uid); return 0; } },
  getresgid: { args: ["ptr", "ptr", "ptr"], run: (k, a) => { for (const p of a) k.io.writeField(num(p), "u32", k.host.ids.gid); return 0; } },
  getrusage: {
    args: ["int", "ptr"],
    partial: "user time is the host process's CPU time; system time, ru_maxrss and the counters are 0",
    run: (k, [who, buf]) => {
      if (num(who) !== 0 && num(who) !== -1 && num(who) !== 1) throw new SyscallError(E.EINVAL);
      const us = num(who) === -1 ? 0n : k.host.cpuTimeNs() / 1000n;
      k.writeStruct(num(buf), k.abi.structs.rusage, { ru_utime_sec: us / 1_000_000n, ru_utime_usec: us % 1_000_000n });
      return 0;
    },
  },
  times: {
    args: ["ptr"],
    partial: "user time is the host process's CPU time; system and children's times are 0",
    run: (k, [buf]) => {
      const ticks = (ns: bigint): bigint => ns / 10_000_000n;
      if (num(buf)) k.writeStruct(num(buf), k.abi.structs.tms, { tms_utime: ticks(k.host.cpuTimeNs()) });
      return ticks(k.host.monotonicNs());
    },
  },
  set_tid_address: { args: ["ptr"], run: (k, [addr]) => { k.clearChildTid = num(addr); return k.pid; } },
  set_robust_list: {
    args: ["ptr", "size"],
    run: (k, [, len]) => {
      if (num(len) !== 3 * k.abi.wordSize) throw new SyscallError(E.EINVAL);
      return 0;
    },
  },
  rseq: notProvided("restartable sequences: glibc falls back when rseq fails"),
  uname: {
    args: ["ptr"],
    run: (k, [buf]) => {
      const fields = ["Linux", "isa2wasm", "6.1.0", "#1 SMP isa2wasm", k.abi.machine, "(none)"];
      const out = new Uint8Array(UTS_FIELD * fields.length);
      fields.forEach((f, i) => out.set(new TextEncoder().encode(f), i * UTS_FIELD));
      k.mem.writeBytes(num(buf), out);
      return 0;
    },
  },
  prlimit64: {
    args: ["int", "int", "ptr", "ptr"],
    run: (k, [pid, resource, newp, oldp]) => {
      if (num(pid) !== 0 && num(pid) !== k.pid) throw new SyscallError(E.ESRCH);
      const layout = k.abi.structs.rlimit64;
      const [cur, max] = getLimit(k, num(resource));
      const next = num(newp) ? k.io.read(num(newp), layout) : null;
      if (num(oldp)) k.writeStruct(num(oldp), layout, { rlim_cur: cur, rlim_max: max });
      if (next) setLimit(k, num(resource), next.rlim_cur!, next.rlim_max!);
      return 0;
    },
  },
  getrlimit: {
    args: ["int", "ptr"],
    run: (k, [resource, buf]) => {
      const [cur, max] = getLimit(k, num(resource));
      const clamp = (v: bigint): bigint => (k.abi.wordSize === 4 && v > 0xffff_ffffn ? 0xffff_ffffn : v);
      k.writeStruct(num(buf), k.abi.structs.rlimit, { rlim_cur: clamp(cur), rlim_max: clamp(max) });
      return 0;
    },
  },
  setrlimit: {
    args: ["int", "ptr"],
    run: (k, [resource, buf]) => {
      const v = k.io.read(num(buf), k.abi.structs.rlimit);
      const wide = (x: bigint): bigint => (k.abi.wordSize === 4 && x === 0xffff_ffffn ? RLIM_INFINITY : x);
      setLimit(k, num(resource), wide(v.rlim_cur!), wide(v.rlim_max!));
      return 0;
    },
  },
  getrandom: {
    args: ["ptr", "size", "hex"],
    run: (k, [buf, len, flags]) => {
      if (num(flags) & ~GRND_FLAGS) throw new SyscallError(E.EINVAL);
      const n = Math.min(num(len), 33554431);
      const bytes = new Uint8Array(n);
      k.host.randomBytes(bytes);
      k.mem.writeBytes(num(buf), bytes);
      return n;
    },
  },
  sysinfo: {
    args: ["ptr"],
    run: (k, [buf]) => {
      const total = BigInt(k.mem.byteLength);
      k.writeStruct(num(buf), k.abi.structs.sysinfo, {
        uptime: k.host.monotonicNs() / 1_000_000_000n, totalram: 1n << 30n, freeram: (1n << 30n) - total,
        procs: 1, mem_unit: 1,
      });
      return 0;
    },
  },
  sched_getaffinity: {
    args: ["int", "size", "ptr"],
    run: (k, [pid, size, mask]) => {
      if (num(pid) !== 0 && num(pid) !== k.pid) throw new SyscallError(E.ESRCH);
      const w = k.abi.wordSize;
      if (num(size) < w || num(size) % w) throw new SyscallError(E.EINVAL);
      k.io.writeWord(num(mask), 1);
      return w;
    },
  },
  sched_yield: { args: [], run: () => 0 },
  riscv_flush_icache: {
    args: ["ptr", "ptr", "hex"],
    run: (k, [start, end, flags]) => {
      if (num(flags) & ~1) throw new SyscallError(E.EINVAL);
      k.opts.onCodeChange?.(num(start), num(end));
      return 0;
    },
  },
  socket: denied, socketpair: denied, bind: denied, connect: denied, listen: denied, accept: denied,
  accept4: denied, sendto: denied, recvfrom: denied, sendmsg: denied, recvmsg: denied, sendmmsg: denied,
  recvmmsg: denied, shutdown: denied, getsockname: denied, getpeername: denied, setsockopt: denied,
  getsockopt: denied, socketcall: denied,
};
