/** Reading a guest program given on the command line: one place for the ELF and CPU checks of every command. */
import { ElfError, parseElf, type ElfFile } from "../translator/elf/elf.ts";
import type { Guest } from "../translator/guests/guest.ts";
import { guestForElf, whyNoGuest } from "../translator/guests/index.ts";
import { InputError } from "./errors.ts";

/** Parses `bytes` (the file `name`) as an ELF program for a supported guest; bad input is an {@link InputError}. */
export function parseGuestProgram(bytes: Uint8Array, name: string): { elf: ElfFile; guest: Guest } {
  let elf: ElfFile;
  try { elf = parseElf(bytes); } catch (e) {
    if (e instanceof ElfError) throw new InputError(`${name}: ${e.message}`);
    throw e;
  }
  const guest = guestForElf(elf.machine, elf.class, elf.endian);
  if (!guest) throw new InputError(`${name}: ${whyNoGuest(elf.machine, elf.class, elf.endian)}`);
  return { elf, guest };
}
