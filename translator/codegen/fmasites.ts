/**
 * Finds the fused multiply-add sites of a portable translated module, for the runtime to rewrite where the
 * engine has a fused multiply-add (runtime/aot/fmapatch.ts): every `call fma_f64` whose three operands are
 * the `local.get`s just before it, and every `global.get fma_fused`. The scan decodes each function body instruction by instruction (the
 * instruction set binaryen emits for these modules: MVP, sign extension, saturating conversions, bulk
 * memory, tail calls); an opcode it does not know stops it, and the module then records no sites (its
 * multiply-adds stay calls: slower, never wrong).
 */
import { encodeCustomSection, functionBodies, importIndex, Reader, WasmFormatError } from "../../runtime/aot/wasmbin.ts";
import { encodeFmaSites, FMA_SITES_SECTION, FmaSiteKind, type FmaSite } from "../../runtime/aot/fmapatch.ts";
import { HW_FMA_IMPORT } from "../../runtime/jit/hwfma.ts";

/** Immediates of the single-byte opcodes that have any (the rest of 0x00-0xc4 have none). */
function skipImmediates(r: Reader, op: number): void {
  switch (op) {
    case 0x02: case 0x03: case 0x04: { // block, loop, if: a block type (empty, a value type, or a type index)
      const b = r.bytes[r.pos]!;
      if (b === 0x40 || (b >= 0x6f && b <= 0x7f)) r.pos++;
      else r.skipLeb();
      return;
    }
    case 0x0c: case 0x0d: case 0x10: case 0x12: // br, br_if, call, return_call
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2: // locals, globals, tables, ref.func
      r.u32(); return;
    case 0x0e: for (let n = r.u32() + 1; n > 0; n--) r.u32(); return; // br_table: labels and the default
    case 0x11: case 0x13: r.u32(); r.u32(); return; // call_indirect, return_call_indirect: type, table
    case 0x1c: for (let n = r.u32(); n > 0; n--) r.byte(); return; // select with types
    case 0x3f: case 0x40: r.byte(); return; // memory.size, memory.grow: memory 0
    case 0x41: case 0x42: r.skipLeb(); return; // i32.const, i64.const
    case 0x43: r.skip(4); return; // f32.const
    case 0x44: r.skip(8); return; // f64.const
    case 0xd0: r.byte(); return; // ref.null: heap type
  }
  if (op >= 0x28 && op <= 0x3e) { // loads and stores: alignment (bit 6: a memory index follows) and offset
    const align = r.u32();
    if (align & 0x40) r.u32();
    r.skipLeb();
    return;
  }
  if (op <= 0x1b || (op >= 0x45 && op <= 0xc4) || op === 0xd1) return;
  throw new WasmFormatError(`opcode 0x${op.toString(16)} not known to the fused multiply-add scan`);
}

/** Immediates of the 0xfc-prefixed opcodes. */
function skipPrefixedFc(r: Reader): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating float-to-int conversions
  switch (sub) {
    case 8: r.u32(); r.byte(); return; // memory.init: segment, memory
    case 9: case 13: case 15: case 16: case 17: r.u32(); return; // data.drop, elem.drop, table.grow/size/fill
    case 10: r.byte(); r.byte(); return; // memory.copy: two memories
    case 11: r.byte(); return; // memory.fill: memory
    case 12: case 14: r.u32(); r.u32(); return; // table.init, table.copy
  }
  throw new WasmFormatError(`opcode 0xfc ${sub} not known to the fused multiply-add scan`);
}

/** The module's fused multiply-add sites (see above); none when it does not import fma_f64. */
export function findFmaSites(bytes: Uint8Array): FmaSite[] {
  const fma = importIndex(bytes, 0, HW_FMA_IMPORT.module, HW_FMA_IMPORT.fn);
  const fused = importIndex(bytes, 3, HW_FMA_IMPORT.module, HW_FMA_IMPORT.fused);
  const code = functionBodies(bytes);
  if (fma === undefined || fused === undefined || !code) return [];
  const sites: FmaSite[] = [];
  code.bodies.forEach((body, index) => {
    const r = new Reader(bytes, body.start);
    for (let groups = r.u32(); groups > 0; groups--) { r.u32(); r.byte(); } // locals: count and type
    // start offsets of the last three instructions, when they were local.gets (else -1)
    let g1 = -1, g2 = -1, g3 = -1;
    while (r.pos < body.end) {
      const at = r.pos;
      const op = r.byte();
      if (op === 0xfc) skipPrefixedFc(r);
      else if (op === 0x10) {
        if (r.u32() === fma && g1 >= 0 && g2 >= 0 && g3 >= 0) sites.push({ kind: FmaSiteKind.Call, body: index, offset: g1 - body.start });
      } else if (op === 0x23) {
        if (r.u32() === fused) sites.push({ kind: FmaSiteKind.FusedRead, body: index, offset: at - body.start });
      } else skipImmediates(r, op);
      [g1, g2, g3] = [g2, g3, op === 0x20 ? at : -1];
    }
    if (r.pos !== body.end) throw new WasmFormatError(`function body ${index} overruns its size`);
  });
  return sites;
}

/**
 * `binary` with a {@link FMA_SITES_SECTION} section appended listing its fused multiply-add sites, or as it
 * is when it has none or the scan met an opcode it does not know.
 */
export function withFmaSites(binary: Uint8Array): { binary: Uint8Array; sites: number } {
  let sites: FmaSite[];
  try {
    sites = findFmaSites(binary);
  } catch (e) {
    if (e instanceof WasmFormatError) return { binary, sites: 0 };
    throw e;
  }
  if (!sites.some((s) => s.kind === FmaSiteKind.Call)) return { binary, sites: 0 };
  const section = encodeCustomSection(FMA_SITES_SECTION, encodeFmaSites(sites));
  const out = new Uint8Array(binary.length + section.length);
  out.set(binary, 0);
  out.set(section, binary.length);
  return { binary: out, sites: sites.filter((s) => s.kind === FmaSiteKind.Call).length };
}
