/** The entity key of a user, as events carry it. */
export function userKey(id: string) {
  return { __typename: 'User', id };
}
