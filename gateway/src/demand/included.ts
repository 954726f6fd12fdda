import {
  type DirectiveNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';

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

/** The request's variables with the operation's defaults for those it leaves out (as execution has them). */
export function withDefaults(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const defs = operation.variableDefinitions?.filter(
    (d) => d.defaultValue && variables[d.variable.name.value] === undefined,
  );
  if (!defs?.length) return variables;
  const out = { ...variables };
  for (const d of defs) if (d.defaultValue) out[d.variable.name.value] = valueFromASTUntyped(d.defaultValue);
  return out;
}
