// Instants shown in the browser's time zone, with the zone's name; and the conversions between
// the browser's date and datetime-local controls and RFC 3339 instants with an offset.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** The browser's IANA time zone, e.g. "Australia/Sydney". */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

export function parseInstant(value: string | undefined | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 Dec 2026, 16:12 GMT+11" in the browser's locale and time zone; the raw text if unreadable. */
export function formatInstant(value: string): string {
  const date = parseInstant(value);
  return date ? dateTimeFormat.format(date) : value;
}

export function isPast(value: string | undefined, now: Date = new Date()): boolean {
  const date = parseInstant(value);
  return date !== null && date.getTime() < now.getTime();
}

function pad(n: number, width = 2): string {
  return String(Math.abs(Math.trunc(n))).padStart(width, '0');
}

/** The RFC 3339 form of a Date in the browser's time zone: 2026-12-10T14:30:00+11:00. */
export function toRfc3339Local(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** A datetime-local value ("2026-12-10T14:30") as an RFC 3339 instant, or null if not one. */
export function localDateTimeToRfc3339(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0'));
  return Number.isNaN(date.getTime()) ? null : toRfc3339Local(date);
}

/**
 * A date control's value ("2026-12-10") as the RFC 3339 instant of local midnight starting that
 * day, plus `days` days (1: the end of that day, for an inclusive "until").
 */
export function localDateToRfc3339(value: string, days = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d) + days, 0, 0, 0);
  return Number.isNaN(date.getTime()) ? null : toRfc3339Local(date);
}
