import { type Caller, ErrorCode, isAdmin, meshError } from '@attention-mesh/platform';

/** The dimension that names people: only admins see figures by user. */
const PERSONAL_DIMENSION = 'USER';

/**
 * Refuses a query that uses the USER dimension (as `by`, `groupBy` or a filter) unless the caller is an
 * admin: analysts see aggregates, never a person's figures. `uses` maps an argument path to the dimension
 * it asks for. Pure.
 */
export function requireDimensionAccess(
  caller: Caller,
  uses: Record<string, string | null | undefined>,
): void {
  if (isAdmin(caller)) return;
  for (const [field, dimension] of Object.entries(uses)) {
    if (dimension === PERSONAL_DIMENSION)
      throw meshError(ErrorCode.FORBIDDEN, `${field}: the USER dimension is for admins only`, { field });
  }
}
