import { type Connection, Schema } from 'mongoose';

/**
 * `_id: 'catalogue'`: a version bumped by every write to the catalogue or the popularity counters made
 * outside a service's own memory (another replica's createItem, an import), so a running service
 * re-reads them only when something changed instead of scanning them on a timer.
 */
export interface RecStateDoc {
  _id: string;
  version: number;
}

const schema = new Schema<RecStateDoc>(
  { _id: { type: String, required: true }, version: { type: Number, default: 0 } },
  { versionKey: false },
);

export function recStateModel(conn: Connection) {
  return conn.model<RecStateDoc>('RecState', schema, 'rec_state');
}

/** Marks the catalogue changed for every running service. */
export async function bumpCatalogueVersion(model: ReturnType<typeof recStateModel>): Promise<void> {
  try {
    await model.updateOne({ _id: 'catalogue' }, { $inc: { version: 1 } }, { upsert: true });
  } catch (err) {
    // Two first bumps racing: both upserts insert, one loses on the key; the document exists now.
    if ((err as { code?: number }).code !== 11000) throw err;
    await model.updateOne({ _id: 'catalogue' }, { $inc: { version: 1 } });
  }
}
