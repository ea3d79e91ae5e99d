// Instants (api/rules/timestamps.py): epoch numbers in the tables, RFC 3339 UTC strings in
// the API.
import { InvalidRequest } from "./errors.js";

const LAST_SECOND = 253_402_300_799; // 9999-12-31T23:59:59Z
const LEAP_SECOND = /([Tt]\d\d:\d\d:)60/g;
// What Python's datetime.fromisoformat reads of the RFC 3339 forms the schema's format admits.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

// Days from 1970-01-01 to a proleptic Gregorian date (no Date: it reads years below 100 as 19xx).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function utcParts(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
}

/** 2026-11-26T09:30:00.123Z */
export function formatMillis(epochMs: number): string {
  return `${utcParts(Math.floor(epochMs / 1000))}.${pad(((epochMs % 1000) + 1000) % 1000, 3)}Z`;
}

/** 2026-11-26T09:30:00Z */
export function formatSeconds(epochS: number): string {
  return `${utcParts(epochS)}Z`;
}

/** An RFC 3339 instant as epoch seconds, any fraction rounded up (as Python reads it: to the
 * microsecond); InvalidRequest naming `field` otherwise. */
export function parseToSeconds(value: string, field: string): number {
  const match = INSTANT.exec(value.replace(LEAP_SECOND, "$159").toUpperCase());
  if (match === null) throw new InvalidRequest(`'${field}' is not an RFC 3339 date-time with an offset.`);
  const [, year, month, day, hour, minute, second, fraction, offset] = match as unknown as string[];
  const numbers = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  const daysInMonth = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (y < 1 || daysInMonth === undefined || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    throw new InvalidRequest(`'${field}' is not an RFC 3339 date-time with an offset.`);
  }
  let offsetSeconds = 0;
  if (offset !== "Z") {
    const sign = offset!.startsWith("-") ? -1 : 1;
    const [oh, om] = offset!.slice(1).split(":").map(Number) as [number, number];
    if (oh > 23 || om > 59) throw new InvalidRequest(`'${field}' is not an RFC 3339 date-time with an offset.`);
    offsetSeconds = sign * (oh * 3600 + om * 60);
  }
  const micros = fraction === undefined ? 0 : Number(fraction.slice(0, 6).padEnd(6, "0"));
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetSeconds + (micros > 0 ? 1 : 0);
  if (seconds > LAST_SECOND) throw new InvalidRequest(`'${field}' lies after the year 9999 in UTC.`);
  return seconds;
}
