/**
 * Randomness comes in from outside, like time (clock.ts): ids, tokens,
 * ticket and pickup codes are drawn from a `Random` handed to the code that
 * makes them. Production uses WebCrypto's CSPRNG; the byte counts are named
 * beside what they make (domain/tokens.ts, domain/orders.ts, …).
 */
export interface Random {
  /** `count` uniformly random bytes. */
  bytes(count: number): Uint8Array;
  /** A random (version 4) UUID. */
  uuid(): string;
}

export const systemRandom: Random = {
  bytes: (count) => crypto.getRandomValues(new Uint8Array(count)),
  uuid: () => crypto.randomUUID(),
};
