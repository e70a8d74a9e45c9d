#!/usr/bin/env node
// Writes the syscall coverage table (runtime/linux/coverage.ts) into README.md between its
// syscall-coverage markers and into runtime/linux/coverage.md. Run after `npm run build`.
import { readFileSync, writeFileSync } from "node:fs";
import { coverageMarkdown } from "../dist/runtime/linux/coverage.js";

const table = `${coverageMarkdown()}\n`;
writeFileSync(new URL("../runtime/linux/coverage.md", import.meta.url), table);
const readmeUrl = new URL("../README.md", import.meta.url);
const readme = readFileSync(readmeUrl, "utf8");
const re = /(<!-- syscall-coverage:start -->\n)[\s\S]*?(<!-- syscall-coverage:end -->)/;
if (!re.test(readme)) throw new Error("README.md has no syscall-coverage markers");
writeFileSync(readmeUrl, readme.replace(re, (_, a, b) => `${a}${table}${b}`));
console.log("coverage table written to README.md and runtime/linux/coverage.md");
