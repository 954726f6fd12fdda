import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** The model description every model folder holds beside its weights. */
export const MODEL_FILE = 'model.json';
/** All weights, float32 little-endian, one after the other. */
export const WEIGHTS_FILE = 'weights.bin';

interface WeightSpec {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the weights file. */
  offset: number;
}

/** What identifies a kind of model file: a format name and its version. */
export interface ModelFormat {
  format: string;
  formatVersion: number;
  /** For errors: "an engagement model", "a CTR model", ... */
  what: string;
}

/**
 * Writes `model.json` (`meta`, the format and the weight layout) and `weights.bin` into `dir`: the one
 * layout of every model in the registry.
 */
export async function saveWeights(
  dir: string,
  format: ModelFormat,
  meta: Record<string, unknown>,
  weights: ReadonlyMap<string, tf.Variable>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const specs: WeightSpec[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, v] of weights) {
    const values = (await v.data()) as Float32Array;
    specs.push({ name, shape: v.shape, offset });
    chunks.push(values);
    offset += values.length;
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  const file = { format: format.format, formatVersion: format.formatVersion, ...meta, weights: specs };
  await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(all.buffer));
  await writeFile(join(dir, MODEL_FILE), `${JSON.stringify(file)}\n`);
}

/** Reads `model.json` of `dir`, refusing another format or version. */
export async function readModelFile<M>(dir: string, format: ModelFormat): Promise<M> {
  const path = join(dir, MODEL_FILE);
  const file = JSON.parse(await readFile(path, 'utf8')) as M & { format?: unknown; formatVersion?: unknown };
  if (file.format !== format.format || file.formatVersion !== format.formatVersion) {
    throw new Error(
      `${path} is not ${format.what} (format ${String(file.format)} v${String(file.formatVersion)}; expected ${format.format} v${format.formatVersion})`,
    );
  }
  return file;
}

/**
 * Loads the weights `shapes` names from `dir` as trainable variables, each checked against its
 * expected shape; on any error none is left allocated.
 */
export async function loadWeights(
  dir: string,
  shapes: Iterable<readonly [string, number[]]>,
): Promise<Map<string, tf.Variable>> {
  const file = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8')) as { weights: WeightSpec[] };
  const buf = await readFile(join(dir, WEIGHTS_FILE));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const specs = new Map(file.weights.map((w) => [w.name, w]));
  const weights = new Map<string, tf.Variable>();
  try {
    for (const [name, shape] of shapes) {
      const spec = specs.get(name);
      const size = shape.reduce((a, b) => a * b, 1);
      if (!spec || spec.shape.join('x') !== shape.join('x') || spec.offset + size > all.length) {
        throw new Error(`${join(dir, WEIGHTS_FILE)}: weight ${name} is missing or has the wrong shape`);
      }
      const values = all.slice(spec.offset, spec.offset + size);
      weights.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(values, shape), true)),
      );
    }
  } catch (err) {
    for (const v of weights.values()) v.dispose();
    throw err;
  }
  return weights;
}
