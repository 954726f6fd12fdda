/** What this subgraph knows of the entities other subgraphs own: their keys. */
export interface TargetRef {
  __typename: 'Item' | 'Ad';
  id: string;
}
export interface UserRef {
  id: string;
}
