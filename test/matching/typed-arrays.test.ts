import { describe, expect, it } from 'vitest';
import { grown } from '../../src/matching/typed-arrays.js';

describe('grown', () => {
  it('doubles (or reaches the size asked), keeps the contents and the array type', () => {
    const a = Int32Array.from([3, 1, 4]);
    const b = grown(a);
    expect(b).toBeInstanceOf(Int32Array);
    expect(b.length).toBe(6);
    expect([...b.subarray(0, 3)]).toEqual([3, 1, 4]);
    const c = grown(Float64Array.from([0.5]), 10);
    expect(c).toBeInstanceOf(Float64Array);
    expect(c.length).toBe(10);
    expect(c[0]).toBe(0.5);
  });
});
