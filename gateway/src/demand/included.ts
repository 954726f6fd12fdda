import { type DirectiveNode, Kind, type SelectionNode, type ValueNode } from 'graphql';

const truth = (value: ValueNode, variables: Record<string, unknown>): boolean | undefined =>
  value.kind === Kind.BOOLEAN
    ? value.value
    : value.kind === Kind.VARIABLE
      ? (variables[value.name.value] as boolean | undefined)
      : undefined;

const condition = (directives: readonly DirectiveNode[] | undefined, name: string) =>
  directives?.find((d) => d.name.value === name)?.arguments?.find((a) => a.name.value === 'if')?.value;

/** Whether `@skip`/`@include` keep a selection, with the request's variables. */
export function included(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  if (!selection.directives?.length) return true;
  const skip = condition(selection.directives, 'skip');
  if (skip && truth(skip, variables) === true) return false;
  const include = condition(selection.directives, 'include');
  return !(include && truth(include, variables) === false);
}
