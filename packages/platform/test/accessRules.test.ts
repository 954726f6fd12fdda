import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkAccess, readAccessRules } from '../src/access/accessRules.js';
import { ANONYMOUS } from '../src/access/caller.js';

const SDL = parse(`
  type User @policy(policies: [["self"], ["admin"]]) { id: ID! email: String }
  type Query {
    me: User @authenticated
    open: String
    users: [User!]! @requiresScopes(scopes: [["admin"]])
    series: Int @requiresScopes(scopes: [["analytics:read"], ["admin"]])
    both: Int @requiresScopes(scopes: [["ads:write", "analytics:read"]])
  }
`);

describe('access rules from the schema', () => {
  const rules = readAccessRules(SDL);
  const person = { userId: 'u1', scopes: [] };
  const analyst = { userId: 'a1', scopes: ['analytics:read'] };
  const admin = { userId: 'root', scopes: ['admin'] };

  it('lists only fields with a requirement; a type rule applies to fields returning it and to its own fields', () => {
    expect(rules.has('Query.open')).toBe(false);
    expect(rules.get('Query.me')).toEqual({ authenticated: true, policies: [['self'], ['admin']] });
    expect(rules.get('User.email')?.policies).toEqual([['self'], ['admin']]);
  });

  it('refuses anonymous callers with UNAUTHENTICATED, the others without the scope with FORBIDDEN', () => {
    expect(checkAccess(rules.get('Query.me'), ANONYMOUS)).toBe('UNAUTHENTICATED');
    expect(checkAccess(rules.get('Query.me'), person)).toBeUndefined();
    expect(checkAccess(rules.get('Query.users'), person)).toBe('FORBIDDEN');
    expect(checkAccess(rules.get('Query.users'), admin)).toBeUndefined();
    expect(checkAccess(rules.get('Query.open'), ANONYMOUS)).toBeUndefined();
  });

  it('reads scopes as alternatives of sets that must all be held', () => {
    expect(checkAccess(rules.get('Query.series'), analyst)).toBeUndefined();
    expect(checkAccess(rules.get('Query.series'), admin)).toBeUndefined();
    expect(checkAccess(rules.get('Query.both'), analyst)).toBe('FORBIDDEN');
    expect(checkAccess(rules.get('Query.both'), { scopes: ['ads:write', 'analytics:read'] })).toBeUndefined();
  });

  it('decides policies from the caller: self needs a person, advertiser needs ads:write and an advertiser', () => {
    const rule = { authenticated: false, policies: [['advertiser']] };
    expect(checkAccess(rule, { userId: 'u', advertiserId: 'adv', scopes: ['ads:write'] })).toBeUndefined();
    expect(checkAccess(rule, { userId: 'u', scopes: ['ads:write'] })).toBe('FORBIDDEN');
    expect(checkAccess(rules.get('Query.me'), { partnerId: 'p', scopes: ['ads:request'] })).toBe('FORBIDDEN');
  });

  it('fails on an unknown policy name, at boot rather than per request', () => {
    expect(() => readAccessRules(parse('type Query { a: Int @policy(policies: [["slef"]]) }'))).toThrow(
      /unknown @policy slef/,
    );
  });
});
