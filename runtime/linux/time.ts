/** Clock and sleep syscalls, on the host adapter's clocks. */
import { E, SyscallError } from "./errno.ts";
import type { StructLayout } from "./abi/abi.ts";
import type { LinuxKernel } from "./kernel.ts";
import { num, type SyscallDef, type SyscallTable } from "./syscall.ts";

const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;
const NS = 1_000_000_000n;

/** The current value of clock `clk` in ns, or EINVAL for clocks Linux does not have. */
function clockNow(k: LinuxKernel, clk: number): bigint {
  switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return k.host.realtimeNs();
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
      return k.host.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID: return k.host.cpuTimeNs();
    default: throw new SyscallError(E.EINVAL);
  }
}

function writeTimespec(k: LinuxKernel, addr: number, layout: StructLayout, ns: bigint): void {
  k.writeStruct(addr, layout, { tv_sec: ns / NS, tv_nsec: ns % NS });
}

function readTimespec(k: LinuxKernel, addr: number, layout: StructLayout): bigint {
  const v = k.io.read(addr, layout);
  if (v.tv_sec! < 0n || v.tv_nsec! < 0n || v.tv_nsec! >= NS) throw new SyscallError(E.EINVAL);
  return v.tv_sec! * NS + v.tv_nsec!;
}

const timespecOf = (k: LinuxKernel, wide: boolean): StructLayout => (wide ? k.abi.structs.timespec64 : k.abi.structs.timespec);

function clockGettime(wide: boolean): SyscallDef {
  return {
    args: ["clock", "ptr"],
    run: (k, [clk, tp]) => { writeTimespec(k, num(tp), timespecOf(k, wide), clockNow(k, num(clk))); return 0; },
  };
}

function clockGetres(wide: boolean): SyscallDef {
  return {
    args: ["clock", "ptr"],
    run: (k, [clk, tp]) => {
      clockNow(k, num(clk));
      const coarse = num(clk) === CLOCK_REALTIME_COARSE || num(clk) === CLOCK_MONOTONIC_COARSE;
      if (num(tp)) writeTimespec(k, num(tp), timespecOf(k, wide), coarse ? 4_000_000n : 1n);
      return 0;
    },
  };
}

function clockNanosleep(wide: boolean): SyscallDef {
  return {
    args: ["clock", "hex", "ptr", "ptr"],
    partial: "the sleep is never interrupted, so the remaining time is never written",
    run: (k, [clk, flags, req]) => {
      const layout = timespecOf(k, wide);
      const c = num(clk);
      if (c === CLOCK_THREAD_CPUTIME_ID) throw new SyscallError(E.EINVAL);
      const t = readTimespec(k, num(req), layout);
      const now = clockNow(k, c);
      const ns = num(flags) & TIMER_ABSTIME ? t - now : t;
      if (ns > 0n) k.host.sleep(ns);
      return 0;
    },
  };
}

/** Time syscalls. */
export const TIME_SYSCALLS: SyscallTable = {
  clock_gettime: clockGettime(false),
  clock_gettime64: clockGettime(true),
  clock_getres: clockGetres(false),
  clock_getres64: clockGetres(true),
  clock_nanosleep: clockNanosleep(false),
  clock_nanosleep64: clockNanosleep(true),
  gettimeofday: {
    args: ["ptr", "ptr"],
    run: (k, [tv, tz]) => {
      const ns = k.host.realtimeNs();
      if (num(tv)) k.writeStruct(num(tv), k.abi.structs.timeval, { tv_sec: ns / NS, tv_usec: (ns % NS) / 1000n });
      if (num(tz)) { k.io.writeField(num(tz), "i32", 0); k.io.writeField(num(tz) + 4, "i32", 0); }
      return 0;
    },
  },
  nanosleep: {
    args: ["ptr", "ptr"],
    run: (k, [req]) => {
      const ns = readTimespec(k, num(req), k.abi.structs.timespec);
      if (ns > 0n) k.host.sleep(ns);
      return 0;
    },
  },
};
