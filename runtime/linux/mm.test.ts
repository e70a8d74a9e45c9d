/**
 * Memory, time and process syscalls through the riscv64 ABI. Expected behaviour from the man pages:
 * brk(2) returns the unchanged break on failure, mmap(2) EINVAL for length 0 and unaligned offsets,
 * munmap/mprotect EINVAL for unaligned addresses, mprotect ENOMEM for unmapped pages.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testKernel } from "./testkit.ts";
import { MemoryFileSystem } from "../host/memory.ts";

const EINVAL = 22, ENOMEM = 12, EBADF = 9, EFAULT = 14;
const PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_FIXED = 0x10, MREMAP_MAYMOVE = 1;
const AT_FDCWD = -100;

test("brk grows and shrinks; below the start or into a mapping it stays put", () => {
  const t = testKernel();
  assert.is(t.sys("brk", 0), 0x400000);
  assert.is(t.sys("brk", 0x401800), 0x401800);
  t.mem.write32(0x401000, 7);
  assert.is(t.sys("brk", 0x300000), 0x401800, "below the initial break");
  t.mem.map(0x500000, 0x1000, PROT_READ);
  assert.is(t.sys("brk", 0x600000), 0x401800, "would overlap a mapping");
  assert.is(t.sys("brk", 0x400000), 0x400000);
  assert.not.ok(t.mem.isMapped(0x401000, 1));
});

test("anonymous mmap, MAP_FIXED, munmap, mprotect and their errors", () => {
  const t = testKernel();
  const flags = MAP_PRIVATE | MAP_ANONYMOUS;
  const a = t.sys("mmap", 0, 8192, PROT_READ | PROT_WRITE, flags, -1, 0);
  assert.ok(a > 0 && a % 4096 === 0 && a + 8192 <= 0x3f000000);
  t.mem.write32(a + 4096, 0x1234);
  const b = t.sys("mmap", 0, 4096, PROT_READ, flags, -1, 0);
  assert.ok(b + 4096 <= a || b >= a + 8192, "no overlap");
  assert.is(t.sys("mmap", a, 4096, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1, 0), a);
  assert.is(t.mem.read32(a + 4096), 0x1234, "MAP_FIXED replaced only its range");
  assert.is(t.mem.read32(a), 0, "and zeroed it");
  assert.is(t.sys("mmap", 0, 0, PROT_READ, flags, -1, 0), -EINVAL);
  assert.is(t.sys("mmap", 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), -EINVAL, "neither private nor shared");
  assert.is(t.sys("mmap", 0, 4096, PROT_READ, MAP_PRIVATE, 99, 0), -EBADF);
  assert.is(t.sys("mprotect", a, 4096, PROT_READ), 0);
  assert.throws(() => t.mem.write32(a, 1));
  assert.is(t.sys("mprotect", a + 1, 4096, PROT_READ), -EINVAL);
  assert.is(t.sys("mprotect", 0x3f800000, 4096, PROT_READ), -ENOMEM);
  assert.is(t.sys("munmap", a + 4, 4096), -EINVAL);
  assert.is(t.sys("munmap", a, 8192), 0);
  assert.not.ok(t.mem.isMapped(a, 1));
});

test("file-backed private mmap copies the file at the offset; writes stay private", () => {
  const fs = new MemoryFileSystem();
  const data = new Uint8Array(8192).map((_, i) => i & 0xff);
  fs.writeFile("/work/blob", data);
  const t = testKernel({ hostOptions: { fs } });
  const fd = t.sys("openat", AT_FDCWD, "blob", 0, 0);
  const a = t.sys("mmap", 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
  assert.is(t.mem.read8(a + 5), (4096 + 5) & 0xff);
  t.mem.write8(a, 99);
  assert.is(fs.readFile("/work/blob")[4096], 0);
  assert.is(t.sys("mmap", 0, 4096, PROT_READ, MAP_PRIVATE, fd, 100), -EINVAL, "unaligned offset");
});

test("mremap grows in place, moves with MREMAP_MAYMOVE, shrinks", () => {
  const t = testKernel();
  const flags = MAP_PRIVATE | MAP_ANONYMOUS;
  const a = t.sys("mmap", 0, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
  t.mem.write32(a, 0xabcd);
  t.sys("mmap", a + 4096, 4096, PROT_READ, flags | MAP_FIXED, -1, 0);
  assert.is(t.sys("mremap", a, 4096, 8192, 0, 0), -ENOMEM, "blocked and not allowed to move");
  const b = t.sys("mremap", a, 4096, 16384, MREMAP_MAYMOVE, 0);
  assert.ok(b !== a);
  assert.is(t.mem.read32(b), 0xabcd);
  assert.not.ok(t.mem.isMapped(a, 1));
  assert.is(t.sys("mremap", b, 16384, 4096, 0, 0), b);
  assert.not.ok(t.mem.isMapped(b + 4096, 1));
  assert.is(t.sys("mremap", 0x3f800000, 4096, 8192, MREMAP_MAYMOVE, 0), -EFAULT);
});

test("munmap and mprotect report code changes to the translator", () => {
  const changes: Array<[number, number]> = [];
  const t = testKernel({ onCodeChange: (s, e) => changes.push([s, e]) });
  const a = t.sys("mmap", 0, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  t.sys("mprotect", a, 4096, PROT_READ | 4);
  t.sys("munmap", a, 8192);
  t.sys("riscv_flush_icache", 0x1000, 0x2000, 0);
  assert.equal(changes, [[a, a + 4096], [a, a + 8192], [0x1000, 0x2000]]);
});

test("clock_gettime, gettimeofday, clock_getres, nanosleep with the host's clocks", () => {
  const t = testKernel({ hostOptions: { clockNs: () => 1_700_000_000_123_456_789n } });
  const ts = t.alloc(16);
  assert.is(t.sys("clock_gettime", 0, ts), 0);
  assert.equal([t.mem.dv.getBigInt64(ts, true), t.mem.dv.getBigInt64(ts + 8, true)], [1_700_000_000n, 123_456_789n]);
  assert.is(t.sys("clock_gettime", 99, ts), -EINVAL);
  const tv = t.alloc(16);
  assert.is(t.sys("gettimeofday", tv, 0), 0);
  assert.equal([t.mem.dv.getBigInt64(tv, true), t.mem.dv.getBigInt64(tv + 8, true)], [1_700_000_000n, 123_456n]);
  assert.is(t.sys("clock_getres", 1, ts), 0);
  assert.equal([t.mem.dv.getBigInt64(ts, true), t.mem.dv.getBigInt64(ts + 8, true)], [0n, 1n]);
  t.mem.dv.setBigInt64(ts, 0n, true);
  t.mem.dv.setBigInt64(ts + 8, 1_000_000_000n, true);
  assert.is(t.sys("nanosleep", ts, 0), -EINVAL, "tv_nsec out of range");
  t.mem.dv.setBigInt64(ts + 8, 1000n, true);
  assert.is(t.sys("nanosleep", ts, 0), 0);
});

test("process: ids, uname, prlimit64, getrandom, sched_getaffinity, set_robust_list, sockets", () => {
  const t = testKernel();
  assert.is(t.sys("getpid"), 1000);
  assert.is(t.sys("gettid"), 1000);
  assert.is(t.sys("set_tid_address", 0x1234), 1000);
  assert.is(t.sys("set_robust_list", 0x1000, 24), 0);
  assert.is(t.sys("set_robust_list", 0x1000, 12), -EINVAL);
  const uts = t.alloc(65 * 6);
  assert.is(t.sys("uname", uts), 0);
  assert.is(t.readStr(uts), "Linux");
  assert.is(t.readStr(uts + 65 * 4), "riscv64");
  const rl = t.alloc(16);
  assert.is(t.sys("prlimit64", 0, 3 /* RLIMIT_STACK */, 0, rl), 0);
  assert.is(t.mem.dv.getBigUint64(rl, true), 8n << 20n);
  t.mem.dv.setBigUint64(rl, 1n << 20n, true);
  assert.is(t.sys("prlimit64", 0, 3, rl, 0), 0);
  assert.is(t.sys("getrlimit", 3, rl), 0);
  assert.is(t.mem.dv.getBigUint64(rl, true), 1n << 20n);
  assert.is(t.sys("prlimit64", 0, 99, 0, rl), -EINVAL);
  const buf = t.alloc(32);
  assert.is(t.sys("getrandom", buf, 32, 0), 32);
  assert.is(t.sys("getrandom", buf, 32, 8), -EINVAL);
  const mask = t.alloc(128);
  assert.is(t.sys("sched_getaffinity", 0, 128, mask), 8);
  assert.is(t.mem.dv.getBigUint64(mask, true), 1n);
  assert.is(t.sys("socket", 2, 1, 0), -13, "network access denied: EACCES");
  assert.is(t.sys("connect", 3, 0, 0), -13);
  const ids = t.alloc(12);
  assert.is(t.sys("getresuid", ids, ids + 4, ids + 8), 0);
  assert.equal([t.mem.dv.getUint32(ids, true), t.mem.dv.getUint32(ids + 8, true)], [1000, 1000]);
  assert.is(t.sys("getpgid", 0), 1000);
  assert.is(t.sys("getpgid", 5), -3, "ESRCH");
  const ru = t.alloc(144);
  assert.is(t.sys("getrusage", 0, ru), 0);
  assert.is(t.sys("getrusage", 7, ru), -EINVAL);
  assert.is(t.sys("exit", 300), 0);
  assert.equal(t.last, { kind: "exit", status: 300 & 0xff });
});

test.run();
