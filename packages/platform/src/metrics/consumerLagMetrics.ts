import { Gauge } from 'prom-client';
import type { ConsumerLag } from '../events/types.js';
import { registry } from './registry.js';

type LagSource = () => Promise<ConsumerLag[]>;
const sources = new Set<LagSource>();

function partitionLabel(lag: ConsumerLag): string {
  return lag.partition ? `${lag.partition.index}/${lag.partition.count}` : '';
}

/**
 * Reports a bus's consumer lag at each scrape (the bus reads the positions then: nothing is polled
 * between scrapes). Returns the function that stops reporting it, called when the bus closes.
 */
export function watchConsumerLag(source: LagSource): () => void {
  registerGauges();
  sources.add(source);
  return () => {
    sources.delete(source);
  };
}

/** Both gauges are collected concurrently by one scrape: they share one read of the buses. */
let reading: { at: number; lags: Promise<ConsumerLag[]> } | undefined;
const SHARED_READ_MS = 1_000;

function readLags(): Promise<ConsumerLag[]> {
  const now = Date.now();
  if (!reading || now - reading.at > SHARED_READ_MS) {
    const all = [...sources].map((source) =>
      // A scrape while the database is unreachable reports no lag rather than failing every metric.
      source().catch((): ConsumerLag[] => []),
    );
    reading = { at: now, lags: Promise.all(all).then((lists) => lists.flat()) };
  }
  return reading.lags;
}

const labelNames = ['consumer', 'partition'] as const;

let registered = false;

/**
 * The lag and dead-letter gauges, read at scrape time from the buses `watchConsumerLag` was given;
 * created with the first one, so a process without durable consumers (the gateway) shows none.
 */
function registerGauges(): void {
  if (registered) return;
  registered = true;
  new Gauge({
    name: 'mesh_event_consumer_lag',
    help: 'Events published but not yet handled, by durable consumer (as the bus reports it at scrape time)',
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const lag of await readLags())
        this.set({ consumer: lag.consumer, partition: partitionLabel(lag) }, lag.pending);
    },
  });

  new Gauge({
    name: 'mesh_event_consumer_dead_letters',
    help: 'Events set aside as dead letters, by durable consumer',
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const lag of await readLags())
        this.set({ consumer: lag.consumer, partition: partitionLabel(lag) }, lag.deadLetters);
    },
  });
}
