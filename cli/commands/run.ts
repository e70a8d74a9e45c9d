/** `isa2wasm run`: not implemented yet. */
import type { Command } from "../command.ts";

export const runCommand: Command = {
  name: "run",
  summary: "(not implemented yet)",
  help: "isa2wasm run: not implemented yet\n",
  async run(_args, io) {
    io.err("isa2wasm run: not implemented yet\n");
    return 70;
  },
};
