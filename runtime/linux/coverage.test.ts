/** The coverage table agrees with the kernel, and the committed coverage.md is the generator's output. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import { dirname, join } from "node:path";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { coverageMarkdown, coverageRows, coverageSummary } from "./coverage.ts";
import { testKernel } from "./testkit.ts";

test("statuses follow the kernel: implemented, partial and ENOSYS syscalls behave accordingly", () => {
  const byName = new Map(coverageRows().map((r) => [r.name, r]));
  assert.is(byName.get("openat")!.status.riscv64, "implemented");
  assert.is(byName.get("mmap")!.status.riscv64, "partial");
  assert.is(byName.get("io_setup")!.status.riscv64, "ENOSYS");
  assert.is(byName.get("fstat")!.status.ppc32, "ENOSYS", "ppc32's old fstat");
  assert.is(byName.get("fstat")!.status.riscv64, "implemented");
  // every riscv64 syscall marked ENOSYS really returns -ENOSYS (38) with all-zero arguments
  for (const r of coverageRows()) {
    if (r.status.riscv64 !== "ENOSYS") continue;
    const t = testKernel();
    assert.is(t.sys(r.name, 0, 0, 0, 0, 0, 0), -38, r.name);
  }
  const s = coverageSummary();
  assert.is(s.riscv64.implemented + s.riscv64.partial + s.riscv64.ENOSYS, coverageRows().filter((r) => r.numbers.riscv64 !== undefined).length);
});

test("coverage.md is up to date (regenerate with coverageMarkdown())", () => {
  const file = new URL("./coverage.md", import.meta.url);
  const committed = fs.readFileSync(file.pathname.replace("/dist/runtime/", "/runtime/"), "utf8");
  assert.is(committed, `${coverageMarkdown()}\n`);
});

test("README.md carries the same table between its syscall-coverage markers", () => {
  const readme = fs.readFileSync(join(dirname(fixturesDir()), "README.md"), "utf8");
  const m = /<!-- syscall-coverage:start -->\n([\s\S]*?)<!-- syscall-coverage:end -->/.exec(readme);
  assert.ok(m, "README.md has no syscall-coverage markers");
  assert.is(m[1], `${coverageMarkdown()}\n`, "regenerate with: node scripts/coverage-readme.mjs");
});

test.run();
