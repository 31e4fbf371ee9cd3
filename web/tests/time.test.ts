/// <reference types="node" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPast, localDateTimeToRfc3339, localDateToRfc3339, toRfc3339Local } from '../src/time';

test('local date-times become RFC 3339 with the offset of that instant', () => {
  process.env.TZ = 'Australia/Sydney';
  assert.equal(localDateTimeToRfc3339('2026-12-10T14:30'), '2026-12-10T14:30:00+11:00');
  assert.equal(localDateTimeToRfc3339('2026-06-10T14:30:15'), '2026-06-10T14:30:15+10:00');
  assert.equal(localDateTimeToRfc3339('not a date'), null);
  process.env.TZ = 'America/St_Johns';
  assert.equal(toRfc3339Local(new Date('2026-12-10T12:00:00Z')), '2026-12-10T08:30:00-03:30');
  process.env.TZ = 'UTC';
  assert.equal(localDateToRfc3339('2026-12-31'), '2026-12-31T00:00:00+00:00');
  assert.equal(localDateToRfc3339('2026-12-31', 1), '2027-01-01T00:00:00+00:00');
});

test('overdue is a due time before now', () => {
  const now = new Date('2026-12-03T05:00:00Z');
  assert.equal(isPast('2026-12-03T04:59:59Z', now), true);
  assert.equal(isPast('2026-12-03T05:00:01Z', now), false);
  assert.equal(isPast(undefined, now), false);
});
