import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { BoundedLabel } from './boundedLabel.js';
import { graphqlDuration, graphqlErrors, graphqlRequests } from './meshMetrics.js';

/** Distinct operation names kept as labels per process; later ones count as `__other`. */
const OPERATION_NAMES = 200;
/** Distinct error codes kept as labels (the mesh has about twenty; upstream ones may add a few). */
const ERROR_CODES = 50;

/**
 * Request rate, latency and errors by `extensions.code` for one service, per operation type and
 * operation name (bounded: see `BoundedLabel`). An operation refused before it was parsed or
 * validated counts under the type `unknown`.
 */
export function requestMetricsPlugin<TContext extends BaseContext>(
  service: string,
): ApolloServerPlugin<TContext> {
  const names = new BoundedLabel(OPERATION_NAMES);
  const codes = new BoundedLabel(ERROR_CODES);
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, errors }) {
          const type = operation?.operation ?? 'unknown';
          const labels = {
            service,
            operation_type: type,
            operation: operationName ? names.of(operationName) : '__anonymous',
          };
          graphqlRequests.inc(labels);
          graphqlDuration.observe(labels, (performance.now() - started) / 1000);
          for (const error of errors ?? []) {
            const code = error.extensions?.code;
            graphqlErrors.inc({
              service,
              operation_type: type,
              code: typeof code === 'string' ? codes.of(code) : 'INTERNAL_SERVER_ERROR',
            });
          }
        },
      };
    },
  };
}
