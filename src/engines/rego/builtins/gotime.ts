/** Go time layouts and IANA zones (via Intl) for the time.* builtins. */
import { builtinErr } from './types.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

const TOKENS = [
  'January', 'Monday', '2006', 'Jan', 'Mon', 'MST', 'Z07:00:00', '-07:00:00', 'Z07:00', '-07:00', 'Z0700', '-0700', 'Z07', '-07',
  '01', '02', '_2', '15', '03', '04', '05', '06', 'PM', 'pm', '002', '1', '2', '3', '4', '5',
];

type Tok = { t: string } | { lit: string } | { frac: string };

function tokenize(layout: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  outer: while (i < layout.length) {
    const fm = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (fm && !/[0-9]/.test(layout[i + fm[0].length] ?? '')) {
      out.push({ frac: fm[0] });
      i += fm[0].length;
      continue;
    }
    for (const t of TOKENS) {
      if (layout.startsWith(t, i)) {
        out.push({ t });
        i += t.length;
        continue outer;
      }
    }
    out.push({ lit: layout[i] as string });
    i++;
  }
  return out;
}

/** Offset (minutes east of UTC) of an IANA zone at an instant. */
export function zoneOffset(ms: number, zone: string): number {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return 0;
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw builtinErr(`unknown time zone ${zone}`);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(Math.floor(ms / 1000) * 1000))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day as number, p.hour as number, p.minute as number, p.second as number);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nanos: number;
  weekday: number;
  yday: number;
  offsetMin: number;
  zone: string;
}

export function wallClock(ns: bigint, zone: string): Wall {
  const secs = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const nanos = Number(ns - secs * 1_000_000_000n);
  const ms = Number(secs) * 1000;
  const off = zoneOffset(ms, zone);
  const d = new Date(ms + off * 60000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    nanos,
    weekday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86400000) + 1,
    offsetMin: off,
    zone: zone === '' || zone === 'Local' ? 'UTC' : zone,
  };
}

const pad = (n: number, w: number): string => String(Math.abs(n)).padStart(w, '0');

function zoneAbbrev(w: Wall): string {
  if (w.offsetMin === 0 && (w.zone === 'UTC' || w.zone === 'Etc/UTC')) return 'UTC';
  for (const locale of ['en-US', 'en-GB']) {
    try {
      const f = new Intl.DateTimeFormat(locale, { timeZone: w.zone, timeZoneName: 'short' });
      const name = f.formatToParts(new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.min) - w.offsetMin * 60000)).find((p) => p.type === 'timeZoneName')?.value;
      if (name && !name.startsWith('GMT') && !name.startsWith('UTC+') && !name.startsWith('UTC-')) return name;
    } catch {
      // fall through to the numeric form
    }
  }
  const s = w.offsetMin < 0 ? '-' : '+';
  return s + pad(Math.floor(Math.abs(w.offsetMin) / 60), 2) + (Math.abs(w.offsetMin) % 60 ? pad(Math.abs(w.offsetMin) % 60, 2) : '');
}

function offsetText(w: Wall, tok: string): string {
  if (tok.startsWith('Z') && w.offsetMin === 0) return 'Z';
  const s = w.offsetMin < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(w.offsetMin) / 60), 2);
  const m = pad(Math.abs(w.offsetMin) % 60, 2);
  const body = tok.replace(/^Z/, '-');
  if (body === '-07:00:00') return `${s}${h}:${m}:00`;
  if (body === '-07:00') return `${s}${h}:${m}`;
  if (body === '-0700') return `${s}${h}${m}`;
  return `${s}${h}`;
}

export function formatLayout(w: Wall, layoutIn: string): string {
  const layout = NAMED_LAYOUTS[layoutIn] ?? layoutIn;
  let out = '';
  for (const tok of tokenize(layout)) {
    if ('lit' in tok) {
      out += tok.lit;
      continue;
    }
    if ('frac' in tok) {
      const digits = tok.frac.length - 1;
      const full = pad(w.nanos, 9).slice(0, digits);
      if (tok.frac[1] === '9') {
        const trimmed = full.replace(/0+$/, '');
        out += trimmed ? tok.frac[0] + trimmed : '';
      } else out += tok.frac[0] + full;
      continue;
    }
    switch (tok.t) {
      case '2006':
        out += pad(w.year, 4);
        break;
      case '06':
        out += pad(w.year % 100, 2);
        break;
      case 'January':
        out += MONTHS[w.month - 1];
        break;
      case 'Jan':
        out += (MONTHS[w.month - 1] as string).slice(0, 3);
        break;
      case '01':
        out += pad(w.month, 2);
        break;
      case '1':
        out += String(w.month);
        break;
      case 'Monday':
        out += DAYS[w.weekday];
        break;
      case 'Mon':
        out += (DAYS[w.weekday] as string).slice(0, 3);
        break;
      case '02':
        out += pad(w.day, 2);
        break;
      case '_2':
        out += String(w.day).padStart(2, ' ');
        break;
      case '2':
        out += String(w.day);
        break;
      case '002':
        out += pad(w.yday, 3);
        break;
      case '15':
        out += pad(w.hour, 2);
        break;
      case '03':
        out += pad(w.hour % 12 === 0 ? 12 : w.hour % 12, 2);
        break;
      case '3':
        out += String(w.hour % 12 === 0 ? 12 : w.hour % 12);
        break;
      case '04':
        out += pad(w.min, 2);
        break;
      case '4':
        out += String(w.min);
        break;
      case '05':
        out += pad(w.sec, 2);
        break;
      case '5':
        out += String(w.sec);
        break;
      case 'PM':
        out += w.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += w.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += zoneAbbrev(w);
        break;
      default:
        out += offsetText(w, tok.t);
    }
  }
  return out;
}

/** Parses text with a Go layout; returns nanoseconds since the epoch. */
export function parseLayout(layoutIn: string, s: string): bigint {
  const layout = NAMED_LAYOUTS[layoutIn] ?? layoutIn;
  const fail = (): never => {
    throw builtinErr(`parsing time ${JSON.stringify(s)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(s)} as ${JSON.stringify(layout)}`);
  };
  let i = 0;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let off: number | undefined;
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(s.slice(i));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
    return Number((m as RegExpExecArray)[0]);
  };
  const word = (list: string[], len?: number): number => {
    for (let k = 0; k < list.length; k++) {
      const w = len ? (list[k] as string).slice(0, len) : (list[k] as string);
      if (s.slice(i, i + w.length).toLowerCase() === w.toLowerCase()) {
        i += w.length;
        return k;
      }
    }
    return fail();
  };
  for (const tok of tokenize(layout)) {
    if ('lit' in tok) {
      if (s[i] !== tok.lit) fail();
      i++;
      continue;
    }
    if ('frac' in tok) {
      if (s[i] !== '.' && s[i] !== ',') {
        if (tok.frac[1] === '9') continue;
        fail();
      }
      i++;
      const m = /^\d+/.exec(s.slice(i));
      if (!m) fail();
      nanos = Number(((m as RegExpExecArray)[0] + '000000000').slice(0, 9));
      i += (m as RegExpExecArray)[0].length;
      continue;
    }
    switch (tok.t) {
      case '2006':
        year = num(4, 4);
        break;
      case '06':
        year = num(2, 2);
        year += year >= 69 ? 1900 : 2000;
        break;
      case 'January':
        month = word(MONTHS) + 1;
        break;
      case 'Jan':
        month = word(MONTHS, 3) + 1;
        break;
      case '01':
        month = num(2, 2);
        break;
      case '1':
        month = num(1, 2);
        break;
      case 'Monday':
        word(DAYS);
        break;
      case 'Mon':
        word(DAYS, 3);
        break;
      case '02':
        day = num(2, 2);
        break;
      case '_2':
        if (s[i] === ' ') i++;
        day = num(1, 2);
        break;
      case '2':
        day = num(1, 2);
        break;
      case '002':
        num(3, 3);
        break;
      case '15':
        hour = num(1, 2);
        break;
      case '03':
      case '3':
        hour = num(1, 2);
        break;
      case '04':
      case '4':
        min = num(1, 2);
        break;
      case '05':
      case '5':
        sec = num(1, 2);
        if (s[i] === '.' && /\d/.test(s[i + 1] ?? '')) {
          i++;
          const m = /^\d+/.exec(s.slice(i)) as RegExpExecArray;
          nanos = Number((m[0] + '000000000').slice(0, 9));
          i += m[0].length;
        }
        break;
      case 'PM':
      case 'pm': {
        const t = s.slice(i, i + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') fail();
        pm = t === 'PM';
        i += 2;
        break;
      }
      case 'MST': {
        const m = /^[A-Z]{3,5}|^[+-]\d{2,4}/.exec(s.slice(i));
        if (!m) fail();
        i += (m as RegExpExecArray)[0].length;
        break;
      }
      default: {
        if (tok.t.startsWith('Z') && s[i] === 'Z') {
          i++;
          off = 0;
          break;
        }
        const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(s.slice(i));
        if (!m) fail();
        const mm = m as RegExpExecArray;
        i += mm[0].length;
        off = (mm[1] === '-' ? -1 : 1) * (Number(mm[2]) * 60 + Number(mm[3] ?? 0));
      }
    }
  }
  if (i !== s.length) throw builtinErr(`parsing time ${JSON.stringify(s)}: extra text: ${JSON.stringify(s.slice(i))}`);
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) throw builtinErr(`parsing time ${JSON.stringify(s)}: value out of range`);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, min, sec, 0);
  const ms = d.getTime() - (off ?? 0) * 60000;
  return BigInt(ms) * 1_000_000n + BigInt(nanos);
}
