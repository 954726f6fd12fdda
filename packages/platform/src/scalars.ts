import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from './errors.js';

/** The value as the client wrote it, shortened (a 5 MB string is not echoed back). */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseIso(value: unknown): number {
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw badUserInput(`DateTime must be an ISO-8601 string with a time zone, got ${shown(value)}`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badUserInput(`DateTime ${shown(value)} is not a valid date`);
  return ms;
}

/** Time is UTC epoch milliseconds inside the mesh and ISO-8601 strings in the API. */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: 'An ISO-8601 UTC timestamp, e.g. 2026-01-31T12:00:00.000Z.',
  serialize(value) {
    const ms = value instanceof Date ? value.getTime() : Number(value);
    if (!Number.isFinite(ms)) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return new Date(ms).toISOString();
  },
  parseValue: parseIso,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badUserInput('DateTime must be a string');
    return parseIso(ast.value);
  },
});

function parseMicros(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const why =
      typeof value === 'number' && Number.isInteger(value)
        ? ' (beyond ±2^53, where integers stop being exact)'
        : typeof value === 'number' && !Number.isFinite(value)
          ? ' (not a finite number)'
          : '';
    throw badUserInput(`Micros must be a whole number of micro-units, got ${shown(value)}${why}`);
  }
  return value;
}

/** Money: integer micro-units of the account currency (1 USD = 1,000,000), exact up to 2^53. */
export const MicrosScalar = new GraphQLScalarType<number, number>({
  name: 'Micros',
  description: 'An amount of money in integer micro-units (1 unit = 1,000,000 micros).',
  serialize(value) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new TypeError(`Micros cannot represent ${String(value)}`);
    }
    return value;
  },
  parseValue: parseMicros,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT)
      throw badUserInput(
        `Micros must be an integer literal, got ${ast.kind === Kind.FLOAT ? ast.value.slice(0, 40) : ast.kind}`,
      );
    return parseMicros(Number(ast.value));
  },
});
