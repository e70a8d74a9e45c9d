/**
 * Deno host adapter: Deno's synchronous file, stdio and system APIs (`globalThis.Deno`). Deno cannot open
 * with O_NOFOLLOW, so {@link DenoFileSystem.open} checks with lstat that the last component is not a
 * symlink just before opening (the kernel has resolved every component already).
 */
import {
  blockingSleep, HostError, webRandomBytes,
  type HostAdapter, type HostDirEntry, type HostFileSystem, type HostFileType, type HostHandle,
  type HostOpenFlags, type HostStat, type HostStdio, type WindowSize,
} from "./host.ts";

/** The parts of Deno's FileInfo the adapter reads. */
interface DenoFileInfo {
  isFile: boolean; isDirectory: boolean; isSymlink: boolean; size: number;
  mtime: Date | null; atime: Date | null; birthtime: Date | null; ctime?: Date | null;
  dev: number; ino: number | null; mode: number | null; nlink: number | null; uid: number | null; gid: number | null;
  rdev: number | null; blksize: number | null; blocks: number | null;
  isCharDevice?: boolean | null; isBlockDevice?: boolean | null; isFifo?: boolean | null; isSocket?: boolean | null;
}
/** The parts of Deno.FsFile the adapter uses. */
interface DenoFile {
  readSync(buf: Uint8Array): number | null;
  writeSync(buf: Uint8Array): number;
  seekSync(offset: number | bigint, whence: number): number;
  statSync(): DenoFileInfo;
  truncateSync(len?: number): void;
  syncSync(): void;
  close(): void;
}
/** The parts of the Deno namespace the adapter uses. */
interface DenoApi {
  lstatSync(path: string): DenoFileInfo;
  openSync(path: string, o: { read: boolean; write: boolean; create: boolean; createNew: boolean; truncate: boolean; mode: number }): DenoFile;
  readDirSync(path: string): Iterable<{ name: string; isFile: boolean; isDirectory: boolean; isSymlink: boolean }>;
  mkdirSync(path: string, o: { mode: number }): void;
  removeSync(path: string): void;
  renameSync(from: string, to: string): void;
  linkSync(from: string, to: string): void;
  symlinkSync(target: string, path: string): void;
  readLinkSync(path: string): string;
  chmodSync(path: string, mode: number): void;
  utimeSync(path: string, atime: number, mtime: number): void;
  stdin: { readSync(buf: Uint8Array): number | null; isTerminal(): boolean };
  stdout: { writeSync(buf: Uint8Array): number; isTerminal(): boolean };
  stderr: { writeSync(buf: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number; rows: number };
  pid: number;
  ppid: number;
  uid(): number | null;
  gid(): number | null;
}

/** The Deno namespace, when running under Deno. */
export function denoApi(): DenoApi | undefined {
  return (globalThis as unknown as { Deno?: DenoApi }).Deno;
}

/** Deno error class names → Linux errno names (for errors without a `code`). */
const ERROR_CODES: Record<string, string> = {
  NotFound: "ENOENT", PermissionDenied: "EACCES", AlreadyExists: "EEXIST", NotADirectory: "ENOTDIR",
  IsADirectory: "EISDIR", FilesystemLoop: "ELOOP", Interrupted: "EINTR", WouldBlock: "EAGAIN", BrokenPipe: "EPIPE",
  InvalidData: "EINVAL", NotSupported: "EOPNOTSUPP", Busy: "EBUSY",
};

function call<T>(f: () => T): T {
  for (;;) {
    try { return f(); } catch (e) {
      const err = e as { code?: unknown; name?: string; message?: string };
      const code = typeof err.code === "string" ? err.code : ERROR_CODES[err.name ?? ""];
      if (code === "EINTR") continue;
      if (code) throw new HostError(code, err.message);
      throw e;
    }
  }
}

const ns = (d: Date | null | undefined): bigint => BigInt(Math.round((d?.getTime() ?? 0) * 1e6));

function fileType(i: { isFile: boolean; isDirectory: boolean; isSymlink: boolean } & Partial<DenoFileInfo>): HostFileType {
  if (i.isFile) return "file";
  if (i.isDirectory) return "dir";
  if (i.isSymlink) return "symlink";
  if (i.isCharDevice) return "chardev";
  if (i.isBlockDevice) return "blockdev";
  if (i.isFifo) return "fifo";
  return "socket";
}

function toStat(i: DenoFileInfo): HostStat {
  return {
    type: fileType(i), mode: (i.mode ?? 0o644) & 0o7777, size: BigInt(i.size), ino: BigInt(i.ino ?? 0), dev: BigInt(i.dev),
    nlink: i.nlink ?? 1, uid: i.uid ?? 0, gid: i.gid ?? 0, rdev: BigInt(i.rdev ?? 0), blksize: i.blksize ?? 4096,
    blocks: BigInt(i.blocks ?? 0), atimeNs: ns(i.atime), mtimeNs: ns(i.mtime), ctimeNs: ns(i.ctime ?? i.mtime),
    birthtimeNs: ns(i.birthtime),
  };
}

/** The host file system through Deno's synchronous APIs. */
export class DenoFileSystem implements HostFileSystem {
  private readonly files = new Map<HostHandle, DenoFile>();
  private next = 3;
  constructor(private readonly d: DenoApi) {}

  private file(h: HostHandle): DenoFile {
    const f = this.files.get(h);
    if (!f) throw new HostError("EBADF");
    return f;
  }

  lstat(path: string): HostStat { return toStat(call(() => this.d.lstatSync(path))); }

  open(path: string, f: HostOpenFlags): HostHandle {
    let exists = true;
    try {
      if (this.lstat(path).type === "symlink") throw new HostError("ELOOP");
    } catch (e) {
      if (!(e instanceof HostError) || e.code !== "ENOENT") throw e;
      exists = false;
    }
    const file = call(() => this.d.openSync(path, {
      read: f.read, write: f.write || f.create, create: f.create, createNew: f.exclusive, truncate: f.truncate, mode: f.mode,
    }));
    if (f.create && !exists) call(() => this.d.chmodSync(path, f.mode));
    const h = this.next++;
    this.files.set(h, file);
    return h;
  }

  close(h: HostHandle): void { this.file(h).close(); this.files.delete(h); }

  pread(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    const f = this.file(h);
    call(() => f.seekSync(pos, 0));
    return call(() => f.readSync(buf)) ?? 0;
  }

  pwrite(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    const f = this.file(h);
    call(() => f.seekSync(pos, 0));
    return call(() => f.writeSync(buf));
  }

  fstat(h: HostHandle): HostStat { return toStat(call(() => this.file(h).statSync())); }
  ftruncate(h: HostHandle, len: bigint): void { call(() => this.file(h).truncateSync(Number(len))); }
  fsync(h: HostHandle): void { call(() => this.file(h).syncSync()); }

  readdir(path: string): HostDirEntry[] {
    return [...call(() => this.d.readDirSync(path))].map((e) => ({ name: e.name, type: fileType(e) }));
  }

  mkdir(path: string, mode: number): void {
    call(() => this.d.mkdirSync(path, { mode }));
    call(() => this.d.chmodSync(path, mode));
  }
  rmdir(path: string): void {
    if (this.lstat(path).type !== "dir") throw new HostError("ENOTDIR");
    call(() => this.d.removeSync(path));
  }
  unlink(path: string): void {
    if (this.lstat(path).type === "dir") throw new HostError("EISDIR");
    call(() => this.d.removeSync(path));
  }
  rename(from: string, to: string): void { call(() => this.d.renameSync(from, to)); }
  link(from: string, to: string): void { call(() => this.d.linkSync(from, to)); }
  symlink(target: string, path: string): void { call(() => this.d.symlinkSync(target, path)); }
  readlink(path: string): string { return call(() => this.d.readLinkSync(path)); }
  chmod(path: string, mode: number): void { call(() => this.d.chmodSync(path, mode)); }
  utimes(path: string, atimeNs: bigint | null, mtimeNs: bigint | null): void {
    const cur = atimeNs === null || mtimeNs === null ? this.lstat(path) : null;
    const s = (v: bigint): number => Number(v) / 1e9;
    call(() => this.d.utimeSync(path, s(atimeNs ?? cur!.atimeNs), s(mtimeNs ?? cur!.mtimeNs)));
  }
}

/** Deno's standard streams. */
export class DenoStdio implements HostStdio {
  constructor(private readonly d: DenoApi) {}
  read(buf: Uint8Array, nonblocking: boolean): number {
    for (;;) {
      try { return call(() => this.d.stdin.readSync(buf)) ?? 0; } catch (e) {
        if (!(e instanceof HostError) || e.code !== "EAGAIN" || nonblocking) throw e;
        blockingSleep(1_000_000n);
      }
    }
  }
  write(fd: 1 | 2, buf: Uint8Array): void {
    const out = fd === 1 ? this.d.stdout : this.d.stderr;
    let off = 0;
    while (off < buf.length) {
      try { off += call(() => out.writeSync(buf.subarray(off))); } catch (e) {
        if (!(e instanceof HostError) || e.code !== "EAGAIN") throw e;
        blockingSleep(1_000_000n);
      }
    }
  }
  isTerminal(fd: 0 | 1 | 2): boolean { return [this.d.stdin, this.d.stdout, this.d.stderr][fd]!.isTerminal(); }
  windowSize(fd: 0 | 1 | 2): WindowSize | null {
    if (!this.isTerminal(fd)) return null;
    try { const s = this.d.consoleSize(); return { rows: s.rows, cols: s.columns }; } catch { return { rows: 24, cols: 80 }; }
  }
}

/** A host adapter for the current Deno process (throws outside Deno). */
export function denoHost(): HostAdapter {
  const d = denoApi();
  if (!d) throw new Error("denoHost() needs the Deno runtime");
  const start = performance.now();
  const mono = (): bigint => BigInt(Math.round((performance.now() - start) * 1e6));
  return {
    fs: new DenoFileSystem(d),
    stdio: new DenoStdio(d),
    realtimeNs: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)),
    monotonicNs: mono,
    cpuTimeNs: mono,
    sleep: blockingSleep,
    randomBytes: webRandomBytes,
    ids: { pid: d.pid, ppid: d.ppid, uid: d.uid() ?? 0, gid: d.gid() ?? 0 },
  };
}
