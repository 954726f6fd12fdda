import { type Connection, Schema } from 'mongoose';

export type ItemKind = 'ARTICLE' | 'VIDEO' | 'PRODUCT';

export interface ItemDoc {
  _id: string;
  title: string;
  kind: ItemKind;
  category: string;
  tags: string[];
  url?: string | null;
  /** Who supplies the item (1-64 characters); grouped on by the exposure audit. */
  provider?: string | null;
  /** Epoch ms. */
  publishedAt: number;
  createdAt: number;
}

const itemSchema = new Schema<ItemDoc>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    kind: { type: String, required: true, enum: ['ARTICLE', 'VIDEO', 'PRODUCT'] },
    category: { type: String, required: true },
    tags: { type: [String], default: [] },
    url: { type: String, default: null },
    provider: { type: String, default: null },
    publishedAt: { type: Number, required: true },
    createdAt: { type: Number, required: true },
  },
  { versionKey: false },
);
// Category listing pages by _id.
itemSchema.index({ category: 1, _id: 1 });

export function itemModel(conn: Connection) {
  return conn.model<ItemDoc>('Item', itemSchema, 'items');
}
