import { TEST_CALLERS } from '@attention-mesh/testkit';
import { describe, expect, it } from 'vitest';
import { requireDimensionAccess } from '../src/analytics/dimensionAccess.js';

describe('the USER dimension of the analyst queries', () => {
  it('is for admins only', () => {
    expect(() => requireDimensionAccess(TEST_CALLERS.admin, { by: 'USER' })).not.toThrow();
    expect(() => requireDimensionAccess(TEST_CALLERS.analyst, { by: 'USER' })).toThrow(
      expect.objectContaining({ extensions: { code: 'FORBIDDEN', field: 'by' } }),
    );
    expect(() =>
      requireDimensionAccess(TEST_CALLERS.analyst, { 'filter.dimension': 'ITEM', groupBy: 'USER' }),
    ).toThrow(expect.objectContaining({ extensions: { code: 'FORBIDDEN', field: 'groupBy' } }));
    expect(() =>
      requireDimensionAccess(TEST_CALLERS.analyst, { 'filter.dimension': 'USER', groupBy: null }),
    ).toThrow(expect.objectContaining({ extensions: { code: 'FORBIDDEN', field: 'filter.dimension' } }));
  });

  it('leaves the other dimensions to analysts', () => {
    for (const dimension of ['CATEGORY', 'PLACEMENT', 'DEVICE', 'COUNTRY', 'ITEM', 'AD', null, undefined])
      expect(() =>
        requireDimensionAccess(TEST_CALLERS.analyst, { by: dimension, groupBy: dimension }),
      ).not.toThrow();
  });
});
