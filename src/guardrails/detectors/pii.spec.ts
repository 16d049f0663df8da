import fc from 'fast-check';
import { detectPii, ibanValid, isPlaceholder, luhnValid, PLACEHOLDER_PATTERN, redactDeep, redactPii, ssnValid } from './pii.js';
import type { PiiKind } from './types.js';

/** The kinds found, in order. */
const kinds = (text: string) => detectPii(text).map((f) => f.reason);
/** The text of each finding. */
const values = (text: string, kind?: PiiKind) =>
  detectPii(text)
    .filter((f) => !kind || f.reason === kind)
    .map((f) => text.slice(f.start, f.end));

describe('payment cards', () => {
  it.each([
    ['4111 1111 1111 1111', 'Visa, 4-4-4-4'],
    ['4111-1111-1111-1111', 'Visa, dashes'],
    ['4111111111111111', 'Visa, compact'],
    ['4222222222222', 'Visa, 13 digits'],
    ['5555 5555 5555 4444', 'Mastercard'],
    ['2223 0031 2200 3222', 'Mastercard 2-series'],
    ['3782 822463 10005', 'Amex 4-6-5'],
    ['378282246310005', 'Amex compact'],
    ['6011 0009 9013 9424', 'Discover'],
    ['3530 1113 3330 0000', 'JCB'],
    ['30569309025904', 'Diners, 14 digits'],
  ])('finds %s (%s)', (card) => {
    expect(values(`charge ${card} please`, 'payment_card')).toEqual([card]);
  });

  it('Luhn boundary: changing any one digit of a valid number makes it not a card', () => {
    const valid = '4111111111111111';
    expect(luhnValid(valid)).toBe(true);
    for (let i = 0; i < valid.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const changed = valid.slice(0, i) + d + valid.slice(i + 1);
        // A single-digit change always breaks the Luhn sum.
        expect(luhnValid(changed)).toBe(false);
        expect(kinds(`card ${changed}`)).not.toContain('payment_card');
      }
    }
  });

  it('an invalid Luhn is not a card, whatever the format', () => {
    for (const t of ['4111 1111 1111 1112', '5555-5555-5555-4445', '3782 822463 10006', '1234 5678 9012 3456']) {
      expect(kinds(t)).not.toContain('payment_card');
    }
  });

  it('needs a plausible issuer prefix and length', () => {
    // Luhn-valid but no issuer starts with 1, 7, 8 or 9; Amex is always 15 digits.
    expect(luhnValid('1000000000000008')).toBe(true);
    expect(kinds('1000 0000 0000 0008')).toEqual([]);
    expect(luhnValid('3700000000000007')).toBe(true);
    expect(kinds('3700000000000007')).toEqual([]);
  });

  it('finds the card in a longer run of digits (a CVC or an order number next to it)', () => {
    expect(values('4111 1111 1111 1111 123', 'payment_card')).toEqual(['4111 1111 1111 1111']);
    expect(values('order 12345 4111 1111 1111 1111', 'payment_card')).toEqual(['4111 1111 1111 1111']);
  });

  it.each([
    ['4111\u00a01111\u00a01111\u00a01111', 'no-break spaces'],
    ['4111\u202f1111\u202f1111\u202f1111', 'narrow no-break spaces'],
    ['4111\u20091111\u20091111\u20091111', 'thin spaces'],
    ['4111  1111  1111  1111', 'double spaces'],
    ['4111–1111–1111–1111', 'en dashes'],
    ['4111 - 1111 - 1111 - 1111', 'spaced dashes'],
    ['4111.1111.1111.1111', 'dots'],
    ['4111/1111/1111/1111', 'slashes'],
    ['３７８２ ８２２４６３ １０００５', 'full-width digits'],
    ['４１１１１１１１１１１１１１１１', 'full-width digits, compact'],
  ])('finds %j (%s), with the span on the original text', (card) => {
    expect(values(`charge ${card} please`, 'payment_card')).toEqual([card]);
  });

  it('the same card with full-width digits is the same value', () => {
    expect(redactPii('card ４１１１ １１１１ １１１１ １１１１ or 4111 1111 1111 1111').text).toBe('card [PAYMENT_CARD_1] or [PAYMENT_CARD_1]');
  });

  it.each([
    ['ISO dates and times', 'on 2024-01-15 10:30:45, 2024.02.15 and 15/01/2024 – 16/01/2024'],
    ['version numbers', 'v10.0.19045.2965 and 4.1.1111.1111'],
    ['IP addresses', 'from 192.168.100.200 and 10.0.0.1 via 172.16.254.1'],
    ['prices', '1.234.567,89 € / 12.345.678 / 4 111 111 EUR'],
    ['phone numbers', 'call +44 20 7946 0958 or 020\u00a07946\u00a00958 or 212.555.0147'],
    ['order and invoice numbers', 'order 2024/1234/5678/9012, invoice INV-2024-00123, PO 4500/0012/3456'],
    ['a Luhn-invalid number with dots', 'build 4111.1111.1111.1112'],
  ])('with the wider separators, %s are still not cards', (_what, text) => {
    expect(kinds(text)).not.toContain('payment_card');
  });

  it('ignores digits glued to letters and odd groupings', () => {
    expect(kinds('ref x4111111111111111')).toEqual([]);
    expect(kinds('41 11 11 11 11 11 11 11')).not.toContain('payment_card');
  });
});

describe('IBAN', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 00'],
    ['GB82 WEST 1234 5698 7654 32'],
    ['FR14 2004 1010 0505 0001 3M02 606'],
    ['NL91ABNA0417164300'],
    ['ES91 2100 0418 4502 0005 1332'],
    ['IT60 X054 2811 1010 0000 0123 456'],
    ['BE68 5390 0754 7034'],
    ['CH93 0076 2011 6238 5295 7'],
    ['NO93 8601 1117 947'],
    ['PL61 1090 1014 0000 0712 1981 2874'],
    ['SE45 5000 0000 0583 9825 7466'],
    ['de89370400440532013000'],
  ])('finds %s', (iban) => {
    expect(values(`IBAN: ${iban}, thanks`, 'iban')).toEqual([iban]);
  });

  it('rejects a wrong check, a wrong length and an unknown country', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one character short
    expect(ibanValid('QQ89370400440532013000')).toBe(false);
    expect(kinds('DE89 3704 0044 0532 0130 01')).toEqual([]);
    expect(kinds('GB82 WEST 1234 5698 7654 33')).toEqual([]);
  });

  it('stops at the country length: the word after a grouped IBAN is not part of it', () => {
    expect(values('DE89 3704 0044 0532 0130 00 THANKS for the help', 'iban')).toEqual(['DE89 3704 0044 0532 0130 00']);
    expect(values('GB82 WEST 1234 5698 7654 32 ABCD', 'iban')).toEqual(['GB82 WEST 1234 5698 7654 32']);
  });
});

describe('national ids', () => {
  it('finds US SSNs with dashes or spaces', () => {
    expect(values('SSN 536-22-1470', 'national_id')).toEqual(['536-22-1470']);
    expect(values('social security 412 87 3365', 'national_id')).toEqual(['412 87 3365']);
  });

  it('excludes the SSA invalid ranges', () => {
    expect(ssnValid('536', '22', '1470')).toBe(true);
    for (const ssn of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) {
      expect(kinds(`SSN ${ssn}`)).toEqual([]);
    }
    expect(kinds('SSN 899-12-3456')).toEqual(['national_id']);
  });

  it('mixed separators are not an SSN', () => {
    expect(kinds('536-22 1470')).not.toContain('national_id');
  });

  it('nine bare digits only after a cue', () => {
    expect(kinds('my SSN is 536221470')).toEqual(['national_id']);
    expect(kinds('social security number: 536221470')).toEqual(['national_id']);
    expect(kinds('order 536221470 has not arrived')).toEqual([]);
    expect(kinds('SSN 666221470')).toEqual([]);
  });

  it('finds UK National Insurance numbers, not impossible prefixes', () => {
    expect(kinds('NI AB 12 34 56 C')).toEqual(['national_id']);
    expect(kinds('JG103759A')).toEqual(['national_id']);
    expect(kinds('BG 12 34 56 A')).toEqual([]);
    expect(kinds('QQ123456C')).toEqual([]); // Q is never a first letter
  });
});

describe('email', () => {
  it('finds addresses, not the sentence punctuation after them', () => {
    expect(values('mail john.doe+parcelo@example.co.uk.', 'email')).toEqual(['john.doe+parcelo@example.co.uk']);
    expect(values('<a.b@c.example>', 'email')).toEqual(['a.b@c.example']);
  });

  it('ignores @mentions and addresses without a top-level domain', () => {
    expect(kinds('ping @support or @dana')).toEqual([]);
    expect(kinds('user@localhost')).toEqual([]);
  });
});

describe('phone numbers', () => {
  it.each([
    ['+44 20 7946 0958'],
    ['+1 (415) 555-0132'],
    ['+4915123456789'],
    ['(212) 555-0147'],
    ['212-555-0147'],
    ['212.555.0147'],
    ['06 12 34 56 78'],
    ['0151 23456789'],
    ['020 7946 0958'],
    ['0044 20 7946 0958'],
  ])('finds %s', (phone) => {
    expect(values(`reach me at ${phone} today`, 'phone')).toEqual([phone]);
  });

  it('unbroken national numbers only after a cue', () => {
    expect(kinds('call me on 07700900123')).toEqual(['phone']);
    expect(kinds('reference 07700900123')).toEqual([]);
  });

  it.each([
    ['a date', 'on 2024-01-15 we paid'],
    ['a European date', 'am 15.01.2024 bezahlt'],
    ['a date with spaces', 'since 05 01 2024'],
    ['a time', 'at 10:30:45 today'],
    ['an ISO timestamp', 'failed at 2024-03-15T10:42:07Z'],
    ['a timestamp with a cue', 'call me on 2024-01-15 10:30'],
    ['a UUID', 'request 550e8400-e29b-41d4-a716-446655440000'],
    ['a numeric UUID', 'id 12345678-1234-5678-1234-567812345678'],
    ['an invoice number', 'invoice INV-2024-00123'],
    ['an order number', 'order 123456789'],
    ['an order number shaped like a phone', 'order no. 212-555-0147'],
    ['an amount with a sign', 'paid $12 345 678'],
    ['an amount with a code', 'paid 12 345 678 EUR'],
    ['a version', 'version 10.0.19045.2965'],
    ['a version with v', 'v2.14.3.1187'],
    ['an IP address', 'from 192.168.100.200'],
    ['an SSN-shaped number after a cue', 'my number is 123-00-4567'],
  ])('does not take %s for a phone', (_what, text) => {
    expect(kinds(text)).not.toContain('phone');
  });
});

describe('passwords', () => {
  it.each([
    ['my password is hunter2!', 'hunter2!'],
    ['password: Summer2024!', 'Summer2024!'],
    ['Password = "correct horse"', 'correct horse'],
    ['pwd=abc123&user=dana', 'abc123'],
    ['the PIN is 4821.', '4821'],
    ['passcode: 772911', '772911'],
    ['my password for the admin account is Tr0ub4dor&3', 'Tr0ub4dor&3'],
    ['I changed my password to Winter2024$', 'Winter2024$'],
    ['mi contraseña es Gatito2023', 'Gatito2023'],
    ['mon mot de passe est soleil88', 'soleil88'],
    ['Mein Passwort ist Bergwerk!7', 'Bergwerk!7'],
    ['a minha senha é azul2020', 'azul2020'],
    ['password (temporary): Blue-Harbor-42', 'Blue-Harbor-42'],
    ['creds: dana / S3cure!Pass', 'S3cure!Pass'],
    ['my password is Tr0ub4dor&3 now', 'Tr0ub4dor&3'],
  ])('%s → only the value', (text, value) => {
    expect(values(text, 'password')).toEqual([value]);
  });

  it('an unquoted value is one token; quote a password with spaces to have it taken whole', () => {
    // Decision: unquoted, only the first token is the value ("p@ss w0rd" keeps "w0rd").
    expect(values('password: p@ss w0rd', 'password')).toEqual(['p@ss']);
    expect(values('password: "p@ss w0rd" please', 'password')).toEqual(['p@ss w0rd']);
  });

  it('a placeholder glued to the value does not hide it', () => {
    expect(redactPii('password is [EMAIL_1]abc').text).toBe('password is [PASSWORD_1]');
    expect(redactPii('my password: [PHONE_2]hunter2!').text).toBe('my password: [PASSWORD_1]');
    // A placeholder on its own after the cue is not a value.
    expect(redactPii('password is [PASSWORD_1]').findings).toEqual([]);
  });

  it('keeps the cue words: only the value is replaced', () => {
    expect(redactPii('my password is hunter2!').text).toBe('my password is [PASSWORD_1]');
    expect(redactPii('Passwort ist Geheim99').text).toBe('Passwort ist [PASSWORD_1]');
  });

  it.each([
    'I forgot my password',
    'reset password link expired',
    'my password is not working',
    'the password is too short',
    'my password is expired',
    'password: reset link never arrives',
    'password: ******',
    'PIN is required',
    'I reset my password to get back in',
    'Mein Passwort ist abgelaufen',
    'la contraseña es incorrecta',
    'sign in with a password at app.parcelo.example/login?sso=bypass',
    'my password is longer than 12 characters',
    'password - forgot it again',
    'Password: Must be at least 12 characters',
    'the password is wrong again',
    'password: should work now',
  ])('no finding in %j', (text) => {
    expect(kinds(text)).toEqual([]);
  });
});

describe('secrets', () => {
  it.each([
    ['sk_live_51HxT4aFAKEq9ZpL0cV3mNw8YbR2kJ7d'],
    ['pk_live_7fQ2nXr9LmT4vB8kW3zP'],
    ['rk_live_51Nz8FAKEqT3xLm0pWc7Vb2'],
    ['sk-proj-Xy7Pq2Lm9Rt4Vb6Nc1Zd8Kf3Hs5Jw0Ga'],
    ['AKIAIOSFODNN7EXAMPLE'],
    ['ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'],
    ['github_pat_11ABCDEFG0FAKE9xYz8WvU7tS6rQ5pO4nM3lK2jI1hG'],
    ['xoxb-2048-1024-FAKEa9B8c7D6e5F4g3H2'],
    ['AIzaSyFAKE-9xKq3LmN8pQ2rT5vW7yZ1bC4dE6f'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.4pcPyMD09olPSyXnrXCjTwXyr4Bs'],
  ])('finds %s', (secret) => {
    expect(values(`key: ${secret}`, 'secret')).toEqual([secret]);
  });

  it('finds the AWS secret access key after its cue', () => {
    const text = 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(values(text, 'secret')).toEqual(['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
  });

  it('takes a whole PEM private key block, or the base64 body after BEGIN when END is missing', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc==\n-----END RSA PRIVATE KEY-----';
    expect(values(`here:\n${pem}\nthanks`, 'secret')).toEqual([pem]);
    expect(values('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg', 'secret')).toEqual(['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg']);
    const encrypted = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEowIBAAKCAQEA7xyzAB12\n-----END RSA PRIVATE KEY-----';
    expect(values(encrypted, 'secret')).toEqual([encrypted]);
  });

  it('a BEGIN line without END stops at the end of the base64 body: the text after it stays', () => {
    const quoted = 'Uploading our IdP metadata fails with "missing -----BEGIN PRIVATE KEY----- header". We use Okta. Contact me at a@b.com';
    expect(redactPii(quoted).text).toBe('Uploading our IdP metadata fails with "missing -----BEGIN PRIVATE KEY----- header". We use Okta. Contact me at [EMAIL_1]');
    const truncated = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nMIIEvQIBADANBgkq\n\nThat is all I have. Thanks, Dana';
    expect(redactPii(truncated).text).toBe('[SECRET_1]\n\nThat is all I have. Thanks, Dana');
    // Newlines lost in a web form: base64 chunks separated by spaces.
    expect(redactPii('-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0BAQEFAASC abc= Thanks Dana').text).toBe('[SECRET_1] Thanks Dana');
  });

  it('a placeholder glued to a token does not hide it', () => {
    expect(redactPii('token: [EMAIL_1]Q8mZ2xR7vL4pT9nW3kB6yH1c').text).toBe('token: [SECRET_1]');
  });

  it('generic tokens after a cue must look random', () => {
    expect(values('api key: Q8mZ2xR7vL4pT9nW3kB6yH1c', 'secret')).toEqual(['Q8mZ2xR7vL4pT9nW3kB6yH1c']);
    expect(values('token=3f9a8c7e2b1d4f6a9c8e7d2b1a4f6e9c', 'secret')).toEqual(['3f9a8c7e2b1d4f6a9c8e7d2b1a4f6e9c']);
    expect(kinds('api key: my-integration-name-for-reporting')).toEqual([]);
    expect(kinds('the token expired yesterday')).toEqual([]);
  });

  it('documentation placeholders are not keys', () => {
    expect(kinds('Authorization: Bearer pk_live_xxxxxxxxxxxx')).toEqual([]);
  });
});

describe('detectPii', () => {
  it('returns sorted, non-overlapping findings: the more specific kind wins a tie', () => {
    const f = detectPii('password: 4111111111111111 and dana@holm.example');
    expect(f.map((x) => x.reason)).toEqual(['payment_card', 'email']);
    expect(f.every((x, i) => i === 0 || f[i - 1]!.end <= x.start)).toBe(true);
    expect(f.every((x) => x.detector === 'pii')).toBe(true);
  });

  it('a secret after a password cue is one secret', () => {
    expect(kinds('my password is sk_live_51HxT4aFAKEq9ZpL0cV3mNw8YbR2kJ7d')).toEqual(['secret']);
  });

  it('only the requested kinds', () => {
    const text = 'dana@holm.example, +44 20 7946 0958, 4111 1111 1111 1111';
    expect(detectPii(text, { kinds: ['email'] }).map((f) => f.reason)).toEqual(['email']);
    expect(detectPii(text, { kinds: [] })).toEqual([]);
  });

  it('spans are UTF-16 offsets into the original text, also after emoji and accents', () => {
    const text = '🙂 Grüße — écrivez à zoë@café.example? non: dana@holm.example';
    const [f] = detectPii(text);
    expect(text.slice(f!.start, f!.end)).toBe('dana@holm.example');
  });
});

describe('redactPii', () => {
  it('replaces each finding with a typed placeholder, numbered per kind', () => {
    const r = redactPii('Dana dana@holm.example, Jo jo@holm.example, card 4111 1111 1111 1111, call +44 20 7946 0958');
    expect(r.text).toBe('Dana [EMAIL_1], Jo [EMAIL_2], card [PAYMENT_CARD_1], call [PHONE_1]');
    expect(r.placeholders).toEqual(['[EMAIL_1]', '[EMAIL_2]', '[PAYMENT_CARD_1]', '[PHONE_1]']);
  });

  it('the same value gets the same placeholder, however it is written', () => {
    const r = redactPii('card 4111 1111 1111 1111, again 4111-1111-1111-1111, mail DANA@holm.example and dana@holm.example');
    expect(r.text).toBe('card [PAYMENT_CARD_1], again [PAYMENT_CARD_1], mail [EMAIL_1] and [EMAIL_1]');
  });

  it('findings refer to the original text', () => {
    const text = 'my password is hunter2! and my IBAN DE89 3704 0044 0532 0130 00';
    const r = redactPii(text);
    expect(r.findings.map((f) => text.slice(f.start, f.end))).toEqual(['hunter2!', 'DE89 3704 0044 0532 0130 00']);
  });

  it('every placeholder kind', () => {
    const r = redactPii(
      'card 4111111111111111 iban NL91ABNA0417164300 ssn 536-22-1470 mail a@b.example tel +44 20 7946 0958 password: Xy7!pass key sk_live_51HxT4aFAKEq9ZpL0cV3mNw8YbR2kJ7d',
    );
    expect(r.text).toBe('card [PAYMENT_CARD_1] iban [IBAN_1] ssn [NATIONAL_ID_1] mail [EMAIL_1] tel [PHONE_1] password: [PASSWORD_1] key [SECRET_1]');
    expect(r.placeholders.every(isPlaceholder)).toBe(true);
  });

  it('is idempotent: placeholders are never findings', () => {
    const once = redactPii('password: hunter2! mail dana@holm.example pin is 4821');
    const twice = redactPii(once.text);
    expect(twice.text).toBe(once.text);
    expect(twice.findings).toEqual([]);
  });

  it('resolves overlaps in linear time: 40,000 findings in well under a second', () => {
    const text = 'a@b.co '.repeat(40_000);
    const started = performance.now();
    expect(detectPii(text)).toHaveLength(40_000);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('numbering continues past 6 digits with placeholders that are still recognised', () => {
    const r = redactPii('[EMAIL_999999] x@y.com');
    expect(r.text).toBe('[EMAIL_999999] [EMAIL_1000000]');
    expect(r.placeholders.every(isPlaceholder)).toBe(true);
    expect(redactPii(r.text).text).toBe(r.text);
    // Numbers at the cap are not reserved: numbering never writes a placeholder it cannot read back.
    const big = redactPii('[EMAIL_999999999] x@y.com');
    expect(big.placeholders.every(isPlaceholder)).toBe(true);
    expect(redactPii(big.text).text).toBe(big.text);
  });

  it('finds what a neighbouring finding hid, and judges cues the same before and after redaction', () => {
    // One run of digits until the card is taken out.
    expect(redactPii('+44 20 7946 0958 4111 1111 1111 1111').text).toBe('[PHONE_1] [PAYMENT_CARD_1]');
    // "SSN" is as far from the number with the email as with its (shorter) placeholder.
    const once = redactPii('SSN dana@holm.example order 123456789');
    expect(redactPii(once.text).text).toBe(once.text);
  });

  it('continues the numbering after placeholders already in the text', () => {
    expect(redactPii('[EMAIL_1] wrote; now jo@holm.example').text).toBe('[EMAIL_1] wrote; now [EMAIL_2]');
  });

  it('leaves text without findings untouched', () => {
    const r = redactPii('nothing to see here');
    expect(r).toEqual({ text: 'nothing to see here', findings: [], placeholders: [] });
  });

  it('property: redaction is idempotent and leaves no finding, for texts mixing PII and noise', () => {
    const pieces = [
      'dana@holm.example', '4111 1111 1111 1111', 'DE89 3704 0044 0532 0130 00', 'SSN 536-22-1470', '+44 20 7946 0958',
      'my password is hunter2!', 'pwd=abc123', 'sk_live_51HxT4aFAKEq9ZpL0cV3mNw8YbR2kJ7d', 'order 123456789', '2024-01-15',
      'hello', ' ', '\n', '[EMAIL_1]', 'PIN is 1234', 'token: Q8mZ2xR7vL4pT9nW3kB6yH1c', 'é', '🙂', ',', '.', ':', '@', '-', '1',
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 12 }), (parts) => {
        const text = parts.join(' ');
        const once = redactPii(text);
        expect(redactPii(once.text).text).toBe(once.text);
        expect(detectPii(once.text)).toEqual([]);
        for (const f of once.findings) expect(f.end).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PLACEHOLDER_PATTERN / isPlaceholder', () => {
  it('match exactly the placeholders redactPii writes', () => {
    expect('a [EMAIL_1] b [PAYMENT_CARD_12] [FOO_1] [EMAIL_]'.match(PLACEHOLDER_PATTERN)).toEqual(['[EMAIL_1]', '[PAYMENT_CARD_12]']);
    expect(isPlaceholder('[SECRET_3]')).toBe(true);
    expect(isPlaceholder(' [SECRET_3]')).toBe(false);
    expect(isPlaceholder('[secret_3]')).toBe(false);
  });
});

describe('redactDeep', () => {
  it('returns a redacted copy and never mutates the input', () => {
    const input = { ticket: { text: 'mail dana@holm.example', tags: ['ok', 'call +44 20 7946 0958'], count: 3, ok: true, none: null } };
    const before = structuredClone(input);
    const out = redactDeep(input);
    expect(input).toEqual(before);
    expect(out).toEqual({ ticket: { text: 'mail [EMAIL_1]', tags: ['ok', 'call [PHONE_1]'], count: 3, ok: true, none: null } });
    expect(out.ticket).not.toBe(input.ticket);
    expect(out.ticket.tags).not.toBe(input.ticket.tags);
  });

  it('works on frozen input and on plain strings and numbers', () => {
    const frozen = Object.freeze({ a: Object.freeze(['pwd=abc123']) });
    expect(redactDeep(frozen)).toEqual({ a: ['pwd=[PASSWORD_1]'] });
    expect(redactDeep('dana@holm.example')).toBe('[EMAIL_1]');
    expect(redactDeep(42)).toBe(42);
    expect(redactDeep(null)).toBeNull();
  });

  it('one numbering for the whole value: the same email is the same placeholder everywhere', () => {
    expect(redactDeep(['a@b.example', { x: 'c@d.example', y: 'a@b.example' }])).toEqual(['[EMAIL_1]', { x: '[EMAIL_2]', y: '[EMAIL_1]' }]);
  });

  it('keeps a "__proto__" key as data, never touching the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "dana@holm.example"}}');
    const out = redactDeep(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: '[EMAIL_1]' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('handles the guaranteed depth of 32 (and more) without recursion', () => {
    let deep: unknown = 'dana@holm.example';
    for (let i = 0; i < 32; i++) deep = i % 2 ? { v: deep } : [deep];
    let out = redactDeep(deep) as unknown;
    for (let i = 31; i >= 0; i--) out = i % 2 ? (out as { v: unknown }).v : (out as unknown[])[0];
    expect(out).toBe('[EMAIL_1]');
    let tooDeep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) tooDeep = [tooDeep];
    expect(() => redactDeep(tooDeep)).not.toThrow();
  });
});
