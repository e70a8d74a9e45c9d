#!/usr/bin/env node
// Runs the uvu suite and ends with a plain "N passed, N failed" line.
// Usage: node scripts/test.mjs [--deno] [pattern]
//   default: the compiled tests under dist/ on Node
//   --deno:  the TypeScript sources under Deno 2 (npx deno)
import { spawn } from "node:child_process";

const args = process.argv.slice(2);
const deno = args.includes("--deno");
const filter = args.find((a) => !a.startsWith("--"));
// Node 20 keeps Wasm relaxed SIMD (the host's fused multiply-add, runtime/jit/hwfma.ts) behind a flag; the
// CLI turns it on, so the tests run with it on too (Deno has it on by default)
const { RELAXED_FMA_MODULE } = deno ? {} : await import("../dist/runtime/jit/hwfma.js");
const nodeFlags = !deno && !WebAssembly.validate(RELAXED_FMA_MODULE) ? ["--experimental-wasm-relaxed-simd"] : [];
const [cmd, cmdArgs] = deno
  ? ["npx", ["deno", "run", "-A", "--quiet", "node_modules/uvu/bin.js", ".", filter ?? "\\.test\\.ts$", "-i", "node_modules", "-i", "dist"]]
  : ["node", [...nodeFlags, "node_modules/uvu/bin.js", "dist", filter ?? "\\.test\\.js$"]];

const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "inherit"] });
let out = "";
child.stdout.on("data", (d) => { out += d; process.stdout.write(d); });
child.on("close", (code) => {
  const clean = out.replace(/\x1b\[[0-9;]*m/g, "");
  const num = (label) => Number((clean.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? 0);
  const total = num("Total"), passed = num("Passed"), skipped = num("Skipped");
  const failed = Math.max(total - passed - skipped, code !== 0 && total === passed ? 1 : 0);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
