/**
 * Ahead-of-time translation of the program corpus: every riscv64 fixture (and its stripped copy) is
 * translated once, at -O0 (the fastest translation; the level does not change behaviour), and the module
 * run through the embedding API (runtime/embed.ts: no binaryen at run time, the interpreter for code
 * discovery missed) with an in-memory file system must produce the output qemu-user recorded: stdout,
 * stderr, exit status and the files left in the working directory. Also checks that translated code did
 * the work: nearly every guest instruction runs in the module.
 *
 * Translating a static glibc program takes several seconds: translations are cached (testcache.ts).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { listFixtures, type Fixture } from "../../fixtures/fixtures.ts";
import { translateCached } from "./testcache.ts";
import { loadProgram, MemoryFileSystem, runProgram } from "../../runtime/embed.ts";

/** Guest working directory of a run. */
const CWD = "/work";

/** Files and directories under `dir`, as the fixtures list them. */
function listTree(fs: MemoryFileSystem, dir: string, prefix = ""): Array<{ path: string; type: string; content?: Uint8Array }> {
  const out: Array<{ path: string; type: string; content?: Uint8Array }> = [];
  for (const name of fs.readdir(prefix ? `${dir}/${prefix}` : dir).map((d) => d.name).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const st = fs.lstat(`${dir}/${rel}`);
    if (st.type === "dir") out.push({ path: rel, type: "dir" }, ...listTree(fs, dir, rel));
    else if (st.type === "file") out.push({ path: rel, type: "file", content: fs.readFile(`${dir}/${rel}`) });
    else out.push({ path: rel, type: "other" });
  }
  return out;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function translateAndRun(f: Fixture, binary: string) {
  const wasm = translateCached(new Uint8Array(readFileSync(binary)), basename(binary));
  const fs = new MemoryFileSystem();
  fs.mkdir(CWD, 0o755);
  for (const file of f.inputFiles) fs.writeFile(`${CWD}/${file.path}`, file.content);
  const out: Record<1 | 2, Uint8Array[]> = { 1: [], 2: [] };
  const program = await loadProgram(wasm);
  const r = await runProgram(program, {
    argv: f.argv, env: f.env, stdin: f.stdin, fs, cwd: CWD, seed: 1n,
    stdout: (d) => out[1].push(d), stderr: (d) => out[2].push(d),
  });
  const join = (parts: Uint8Array[]) => { const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { all.set(p, o); o += p.length; } return all; };
  return { r, stdout: join(out[1]), stderr: join(out[2]), files: listTree(fs, CWD) };
}

for (const f of listFixtures("riscv64")) {
  for (const binary of [f.binary, ...(f.stripped ? [f.stripped] : [])]) {
    test(`aot riscv64 ${basename(binary)}`, async () => {
      const { r, stdout, stderr, files } = await translateAndRun(f, binary);
      assert.is(text(stdout), text(f.expected.stdout), "stdout");
      assert.equal(stdout, f.expected.stdout, "stdout bytes");
      assert.is(text(stderr), text(f.expected.stderr), "stderr");
      assert.is(r.exitCode, f.expected.exit.status, "exit status");
      const inputs = new Map(f.inputFiles.map((i) => [i.path, i.content]));
      const changed = files.filter((x) => {
        const original = inputs.get(x.path);
        return !(original && x.type === "file" && Buffer.from(x.content!).equals(Buffer.from(original)));
      });
      assert.equal(changed, f.expected.files.map((x) => (x.content ? x : { path: x.path, type: x.type })), "files left in the working directory");
      const n = r.stats.instructions;
      const total = (n.aot ?? 0) + (n.dynamic ?? 0) + (n.interp ?? 0);
      // self-modifying code (smc) legitimately runs what it wrote in the interpreter
      if (f.name !== "smc") assert.ok((n.aot ?? 0) / total > 0.9, `share of instructions in translated code: ${JSON.stringify(n)}`);
    });
  }
}

test.run();
