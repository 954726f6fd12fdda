import type { ConsumerMessages, Consumer as JsConsumer, JsMsg } from '@nats-io/jetstream';
import type { Logger } from '../logger.js';
import { backoff, type DeliverySettings, deliverEvent, ownsEvent, Sleeper } from './delivery.js';
import { REPLAY_HEADER } from './natsNames.js';
import type { EnvelopeHandler, MeshEvent } from './types.js';

export interface NatsConsumerContext {
  /** Opens the JetStream consumer (durable: created or updated; ephemeral: an ordered consumer). */
  open(): Promise<JsConsumer>;
  setAside(consumer: string, event: MeshEvent, reason: string, replay: boolean): Promise<void>;
  replayHandled(consumer: string, eventId: string): Promise<void>;
  logger: Logger;
  batchSize: number;
}

/** How often a message in hand tells the server it is still being worked on (ack deadline). */
const WORKING_EVERY_MS = 1_000;
/** How long one pull request waits on the server. */
const PULL_EXPIRES_MS = 1_000;

/**
 * One subscription of the NATS bus: messages handled one at a time, in order; each acknowledged
 * (durable) once handled or set aside. On stop, what was pulled but not handled is handed back
 * (negatively acknowledged), so the next subscriber of the name gets it again within about a second
 * (possibly after events published meanwhile: a redelivery may come out of order).
 */
export class NatsConsumer {
  private stopped = false;
  private readonly sleeper = new Sleeper();
  private readonly queue: JsMsg[] = [];
  private signal: (() => void) | null = null;
  private messages: ConsumerMessages | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly types: Set<string>;

  constructor(
    private readonly ctx: NatsConsumerContext,
    private readonly name: string,
    types: string[],
    private readonly handler: EnvelopeHandler,
    private readonly o: DeliverySettings,
  ) {
    this.types = new Set(types);
  }

  /** Resolves once the JetStream consumer exists (so `startAt: 'latest'` starts now, not later). */
  async start(): Promise<void> {
    let consumer: JsConsumer | null = null;
    for (let attempt = 1; !this.stopped && !consumer; attempt++) {
      try {
        consumer = await this.ctx.open();
        // Ephemeral: an ordered consumer of its own, pushed into the local queue.
        if (this.o.ephemeral)
          this.messages = await consumer.consume({
            callback: (m) => {
              this.queue.push(m);
              this.signal?.();
            },
          });
      } catch (err) {
        consumer = null;
        this.ctx.logger.error({ err, attempt }, 'cannot open the JetStream consumer, retrying');
        await this.sleeper.sleep(backoff(attempt, this.o.retryMinMs, this.o.retryMaxMs));
      }
    }
    if (consumer) this.running = this.o.ephemeral ? this.runQueue() : this.runPulls(consumer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    this.signal?.();
    await this.messages?.close().catch(() => {});
    await this.running;
  }

  /**
   * Durable: one bounded pull at a time, each read to its end. A stopping consumer keeps reading the
   * pull it has open and hands every message back (nak, with a delay that outlasts the pull), so
   * nothing lands in a request nobody reads: JetStream 2.9 keeps a pull request until it expires.
   */
  private async runPulls(consumer: JsConsumer): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      try {
        const batch = await consumer.fetch({ max_messages: this.ctx.batchSize, expires: PULL_EXPIRES_MS });
        for await (const m of batch) {
          if (this.stopped) m.nak(PULL_EXPIRES_MS + 250);
          else await this.handle(m);
        }
        failures = 0;
      } catch (err) {
        failures++;
        // "heartbeats missed": this process's event loop was blocked longer than the pull's heartbeats.
        this.ctx.logger.warn({ err, attempt: failures }, 'JetStream pull failed, retrying');
        await this.sleeper.sleep(backoff(failures, this.o.retryMinMs, this.o.retryMaxMs));
      }
    }
  }

  private async runQueue(): Promise<void> {
    while (!this.stopped) {
      const m = this.queue.shift();
      if (!m) {
        await new Promise<void>((resolve) => {
          this.signal = resolve;
        });
        this.signal = null;
        continue;
      }
      await this.handle(m);
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const replayFor = m.headers?.get(REPLAY_HEADER) || undefined;
    let event: MeshEvent;
    try {
      event = m.json<MeshEvent>();
    } catch (err) {
      this.ctx.logger.error(
        { err, seq: m.seq, subject: m.subject },
        'a message that is not an event was passed over',
      );
      if (!this.o.ephemeral) m.ack();
      return;
    }
    const takes =
      (replayFor === undefined ? this.types.has(event.type) : replayFor === this.name && !this.o.ephemeral) &&
      ownsEvent(this.o.partition, event.key);
    if (!takes) {
      if (!this.o.ephemeral) m.ack();
      return;
    }
    const working = this.o.ephemeral ? undefined : setInterval(() => m.working(), WORKING_EVERY_MS);
    try {
      const outcome = await deliverEvent(
        {
          consumer: this.name,
          handler: this.handler,
          settings: this.o,
          logger: this.ctx.logger,
          sleeper: this.sleeper,
          stopped: () => this.stopped,
          setAside: (e, reason) => this.ctx.setAside(this.name, e, reason, replayFor !== undefined),
        },
        event,
      );
      if (this.o.ephemeral) return;
      if (outcome === 'stopped') {
        m.nak(PULL_EXPIRES_MS + 250);
        return;
      }
      if (replayFor !== undefined && outcome === 'handled')
        await this.ctx
          .replayHandled(this.name, event.id)
          .catch((err: unknown) =>
            this.ctx.logger.warn({ err, eventId: event.id }, 'cannot remove the replayed dead letter'),
          );
      // Acknowledged once handled: a crash before the ack brings the event again (at least once).
      m.ack();
    } finally {
      clearInterval(working);
    }
  }
}
