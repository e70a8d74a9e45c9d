/**
 * Inlining the host's fused multiply-add into a translated module where the engine has one.
 *
 * A portable module (translator/codegen/fpfast.ts fma64) computes an f64 fused multiply-add as `if
 * (global.get fma_fused) (call fma_f64 a b c) else (the exact emulation)`, the imported function being
 * relaxed SIMD's `f64x2.relaxed_madd` in a helper module (runtime/jit/hwfma.ts) when that is fused, so that
 * the module validates on engines without relaxed SIMD. A call into another instance costs about 3 ns,
 * which dominates a multiply-add loop, and the engine cannot drop the emulation it never runs. The
 * translator records the sites in the custom section {@link FMA_SITES_SECTION}: calls `local.get a;
 * local.get b; local.get c; call fma_f64` and reads `global.get fma_fused`. Where the engine's relaxed_madd
 * is fused, the runtime rewrites them before compiling the module: each call into the helper's own code
 * inline (`local.get a; f64x2.splat; local.get b; f64x2.splat; local.get c; f64x2.splat;
 * f64x2.relaxed_madd; f64x2.extract_lane 0`: the same instruction the helper runs, on the same engine),
 * each read into `i32.const 1` (what the runtime imports there on such an engine). Everywhere else the
 * module is used as it is.
 *
 * Section payload: the number of sites, then per site its kind (0 a call, 1 a read), the index of its
 * function body in the code section and its offset in that body (from the start of the body's local
 * declarations), as unsigned LEB128s, sorted by body and offset.
 */
import { importIndex, Reader, replaceBodies, customSection, WasmFormatError, writeU32 } from "./wasmbin.ts";
import { HW_FMA_IMPORT } from "../jit/hwfma.ts";

export const FMA_SITES_SECTION = "isa2wasm.fma";

export const enum FmaSiteKind { Call = 0, FusedRead = 1 }
export interface FmaSite { kind: FmaSiteKind; body: number; offset: number }

export function encodeFmaSites(sites: FmaSite[]): Uint8Array {
  const out: number[] = [];
  writeU32(out, sites.length);
  for (const s of sites) { writeU32(out, s.kind); writeU32(out, s.body); writeU32(out, s.offset); }
  return new Uint8Array(out);
}

export function decodeFmaSites(payload: Uint8Array): FmaSite[] {
  const r = new Reader(payload);
  const out: FmaSite[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const kind = r.u32();
    if (kind !== FmaSiteKind.Call && kind !== FmaSiteKind.FusedRead) throw new WasmFormatError(`malformed "${FMA_SITES_SECTION}" section`);
    out.push({ kind, body: r.u32(), offset: r.u32() });
  }
  if (r.pos !== payload.length) throw new WasmFormatError(`malformed "${FMA_SITES_SECTION}" section`);
  return out;
}

const SPLAT_F64X2 = [0xfd, 0x14];
const RELAXED_MADD_F64X2 = [0xfd, 0x87, 0x02];
const EXTRACT_LANE_0_F64X2 = [0xfd, 0x21, 0x00];

/**
 * The module with its recorded fused multiply-add sites rewritten (see above), and how many calls were
 * made inline; the module unchanged (0) when it records none. Throws WasmFormatError when a recorded site
 * is not what it should be.
 */
export function inlineFmaSites(bytes: Uint8Array): { bytes: Uint8Array; sites: number } {
  const payload = customSection(bytes, FMA_SITES_SECTION);
  if (!payload) return { bytes, sites: 0 };
  const sites = decodeFmaSites(payload);
  const calls = sites.filter((s) => s.kind === FmaSiteKind.Call).length;
  if (calls === 0) return { bytes, sites: 0 };
  const fn = importIndex(bytes, 0, HW_FMA_IMPORT.module, HW_FMA_IMPORT.fn);
  const fused = importIndex(bytes, 3, HW_FMA_IMPORT.module, HW_FMA_IMPORT.fused);
  if (fn === undefined || fused === undefined) throw new WasmFormatError(`"${FMA_SITES_SECTION}" section in a module without the ${HW_FMA_IMPORT.fn} imports`);
  const byBody = new Map<number, FmaSite[]>();
  for (const s of sites) {
    const list = byBody.get(s.body) ?? [];
    list.push(s);
    byBody.set(s.body, list);
  }
  const rewrite = (index: number, list: FmaSite[]) => (body: Uint8Array): Uint8Array => {
    const code: number[] = [];
    let copied = 0;
    const notThere = () => new WasmFormatError(`no fused multiply-add site at body ${index}`);
    for (const site of list.sort((a, b) => a.offset - b.offset)) {
      if (site.offset < copied) throw new WasmFormatError("overlapping fused multiply-add sites");
      for (let i = copied; i < site.offset; i++) code.push(body[i]!);
      const r = new Reader(body, site.offset);
      if (site.kind === FmaSiteKind.FusedRead) {
        if (r.byte() !== 0x23 || r.u32() !== fused) throw notThere();
        code.push(0x41, 0x01); // i32.const 1
      } else {
        for (let k = 0; k < 3; k++) {
          if (r.byte() !== 0x20) throw notThere();
          code.push(0x20);
          writeU32(code, r.u32());
          code.push(...SPLAT_F64X2);
        }
        if (r.byte() !== 0x10 || r.u32() !== fn) throw notThere();
        code.push(...RELAXED_MADD_F64X2, ...EXTRACT_LANE_0_F64X2);
      }
      copied = r.pos;
    }
    for (let i = copied; i < body.length; i++) code.push(body[i]!);
    return new Uint8Array(code);
  };
  const out = replaceBodies(bytes, new Map([...byBody].map(([index, list]) => [index, rewrite(index, list)])));
  return { bytes: out, sites: calls };
}
