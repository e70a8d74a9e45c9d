/**
 * The guest's virtual file system: a tree of guest paths made of mounts (host directories or in-memory
 * trees), synthetic directories (the root and every ancestor of a mount point), /dev (null, zero, random,
 * urandom) and a minimal /proc/self (exe, cwd, root, fd/N as symlinks into the guest's own namespace).
 *
 * The sandbox rests on one rule: every path is resolved here, component by component, in guest space.
 * `..` is applied to the already-resolved guest path (it cannot climb above the guest root), and each
 * symlink met on the way — whether the guest created it or it was already on disk — is read and its
 * target resolved again as a guest path. So a host path handed to a {@link HostFileSystem} is always a
 * mount's host directory plus components that were each checked to exist and not be symlinks (or the
 * one final component being created), and nothing outside the mapped directories can be named.
 */
import { E, SyscallError, errnoNumber } from "./errno.ts";
import { HostError, type HostDirEntry, type HostFileSystem, type HostStat } from "../host/host.ts";

/** A guest directory backed by a host directory (or an in-memory tree). */
export interface Mount {
  /** host directory (absolute) */
  host: string;
  /** guest directory (absolute) */
  guest: string;
  readonly: boolean;
  fs: HostFileSystem;
}

/** Synthetic character devices under /dev. */
export type Device = "null" | "zero" | "random" | "urandom";

/** What a resolved guest path names. */
export type VNode =
  | { kind: "host"; mount: Mount; host: string }
  | { kind: "vdir"; entries: () => HostDirEntry[] }
  | { kind: "vlink"; target: () => string }
  | { kind: "dev"; dev: Device };

/** A resolved guest path: the node (null when only the last component is missing) and its metadata. */
export interface Resolved {
  /** normalized absolute guest path components */
  parts: string[];
  node: VNode | null;
  stat: HostStat | null;
}

/** Facts about the process that /proc/self shows. */
export interface ProcView {
  exe(): string;
  cwd(): string;
  fdTarget(fd: number): string | null;
  fds(): number[];
}

const MAX_SYMLINKS = 40;
const DEVICES: readonly Device[] = ["null", "random", "urandom", "zero"];

/** Converts a host-adapter failure into the syscall error Linux reports. */
export function hostErrno(e: unknown): SyscallError {
  if (e instanceof SyscallError) return e;
  if (e instanceof HostError) return new SyscallError(errnoNumber(e.code));
  throw e;
}

/** Absolute guest path text of components. */
export function joinGuest(parts: readonly string[]): string { return "/" + parts.join("/"); }

/** Splits a guest path into components, dropping empty and "." ones. */
export function splitGuest(path: string): string[] { return path.split("/").filter((p) => p !== "" && p !== "."); }

function syntheticStat(type: HostStat["type"], mode: number, ino: bigint, size = 0n): HostStat {
  return {
    type, mode, size, ino, dev: 0x10n, nlink: type === "dir" ? 2 : 1, uid: 0, gid: 0,
    rdev: type === "chardev" ? 0x103n : 0n, blksize: 4096, blocks: 0n, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n,
    birthtimeNs: 0n,
  };
}

/**
 * The host path of a mapped directory with every symlink in it resolved (the user chose to map it, so its
 * own symlinks are followed on the host; below it, the guest's view takes over). Unresolvable paths are
 * returned unchanged and simply fail to resolve later.
 */
function hostRealpath(fs: HostFileSystem, path: string): string {
  let done: string[] = [];
  let todo = splitGuest(path);
  for (let links = 0; todo.length;) {
    const name = todo.shift()!;
    if (name === "..") { done.pop(); continue; }
    const cand = [...done, name];
    let st: HostStat;
    try { st = fs.lstat(joinGuest(cand)); } catch { return path; }
    if (st.type === "symlink") {
      if (++links > MAX_SYMLINKS) return path;
      let target: string;
      try { target = fs.readlink(joinGuest(cand)); } catch { return path; }
      if (target.startsWith("/")) done = [];
      todo = [...splitGuest(target), ...todo];
      continue;
    }
    done = cand;
  }
  return joinGuest(done);
}

/** The guest's file namespace. */
export class Vfs {
  /** longest guest path first, so the innermost mount wins */
  private readonly mounts: Mount[];

  constructor(mounts: Mount[], private readonly proc: ProcView) {
    for (const m of mounts) if (!m.guest.startsWith("/") || !m.host.startsWith("/")) throw new Error(`mount paths must be absolute: ${m.host}:${m.guest}`);
    this.mounts = mounts
      .map((m) => ({ ...m, host: hostRealpath(m.fs, m.host) }))
      .sort((a, b) => splitGuest(b.guest).length - splitGuest(a.guest).length);
  }

  /** The mount holding `parts`, and the host path. */
  private mountOf(parts: readonly string[]): { mount: Mount; host: string } | null {
    for (const m of this.mounts) {
      const mp = splitGuest(m.guest);
      if (mp.length <= parts.length && mp.every((p, i) => parts[i] === p)) {
        const rest = parts.slice(mp.length);
        const base = m.host.replace(/\/+$/, "");
        return { mount: m, host: rest.length ? `${base}/${rest.join("/")}` : (base || "/") };
      }
    }
    return null;
  }

  /** Entries of a synthetic directory: the next components of mount points below it (and /proc, /dev). */
  private syntheticChildren(parts: readonly string[]): HostDirEntry[] | null {
    const names = new Set<string>();
    const paths = [...this.mounts.map((m) => splitGuest(m.guest)), ["proc", "self"], ["dev"]];
    for (const mp of paths) {
      if (mp.length > parts.length && parts.every((p, i) => mp[i] === p)) names.add(mp[parts.length]!);
    }
    if (parts.length === 0 || names.size) return [...names].sort().map((name) => ({ name, type: "dir" as const }));
    return null;
  }

  /** The node at exactly `parts` (nothing followed), or null when it does not exist. */
  lookup(parts: readonly string[]): { node: VNode; stat: HostStat } | null {
    const m = this.mountOf(parts);
    if (m) {
      try {
        return { node: { kind: "host", ...m }, stat: m.mount.fs.lstat(m.host) };
      } catch (e) {
        const err = hostErrno(e);
        if (err.errno !== E.ENOENT) throw err;
        // an ancestor of a deeper mount point exists even where the outer mount has no such directory
        return this.syntheticChildren(parts) ? this.vdir(parts, () => this.syntheticChildren(parts) ?? []) : null;
      }
    }
    if (parts[0] === "dev" && parts.length === 1) return this.vdir(parts, () => DEVICES.map((name) => ({ name, type: "chardev" })));
    if (parts[0] === "dev" && parts.length === 2 && (DEVICES as readonly string[]).includes(parts[1]!)) {
      return { node: { kind: "dev", dev: parts[1] as Device }, stat: syntheticStat("chardev", 0o666, 0x100n + BigInt(parts[1]!.length)) };
    }
    if (parts[0] === "proc") return this.procLookup(parts.slice(1));
    if (this.syntheticChildren(parts)) return this.vdir(parts, () => this.syntheticChildren(parts) ?? []);
    return null;
  }

  private vdir(parts: readonly string[], entries: () => HostDirEntry[]): { node: VNode; stat: HostStat } {
    return { node: { kind: "vdir", entries }, stat: syntheticStat("dir", 0o555, 0x1000n + BigInt(parts.join("/").length)) };
  }

  private procLookup(rest: readonly string[]): { node: VNode; stat: HostStat } | null {
    const link = (target: () => string) => ({ node: { kind: "vlink", target } as VNode, stat: syntheticStat("symlink", 0o777, 0x2000n, BigInt(target().length)) });
    if (rest.length === 0) return this.vdir(["proc"], () => [{ name: "self", type: "dir" }]);
    if (rest[0] !== "self") return null;
    if (rest.length === 1) {
      return this.vdir(["proc", "self"], () => ["cwd", "exe", "fd", "root"].map((name) => ({ name, type: name === "fd" ? "dir" as const : "symlink" as const })));
    }
    if (rest.length === 2) {
      switch (rest[1]) {
        case "exe": return link(() => this.proc.exe());
        case "cwd": return link(() => this.proc.cwd());
        case "root": return link(() => "/");
        case "fd": return this.vdir(["proc", "self", "fd"], () => this.proc.fds().map((fd) => ({ name: String(fd), type: "symlink" })));
      }
      return null;
    }
    if (rest.length === 3 && rest[1] === "fd" && /^\d+$/.test(rest[2]!)) {
      const t = this.proc.fdTarget(Number(rest[2]));
      return t === null ? null : link(() => t);
    }
    return null;
  }

  /** The target text of a symlink node. */
  readlink(node: VNode): string {
    if (node.kind === "vlink") return node.target();
    if (node.kind === "host") {
      try { return node.mount.fs.readlink(node.host); } catch (e) { throw hostErrno(e); }
    }
    throw new SyscallError(E.EINVAL);
  }

  /**
   * Resolves a guest path relative to `base` (absolute guest components of the starting directory).
   * With `follow`, a symlink in the last component is followed too. A missing last component yields
   * node = null (its parent exists and is a directory); a missing earlier one throws ENOENT.
   */
  resolve(path: string, base: readonly string[], follow: boolean): Resolved {
    if (path === "") throw new SyscallError(E.ENOENT);
    if (path.length >= 4096) throw new SyscallError(E.ENAMETOOLONG);
    let todo = path.split("/");
    const trailingSlash = /\/\.?$/.test(path) || path === ".";
    let cur: string[] = path.startsWith("/") ? [] : [...base];
    let links = 0;
    let curStat: HostStat | null = null;
    let curNode: VNode | null = null;
    todo = todo.filter((p) => p !== "" && p !== ".");
    if (todo.length === 0) {
      const found = this.lookup(cur);
      if (!found) throw new SyscallError(E.ENOENT);
      return { parts: cur, node: found.node, stat: found.stat };
    }
    while (todo.length) {
      const name = todo.shift()!;
      const last = todo.length === 0;
      if (name === "..") {
        cur.pop();
        const found = this.lookup(cur);
        if (!found) throw new SyscallError(E.ENOENT);
        curNode = found.node; curStat = found.stat;
        continue;
      }
      if (name.length > 255) throw new SyscallError(E.ENAMETOOLONG);
      const cand = [...cur, name];
      const found = this.lookup(cand);
      if (!found) {
        if (last) return { parts: cand, node: null, stat: null };
        throw new SyscallError(E.ENOENT);
      }
      if (found.stat.type === "symlink" && (!last || follow || trailingSlash)) {
        if (++links > MAX_SYMLINKS) throw new SyscallError(E.ELOOP);
        const target = this.readlink(found.node);
        if (target === "") throw new SyscallError(E.ENOENT);
        if (target.startsWith("/")) cur = [];
        todo = [...target.split("/").filter((p) => p !== "" && p !== "."), ...todo];
        if (todo.length === 0) {
          const r = this.lookup(cur);
          if (!r) throw new SyscallError(E.ENOENT);
          curNode = r.node; curStat = r.stat;
        }
        continue;
      }
      if (!last && found.stat.type !== "dir") throw new SyscallError(E.ENOTDIR);
      cur = cand;
      curNode = found.node;
      curStat = found.stat;
    }
    if (trailingSlash && curStat && curStat.type !== "dir") throw new SyscallError(E.ENOTDIR);
    return { parts: cur, node: curNode, stat: curStat };
  }

  /** The mount and host path of guest path `parts`, or null when no mount holds it (synthetic nodes). */
  hostPath(parts: readonly string[]): { mount: Mount; host: string } | null {
    return this.mountOf(parts);
  }

  /** Where a new entry `parts` would be created: its mount and host path; EACCES/EROFS when not writable. */
  creationTarget(parts: readonly string[]): { mount: Mount; host: string } {
    const parent = this.lookup(parts.slice(0, -1));
    if (!parent) throw new SyscallError(E.ENOENT);
    if (parent.stat.type !== "dir") throw new SyscallError(E.ENOTDIR);
    if (parent.node.kind !== "host") throw new SyscallError(E.EACCES);
    const m = this.mountOf(parts)!;
    if (m.mount.readonly) throw new SyscallError(E.EROFS);
    return m;
  }

  /** A host node that may be modified (EROFS on a read-only mount, EACCES for synthetic nodes). */
  writableHost(node: VNode): { mount: Mount; host: string } {
    if (node.kind !== "host") throw new SyscallError(E.EACCES);
    if (node.mount.readonly) throw new SyscallError(E.EROFS);
    return node;
  }

  /** Entries of a directory node (without "." and ".."). */
  readdir(node: VNode): HostDirEntry[] {
    if (node.kind === "vdir") return node.entries();
    if (node.kind !== "host") throw new SyscallError(E.ENOTDIR);
    let entries: HostDirEntry[];
    try { entries = node.mount.fs.readdir(node.host); } catch (e) { throw hostErrno(e); }
    // a mount point inside this directory shows as a directory entry even if the host has no such name
    const here = this.guestPathOfHost(node);
    if (here) {
      entries = entries.concat((this.syntheticChildren(here) ?? []).filter((c) => !entries.some((e) => e.name === c.name)));
    }
    return entries;
  }

  /** The guest path of a host node's directory, when it is the root of its mount or below it. */
  private guestPathOfHost(node: VNode & { kind: "host" }): string[] | null {
    const base = node.mount.host.replace(/\/+$/, "");
    const rel = node.host === (base || "/") ? "" : node.host.startsWith(base + "/") ? node.host.slice(base.length + 1) : null;
    if (rel === null) return null;
    return [...splitGuest(node.mount.guest), ...splitGuest(rel)];
  }
}
