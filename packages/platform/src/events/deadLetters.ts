import type { mongo } from 'mongoose';
import type { DeadLetter, DeadLetterQuery, MeshEvent } from './types.js';

/** A stored dead letter; one per consumer and event, however often the event is delivered. */
export interface DeadLetterDoc extends DeadLetter {
  /** `<consumer>|<event id>` (consumer names cannot hold `|`). */
  _id: string;
}

/** The bus's `dead_letters` collection: events a consumer refused, kept for operators to list. */
export class DeadLetterStore {
  constructor(private readonly collection: mongo.Collection<DeadLetterDoc>) {}

  /** Creates the collection's index; safe to repeat and to race. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ consumer: 1, at: -1 }, { name: 'consumer_1_at_-1' });
  }

  /**
   * Keeps `event` aside for `consumer`. Insert-once: a redelivery of the same event (a restart before
   * the offset was stored) keeps the first record.
   */
  async add(consumer: string, event: MeshEvent, reason: string, at = Date.now()): Promise<void> {
    try {
      await this.collection.insertOne({
        _id: `${consumer}|${event.id}`,
        eventId: event.id,
        type: event.type,
        consumer,
        reason,
        event,
        at,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const docs = await this.collection
      .find(query.consumer === undefined ? {} : { consumer: query.consumer })
      .sort({ at: -1, _id: -1 })
      .limit(query.limit ?? 100)
      .toArray();
    return docs.map(({ _id, ...letter }) => letter);
  }
}
