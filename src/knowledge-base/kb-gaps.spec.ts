import { readFileSync } from 'node:fs';
import { placeholderLabel, redactPii } from '../guardrails/detectors/pii.js';
import { PII_KINDS } from '../guardrails/detectors/types.js';
import {
  GapGrouper,
  gapOf,
  gapTerms,
  groupGaps,
  MAX_INQUIRY_TERMS,
  MAX_VOCABULARY,
  truncateSample,
  withoutSignOff,
  type GapGroup,
  type GapInquiry,
} from './kb-gaps.js';

let seq = 0;
/** A gap inquiry created `day` days into November 2026 (ids in creation order unless given). */
function gap(text: string, day = 1, extra: Partial<GapInquiry> = {}): GapInquiry {
  seq++;
  return {
    ticket_id: `t-${String(seq).padStart(3, '0')}`,
    inquiry_text: text,
    category: 'technical',
    created_at: new Date(Date.UTC(2026, 10, day, 9, seq % 60)).toISOString(),
    best_match: 0.4,
    best_article: { id: 'kb-0018', title: 'Export workspace data' },
    reason: 'low_match',
    ...extra,
  };
}

const PDF = [
  'How can I export my report to PDF?',
  'Is there a PDF export for dashboards? I need to send one to my manager.',
  'Exporting a board as PDF gives me a blank file, how do I export to PDF properly?',
  'Please add the option to export tasks to a PDF document.',
  'Can I save the project overview as a PDF file to print it?',
];
const SAML = [
  'Our SAML SSO login with Okta fails with an invalid assertion error.',
  'SSO via SAML with Azure AD: users get "assertion expired" when logging in.',
  'How do I configure SAML single sign-on (SSO) for our identity provider?',
];
const LISBON = 'Do you have a physical office I can visit in Lisbon?';

/** The group holding a ticket. */
const groupOf = (groups: { group: GapGroup; ticket_ids: string[] }[], id: string) => groups.find((g) => g.ticket_ids.includes(id))!;

describe('groupGaps: topics', () => {
  it('makes one group of differently phrased PDF-export inquiries and one of SAML SSO ones, and leaves an unrelated inquiry alone', () => {
    const pdf = PDF.map((t, i) => gap(t, 1 + i));
    const saml = SAML.map((t, i) => gap(t, 2 + i, { category: 'general' }));
    const lone = gap(LISBON, 3);
    const grouper = new GapGrouper();
    for (const g of [...pdf, lone, ...saml]) grouper.add(g);
    const groups = grouper.finishWithMembers();

    expect(groups.map((g) => g.ticket_ids.length)).toEqual([5, 3, 1]);
    expect(groups[0]!.ticket_ids.sort()).toEqual(pdf.map((g) => g.ticket_id).sort());
    expect(groups[1]!.ticket_ids.sort()).toEqual(saml.map((g) => g.ticket_id).sort());
    expect(groups[2]!.ticket_ids).toEqual([lone.ticket_id]);
    expect(groups[0]!.group.topic.split(' / ')).toEqual(expect.arrayContaining(['pdf', 'export']));
    expect(groups[1]!.group.topic.split(' / ')).toEqual(expect.arrayContaining(['saml', 'sso']));
    expect(groups[2]!.group.topic).toMatch(/lisbon|office|physical/);
  });

  it('does not pull in an inquiry that shares one common word with a group', () => {
    const pdf = PDF.map((t) => gap(t));
    const upload = gap('My file upload fails halfway with an error.');
    const groups = new GapGrouper();
    for (const g of [...pdf, upload]) groups.add(g);
    const result = groups.finishWithMembers();
    expect(groupOf(result, upload.ticket_id).ticket_ids).toEqual([upload.ticket_id]);
    expect(groupOf(result, pdf[0]!.ticket_id).ticket_ids).toHaveLength(5);
  });

  it('never groups or labels by redaction placeholders', () => {
    // Different topics, the same placeholders: no group; and a text of placeholders only has no words.
    const a = gap('Please write to [EMAIL_1] or call [PHONE_1] about the Gantt chart for [EMAIL_2]');
    const b = gap('Send the invoice copy to [EMAIL_1], my number is [PHONE_1], card [PAYMENT_CARD_1]');
    const c = gap('[EMAIL_1] [PHONE_1] [PAYMENT_CARD_1] [IBAN_1] [SECRET_1]');
    const groups = groupGaps([a, b, c]);
    expect(groups.map((g) => g.count)).toEqual([1, 1, 1]);
    const words = groups.flatMap((g) => [...g.topic.split(' / '), ...g.terms]);
    expect(words.some((w) => /email|phone|payment|card_|iban|secret|_\d/.test(w))).toBe(false);
    expect(groups.find((g) => g.example_ticket_ids[0] === c.ticket_id)!.topic).toBe('(no words)');
  });

  it('ignores the placeholder of every PII kind, as the redactor writes them', () => {
    const text = PII_KINDS.map((k) => `[${placeholderLabel(k)}_12]`).join(' ');
    expect(gapTerms(text)).toEqual([]);
    const redacted = redactPii('Mail anna@example.com or +44 20 7946 0958 about the print layout').text;
    expect(redacted).toContain('[EMAIL_1]');
    expect(gapTerms(redacted).map((t) => t.stem)).toEqual(['mail', 'print', 'layout']);
  });

  it('drops numbers and support small talk; keeps the written form of each stem for labels', () => {
    expect(gapTerms("Hi, I tried 3 times today, it's urgent: printing boards!").map((t) => [t.stem, t.word])).toEqual([
      ['print', 'printing'],
      ['board', 'boards'],
    ]);
    const groups = groupGaps([gap('Printing the board fails'), gap('How do I print a board?'), gap('Print my board please')]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.topic).toBe('board / print');
  });

  it('gives the same groups whatever order the inquiries come in', () => {
    const all = [...PDF.map((t, i) => gap(t, 1 + i)), ...SAML.map((t, i) => gap(t, 3 + i)), gap(LISBON, 2), gap('Printing a board cuts off columns', 4)];
    const expected = groupGaps(all);
    for (let k = 1; k < 5; k++) {
      const shuffled = all.map((g, i) => ({ g, key: (i * 7919 * k) % 13 })).sort((a, b) => a.key - b.key).map((x) => x.g);
      expect(groupGaps(shuffled)).toEqual(expected);
    }
  });
});

describe('groupGaps: e-mail sign-offs and signatures', () => {
  const UNRELATED = [
    'Can I export my timesheets to an Excel spreadsheet?',
    'Is there a dark mode for the mobile app?',
    'Do you offer a nonprofit discount for charities?',
    'How do I embed a form on my WordPress site?',
    'Can guests comment on a shared calendar?',
  ];
  const PRINT2 = ['Can I print the board? The printout cuts off columns.', 'How do I print a board, columns are cut on paper'];

  it('cuts a text at its sign-off, wherever it starts, and keeps a text that opens with one', () => {
    expect(withoutSignOff('How do I print a board?\n\nKind regards,\nSent from my iPhone')).toBe('How do I print a board?\n');
    expect(withoutSignOff('Can I export to Excel? Looking forward to hearing from you. Thanks in advance')).toBe('Can I export to Excel');
    expect(withoutSignOff('Export fails.\nThanks,\nMaria Lopez\nAcme Logistics')).toBe('Export fails');
    expect(withoutSignOff('Export fails. Best, Maria')).toBe('Export fails');
    expect(withoutSignOff('My export fails\n--\nTom Jones | CTO')).toBe('My export fails');
    expect(withoutSignOff('With regards to my invoice, the VAT is wrong.\nRegards\nTom Jones')).toBe('With regards to my invoice, the VAT is wrong');
    // Nothing before it but a greeting: not a sign-off, the words stay.
    expect(withoutSignOff('Thanks in advance! How do I export to Excel?')).toBe('Thanks in advance! How do I export to Excel?');
    expect(withoutSignOff('Hi,\nThank you in advance.\nHow do I export to Excel?')).toContain('Excel');
    expect(gapTerms('Printing boards?\nKind regards,\nMaria Lopez\nSent from my iPhone').map((t) => t.stem)).toEqual(['print', 'board']);
    // Sign-off words written inline are small talk.
    expect(gapTerms('kind regards sincerely cheers').map((t) => t.stem)).toEqual([]);
  });

  it.each([
    ['a sign-off', '\n\nKind regards,\nSent from my iPhone'],
    ['a sign-off with a name', '\n\nLooking forward to hearing from you. Thanks in advance\nMaria Lopez\nBrightwave Logistics'],
    ['a signature the cut does not recognise (a name, a company)', '\n\nMaria Lopez\nHead of Operations, Brightwave Logistics Lisbon'],
  ])('does not group unrelated e-mails by %s, nor label a group with it', (_, signature) => {
    const unrelated = UNRELATED.map((t, i) => gap(t + signature, 1 + i));
    const print = PRINT2.map((t, i) => gap(t + signature, 10 + i));
    const grouper = new GapGrouper();
    for (const g of [...unrelated, ...print]) grouper.add(g);
    const groups = grouper.finishWithMembers();
    expect(groupOf(groups, print[0]!.ticket_id).ticket_ids.sort()).toEqual(print.map((g) => g.ticket_id).sort());
    for (const g of unrelated) expect(groupOf(groups, g.ticket_id).ticket_ids).toEqual([g.ticket_id]);
    const labels = groups.filter((g) => g.ticket_ids.length > 1).flatMap((g) => [...g.group.topic.split(' / '), ...g.group.terms]);
    expect(labels.filter((w) => /kind|regards|iphone|maria|lopez|brightwave|logistics|operations|head|lisbon|forward|advance/.test(w))).toEqual([]);
  });

  it('still groups a topic most of the gaps are about (its words come first, not in a signature)', () => {
    const wave = PDF.map((t, i) => gap(`${t}\n\nKind regards,\nMaria`, 1 + i));
    const other = gap('Do you have a physical office I can visit in Lisbon?', 9);
    const groups = groupGaps([...wave, other]);
    expect(groups.map((g) => g.count)).toEqual([5, 1]);
    expect(groups[0]!.topic.split(' / ')).toEqual(expect.arrayContaining(['pdf']));
  });
});

describe('groupGaps: bounded work on long texts', () => {
  it('drops tokens longer than 20 characters and codes with digits, keeps short product words like 2fa', () => {
    const stems = gapTerms('Error 0x80070005 in build a1b2c3d4e5 with supercalifragilisticexpialidocious, 2fa and mp4 upload').map((t) => t.stem);
    expect(stems).toEqual(['error', 'build', '2fa', 'mp4', 'upload']);
  });

  it('keeps an inquiry\'s first MAX_INQUIRY_TERMS distinct terms: words after them join nothing', () => {
    const filler = (k: string) => Array.from({ length: MAX_INQUIRY_TERMS }, (_, i) => `filler${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x${k}`).join(' ');
    // Two inquiries that share only words written after 64 distinct terms of their own.
    const a = gap(`${filler('a')} gantt chart timeline`, 1);
    const b = gap(`${filler('b')} gantt chart timeline`, 2);
    expect(groupGaps([a, b]).map((g) => g.count)).toEqual([1, 1]);
    // The same words first: one group.
    expect(groupGaps([gap(`gantt chart timeline ${filler('c')}`, 1), gap(`gantt chart timeline ${filler('d')}`, 2)]).map((g) => g.count)).toEqual([2]);
  });

  it('stops learning new words at MAX_VOCABULARY; what it knows still groups', () => {
    const grouper = new GapGrouper();
    grouper.add(gap('How do I print my board?', 1, { ticket_id: 'p1' }));
    let w = 0;
    const unique = () => (w++).toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[+d]!);
    for (let i = 0; w < MAX_VOCABULARY + 1_000; i++) grouper.add(gap(Array.from({ length: 60 }, unique).join(' '), 2, { ticket_id: `n${i}` }));
    grouper.add(gap('Printing a board cuts off columns', 3, { ticket_id: 'p2' }));
    const print = grouper.finishWithMembers().find((g) => g.ticket_ids.includes('p1'))!;
    expect(print.ticket_ids.sort()).toEqual(['p1', 'p2']);
  });

  it('finishAsync gives what finish gives, and lets the event loop run while it groups', async () => {
    const inquiries = Array.from({ length: 3_000 }, (_, i) => gap(`${PDF[i % 5]} ${SAML[i % 3]} item${String.fromCharCode(97 + (i % 26))}`, 1 + (i % 28), { ticket_id: `a-${i}` }));
    const sync = new GapGrouper();
    const async = new GapGrouper();
    for (const g of inquiries) {
      sync.add(g);
      async.add(g);
    }
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const immediate = new Promise<number>((resolve) => setImmediate(() => resolve(ticks)));
    let ranBefore = false;
    void immediate.then(() => (ranBefore = true));
    const result = await async.finishAsync({ limit: 20 });
    clearInterval(timer);
    expect(ranBefore).toBe(true);
    expect(result).toEqual(sync.finish({ limit: 20 }));
  });
});

describe('groupGaps: what a group says', () => {
  it('counts, categories, first and last seen, newest examples, samples, closest article and reasons', () => {
    const members = [
      gap('How can I export my report to PDF?', 1, { category: 'billing', best_match: 0.2, best_article: { id: 'kb-0025', title: 'Invoices' } }),
      gap('PDF export of the report is missing', 2, { category: null, best_match: null, best_article: null, reason: 'no_article' }),
      gap('Export the report as PDF please', 3, { best_match: 0.55, best_article: { id: 'kb-0018', title: 'Export workspace data' } }),
      gap('Report export to PDF does not exist?', 4),
      gap('I want a PDF export of each report', 5),
      gap('Export my weekly report into a PDF', 6),
      gap(`Where is the PDF export for the report? ${'Lots of detail here. '.repeat(40)}`, 7),
    ];
    const [group, ...rest] = groupGaps(members);
    expect(rest).toEqual([]);
    expect(group).toMatchObject({
      count: 7,
      categories: { technical: 5, billing: 1, uncategorized: 1 },
      first_seen: members[0]!.created_at,
      last_seen: members[6]!.created_at,
      example_ticket_ids: members.slice(2).reverse().map((g) => g.ticket_id),
      closest_article: { id: 'kb-0018', title: 'Export workspace data', best_match: 0.55 },
      reasons: { no_article: 1, low_match: 6 },
    });
    expect(Object.keys(group!.categories)).toEqual(['technical', 'billing', 'uncategorized']);
    expect(group!.sample_inquiries.length).toBe(3);
    for (const s of group!.sample_inquiries) expect(s.length).toBeLessThanOrEqual(300);
    expect(new Set(group!.sample_inquiries).size).toBe(3);
    expect(group!.terms.slice(0, 3).sort()).toEqual(['export', 'pdf', 'report']);
  });

  it('has no closest article when the knowledge base returned none', () => {
    const [group] = groupGaps([gap('Gantt chart view?', 1, { best_match: null, best_article: null, reason: 'no_article' }), gap('Is there a Gantt chart?', 2, { best_match: null, best_article: null, reason: 'no_article' })]);
    expect(group).toMatchObject({ count: 2, closest_article: null, reasons: { no_article: 2, low_match: 0 } });
  });

  it('sorts by count, then by the most recent ticket', () => {
    const groups = groupGaps([
      gap('Gantt chart view for projects', 1),
      gap('Is there a Gantt chart view?', 2),
      gap('Custom domain for the portal', 3),
      gap('Can the portal use our custom domain?', 9),
      ...PDF.map((t) => gap(t, 5)),
    ]);
    expect(groups.map((g) => [g.count, g.topic.includes('domain') ? 'domain' : g.topic.includes('gantt') ? 'gantt' : 'pdf'])).toEqual([
      [5, 'pdf'],
      [2, 'domain'],
      [2, 'gantt'],
    ]);
  });

  it('is empty for no inquiries and refuses an unreadable date', () => {
    expect(groupGaps([])).toEqual([]);
    expect(() => groupGaps([gap('x', 1, { created_at: 'yesterday' })])).toThrow(RangeError);
  });
});

describe('truncateSample', () => {
  it('collapses whitespace and cuts at 300 characters with an ellipsis, never inside a surrogate pair', () => {
    expect(truncateSample('  a\n\n b\tc  ')).toBe('a b c');
    const long = truncateSample('word '.repeat(100));
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long.endsWith('…')).toBe(true);
    const emoji = truncateSample(`${'a'.repeat(298)}😀 tail`);
    expect(emoji).toBe(`${'a'.repeat(298)}…`);
    expect(emoji.isWellFormed()).toBe(true);
    expect(truncateSample('x'.repeat(300))).toBe('x'.repeat(300));
  });
});

describe('gapOf: which escalations are knowledge-base gaps', () => {
  const LOW = 'Escalated: no knowledge-base article fits well enough (best kb-0007: match 0.41, threshold 0.6; 2 of 6 query terms). Articles consulted: kb-0007, kb-0014.';
  const NONE = 'Escalated: the knowledge base has no article for this inquiry.';
  const KB = {
    consulted: [
      { id: 'kb-0007', title: 'Mobile app crashes', match: 0.41, score: 20 },
      { id: 'kb-0014', title: 'Web app slow', match: 0.52, score: 12 },
    ],
    best_match: 0.52,
    threshold: 0.6,
    no_article_fit: true,
  };
  const escalated = (notes: string, kb?: unknown) => ({ status: 'escalated', output: { resolution_notes: notes }, ...(kb === undefined ? {} : { kb }) });

  it('reads events stored before the kb summary from their notes', () => {
    expect(gapOf(escalated(LOW), 'print my board', 500)).toEqual({ reason: 'low_match', best_match: 0.41, best_article: { id: 'kb-0007', title: null } });
    expect(gapOf(escalated(NONE), 'print my board', 500)).toEqual({ reason: 'no_article', best_match: null, best_article: null });
    expect(gapOf(escalated(NONE, null), 'x', 500)).toEqual({ reason: 'no_article', best_match: null, best_article: null });
  });

  it('takes the article the policy judged from the notes, with its title from the kb summary', () => {
    // kb.best_match is the best of any hit; the notes name the first hit, which the policy judged.
    expect(gapOf(escalated(LOW, KB), 'x', 500)).toEqual({ reason: 'low_match', best_match: 0.41, best_article: { id: 'kb-0007', title: 'Mobile app crashes' } });
    // A policy that escalated although an article passed the threshold (too few terms in common) is still a gap.
    expect(gapOf(escalated(LOW, { ...KB, best_match: 1, no_article_fit: false }), 'x', 500)?.reason).toBe('low_match');
  });

  it('is not a gap when the escalation had another reason, whatever the match', () => {
    for (const notes of [
      'Escalated to security: possible security incident. Articles consulted: kb-0022.',
      'Escalated to billing: refund request of 900 above the automatic limit of 500. Articles consulted: none.',
      'Escalated for human review: the reply policy guardrail withheld the proposed answer (reply_policy: pii).',
      'Escalated: the proposed answer was withheld because it cites no article the knowledge base returned (retrieved: kb-0001).',
      'Escalated to billing: issue_refund was not executed (declined); proposed: refund 20 EUR.',
    ]) {
      expect([notes, gapOf(escalated(notes, KB), 'print my board', 500)]).toEqual([notes, null]);
    }
    expect(gapOf({ status: 'resolved', output: { resolution_notes: 'Used KB article kb-0001.' }, kb: KB }, 'x', 500)).toBeNull();
    expect(gapOf({ status: 'pending further action', output: { resolution_notes: NONE } }, 'x', 500)).toBeNull();
  });

  it('is not a gap when the run took or was refused an account action (a model escalating after a declined refund)', () => {
    const model = 'The refund could not be completed, so a teammate from billing will follow up with the customer.';
    const declined = { executed: false, action: 'issue_refund', summary: 'Refund 30.00 EUR', refused_reason: 'a person declined this action' };
    expect(gapOf({ ...escalated(model, KB), actions: [declined] }, 'Please refund the duplicate charge', 500)).toBeNull();
    expect(gapOf({ ...escalated(NONE, KB), actions: [{ executed: true, action: 'resend_invoice' }] }, 'x', 500)).toBeNull();
    expect(gapOf({ ...escalated(model, KB), actions: [] }, 'How do I print my board?', 500)?.reason).toBe('low_match');
  });

  it("trusts kb.no_article_fit for a model's own notes, unless the inquiry is one a person must handle anyway", () => {
    const model = 'No article covers printing boards; escalating to a human agent.';
    expect(gapOf(escalated(model, KB), 'How do I print my board?', 500)).toEqual({ reason: 'low_match', best_match: 0.52, best_article: { id: 'kb-0014', title: 'Web app slow' } });
    expect(gapOf(escalated(model, { consulted: [], best_match: null, threshold: 0.6, no_article_fit: true }), 'x', 500)).toEqual({
      reason: 'no_article',
      best_match: null,
      best_article: null,
    });
    expect(gapOf(escalated(model, KB), 'Someone hacked my account and changed my password', 500)).toBeNull();
    expect(gapOf(escalated(model, KB), 'I want a refund of $900 for last month', 500)).toBeNull();
    expect(gapOf(escalated(model, { ...KB, no_article_fit: false }), 'How do I print my board?', 500)).toBeNull();
    expect(gapOf(escalated(model), 'How do I print my board?', 500)).toBeNull();
    expect(gapOf(escalated(model, 'garbage'), 'How do I print my board?', 500)).toBeNull();
  });
});

describe('groupGaps on labelled inquiries (data/eval: queries and tickets with the article that answers them)', () => {
  // Paraphrases, typos and long e-mails about 44 articles: as if the knowledge base had none of them.
  const texts = new Map<string, string>();
  for (const f of ['technical', 'billing', 'general']) {
    for (const line of readFileSync(`data/triage/${f}.jsonl`, 'utf8').split('\n').filter(Boolean)) {
      const x = JSON.parse(line) as { id: string; text: string };
      texts.set(x.id, x.text);
    }
  }
  const labelled: { text: string; relevant: string[] }[] = [];
  for (const line of readFileSync('data/eval/kb-queries.jsonl', 'utf8').split('\n').filter(Boolean)) {
    const q = JSON.parse(line) as { query: string; relevant?: string[] };
    if (q.relevant?.length) labelled.push({ text: q.query, relevant: q.relevant });
  }
  for (const f of ['kb-relevance-technical', 'kb-relevance-billing-general']) {
    for (const line of readFileSync(`data/eval/${f}.jsonl`, 'utf8').split('\n').filter(Boolean)) {
      const x = JSON.parse(line) as { id: string; relevant?: string[] };
      if (x.relevant?.length && texts.has(x.id)) labelled.push({ text: texts.get(x.id)!, relevant: x.relevant });
    }
  }

  it('groups inquiries about the same article together (purity ≥ 0.8 over the inquiries it groups)', () => {
    const grouper = new GapGrouper();
    labelled.forEach((l, i) => grouper.add(gap(l.text, 1, { ticket_id: String(i) })));
    const groups = grouper.finishWithMembers().filter((g) => g.ticket_ids.length > 1);
    let grouped = 0;
    let pure = 0;
    for (const { ticket_ids } of groups) {
      // The article most members are about; a member counts when it is about that article.
      const votes = new Map<string, number>();
      for (const id of ticket_ids) for (const a of labelled[Number(id)]!.relevant) votes.set(a, (votes.get(a) ?? 0) + 1);
      const [top] = [...votes].sort((a, b) => b[1] - a[1])[0]!;
      grouped += ticket_ids.length;
      pure += ticket_ids.filter((id) => labelled[Number(id)]!.relevant.includes(top)).length;
    }
    // Measured: 508 inquiries, 192 in 76 groups, purity 0.87. Lexical grouping cannot join
    // paraphrases without a word in common (most of these), so many stay alone.
    expect(labelled.length).toBeGreaterThan(500);
    expect(grouped).toBeGreaterThanOrEqual(150);
    expect(pure / grouped).toBeGreaterThanOrEqual(0.8);
  });
});

describe('groupGaps at scale', () => {
  // Synthetic: 300 topics of 6 words, each inquiry some of its topic's words among 8-38 words
  // drawn from a 5,000-word Zipf vocabulary (a harder mix than real inquiries: mostly noise).
  function synthetic(n: number): GapInquiry[] {
    let state = 42;
    const rnd = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const syllables = ['ka', 'lo', 'mi', 'ren', 'tor', 'sa', 'vi', 'nel', 'dro', 'pu', 'qua', 'ster', 'ling', 'ox', 'bar', 'fen'];
    const vocab = Array.from({ length: 5000 }, () => Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => syllables[Math.floor(rnd() * 16)]).join(''));
    const zipf = () => vocab[Math.min(vocab.length - 1, Math.floor(Math.exp(rnd() * Math.log(vocab.length))))]!;
    const topics = Array.from({ length: 300 }, () => Array.from({ length: 6 }, () => vocab[Math.floor(rnd() * vocab.length)]!));
    return Array.from({ length: n }, (_, i) => {
      const topic = topics[Math.floor(rnd() ** 2 * topics.length)]!;
      const words = [...topic.filter(() => rnd() < 0.5), ...Array.from({ length: 8 + Math.floor(rnd() * 30) }, zipf)];
      return gap(`Hello, ${words.join(' ')}. Reach me at [EMAIL_1].`, 1 + (i % 28), { ticket_id: `s-${i}` });
    });
  }
  /** Best of three: the time to group them and describe the 20 largest groups (what the route does). */
  const time = (inquiries: GapInquiry[]) => {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      const grouper = new GapGrouper();
      for (const g of inquiries) grouper.add(g);
      grouper.finish({ limit: 20 });
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };

  it('grows about linearly: 4× the inquiries take well under 16× the time (no pairwise comparison)', () => {
    groupGaps(synthetic(500)); // warm-up (JIT)
    const small = time(synthetic(1_500));
    const large = time(synthetic(6_000));
    expect(large / small).toBeLessThan(8);
  });
});
