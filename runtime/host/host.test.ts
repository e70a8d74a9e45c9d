/**
 * Host adapters: the in-memory file system and the adapter of the running runtime (Node or Deno) on a
 * real temporary directory give the same results and Linux's errno names; 64-bit offsets and binary data
 * pass through unchanged.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HostError, type HostFileSystem } from "./host.ts";
import { MemoryFileSystem, memoryHost } from "./memory.ts";
import { nodeHost } from "./node.ts";
import { denoApi, denoHost } from "./deno.ts";

const realHost = () => (denoApi() ? denoHost() : nodeHost());
const RW = { read: true, write: true, create: true, exclusive: false, truncate: false, mode: 0o644 };

function code(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof HostError) return e.code; throw e; }
  return "ok";
}

/** The same checks against an adapter rooted at `root`. */
function common(name: string, make: () => { fsys: HostFileSystem; root: string; done: () => void }): void {
  test(`${name}: files, directories and Linux errno names`, () => {
    const { fsys, root, done } = make();
    const p = (x: string) => `${root}/${x}`;
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const h = fsys.open(p("bin"), RW);
    assert.is(fsys.pwrite(h, all, 0n), 256);
    const back = new Uint8Array(300);
    assert.is(fsys.pread(h, back, 0n), 256, "short read at end of file");
    assert.equal(back.subarray(0, 256), all, "binary data unchanged");
    assert.is(fsys.pread(h, back, 256n), 0);
    assert.is(fsys.fstat(h).size, 256n);
    fsys.ftruncate(h, 10n);
    assert.is(fsys.fstat(h).size, 10n);
    fsys.close(h);
    assert.is(code(() => fsys.open(p("bin"), { ...RW, exclusive: true })), "EEXIST");
    assert.is(code(() => fsys.open(p("none/x"), RW)), "ENOENT");
    fsys.mkdir(p("d"), 0o755);
    assert.is(fsys.lstat(p("d")).type, "dir");
    assert.is(code(() => fsys.mkdir(p("d"), 0o755)), "EEXIST");
    fsys.open(p("d/x"), RW);
    assert.is(code(() => fsys.rmdir(p("d"))), "ENOTEMPTY");
    assert.is(code(() => fsys.open(p("d"), RW)), "EISDIR");
    fsys.symlink("bin", p("ln"));
    assert.is(fsys.lstat(p("ln")).type, "symlink");
    assert.is(fsys.readlink(p("ln")), "bin");
    assert.is(code(() => fsys.open(p("ln"), RW)), "ELOOP", "the last component is never followed");
    fsys.rename(p("bin"), p("bin2"));
    fsys.link(p("bin2"), p("bin3"));
    assert.is(fsys.lstat(p("bin3")).nlink, 2);
    fsys.chmod(p("bin2"), 0o600);
    assert.is(fsys.lstat(p("bin2")).mode, 0o600);
    fsys.utimes(p("bin2"), null, 1_000_000_000_000_000_000n);
    assert.is(fsys.lstat(p("bin2")).mtimeNs, 1_000_000_000_000_000_000n);
    assert.equal(fsys.readdir(root).map((e) => `${e.name}:${e.type}`).sort(), ["bin2:file", "bin3:file", "d:dir", "ln:symlink"]);
    fsys.unlink(p("d/x"));
    fsys.rmdir(p("d"));
    assert.is(code(() => fsys.lstat(p("d"))), "ENOENT");
    done();
  });
}

common("memory", () => {
  const fsys = new MemoryFileSystem();
  fsys.mkdir("/r", 0o755);
  return { fsys, root: "/r", done: () => {} };
});
common(denoApi() ? "deno" : "node", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "isa2wasm-host-"));
  return { fsys: realHost().fs, root, done: () => fs.rmSync(root, { recursive: true, force: true }) };
});

test("real host: 64-bit offsets (a sparse file past 4 GiB)", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "isa2wasm-host-"));
  const fsys = realHost().fs;
  const h = fsys.open(`${root}/big`, RW);
  const at = (5n << 30n) + 3n;
  assert.is(fsys.pwrite(h, Uint8Array.from([1, 2, 3]), at), 3);
  assert.is(fsys.fstat(h).size, at + 3n);
  const b = new Uint8Array(4);
  assert.is(fsys.pread(h, b, at - 1n), 4);
  assert.equal([...b], [0, 1, 2, 3]);
  fsys.close(h);
  fs.rmSync(root, { recursive: true, force: true });
});

test("memory stdio: stdin in pieces, then EOF; output callback gets raw bytes", () => {
  const out: Array<[number, number[]]> = [];
  const host = memoryHost({ stdin: Uint8Array.from([0xff, 0, 10, 0x80]), output: (fd, d) => out.push([fd, [...d]]) });
  const b = new Uint8Array(3);
  assert.is(host.stdio.read(b, false), 3);
  assert.equal([...b], [0xff, 0, 10]);
  assert.is(host.stdio.read(b, false), 1);
  assert.is(host.stdio.read(b, false), 0);
  host.stdio.write(2, Uint8Array.from([0xc3, 0x28]));
  assert.equal(out, [[2, [0xc3, 0x28]]], "invalid UTF-8 passes unchanged");
  assert.not.ok(host.stdio.isTerminal(1));
});

test.run();
