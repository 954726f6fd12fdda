/** A composition that must not ship: Apollo's errors, or a public contract exposing a non-public type. */
export class CompositionError extends Error {}
