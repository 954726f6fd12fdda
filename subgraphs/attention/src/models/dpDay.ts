import { Schema } from 'mongoose';
import type { DpDayState } from '../privacy/dpMeasures.js';

/** One privacy unit's consumption, `${userId}|${day}`, replaced whole after each batch that moves it. */
export const dpDaySchema = new Schema<DpDayState>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    day: { type: Number, required: true },
    used: { type: Object, default: {} },
    seen: { type: [String], default: [] },
  },
  { versionKey: false, minimize: false },
);
