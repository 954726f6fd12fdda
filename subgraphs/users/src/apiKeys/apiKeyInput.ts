import { badUserInput, checkText, Scope } from '@attention-mesh/platform';

/** Validation of API key input. Pure: throws BAD_USER_INPUT naming the field, returns clean values. */

/** The scopes a partner's key may carry. */
export const API_KEY_SCOPES: readonly string[] = [
  Scope.ADS_REQUEST,
  Scope.EVENTS_WRITE,
  Scope.ANALYTICS_READ,
];

const PARTNER_ID = /^[a-z0-9_-]{1,64}$/;

export function checkPartnerId(partnerId: string, field: string): string {
  if (!PARTNER_ID.test(partnerId))
    throw badUserInput(`${field} must be 1-64 characters of a-z, 0-9, _ or -`, field);
  return partnerId;
}

export function checkApiKeyScopes(scopes: readonly string[], field: string): string[] {
  if (scopes.length < 1 || scopes.length > API_KEY_SCOPES.length)
    throw badUserInput(`${field} must list 1-${API_KEY_SCOPES.length} scopes`, field);
  for (const scope of scopes)
    if (!API_KEY_SCOPES.includes(scope))
      throw badUserInput(
        `${JSON.stringify(scope.slice(0, 40))} is not a key scope (valid: ${API_KEY_SCOPES.join(', ')})`,
        field,
      );
  if (new Set(scopes).size !== scopes.length) throw badUserInput(`${field} lists a scope twice`, field);
  return [...scopes];
}

/** A key's input, checked: the partner's slug, a 1-100 character name, 1-3 distinct key scopes. */
export function checkApiKeyInput(input: { partnerId: string; name: string; scopes: readonly string[] }) {
  return {
    partnerId: checkPartnerId(input.partnerId, 'input.partnerId'),
    name: checkText(input.name, 'input.name', 100),
    scopes: checkApiKeyScopes(input.scopes, 'input.scopes'),
  };
}
