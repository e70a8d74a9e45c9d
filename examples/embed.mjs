// Embedding a translated program: runs PROGRAM.wasm (made by `isa2wasm translate PROGRAM`) in this
// process with an in-memory file system, a given argv, environment and standard input, and the guest's
// output collected through callbacks. Works the same under Node and Deno:
//
//   node examples/embed.mjs hello.wasm [ARGS...]
//   deno run -A examples/embed.mjs hello.wasm [ARGS...]
//
// In a browser, fetch the module instead of reading it (`await (await fetch("hello.wasm")).arrayBuffer()`)
// and import "isa2wasm/runtime" through your bundler or an import map: nothing else changes.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { loadProgram, MemoryFileSystem, runProgram } from "isa2wasm/runtime";

const [path, ...args] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write("usage: embed.mjs PROGRAM.wasm [ARGS...]\n");
  process.exit(2);
}

// 1. Compile the module and read its manifest (no binaryen is loaded: code the translation missed runs
//    in the interpreter; pass `compile` to runProgram to translate it at run time instead).
const program = await loadProgram(await readFile(path));

// 2. The guest's file system: a fresh in-memory tree with a working directory holding one file. Any
//    object implementing HostFileSystem (runtime/host/host.ts) can take its place.
const fs = new MemoryFileSystem();
fs.mkdir("/work", 0o755);
fs.writeFile("/work/input.txt", "one two\nthree\n");

// 3. Run it: argv, environment, stdin, and callbacks for stdout and stderr.
const decoder = new TextDecoder();
let stdout = "";
const result = await runProgram(program, {
  argv: [program.manifest.source.name, ...args],
  env: { HOME: "/work", LANG: "C" },
  stdin: "one two\nthree\n",
  stdout: (bytes) => { stdout += decoder.decode(bytes, { stream: true }); },
  stderr: (bytes) => process.stderr.write(bytes),
  fs,
  cwd: "/work",
  seed: 1n,
});

// 4. What happened: the output, the exit status, where the instructions ran, and the files left behind.
process.stdout.write(stdout);
const files = fs.readdir("/work").map((e) => e.name).sort();
process.stderr.write(`exit ${result.exitCode}; instructions ${JSON.stringify(result.stats.instructions)}; files in /work: ${files.join(" ")}\n`);
process.exitCode = result.exitCode;
