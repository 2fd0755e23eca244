/** Typed-array buffers that grow: the matcher's per-tender and per-chunk scratch space. */
export type Growable = Int32Array | Uint8Array | Float64Array;

/** A copy of `a` at least twice as long (and at least `atLeast`), its contents kept. */
export function grown<T extends Growable>(a: T, atLeast = 0): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}
