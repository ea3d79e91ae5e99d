// The formats the request validators check, as Python's draft-4 format checker does
// (api/web/validation.py): date-time is RFC 3339 as rfc3339-validator reads it, upper-cased
// first (RFC 3339 allows a lower-case t and z) and with a leap second :60 read as :59.
"use strict";

// Python's `$` also matches before a final newline: so does this one.
const RFC3339 = /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0123]):(?:[0-5]\d):(?:[0-5]\d)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0123]):[0-5]\d)\n?$/;
const LEAP_SECOND = /([Tt]\d\d:\d\d:)60/g;

function daysIn(year, month) {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function isRfc3339(value) {
  if (typeof value !== "string") return true;
  const match = RFC3339.exec(value.replace(LEAP_SECOND, "$159").toUpperCase());
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year === 0) return false;
  return day >= 1 && day <= daysIn(year, month);
}

module.exports = { "date-time": isRfc3339 };
