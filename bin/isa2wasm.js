#!/usr/bin/env node
// isa2wasm launcher. Under Node it runs the compiled CLI (dist/, built by `npm ci` through the
// `prepare` script, or `npm run build`); under Deno it runs the TypeScript sources directly.
const here = new URL(".", import.meta.url);
if (globalThis.Deno) {
  await import(new URL("../cli/node.ts", here).href);
} else {
  const entry = new URL("../dist/cli/node.js", here);
  const { existsSync } = await import("node:fs");
  if (!existsSync(entry)) {
    process.stderr.write("isa2wasm: not built yet: run `npm run build` (or `npm ci`) in the isa2wasm folder\n");
    process.exit(70);
  }
  await import(entry.href);
}
