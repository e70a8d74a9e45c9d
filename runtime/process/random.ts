/**
 * A seeded pseudo-random byte source, for runs that must be repeatable (`isa2wasm run --seed N`): it feeds
 * AT_RANDOM and the guest's getrandom. Not cryptographically secure, by design.
 */

/** Returns a function filling buffers from the SplitMix64 sequence of `seed`. */
export function seededRandomBytes(seed: bigint): (buf: Uint8Array) => void {
  let state = BigInt.asUintN(64, seed);
  let word = 0n, left = 0;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      if (left === 0) {
        state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
        let z = state;
        z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
        z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
        word = z ^ (z >> 31n);
        left = 8;
      }
      buf[i] = Number(word & 0xffn);
      word >>= 8n;
      left--;
    }
  };
}
