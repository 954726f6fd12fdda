import type { mongo } from 'mongoose';
import type { DeadLetter, DeadLetterQuery, MeshEvent } from './types.js';

/** A stored dead letter; one per consumer and event, however often the event is delivered. */
export interface DeadLetterDoc extends DeadLetter {
  /** `<consumer>|<event id>` (consumer names cannot hold `|`). */
  _id: string;
}

/**
 * The Mongo bus's `dead_letters` collection: events a consumer refused (a failed check) or whose
 * handler kept failing, kept for operators to list and replay. Never swept.
 */
export class DeadLetterStore {
  constructor(private readonly collection: mongo.Collection<DeadLetterDoc>) {}

  /** Creates the collection's index; safe to repeat and to race. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ consumer: 1, at: -1 }, { name: 'consumer_1_at_-1' });
  }

  /**
   * Keeps `event` aside for `consumer`. Insert-once for a first delivery (a redelivery after a restart
   * keeps the first record); a replayed event that fails again replaces it, with `replays` counted.
   */
  async add(
    consumer: string,
    event: MeshEvent,
    reason: string,
    replay = false,
    at = Date.now(),
  ): Promise<void> {
    const _id = `${consumer}|${event.id}`;
    const doc: DeadLetterDoc = {
      _id,
      eventId: event.id,
      type: event.type,
      consumer,
      reason,
      event,
      at,
      replays: 0,
    };
    if (replay) {
      const before = await this.collection.findOne({ _id });
      doc.replays = (before?.replays ?? 0) + 1;
      await this.collection.replaceOne({ _id }, doc, { upsert: true });
      return;
    }
    try {
      await this.collection.insertOne(doc);
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** Removes a dead letter once its replay was handled. */
  async remove(consumer: string, eventId: string): Promise<void> {
    await this.collection.deleteOne({ _id: `${consumer}|${eventId}` });
  }

  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    let docs: DeadLetterDoc[];
    if (query.consumer !== undefined && query.eventIds) {
      // Exact `_id` reads: indexed on the embedded database too.
      const found = await Promise.all(
        query.eventIds.map((id) => this.collection.findOne({ _id: `${query.consumer}|${id}` })),
      );
      docs = found.filter((d): d is DeadLetterDoc => d !== null).sort((a, b) => b.at - a.at);
    } else {
      const filter: mongo.Filter<DeadLetterDoc> = {};
      if (query.consumer !== undefined) filter.consumer = query.consumer;
      if (query.eventIds) filter.eventId = { $in: [...query.eventIds] };
      docs = await this.collection.find(filter).sort({ at: -1, _id: -1 }).limit(limit).toArray();
    }
    return docs.slice(0, limit).map(({ _id, ...letter }) => ({ ...letter, replays: letter.replays ?? 0 }));
  }

  /** Dead letters per consumer (an operator's question: reads the whole, small, collection). */
  async countByConsumer(): Promise<Map<string, number>> {
    const docs = await this.collection.find({}, { projection: { consumer: 1 } }).toArray();
    const counts = new Map<string, number>();
    for (const d of docs) counts.set(d.consumer, (counts.get(d.consumer) ?? 0) + 1);
    return counts;
  }
}
