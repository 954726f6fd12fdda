import type { Logger } from '@attention-mesh/platform';
import type { ResilienceConfig } from '../config.js';
import { CircuitBreaker } from './circuitBreaker.js';

/**
 * One circuit breaker per subgraph name, kept across supergraph reloads (which build new data
 * sources); every change of state is logged.
 */
export function subgraphBreakers(config: ResilienceConfig, logger: Logger): (name: string) => CircuitBreaker {
  const breakers = new Map<string, CircuitBreaker>();
  return (name) => {
    let breaker = breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker({
        threshold: config.breakerThreshold,
        cooldownMs: config.breakerCooldownMs,
        onStateChange: (state, consecutiveFailures) => {
          const line = {
            open: `${name}: circuit breaker open, its calls fail fast for ${config.breakerCooldownMs} ms`,
            'half-open': `${name}: circuit breaker half-open, one probe call goes through`,
            closed: `${name}: circuit breaker closed, calls go through again`,
          }[state];
          if (state === 'closed') logger.info({ subgraph: name, breaker: state }, line);
          else logger.warn({ subgraph: name, breaker: state, consecutiveFailures }, line);
        },
      });
      breakers.set(name, breaker);
    }
    return breaker;
  };
}
