/** `isa2wasm disasm`: not implemented yet. */
import type { Command } from "../command.ts";

export const disasmCommand: Command = {
  name: "disasm",
  summary: "(not implemented yet)",
  help: "isa2wasm disasm: not implemented yet\n",
  async run(_args, io) {
    io.err("isa2wasm disasm: not implemented yet\n");
    return 70;
  },
};
