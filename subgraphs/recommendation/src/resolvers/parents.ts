/** A `User` as this subgraph resolves it: only the key (users owns the rest). */
export interface UserRef {
  id: string;
}
