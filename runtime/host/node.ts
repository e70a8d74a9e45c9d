/**
 * Node.js host adapter: node:fs for files (opened with O_NOFOLLOW), the process's own standard streams,
 * process.hrtime and crypto. Partial host reads/writes, EINTR and EAGAIN are retried here so the kernel
 * sees Linux's blocking semantics; positions are 64-bit; data is never transcoded.
 */
import * as fs from "node:fs";
import * as tty from "node:tty";
import { randomFillSync } from "node:crypto";
import * as v8 from "node:v8";
import { RELAXED_FMA_MODULE } from "../jit/hwfma.ts";
import {
  blockingSleep, HostError,
  type HostAdapter, type HostDirEntry, type HostFileSystem, type HostFileType, type HostHandle,
  type HostOpenFlags, type HostStat, type HostStdio, type WindowSize,
} from "./host.ts";

const C = fs.constants;

/**
 * Turns on Wasm relaxed SIMD where the engine still keeps it behind a flag (Node 20), so translated code can
 * use the host's fused multiply-add (runtime/jit/hwfma.ts). Call before any Wasm is compiled.
 */
export function enableRelaxedSimd(): void {
  if (!WebAssembly.validate(RELAXED_FMA_MODULE)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

/** Runs a host call, retrying EINTR and converting Node errors to {@link HostError}. */
function call<T>(f: () => T): T {
  for (;;) {
    try { return f(); } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === "EINTR") continue;
      if (typeof code === "string") throw new HostError(code, (e as Error).message);
      throw e;
    }
  }
}

function fileType(s: fs.BigIntStats | fs.Dirent): HostFileType {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "dir";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isCharacterDevice()) return "chardev";
  if (s.isBlockDevice()) return "blockdev";
  if (s.isFIFO()) return "fifo";
  return "socket";
}

function toStat(s: fs.BigIntStats): HostStat {
  return {
    type: fileType(s), mode: Number(s.mode & 0o7777n), size: s.size, ino: s.ino, dev: s.dev, nlink: Number(s.nlink),
    uid: Number(s.uid), gid: Number(s.gid), rdev: s.rdev, blksize: Number(s.blksize), blocks: s.blocks,
    atimeNs: s.atimeNs, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, birthtimeNs: s.birthtimeNs,
  };
}

const seconds = (ns: bigint): number => Number(ns) / 1e9;

/** The host file system through node:fs. */
export class NodeFileSystem implements HostFileSystem {
  lstat(path: string): HostStat { return toStat(call(() => fs.lstatSync(path, { bigint: true }))); }

  open(path: string, f: HostOpenFlags): HostHandle {
    let flags = C.O_NOFOLLOW | (f.read && f.write ? C.O_RDWR : f.write ? C.O_WRONLY : C.O_RDONLY);
    if (f.create) flags |= C.O_CREAT;
    if (f.exclusive) flags |= C.O_EXCL;
    if (f.truncate) flags |= C.O_TRUNC;
    const fd = call(() => fs.openSync(path, flags, f.mode));
    // the host's umask must not change the mode the guest asked for (the kernel applied the guest's umask)
    if (f.create) call(() => fs.fchmodSync(fd, f.mode));
    return fd;
  }

  close(h: HostHandle): void { call(() => fs.closeSync(h)); }

  pread(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    return call(() => fs.readSync(h, buf, 0, buf.length, pos));
  }

  pwrite(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    return call(() => fs.writeSync(h, buf, 0, buf.length, Number(pos)));
  }

  fstat(h: HostHandle): HostStat { return toStat(call(() => fs.fstatSync(h, { bigint: true }))); }
  ftruncate(h: HostHandle, len: bigint): void { call(() => fs.ftruncateSync(h, Number(len))); }
  fsync(h: HostHandle): void { call(() => fs.fsyncSync(h)); }

  readdir(path: string): HostDirEntry[] {
    return call(() => fs.readdirSync(path, { withFileTypes: true })).map((d) => ({ name: d.name, type: fileType(d) }));
  }

  mkdir(path: string, mode: number): void {
    call(() => fs.mkdirSync(path, { mode }));
    call(() => fs.chmodSync(path, mode));
  }

  rmdir(path: string): void { call(() => fs.rmdirSync(path)); }
  unlink(path: string): void { call(() => fs.unlinkSync(path)); }
  rename(from: string, to: string): void { call(() => fs.renameSync(from, to)); }
  link(from: string, to: string): void { call(() => fs.linkSync(from, to)); }
  symlink(target: string, path: string): void { call(() => fs.symlinkSync(target, path)); }
  readlink(path: string): string { return call(() => fs.readlinkSync(path)); }
  chmod(path: string, mode: number): void { call(() => fs.chmodSync(path, mode)); }

  utimes(path: string, atimeNs: bigint | null, mtimeNs: bigint | null): void {
    const cur = atimeNs === null || mtimeNs === null ? this.lstat(path) : null;
    call(() => fs.lutimesSync(path, seconds(atimeNs ?? cur!.atimeNs), seconds(mtimeNs ?? cur!.mtimeNs)));
  }
}

/** The Node process's standard streams, read and written synchronously on fds 0..2. */
export class NodeStdio implements HostStdio {
  read(buf: Uint8Array, nonblocking: boolean): number {
    for (;;) {
      try {
        return call(() => fs.readSync(0, buf, 0, buf.length, null));
      } catch (e) {
        if (!(e instanceof HostError) || e.code !== "EAGAIN" || nonblocking) throw e;
        blockingSleep(1_000_000n);
      }
    }
  }

  write(fd: 1 | 2, buf: Uint8Array): void {
    let off = 0;
    while (off < buf.length) {
      try {
        off += call(() => fs.writeSync(fd, buf, off, buf.length - off));
      } catch (e) {
        if (!(e instanceof HostError) || e.code !== "EAGAIN") throw e;
        blockingSleep(1_000_000n);
      }
    }
  }

  isTerminal(fd: 0 | 1 | 2): boolean { return tty.isatty(fd); }

  windowSize(fd: 0 | 1 | 2): WindowSize | null {
    if (!tty.isatty(fd)) return null;
    const stream = [process.stdout, process.stderr].find((s) => s.isTTY) as tty.WriteStream | undefined;
    if (!stream) return { rows: 24, cols: 80 };
    const [cols, rows] = stream.getWindowSize();
    return { rows, cols };
  }
}

/** A host adapter for the current Node process. */
export function nodeHost(): HostAdapter {
  const origin = BigInt(Math.round(performance.timeOrigin * 1e6)) - process.hrtime.bigint() + BigInt(Math.round(performance.now() * 1e6));
  return {
    fs: new NodeFileSystem(),
    stdio: new NodeStdio(),
    realtimeNs: () => origin + process.hrtime.bigint(),
    monotonicNs: () => process.hrtime.bigint(),
    cpuTimeNs: () => {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    },
    sleep: blockingSleep,
    randomBytes: (buf) => { randomFillSync(buf); },
    ids: { pid: process.pid, ppid: process.ppid, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  };
}
