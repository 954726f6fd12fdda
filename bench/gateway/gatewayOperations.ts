/**
 * The three operations of the gateway benchmark, over the demo world's ids (which the lean subgraphs
 * answer like any other id): each as rotating bodies (the variables change from request to request)
 * and as one identical body, which a gateway may share as one subgraph fetch per burst.
 */
import { CATEGORIES, demoWorld } from '@attention-mesh/mesh';

export interface Operation {
  key: string;
  label: string;
  /** Request bodies, sent in turn; one body for identical requests. */
  bodies: string[];
  rotating: boolean;
}

const SINGLE = `query OneUser($id: ID!) {
  user(id: $id) { id displayName locale timezone country consent { personalization analytics } }
}`;

const FAN_OUT = `query FanOut($user: ID!, $item: ID!) {
  user(id: $user) {
    id displayName
    attention { events impressions clicks engagedSeconds }
    feedback(first: 3) { edges { node { id kind occurredAt } } }
    adExposure(first: 3) { impressions lastAt campaign { id name } }
  }
  item(id: $item) { id title category attentionStats { impressions clicks } feedbackSummary { likes clicks } }
}`;

const LISTS = `query AliasedLists($a: String!, $b: String!) {
  first: items(category: $a, first: 5) {
    edges { node { id title category attentionStats { impressions clickThroughRate } } }
  }
  second: items(category: $b, first: 5) {
    edges { node { id title category feedbackSummary { likes dislikes } } }
  }
}`;

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

/** Every operation twice: with rotating variables, then as identical requests. */
export function gatewayOperations(): Operation[] {
  const world = demoWorld();
  const users = world.users.map((u) => u.id as string);
  const items = world.items.map((i) => i.id as string);
  const kinds: { key: string; label: string; bodies: string[] }[] = [
    {
      key: 'single',
      label: 'single subgraph: user(id:)',
      bodies: users.map((id) => body(SINGLE, { id })),
    },
    {
      key: 'fanout',
      label: 'fan-out, five subgraphs: user + item entities',
      bodies: items.map((item, i) => body(FAN_OUT, { user: users[i % users.length], item })),
    },
    {
      key: 'lists',
      label: 'nested lists with aliases: 2 × items(category:)',
      bodies: CATEGORIES.flatMap((a) => CATEGORIES.filter((b) => b !== a).map((b) => body(LISTS, { a, b }))),
    },
  ];
  return kinds.flatMap((k) => [
    { key: `${k.key}-rotating`, label: `${k.label}, rotating variables`, bodies: k.bodies, rotating: true },
    {
      key: `${k.key}-identical`,
      label: `${k.label}, identical requests`,
      bodies: [k.bodies[0]!],
      rotating: false,
    },
  ]);
}
