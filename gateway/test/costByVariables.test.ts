import { describe, expect, it } from 'vitest';
import { CostByVariables } from '../src/demand/costByVariables.js';

describe('CostByVariables', () => {
  it('estimates once per value of the variables the estimate reads, whatever the others hold', () => {
    const costs = new CostByVariables();
    let estimates = 0;
    // Like a `users(first: $first) { … }` selected by `id`: only `first` changes the cost.
    const estimate = (v: Record<string, unknown>) => {
      estimates++;
      return 1 + (v.first === undefined ? 10 : Number(v.first)) * 2;
    };
    expect(costs.cost({ id: 'a', first: 5 }, estimate)).toBe(11);
    expect(costs.cost({ id: 'b', first: 5 }, estimate)).toBe(11);
    expect(estimates).toBe(1);
    expect(costs.cost({ id: 'a', first: 50 }, estimate)).toBe(101);
    expect(estimates).toBe(2);
    // Left out and null are not the same request (a default applies only to the first).
    expect(costs.cost({ id: 'a' }, estimate)).toBe(21);
    expect(costs.cost({ id: 'a', first: null }, estimate)).toBe(1);
    expect(estimates).toBe(4);
  });

  it('follows what each branch reads', () => {
    const costs = new CostByVariables();
    let estimates = 0;
    // `@include(if: $more)` decides whether `$first` is read at all.
    const estimate = (v: Record<string, unknown>) => {
      estimates++;
      return v.more ? 1 + Number(v.first) : 1;
    };
    expect(costs.cost({ more: false, first: 1 }, estimate)).toBe(1);
    expect(costs.cost({ more: false, first: 99 }, estimate)).toBe(1);
    expect(estimates).toBe(1);
    expect(costs.cost({ more: true, first: 1 }, estimate)).toBe(2);
    expect(costs.cost({ more: true, first: 99 }, estimate)).toBe(100);
    expect(costs.cost({ more: true, first: 1 }, estimate)).toBe(2);
    expect(estimates).toBe(3);
  });

  it('counts every variable when the estimate copies them, and keeps no failed estimate', () => {
    const costs = new CostByVariables();
    let estimates = 0;
    const copying = (v: Record<string, unknown>) => {
      estimates++;
      return Object.keys({ ...v }).length;
    };
    costs.cost({ a: 1 }, copying);
    costs.cost({ a: 2 }, copying);
    expect(estimates).toBe(2);
    const failing = () => {
      throw new Error('no slicing argument');
    };
    const other = new CostByVariables();
    expect(() => other.cost({ a: 1 }, failing)).toThrow('no slicing argument');
    expect(() => other.cost({ a: 1 }, failing)).toThrow('no slicing argument');
  });
});
