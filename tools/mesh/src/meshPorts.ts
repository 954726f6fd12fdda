import { DEFAULT_PORTS, type ServiceName } from '@attention-mesh/platform';

/**
 * The services' ports: the defaults (gateway 4000, subgraphs 4001-4005), or the same offsets from
 * MESH_PORT_BASE (e.g. 5000: gateway 5000, users 5001, ...), to run a second mesh beside one.
 */
export function meshPorts(base: string | undefined): Record<ServiceName, number> {
  if (base === undefined || base === '') return { ...DEFAULT_PORTS };
  const b = Number(base);
  if (!Number.isInteger(b) || b < 1024 || b > 65_000)
    throw new Error(`MESH_PORT_BASE: an integer from 1024 to 65000, not ${JSON.stringify(base)}`);
  const offset = b - DEFAULT_PORTS.gateway;
  return Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, port + offset]),
  ) as Record<ServiceName, number>;
}
