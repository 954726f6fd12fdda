import { describe, expect, it } from 'vitest';
import { checkFirst, decodeCursor, encodeCursor } from '../src/connection.js';
import { formatError } from '../src/errors.js';
import { newId } from '../src/ids.js';
import { DateTimeScalar, MicrosScalar } from '../src/scalars.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('cursors', () => {
  it('round-trip and reject what we did not issue', () => {
    expect(decodeCursor(encodeCursor('usr_123'))).toBe('usr_123');
    expect(codeOf(() => decodeCursor('not-a-cursor'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor('%%%'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(Buffer.from('c1:').toString('base64url')))).toBe('BAD_USER_INPUT');
  });

  it('bounds first', () => {
    expect(checkFirst(100)).toBe(100);
    expect(codeOf(() => checkFirst(101))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkFirst(0))).toBe('BAD_USER_INPUT');
  });
});

describe('ids', () => {
  it('sort by creation time', () => {
    const a = newId('x', 1_000);
    const b = newId('x', 2_000);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^x_[0-9a-z]{9}[0-9a-f]{12}$/);
  });
});

describe('scalars', () => {
  it('DateTime: epoch ms inside, ISO outside', () => {
    expect(DateTimeScalar.serialize(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(DateTimeScalar.parseValue('2026-01-02T03:04:05.006Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(codeOf(() => DateTimeScalar.parseValue('2026-01-02'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateTimeScalar.parseValue('2026-13-45T00:00:00Z'))).toBe('BAD_USER_INPUT');
  });

  it('Micros: safe integers only', () => {
    expect(MicrosScalar.parseValue(2 ** 40)).toBe(2 ** 40);
    expect(codeOf(() => MicrosScalar.parseValue(1.5))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => MicrosScalar.parseValue(2 ** 60))).toBe('BAD_USER_INPUT');
  });
});

describe('formatError', () => {
  it('keeps public errors and strips stack traces', () => {
    const out = formatError({
      message: 'bad',
      extensions: { code: 'BAD_USER_INPUT', field: 'x', stacktrace: ['at …'] },
    });
    expect(out).toEqual({ message: 'bad', extensions: { code: 'BAD_USER_INPUT', field: 'x' } });
  });

  it('hides internal errors', () => {
    let seen = '';
    const out = formatError(
      {
        message: 'E11000 duplicate key in db attention_mesh_users.users',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
      (f) => {
        seen = f.message;
      },
    );
    expect(out).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(seen).toMatch(/E11000/);
  });
});
