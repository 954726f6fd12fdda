import { GraphQLError, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar, MicrosScalar } from '../src/scalars.js';

function refusal(run: () => unknown): GraphQLError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return error as GraphQLError;
  }
  throw new Error('not refused');
}

describe('Micros', () => {
  it('takes whole numbers up to 2^53 - 1', () => {
    expect(MicrosScalar.parseValue(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(MicrosScalar.parseValue(-5)).toBe(-5);
    expect(MicrosScalar.parseLiteral(parseValue('100'))).toBe(100);
  });

  it.each([
    ['1e309 (Infinity)', Number.POSITIVE_INFINITY, /Infinity \(not a finite number\)/],
    ['1.5', 1.5, /got 1\.5$/],
    ['2^63', 2 ** 63, /beyond ±2\^53/],
    ['"100"', '100', /got "100"/],
    ['NaN', Number.NaN, /NaN/],
    ['null', null, /got null/],
  ])('refuses a variable of %s with BAD_USER_INPUT', (_, value, message) => {
    expect(refusal(() => MicrosScalar.parseValue(value)).message).toMatch(message);
  });

  it.each([
    ['1e309', /integer literal, got 1e309/],
    ['1.5', /integer literal, got 1\.5/],
    ['"100"', /integer literal, got StringValue/],
    ['9223372036854775808', /beyond ±2\^53/],
    [`1${'0'.repeat(400)}`, /not a finite number/],
  ])('refuses a literal of %s with BAD_USER_INPUT', (literal, message) => {
    expect(refusal(() => MicrosScalar.parseLiteral(parseValue(literal))).message).toMatch(message);
  });
});

describe('DateTime', () => {
  it('takes ISO-8601 with a time zone', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T12:00:00.000Z')).toBe(Date.UTC(2026, 0, 31, 12));
  });

  it.each([
    ['garbage', 'yesterday'],
    ['an impossible date', '2026-13-45T99:00:00Z'],
    ['no time zone', '2026-01-31T12:00:00'],
    ['a number', 1_700_000_000_000],
    ['an object', { $gt: '' }],
    ['an empty string', ''],
  ])('refuses %s with BAD_USER_INPUT', (_, value) => {
    expect(refusal(() => DateTimeScalar.parseValue(value)).message).toMatch(/DateTime/);
  });

  it('does not echo a 5 MB string back', () => {
    const message = refusal(() => DateTimeScalar.parseValue('x'.repeat(5_000_000))).message;
    expect(message.length).toBeLessThan(200);
  });

  it('refuses a non-string literal', () => {
    expect(refusal(() => DateTimeScalar.parseLiteral(parseValue('12'))).message).toMatch(/string/);
  });
});
