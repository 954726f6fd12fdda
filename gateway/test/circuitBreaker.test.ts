import type { Logger } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type BreakerState, CircuitBreaker } from '../src/resilience/circuitBreaker.js';
import { retryDelayMs } from '../src/resilience/resilientFetch.js';
import { subgraphBreakers } from '../src/resilience/subgraphBreakers.js';

function breaker() {
  let now = 0;
  const states: BreakerState[] = [];
  const b = new CircuitBreaker({
    threshold: 3,
    cooldownMs: 1_000,
    now: () => now,
    onStateChange: (s) => void states.push(s),
  });
  const tick = (ms: number) => {
    now += ms;
  };
  return { b, states, tick };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures only', () => {
    const { b, states } = breaker();
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.allow()).toBe(true);
    b.failed();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(states).toEqual(['open']);
  });

  it('lets one probe through after the cooldown; its success closes the breaker', () => {
    const { b, states, tick } = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    tick(999);
    expect(b.allow()).toBe(false);
    tick(1);
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('half-open');
    // Only one probe at a time.
    expect(b.allow()).toBe(false);
    b.succeeded();
    expect(b.allow()).toBe(true);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens for another cooldown when the probe fails, and frees the probe when it tells nothing', () => {
    const { b, tick } = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    tick(1_000);
    expect(b.allow()).toBe(true);
    b.released();
    expect(b.allow()).toBe(true);
    b.failed();
    expect(b.state).toBe('open');
    tick(500);
    expect(b.allow()).toBe(false);
    tick(500);
    expect(b.allow()).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, jittered between half and all of it', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 100, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, 100, () => 1))).toEqual([100, 200, 400]);
  });
});

describe('subgraphBreakers', () => {
  it('keeps one breaker per subgraph and logs each change of state', () => {
    const lines: [string, string][] = [];
    const logger = {
      warn: (_o: unknown, line: string) => void lines.push(['warn', line]),
      info: (_o: unknown, line: string) => void lines.push(['info', line]),
    } as unknown as Logger;
    const config = loadGatewayConfig({ CIRCUIT_BREAKER_THRESHOLD: '1', CIRCUIT_BREAKER_COOLDOWN_MS: '100' });
    const breakerOf = subgraphBreakers(config.resilience, logger);
    expect(breakerOf('ads')).toBe(breakerOf('ads'));
    expect(breakerOf('users')).not.toBe(breakerOf('ads'));
    breakerOf('ads').failed();
    expect(breakerOf('users').allow()).toBe(true);
    breakerOf('ads').succeeded();
    expect(lines).toEqual([
      ['warn', 'ads: circuit breaker open, its calls fail fast for 100 ms'],
      ['info', 'ads: circuit breaker closed, calls go through again'],
    ]);
  });
});
