/**
 * In-memory host adapter: a file tree held in JavaScript objects, standard streams through callbacks.
 * For browsers (no host file system) and for tests. Behaves like a Linux file system for the operations
 * of {@link HostFileSystem}, with the same errno names.
 */
import {
  blockingSleep, HostError, webRandomBytes,
  type HostAdapter, type HostDirEntry, type HostFileSystem, type HostFileType, type HostHandle,
  type HostOpenFlags, type HostStat, type HostStdio, type WindowSize,
} from "./host.ts";

interface MemNode {
  ino: bigint;
  type: HostFileType;
  mode: number;
  nlink: number;
  data: Uint8Array;
  size: number;
  children: Map<string, MemNode> | null;
  target: string;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** An in-memory file system; paths are absolute, "/" is its root. */
export class MemoryFileSystem implements HostFileSystem {
  private nextIno = 1n;
  private readonly root: MemNode;
  private readonly handles = new Map<HostHandle, MemNode>();
  private nextHandle = 3;

  constructor(private readonly clock: () => bigint = () => BigInt(Date.now()) * 1_000_000n) {
    this.root = this.node("dir", 0o755);
  }

  private node(type: HostFileType, mode: number): MemNode {
    const now = this.clock();
    return {
      ino: this.nextIno++, type, mode, nlink: type === "dir" ? 2 : 1, data: new Uint8Array(0), size: 0,
      children: type === "dir" ? new Map() : null, target: "", atimeNs: now, mtimeNs: now, ctimeNs: now,
    };
  }

  private parts(path: string): string[] {
    if (!path.startsWith("/")) throw new HostError("EINVAL", `relative host path ${path}`);
    return path.split("/").filter((p) => p !== "" && p !== ".");
  }

  /** The node at `path` (no symlink followed), or a thrown ENOENT/ENOTDIR. */
  private lookup(path: string): MemNode {
    let n = this.root;
    for (const p of this.parts(path)) {
      if (n.type !== "dir") throw new HostError("ENOTDIR");
      const c = n.children!.get(p);
      if (!c) throw new HostError("ENOENT");
      n = c;
    }
    return n;
  }

  /** The parent directory of `path` and the last component's name. */
  private parent(path: string): [MemNode, string] {
    const ps = this.parts(path);
    const name = ps.pop();
    if (name === undefined) throw new HostError("EBUSY");
    const dir = this.lookup("/" + ps.join("/"));
    if (dir.type !== "dir") throw new HostError("ENOTDIR");
    return [dir, name];
  }

  private stat(n: MemNode): HostStat {
    return {
      type: n.type, mode: n.mode, size: BigInt(n.type === "symlink" ? n.target.length : n.size), ino: n.ino,
      dev: 1n, nlink: n.nlink, uid: 0, gid: 0, rdev: 0n, blksize: 4096, blocks: BigInt(Math.ceil(n.size / 512)),
      atimeNs: n.atimeNs, mtimeNs: n.mtimeNs, ctimeNs: n.ctimeNs, birthtimeNs: n.ctimeNs,
    };
  }

  private handle(h: HostHandle): MemNode {
    const n = this.handles.get(h);
    if (!n) throw new HostError("EBADF");
    return n;
  }

  private resize(n: MemNode, size: number): void {
    if (size > n.data.length) {
      const d = new Uint8Array(Math.max(size, n.data.length * 2, 64));
      d.set(n.data.subarray(0, n.size));
      n.data = d;
    } else if (size < n.size) {
      n.data.fill(0, size, n.size);
    }
    n.size = size;
  }

  lstat(path: string): HostStat { return this.stat(this.lookup(path)); }

  open(path: string, flags: HostOpenFlags): HostHandle {
    const [dir, name] = this.parent(path);
    let n = dir.children!.get(name);
    if (n && flags.create && flags.exclusive) throw new HostError("EEXIST");
    if (!n) {
      if (!flags.create) throw new HostError("ENOENT");
      n = this.node("file", flags.mode & 0o7777);
      dir.children!.set(name, n);
      dir.mtimeNs = dir.ctimeNs = this.clock();
    }
    if (n.type === "symlink") throw new HostError("ELOOP");
    if (n.type === "dir") throw new HostError("EISDIR");
    if (flags.truncate && flags.write) { this.resize(n, 0); n.mtimeNs = n.ctimeNs = this.clock(); }
    const h = this.nextHandle++;
    this.handles.set(h, n);
    return h;
  }

  close(h: HostHandle): void {
    this.handle(h);
    this.handles.delete(h);
  }

  pread(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    const n = this.handle(h);
    if (pos >= BigInt(n.size)) return 0;
    const p = Number(pos), len = Math.min(buf.length, n.size - p);
    buf.set(n.data.subarray(p, p + len));
    return len;
  }

  pwrite(h: HostHandle, buf: Uint8Array, pos: bigint): number {
    const n = this.handle(h);
    if (pos + BigInt(buf.length) > 0x7fff_ffffn) throw new HostError("EFBIG");
    const p = Number(pos);
    if (p + buf.length > n.size) this.resize(n, p + buf.length);
    n.data.set(buf, p);
    n.mtimeNs = n.ctimeNs = this.clock();
    return buf.length;
  }

  fstat(h: HostHandle): HostStat { return this.stat(this.handle(h)); }

  ftruncate(h: HostHandle, len: bigint): void {
    const n = this.handle(h);
    if (len > 0x7fff_ffffn) throw new HostError("EFBIG");
    this.resize(n, Number(len));
    n.mtimeNs = n.ctimeNs = this.clock();
  }

  fsync(h: HostHandle): void { this.handle(h); }

  readdir(path: string): HostDirEntry[] {
    const n = this.lookup(path);
    if (n.type !== "dir") throw new HostError("ENOTDIR");
    return [...n.children!].map(([name, c]) => ({ name, type: c.type }));
  }

  mkdir(path: string, mode: number): void {
    const [dir, name] = this.parent(path);
    if (dir.children!.has(name)) throw new HostError("EEXIST");
    dir.children!.set(name, this.node("dir", mode & 0o7777));
    dir.nlink++;
  }

  rmdir(path: string): void {
    const [dir, name] = this.parent(path);
    const n = dir.children!.get(name);
    if (!n) throw new HostError("ENOENT");
    if (n.type !== "dir") throw new HostError("ENOTDIR");
    if (n.children!.size) throw new HostError("ENOTEMPTY");
    dir.children!.delete(name);
    dir.nlink--;
  }

  unlink(path: string): void {
    const [dir, name] = this.parent(path);
    const n = dir.children!.get(name);
    if (!n) throw new HostError("ENOENT");
    if (n.type === "dir") throw new HostError("EISDIR");
    dir.children!.delete(name);
    n.nlink--;
  }

  rename(from: string, to: string): void {
    const [fdir, fname] = this.parent(from);
    const n = fdir.children!.get(fname);
    if (!n) throw new HostError("ENOENT");
    const [tdir, tname] = this.parent(to);
    const old = tdir.children!.get(tname);
    if (old === n) return;
    if (n.type === "dir") {
      if (to.startsWith(from.replace(/\/*$/, "/"))) throw new HostError("EINVAL");
      if (old && old.type !== "dir") throw new HostError("ENOTDIR");
      if (old && old.children!.size) throw new HostError("ENOTEMPTY");
    } else if (old && old.type === "dir") {
      throw new HostError("EISDIR");
    }
    fdir.children!.delete(fname);
    tdir.children!.set(tname, n);
  }

  link(from: string, to: string): void {
    const n = this.lookup(from);
    if (n.type === "dir") throw new HostError("EPERM");
    const [dir, name] = this.parent(to);
    if (dir.children!.has(name)) throw new HostError("EEXIST");
    dir.children!.set(name, n);
    n.nlink++;
  }

  symlink(target: string, path: string): void {
    const [dir, name] = this.parent(path);
    if (dir.children!.has(name)) throw new HostError("EEXIST");
    const n = this.node("symlink", 0o777);
    n.target = target;
    dir.children!.set(name, n);
  }

  readlink(path: string): string {
    const n = this.lookup(path);
    if (n.type !== "symlink") throw new HostError("EINVAL");
    return n.target;
  }

  chmod(path: string, mode: number): void {
    const n = this.lookup(path);
    n.mode = mode & 0o7777;
    n.ctimeNs = this.clock();
  }

  utimes(path: string, atimeNs: bigint | null, mtimeNs: bigint | null): void {
    const n = this.lookup(path);
    if (atimeNs !== null) n.atimeNs = atimeNs;
    if (mtimeNs !== null) n.mtimeNs = mtimeNs;
    n.ctimeNs = this.clock();
  }

  /** Test and setup helper: creates (or replaces) a file with `data`, creating parent directories. */
  writeFile(path: string, data: Uint8Array | string, mode = 0o644): void {
    const ps = this.parts(path);
    for (let i = 1; i < ps.length; i++) {
      const dir = "/" + ps.slice(0, i).join("/");
      try { this.lookup(dir); } catch { this.mkdir(dir, 0o755); }
    }
    const h = this.open(path, { read: false, write: true, create: true, exclusive: false, truncate: true, mode });
    this.pwrite(h, typeof data === "string" ? new TextEncoder().encode(data) : data, 0n);
    this.close(h);
  }

  /** Test helper: the contents of a file. */
  readFile(path: string): Uint8Array {
    const n = this.lookup(path);
    if (n.type !== "file") throw new HostError("EISDIR");
    return n.data.slice(0, n.size);
  }
}

/** Standard streams backed by a byte buffer (stdin) and callbacks (stdout, stderr). */
export class MemoryStdio implements HostStdio {
  private stdinPos = 0;
  constructor(
    private readonly stdin: Uint8Array = new Uint8Array(0),
    private readonly out: (fd: 1 | 2, data: Uint8Array) => void = () => {},
    private readonly terminal: WindowSize | null = null,
  ) {}
  read(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.stdin.length - this.stdinPos);
    buf.set(this.stdin.subarray(this.stdinPos, this.stdinPos + n));
    this.stdinPos += n;
    return n;
  }
  write(fd: 1 | 2, buf: Uint8Array): void { this.out(fd, buf.slice()); }
  isTerminal(): boolean { return this.terminal !== null; }
  windowSize(): WindowSize | null { return this.terminal; }
}

/** Options of {@link memoryHost}. */
export interface MemoryHostOptions {
  fs?: MemoryFileSystem;
  stdin?: Uint8Array;
  /** receives every write to fd 1 or 2 */
  output?: (fd: 1 | 2, data: Uint8Array) => void;
  /** report the streams as a terminal of this size */
  terminal?: WindowSize;
  /** fixed clock for reproducible tests (ns); defaults to the real clocks */
  clockNs?: () => bigint;
}

/** A host adapter that touches nothing outside JavaScript memory. */
export function memoryHost(opts: MemoryHostOptions = {}): HostAdapter & { fs: MemoryFileSystem } {
  const start = globalThis.performance?.now() ?? Date.now();
  const mono = (): bigint => BigInt(Math.round(((globalThis.performance?.now() ?? Date.now()) - start) * 1e6));
  return {
    fs: opts.fs ?? new MemoryFileSystem(opts.clockNs),
    stdio: new MemoryStdio(opts.stdin, opts.output, opts.terminal ?? null),
    realtimeNs: opts.clockNs ?? (() => BigInt(Date.now()) * 1_000_000n),
    monotonicNs: opts.clockNs ?? mono,
    cpuTimeNs: opts.clockNs ?? mono,
    sleep: blockingSleep,
    randomBytes: webRandomBytes,
    ids: { pid: 1000, ppid: 999, uid: 1000, gid: 1000 },
  };
}
