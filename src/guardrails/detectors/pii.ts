/**
 * Personal data and secrets in free text: payment cards (Luhn + issuer prefix), IBANs (per-country
 * length + mod 97), national ids (US SSN, UK National Insurance number), emails, phone numbers,
 * passwords (the value after a cue) and API keys / tokens / private keys. Plain functions, no
 * dependencies; every scan is linear in the text length (bounded quantifiers or hand-written
 * loops), so a hostile 20,000-character text costs milliseconds.
 *
 * Findings never overlap: when two candidates overlap, the longer wins, then the more specific
 * kind (secret > payment_card > iban > national_id > email > password > phone). Redaction
 * placeholders (`[EMAIL_1]`…) are never findings, so redacting twice changes nothing.
 */
import { PII_KINDS, type Finding, type PiiKind } from './types.js';

export interface PiiOptions {
  /** Only these kinds (default: all of PII_KINDS). */
  kinds?: readonly PiiKind[];
}

const DETECTOR = 'pii';

/** Most specific first: ties in length go to the earlier kind. */
const SPECIFICITY: readonly PiiKind[] = ['secret', 'payment_card', 'iban', 'national_id', 'email', 'password', 'phone'];

const PLACEHOLDER_SOURCE = String.raw`\[(PAYMENT_CARD|IBAN|NATIONAL_ID|EMAIL|PHONE|PASSWORD|SECRET)_(\d{1,9})\]`;
/**
 * Numbering never goes past this (8 digits), so every placeholder written matches the pattern
 * (9 digits): a placeholder already in the text with a number at or above it is not reserved.
 */
const MAX_PLACEHOLDER_NUMBER = 99_999_999;
/** Matches the placeholders redactPii writes, e.g. `[PAYMENT_CARD_1]`, `[EMAIL_12]` (global). */
export const PLACEHOLDER_PATTERN = new RegExp(PLACEHOLDER_SOURCE, 'g');
const PLACEHOLDER_EXACT = new RegExp(`^${PLACEHOLDER_SOURCE}$`);

/** True when `text` is exactly one redaction placeholder. */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER_EXACT.test(text);
}

/** The placeholder label of a kind: payment_card → PAYMENT_CARD. */
export const placeholderLabel = (kind: PiiKind): string => kind.toUpperCase();

interface Candidate {
  kind: PiiKind;
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const digitsOf = (s: string): string => s.replace(/\D/g, '');

/**
 * The 40 characters before `at`, where cues are looked for ("SSN …", "call me on …"), with
 * placeholders and masked findings shortened to "[]": a cue is as near before redaction as after.
 */
function cueWindow(text: string, at: number): string {
  return text
    .slice(Math.max(0, at - 400), at)
    .replace(/\[(?:[A-Z]+(?:_[A-Z]+)*_\d{1,9}|_+)\]/g, '[]')
    .slice(-40);
}

/** Luhn checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Payment cards

/** Issuer prefixes (IIN ranges) and the lengths each issues. */
function plausibleCard(d: string): boolean {
  const n = d.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p2 === 36 || (p4 >= 3000 && p4 <= 3059) || p2 === 38 || p2 === 39) return n >= 14 && n <= 19; // Diners
  if (p4 >= 3528 && p4 <= 3589) return n >= 16; // JCB
  if (d.startsWith('6011') || d.startsWith('65') || (p4 >= 6440 && p4 <= 6499) || d.startsWith('62')) return n >= 16; // Discover, UnionPay
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 13; // Maestro
  return false;
}

/** Group lengths people write cards in (a single unbroken group is also fine). */
function cardGrouping(groups: readonly number[]): boolean {
  const g = groups.join('-');
  return /^(4-4-4-4(-[1-3])?|4-4-4-[1-3]|4-6-5|4-6-4|4-4-4-4-4|4-4-5|4-4-4-7|5-5-5-4|4-6-6|4-4-4-6)$/.test(g);
}

/**
 * Runs of digit groups. Between two groups: one or two spaces (also no-break, narrow no-break, thin
 * and ideographic spaces), or one dash (also en dash, full-width hyphen), dot or slash with an
 * optional space either side. The group
 * lengths (cardGrouping), the issuer prefix and Luhn keep dates, times, versions, IP addresses,
 * prices and phone numbers out.
 */
const DIGIT_RUN = /\d+(?:(?:[ \u00a0\u202f\u2009\u3000]{1,2}|[ \u00a0\u202f\u2009\u3000]?[-\u2013\uff0d./][ \u00a0\u202f\u2009\u3000]?)\d+)*/g;
const FULL_WIDTH_DIGIT = /[\uff10-\uff19]/g;
/** Full-width digits (０-９) as ASCII digits: one UTF-16 unit each, so offsets stay valid. */
const foldDigits = (s: string): string => s.replace(FULL_WIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

function findCards(original: string, out: Candidate[]): void {
  const text = foldDigits(original);
  for (const m of text.matchAll(DIGIT_RUN)) {
    const start = m.index;
    const run = m[0];
    if (run.length < 13) continue;
    if (isWordChar(text[start - 1]) || isWordChar(text[start + run.length])) continue;
    // Groups with their offsets in the run.
    const groups: { at: number; len: number }[] = [];
    for (const g of run.matchAll(/\d+/g)) groups.push({ at: g.index, len: g[0].length });
    for (let i = 0; i < groups.length; i++) {
      let digits = 0;
      let best: number | undefined;
      for (let j = i; j < groups.length && j < i + 5; j++) {
        digits += groups[j]!.len;
        if (digits > 19) break;
        if (digits < 13) continue;
        const lens = groups.slice(i, j + 1).map((x) => x.len);
        if (lens.length > 1 && !cardGrouping(lens)) continue;
        const from = groups[i]!.at;
        const to = groups[j]!.at + groups[j]!.len;
        const d = digitsOf(run.slice(from, to));
        if (plausibleCard(d) && luhnValid(d)) best = j;
      }
      if (best !== undefined) {
        out.push({ kind: 'payment_card', start: start + groups[i]!.at, end: start + groups[best]!.at + groups[best]!.len });
        i = best;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IBAN

/** IBAN length per country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616 check: move the first four characters to the end, letters → 10..35, mod 97 == 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s) || IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const c of rearranged) {
    const v = c >= 'A' ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 48;
    rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

/** Compact, or in groups of four separated by single spaces (the last group shorter). */
const IBAN_CANDIDATE = /\b[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}\b|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)/g;

function findIbans(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(IBAN_CANDIDATE)) {
    const raw = m[0];
    const len = IBAN_LENGTHS[raw.slice(0, 2).toUpperCase()];
    if (!len) continue;
    // Take exactly `len` alphanumerics; the cut must fall at the end of a group.
    let count = 0;
    let end = -1;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] !== ' ') count++;
      if (count === len) {
        end = i + 1;
        break;
      }
    }
    if (end < 0 || (end < raw.length && raw[end] !== ' ')) continue;
    if (end === raw.length && isWordChar(text[m.index + end])) continue;
    const compact = raw.slice(0, end).replace(/ /g, '');
    if (ibanValid(compact)) out.push({ kind: 'iban', start: m.index, end: m.index + end });
  }
}

// ---------------------------------------------------------------------------------------------
// National ids

const SSN = /(?<![\w-])(\d{3})([ -])(\d{2})\2(\d{4})(?![\w-])/g;
const BARE_NINE = /(?<![\w-])\d{9}(?![\w-])/g;
const SSN_CUE = /\b(ssn|ss#|social security(?: number| no\.?| #)?|soc\.? sec\.?|itin|tax ?id|taxpayer id)\b[^\n]{0,24}$/i;
/** UK National Insurance number: two prefix letters (not D F I Q U V; second not O; not BG GB KN NK NT TN ZZ), six digits, A-D. */
const NINO = /\b(?!BG|GB|KN|NK|NT|TN|ZZ|bg|gb|kn|nk|nt|tn|zz)[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z] ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]\b/g;

/** SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function findNationalIds(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(SSN)) {
    if (ssnValid(m[1]!, m[3]!, m[4]!)) out.push({ kind: 'national_id', start: m.index, end: m.index + m[0].length });
  }
  for (const m of text.matchAll(BARE_NINE)) {
    const d = m[0];
    if (!ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5))) continue;
    if (SSN_CUE.test(cueWindow(text, m.index))) out.push({ kind: 'national_id', start: m.index, end: m.index + 9 });
  }
  for (const m of text.matchAll(NINO)) {
    // All upper case, or all lower case: "AB 12 34 56 C" / "ab123456c", not "Ab123456c".
    const letters = m[0].replace(/[^A-Za-z]/g, '');
    if (letters !== letters.toUpperCase() && letters !== letters.toLowerCase()) continue;
    out.push({ kind: 'national_id', start: m.index, end: m.index + m[0].length });
  }
}

// ---------------------------------------------------------------------------------------------
// Email (a hand-written scan around each "@": linear however long the local part is)

const LOCAL_CHAR = /[A-Za-z0-9._%+\-']/;
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}/;

function findEmails(text: string, out: Candidate[]): void {
  let at = text.indexOf('@');
  while (at >= 0) {
    let s = at;
    while (s > 0 && at - s < 64 && LOCAL_CHAR.test(text[s - 1]!)) s--;
    while (s < at && /[.'-]/.test(text[s]!)) s++; // no leading dot, quote or dash
    const domain = DOMAIN.exec(text.slice(at + 1, at + 1 + 255));
    if (s < at && domain && text[at - 1] !== '.') {
      const end = at + 1 + domain[0].length;
      if (!isWordChar(text[end]) && text[end] !== '@') out.push({ kind: 'email', start: s, end });
    }
    at = text.indexOf('@', at + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

const PHONE_RUN = /\+?\(?\d[\d ().\-\u00a0]*\d\)?/g;
const PHONE_CUE =
  /\b(phone|tel|telephone|mobile|mob|cell|cellphone|call|ring|text|sms|whatsapp|signal|reach me|contact|number|fax|handy|telefon|telefonnummer|telefono|teléfono|téléphone|portable|numéro|numero|número|móvil|movil|celular|cellulare)\b[^\n\d]{0,25}$/i;
const NOT_PHONE_CUE =
  /\b(order|invoice|inv|ticket|case|ref|reference|tracking|shipment|parcel|receipt|transaction|txn|acct|customer|id|sku|po|serial|version|build|ip|iban|account|card|vat|tax|policy|booking|confirmation|request)\s*(?:no\.?|nr\.?|number|num|#|id)?\s*(?:is\s+|was\s+|[:#.]\s*)?$/i;
const CURRENCY_BEFORE = /(?:[$€£¥]|\b(?:usd|eur|gbp|chf|jpy|cad|aud|sek|nok|dkk|pln))\s*$/i;
const CURRENCY_AFTER = /^\s*(?:[$€£¥%]|(?:usd|eur|gbp|chf|jpy|cad|aud|sek|nok|dkk|pln|dollars?|euros?|pounds?|kr|percent)\b)/i;
const DATE_INSIDE = /(?:^|\D)(?:(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ](?:19|20)\d\d)(?:\D|$)/;

function phoneShapeOk(run: string, hasCue: boolean): boolean {
  const digits = digitsOf(run);
  const n = digits.length;
  if (n < 8 || n > 15) return false;
  if (DATE_INSIDE.test(run)) return false;
  const groups = run.match(/\d+/g)!.map((g) => g.length);
  const seps = run.replace(/[\d+]/g, '');
  if (run.startsWith('+')) return digits[0] !== '0';
  if (seps.includes('.')) {
    // Dots only in 3.3.4 (US) and 2.2.2.2.2 (France) shapes: not versions or IP addresses.
    if (/[^.]/.test(seps)) return false;
    const g = groups.join('.');
    return (g === '3.3.4' && digits[0] !== '0' && digits[0] !== '1') || (g === '2.2.2.2.2' && digits[0] === '0');
  }
  if (digits.startsWith('00')) return n >= 10;
  if (groups.length === 1) {
    // Unbroken digits are a phone only after a cue ("call me on 07700900123").
    if (!hasCue) return false;
    return (digits[0] === '0' && n >= 10 && n <= 12) || (n === 10 && digits[0]! >= '2') || (n === 11 && digits[0] === '1');
  }
  const shape = groups.join('-');
  if ((shape === '3-3-4' && digits[0]! >= '2') || (shape === '1-3-3-4' && digits[0] === '1')) return true; // NANP
  // Trunk prefix 0 (UK, Germany, France…); the last group may be a short extension ("901820-0").
  if (digits[0] === '0' && n >= 9 && n <= 13 && groups.length <= 5 && groups.slice(0, -1).every((g) => g >= 2)) return true;
  // After a cue ("call me on …"): other national shapes, but not the SSN shape 3-2-4 and not
  // starting with 1 (no national number does, outside the NANP shapes above).
  return hasCue && n >= 9 && shape !== '3-2-4' && digits[0] !== '1' && groups.length <= 6 && groups.every((g) => g >= 2);
}

function findPhones(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(PHONE_RUN)) {
    let run = m[0];
    let start = m.index;
    // An unmatched parenthesis at either end is punctuation, not part of the number.
    if (run.endsWith(')') && !run.includes('(')) run = run.slice(0, -1);
    if (run.startsWith('(') && !run.slice(1).includes(')')) {
      run = run.slice(1);
      start++;
    }
    const end = start + run.length;
    const before = text[start - 1];
    const after = text[end];
    if (isWordChar(before) || (before && '-/.#_@$€£:'.includes(before) && !(before === ':' && !isDigit(text[start - 2])))) continue;
    if (isWordChar(after) || (after && '-/@%_'.includes(after))) continue;
    if ((after === '.' || after === ',' || after === ':') && isDigit(text[end + 1])) continue;
    const prefix = cueWindow(text, start);
    if (NOT_PHONE_CUE.test(prefix) || CURRENCY_BEFORE.test(prefix) || CURRENCY_AFTER.test(text.slice(end, end + 12))) continue;
    if (phoneShapeOk(run, PHONE_CUE.test(prefix))) out.push({ kind: 'phone', start, end });
  }
}

// ---------------------------------------------------------------------------------------------
// Passwords: the value after a cue

const PASSWORD_WORD = String.raw`(?:password|passwort|passwd|pass ?word|pwd|pass ?code|pass ?phrase|contrase[ñn]a|clave|mot de passe|mdp|kennwort|senha|parola d'ordine|pin(?: ?code| number| no\.?)?|código pin)`;
/**
 * "password is X", "password: X", "pwd=X", "Passwort ist X", "password for the admin account is X"
 * ("=" only right after the cue word: "password at …/login?sso=bypass" is a URL, not a value).
 */
const PASSWORD_CUE = new RegExp(
  String.raw`\b${PASSWORD_WORD}(?:\s*\([^()\n]{1,30}\))?(?:\s*=\s*|(?:\s+(?:for|of|to|on|at|de|du|für|per|da|do)(?:\s+[^\s:=]+){1,5}?)?\s*(?:(?:is|was|es|est|ist|era|war|é|è|är|er|jest)(?![\p{L}\p{N}'’])|[:→]|-(?=\s))\s*(?:(?:now|actually|still|temporarily|currently|set to|ahora|maintenant|jetzt|agora|ora)\s+)?)`,
  'giu',
);
/** "creds: dana / S3cure!Pass", "login: dana / hunter22": user, slash, password. */
const CREDENTIALS_CUE = /\b(?:creds|credentials|login|log-?in|logon|sign-?in|user(?:name)?\s*\/\s*pass(?:word)?)\s*[:=]\s*[^\s/]{1,64}\s*\/\s*/giu;
/** "changed my password to X": a weaker cue, the value must look like a password. */
const PASSWORD_TO_CUE = new RegExp(String.raw`\b(?:changed|set|reset|updated|change|set up)\s+(?:my\s+|the\s+|our\s+|his\s+|her\s+)?${PASSWORD_WORD}\s+to\s+`, 'giu');
/** Words that follow "my password is" without being a password. */
const NOT_A_PASSWORD = new Set(
  `not no never wrong incorrect correct right invalid valid expired too required rejected accepted being still the a an my your our their his her
  same different fine ok okay working locked saved stored changed reset set case definitely very really long short weak strong only also just
  always in on at for from with and or but because like what that this which been mine now updated shown hidden visible displayed sent managed
  synced there here empty blank missing forgotten lost compromised leaked stolen known unknown unique it its it's something part one less more
  over under about supposed meant probably maybe used using sure good bad fine same new old temporary case-sensitive asterisks stars dots
  incorrecta incorrecto correcta correcto válida valida inválida invalida muy la el demasiado nueva otra misma caducada
  incorrect bon bonne le la les trop expiré expire nouveau nouvelle mauvais faux
  falsch richtig abgelaufen zu nicht das der die korrekt ungültig neu alt
  inválida incorreta correta a o nova errada expirada
  sbagliata corretta scaduta nuova il lo
  muito muita longa longo curta curto fraca forte larga largo débil debil longue courte faible lang kurz schwach stark
  needed needs need please help
  longer shorter must should shall will would can cannot can't could may might has have had having is was are were be does did do doesn't don't
  didn't isn't wasn't won't than then at least minimum maximum max min exactly forgot forget forgetting keeps keep got gets seems contains
  includes requires require asks says shows appears again already either neither nor so too if when where who how why yes`.split(/\s+/),
);

/** Placeholders (or masked findings) at the start of a value. */
const LEADING_PLACEHOLDERS = /^(?:\[(?:[A-Z]+(?:_[A-Z]+)*_\d{1,9}|_+)\])+/;

/** The end of the unquoted token at `s`, without the sentence punctuation after it. */
function tokenEnd(text: string, s: number): number {
  let e = s;
  // Long enough for any password: a value cut short would leave its tail in clear.
  while (e < text.length && e - s < 512 && !/[\s"'<>]/.test(text[e]!) && !(text[e] === '&' && /^&[A-Za-z_][\w.-]*=/.test(text.slice(e, e + 40)))) e++;
  while (e > s && /[.,;:)\]}]/.test(text[e - 1]!)) e--;
  return e;
}

function passwordValue(text: string, at: number, weak: boolean, pin: boolean): Candidate | undefined {
  let s = at;
  let e: number;
  const q = text[s];
  if (q === '"' || q === "'" || q === '“' || q === '‘' || q === '`') {
    const close = q === '“' ? '”' : q === '‘' ? '’' : q;
    const stop = text.indexOf(close, s + 1);
    if (stop < 0 || stop - s > 129) return undefined;
    s++;
    e = stop;
  } else {
    // Unquoted, the value is one token: it ends at white space, a quote, or "&name=" (the next
    // query parameter). A password with a space in it is taken whole only when quoted
    // ('password: "p@ss w0rd"'); unquoted, the words after the first are ordinary text to us.
    e = tokenEnd(text, s);
  }
  const value = text.slice(s, e);
  if (value.length === 0) return undefined;
  // "[EMAIL_1]abc": a placeholder glued to more characters does not make the value one.
  const rest = value.replace(LEADING_PLACEHOLDERS, '');
  if (rest.length < value.length) return rest.length > 0 ? { kind: 'password', start: s, end: e } : undefined;
  if (pin) return /^\d{4,8}$/.test(value) ? { kind: 'password', start: s, end: e } : undefined;
  if (value.length < 4 || value.startsWith('[')) return undefined;
  if (/^[*•●·x.\-_#]+$/i.test(value)) return undefined; // already masked: "******", "xxxx"
  const lower = value.toLowerCase();
  if (NOT_A_PASSWORD.has(lower)) return undefined;
  // "my password is expired / working / blocked": plain words with these endings are states.
  if (/^[a-z]+(?:ing|ed|ly)$/.test(value)) return undefined;
  if (weak && (value.length < 6 || !/[\d\W_]/.test(value))) return undefined;
  return { kind: 'password', start: s, end: e };
}

function findPasswords(text: string, out: Candidate[]): void {
  for (const m of text.matchAll(PASSWORD_CUE)) {
    const pin = /^(?:pin|código pin)/i.test(m[0]);
    const c = passwordValue(text, m.index + m[0].length, false, pin);
    if (c) out.push(c);
  }
  for (const m of text.matchAll(CREDENTIALS_CUE)) {
    const c = passwordValue(text, m.index + m[0].length, true, false);
    if (c) out.push(c);
  }
  for (const m of text.matchAll(PASSWORD_TO_CUE)) {
    const c = passwordValue(text, m.index + m[0].length, true, /^pin/i.test(m[0].split(/\s+/).at(-2) ?? ''));
    if (c) out.push(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets: API keys, tokens, private keys

const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-(?:proj-|live-|test-|ant-[a-z0-9]{2,8}-)?[A-Za-z0-9_-]{20,200}/g, // OpenAI / Anthropic-style
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,200}/g, // Stripe-style (and Parcelo's pk_live_ keys)
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,80}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,255}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,200}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, // Google API key
  /\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,300}/g, // Slack webhook URL
  /\bhttps:\/\/(?:discord|discordapp)\.com\/api\/webhooks\/\d{5,30}\/[A-Za-z0-9_-]{30,200}/g, // Discord webhook URL
  /\beyJ[A-Za-z0-9_-]{5,4000}\.eyJ[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{0,4000}/g, // JWT
];
const AWS_SECRET = /\b(?:aws_secret_access_key|secret[_ ]access[_ ]key|aws[_ ]secret(?:[_ ]key)?)\b["']?\s*(?:[:=]|is)?\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;
const TOKEN_CUE =
  /\b(?:api[ _-]?key|apikey|api[ _-]?token|access[ _-]?token|auth[ _-]?token|refresh[ _-]?token|bearer|token|secret|client[ _-]?secret|secret[ _-]?key|private[ _-]?key|x-api-key|authorization|webhook[ _-]?secret|signing[ _-]?secret|password[ _-]?hash)\b["']?\s*(?:(?:is|was)\b|[:=])?\s*(?:bearer\s+)?["']?((?:\[[A-Z]+(?:_[A-Z]+)*_\d{1,9}\])*[A-Za-z0-9_\-./+=]{20,512})/gi;
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;

/** A generic token is random-looking: long, high entropy, letters mixed with digits or case. */
function looksRandom(token: string): boolean {
  if (token.length < 20) return false;
  const hasDigit = /\d/.test(token);
  const hasLetter = /[A-Za-z]/.test(token);
  const mixedCase = /[a-z]/.test(token) && /[A-Z]/.test(token);
  if (!hasLetter || !(hasDigit || mixedCase)) return false;
  if (/^https?:|\/\//i.test(token) || /^[a-z]+(?:[-_.][a-z]+)+$/i.test(token)) return false; // URLs, word-word-word
  return entropy(token) >= 3.5;
}

function findSecrets(text: string, out: Candidate[]): void {
  for (const re of SECRET_PATTERNS) {
    for (const m of text.matchAll(re)) {
      // Documentation placeholders ("pk_live_xxxxxxxxxxxx") are not keys.
      const body = m[0].replace(/^[a-z]+[_-](?:live_|test_)?/i, '');
      if (entropy(body) < 2.5) continue;
      out.push({ kind: 'secret', start: m.index, end: m.index + m[0].length });
    }
  }
  for (const m of text.matchAll(AWS_SECRET)) {
    const start = m.index + m[0].length - m[1]!.length;
    if (entropy(m[1]!) >= 3.5) out.push({ kind: 'secret', start, end: start + m[1]!.length });
  }
  for (const m of text.matchAll(TOKEN_CUE)) {
    // "token: [EMAIL_1]ABCDEF…": a fake placeholder glued to a token does not hide it.
    const token = m[1]!.replace(/[.,]+$/, '');
    if (!looksRandom(token.replace(LEADING_PLACEHOLDERS, ''))) continue;
    const start = m.index + m[0].length - m[1]!.length;
    out.push({ kind: 'secret', start, end: start + token.length });
  }
  for (const m of text.matchAll(PEM_BEGIN)) {
    const end = pemBlockEnd(text, m.index + m[0].length);
    if (end !== undefined) out.push({ kind: 'secret', start: m.index, end });
  }
}

/** RFC 1421 header lines of an encrypted PEM key ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …"). */
const PEM_HEADERS = /(?:[ \t]*\r?\n[A-Za-z][\w-]{1,30}:[^\n]{0,200})*/y;
const PEM_CHUNK = /\s*(\S+)/y;
const PEM_END = /\s*-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;
const BASE64_CHUNK = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Where the key block that starts after a BEGIN line at `from` ends: over the base64 body (lines,
 * or chunks separated by spaces when newlines were lost) and the END line when there is one.
 * Undefined when no base64 follows ("missing -----BEGIN PRIVATE KEY----- header" is a quote of
 * an error message, not a key), so the rest of the text is never swallowed. A short chunk counts
 * only when it does not read as a word ("MIIE", "abc==", not "Thanks"), so the prose after a
 * truncated paste stays. Linear: the scan stops at the first chunk that is not base64.
 */
function pemBlockEnd(text: string, from: number): number | undefined {
  PEM_HEADERS.lastIndex = from;
  let at = PEM_HEADERS.exec(text) ? PEM_HEADERS.lastIndex : from;
  let body = 0;
  let end = at;
  for (;;) {
    PEM_END.lastIndex = at;
    const close = PEM_END.exec(text);
    if (close) return body >= 8 ? PEM_END.lastIndex : undefined;
    PEM_CHUNK.lastIndex = at;
    const chunk = PEM_CHUNK.exec(text);
    if (!chunk) break;
    const c = chunk[1]!;
    const keyLike = BASE64_CHUNK.test(c) && (c.length >= 16 || /[\d+/=]|.[A-Z]/.test(c));
    const ellipsis = body > 0 && /^(?:\.{2,}|…)$/.test(c); // "MIIE…\n...\n…" abbreviated by the customer
    if (!keyLike && !ellipsis) break;
    if (keyLike) body += c.length;
    at = end = PEM_CHUNK.lastIndex;
  }
  return body >= 8 ? end : undefined;
}

// ---------------------------------------------------------------------------------------------
// Detection

const FINDERS: Record<PiiKind, (text: string, out: Candidate[]) => void> = {
  payment_card: findCards,
  iban: findIbans,
  national_id: findNationalIds,
  email: findEmails,
  phone: findPhones,
  password: findPasswords,
  secret: findSecrets,
};

/** A character that glues a placeholder to the value after it. */
const GLUED = /^[A-Za-z0-9]$/;

/**
 * The positions of `text` already taken (by a placeholder or a kept finding). A candidate is
 * free when none of its positions is taken: checking costs its length, marking a kept finding
 * costs its length, and kept findings never overlap, so resolving all candidates is linear in
 * the text length times the number of finders (not quadratic in the number of findings).
 */
class Occupancy {
  private readonly taken: Uint8Array;

  constructor(length: number) {
    this.taken = new Uint8Array(length);
  }

  free(c: { start: number; end: number }): boolean {
    for (let i = c.start; i < c.end; i++) if (this.taken[i]) return false;
    return true;
  }

  take(c: { start: number; end: number }): void {
    this.taken.fill(1, c.start, c.end);
  }
}

/**
 * The personal data and secrets in `text`, sorted by position, never overlapping. Spans are
 * UTF-16 offsets into `text`; `reason` is the kind.
 */
export function detectPii(text: string, options: PiiOptions = {}): Finding[] {
  const kinds = options.kinds ?? PII_KINDS;
  const occupied = new Occupancy(text.length);
  // A placeholder glued to what follows ("[EMAIL_1]abc") is no shield: it may be a fake put
  // before a secret, and the value it starts is still found (and replaced with it).
  for (const m of text.matchAll(PLACEHOLDER_PATTERN)) {
    const end = m.index + m[0].length;
    if (!GLUED.test(text[end] ?? '')) occupied.take({ start: m.index, end });
  }
  const rank = (k: PiiKind) => SPECIFICITY.indexOf(k);
  const kept: Candidate[] = [];
  // Rounds: what a finding hid can show once it is masked the way redaction will replace it
  // ("+44 20 7946 0958 4111 1111 1111 1111" is one run of digits until the card is taken out),
  // so the next round runs on the text with findings masked. This keeps redaction idempotent.
  let scanned = text;
  for (let round = 0; round < 3; round++) {
    const candidates: Candidate[] = [];
    for (const kind of kinds) FINDERS[kind](scanned, candidates);
    candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || rank(a.kind) - rank(b.kind) || a.start - b.start);
    let added = 0;
    for (const c of candidates) {
      if (c.end <= c.start || !occupied.free(c)) continue;
      occupied.take(c);
      kept.push(c);
      added++;
    }
    if (!added) break;
    scanned = masked(text, kept);
  }
  return kept
    .sort((a, b) => a.start - b.start)
    .map((c) => ({ detector: DETECTOR, reason: c.kind, start: c.start, end: c.end }));
}

/** The text with each span replaced by "[___]" of the same length: looks like a placeholder to its neighbours. */
function masked(text: string, spans: readonly { start: number; end: number }[]): string {
  let out = '';
  let last = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const len = s.end - s.start;
    out += text.slice(last, s.start) + (len >= 2 ? `[${'_'.repeat(len - 2)}]` : '_');
    last = s.end;
  }
  return out + text.slice(last);
}

// ---------------------------------------------------------------------------------------------
// Redaction

export interface Redaction {
  /** The text with every finding replaced by its placeholder. */
  text: string;
  /** Findings, with spans on the ORIGINAL text. */
  findings: Finding[];
  /** The placeholder that replaced each finding (same order as findings). */
  placeholders: string[];
}

/** Numbering shared by the strings of one redaction (one text, or one JSON value). */
class PlaceholderBook {
  private readonly next = new Map<string, number>();
  private readonly byValue = new Map<string, string>();

  /** Placeholders already present start the numbering after them: no collision. */
  reserve(text: string): void {
    for (const m of text.matchAll(PLACEHOLDER_PATTERN)) {
      const n = Number(m[2]);
      if (n < MAX_PLACEHOLDER_NUMBER && n >= (this.next.get(m[1]!) ?? 1)) this.next.set(m[1]!, n + 1);
    }
  }

  placeholderFor(kind: PiiKind, value: string): string {
    const label = placeholderLabel(kind);
    const key = `${label}\u0000${normalizeValue(kind, value)}`;
    let p = this.byValue.get(key);
    if (!p) {
      const n = this.next.get(label) ?? 1;
      this.next.set(label, n + 1);
      p = `[${label}_${n}]`;
      this.byValue.set(key, p);
    }
    return p;
  }
}

/** The same card written with or without spaces is the same value. */
function normalizeValue(kind: PiiKind, value: string): string {
  if (kind === 'phone') return value.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  if (kind === 'payment_card' || kind === 'national_id') return foldDigits(value).replace(/[^\dA-Za-z]/g, '').toUpperCase();
  if (kind === 'iban') return value.replace(/\s/g, '').toUpperCase();
  if (kind === 'email') return value.toLowerCase();
  return value;
}

function redactWith(text: string, book: PlaceholderBook, options: PiiOptions): Redaction {
  const findings = detectPii(text, options);
  if (!findings.length) return { text, findings, placeholders: [] };
  const placeholders: string[] = [];
  let out = '';
  let last = 0;
  for (const f of findings) {
    const p = book.placeholderFor(f.reason as PiiKind, text.slice(f.start, f.end));
    placeholders.push(p);
    out += text.slice(last, f.start) + p;
    last = f.end;
  }
  return { text: out + text.slice(last), findings, placeholders };
}

/**
 * Replaces each finding with a typed placeholder (`[PAYMENT_CARD_1]`, `[EMAIL_2]`…): numbered
 * per kind, the same value gets the same placeholder, numbering continues after placeholders
 * already in the text. Idempotent: redacting the result changes nothing.
 */
export function redactPii(text: string, options: PiiOptions = {}): Redaction {
  const book = new PlaceholderBook();
  book.reserve(text);
  return redactWith(text, book, options);
}

const MAX_DEPTH = 64;

/**
 * A copy of a JSON value with every string redacted (object keys are kept). One numbering for
 * the whole value, so the same email is the same placeholder everywhere in it. Iterative (no
 * recursion); never mutates the input. Values nested deeper than 64 levels are replaced by null.
 */
export function redactDeep<T>(value: T, options: PiiOptions = {}): T {
  const book = new PlaceholderBook();
  // Pass 1: reserve placeholders already present anywhere in the value.
  const seen: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (seen.length) {
    const { v, depth } = seen.pop()!;
    if (typeof v === 'string') book.reserve(v);
    else if (v !== null && typeof v === 'object' && depth < MAX_DEPTH) {
      for (const child of Array.isArray(v) ? v : Object.values(v)) seen.push({ v: child, depth: depth + 1 });
    }
  }
  // Pass 2: copy, redacting strings.
  const redactLeaf = (v: unknown): unknown => (typeof v === 'string' ? redactWith(v, book, options).text : v);
  if (value === null || typeof value !== 'object') return redactLeaf(value) as T;
  const root: unknown = Array.isArray(value) ? [] : {};
  const stack: { src: object; dst: any; depth: number }[] = [{ src: value as object, dst: root, depth: 1 }];
  while (stack.length) {
    const { src, dst, depth } = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(src) ? src.map((v, i) => [i, v]) : Object.entries(src);
    for (const [k, v] of entries) {
      if (v !== null && typeof v === 'object') {
        if (depth >= MAX_DEPTH) {
          dst[k] = null;
          continue;
        }
        const child: any = Array.isArray(v) ? [] : {};
        if (Array.isArray(dst)) dst[k as number] = child;
        else Object.defineProperty(dst, k, { value: child, enumerable: true, writable: true, configurable: true });
        stack.push({ src: v, dst: child, depth: depth + 1 });
      } else if (Array.isArray(dst)) {
        dst[k as number] = redactLeaf(v);
      } else {
        // defineProperty: a "__proto__" key stays a plain key and never touches the prototype.
        Object.defineProperty(dst, k, { value: redactLeaf(v), enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return root as T;
}
