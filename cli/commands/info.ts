/** `isa2wasm info`: not implemented yet. */
import type { Command } from "../command.ts";

export const infoCommand: Command = {
  name: "info",
  summary: "(not implemented yet)",
  help: "isa2wasm info: not implemented yet\n",
  async run(_args, io) {
    io.err("isa2wasm info: not implemented yet\n");
    return 70;
  },
};
