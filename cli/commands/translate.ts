/** `isa2wasm translate`: not implemented yet. */
import type { Command } from "../command.ts";

export const translateCommand: Command = {
  name: "translate",
  summary: "(not implemented yet)",
  help: "isa2wasm translate: not implemented yet\n",
  async run(_args, io) {
    io.err("isa2wasm translate: not implemented yet\n");
    return 70;
  },
};
