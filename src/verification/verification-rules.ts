/**
 * Resolution verification rules (docs/verification.md). Pure: what a customer's follow-up says
 * about an automated "resolved" (`followUpVerdict`), and the fold over a ticket's events that
 * decides whether that resolution held (`verifyResolution`). The service reads the rows, asks the
 * LLM judge about the follow-ups the rules cannot read (OpenAI backend only) and stores the result.
 *
 * Every pattern is linear-time: alternations of literals, bounded repetitions of letter-only
 * words separated by single spaces (the text is normalised first), no nested quantifiers over
 * overlapping classes.
 */

// ---- follow-up messages ---------------------------------------------------------------------

export type FollowUpVerdict = 'confirmed' | 'not_resolved' | 'unclear';

export interface FollowUp {
  verdict: FollowUpVerdict;
  /** The phrase that decided (as normalised: lowercase, no accents), when one did. */
  cue?: string;
}

/** Longer texts are read up to here (a follow-up is a few lines; the cap bounds the work). */
const MAX_CHARS = 20_000;

/** A negation in front of a verb: not, never, no longer, unable to, any "n't" (with or without the apostrophe). */
const NEG = String.raw`(?:not|never|cannot|can not|no longer|unable to|(?:do|does|did|is|are|was|were|has|have|had|could|would|will|wo|ca|should|ai)n'?t)`;
/** Words allowed between a negation and its verb ("doesn't really work", "haven't been able to log in"). */
const FILLER = String.raw`(?: (?:really|actually|quite|even|still|yet|fully|properly|exactly|seem to|seems to|always|entirely|completely|at all|been able to|be able to|able to|been|be|to|me|us|it))`;
/** Verbs whose negation means the problem is still there. */
const SUCCESS_VERB = String.raw`(?:work(?:s|ed|ing)?|help(?:s|ed|ing|ful)?|fix(?:es|ed)?|solve[sd]?|resolve[sd]?|load(?:s|ed|ing)?|open(?:s|ed|ing)?|log ?in|logging in|sign ?in|signing in|login|access|receive[sd]?|arrive[sd]?|get (?:in|through|it to work)|go(?:es)? through|went through|let me|find|make (?:a|any) difference|change anything|do anything|do the trick|answer(?:s|ed)?|sync(?:s|ed)?|send|sent)`;
/** Verbs whose negation means the problem is gone ("doesn't crash any more"). */
const PROBLEM_VERB = String.raw`(?:crash(?:es|ed|ing)?|fail(?:s|ed|ing)?|freez(?:e|es|ing)|froze|hang(?:s|ing)?|error(?:s|ed)?(?: out)?|bounce[sd]?|time[sd]? out|lock(?:s|ed)? (?:me |us )?out|happen(?:s|ed)? (?:again|any ?more|since)|occur(?:s|red)? (?:again|any ?more|since)|appear(?:s|ed)? (?:again|any ?more|since)|come back|came back|break|broke|charge[sd]? (?:me |us )?twice)`;
/** Nouns naming the problem. */
const PROBLEM_NOUN = String.raw`(?:error messages?|errors?|issues?|problems?|bugs?|crash(?:es)?|warnings?|pop ?ups?|double charges?)`;

const re = (source: string) => new RegExp(source);

/**
 * "The problem is gone" phrased with a negation ("I no longer get the error", "no more crashes",
 * "ya no da error", "kein Fehler mehr"). Read first and blanked out, so the negative patterns
 * below do not mistake them for complaints.
 */
const PROBLEM_GONE: RegExp[] = [
  re(String.raw`\b${NEG}${FILLER}{0,2} ${PROBLEM_VERB}(?: any ?more| again| since| now)?\b`),
  re(String.raw`\b${NEG}${FILLER}{0,2} (?:get|getting|see|seeing|have|having|receive|receiving)(?: any| the| an| a| that| this)?(?: same)? ${PROBLEM_NOUN}(?: any ?more| again| since| now)?\b`),
  re(String.raw`\bno (?:more |further |other |longer any )?${PROBLEM_NOUN}\b`),
  re(String.raw`\b${PROBLEM_NOUN} (?:is |are |has |have )?(?:been )?(?:gone|disappeared|fixed|resolved|solved)\b`),
  re(String.raw`\bwithout (?:any |the )?${PROBLEM_NOUN}\b`),
  // es, de, fr, pt, it
  /\bya no (?:sale|aparece|da|tengo|hay|me da) (?:el |ningun |ese |mas )?(?:error|problema|fallo)\b/,
  /\bkeine?n? (?:fehler|fehlermeldung|probleme?)\w* mehr\b/,
  /\b(?:fehler|fehlermeldung|absturz|probleme?)\w*(?: [a-z]+){0,3}? (?:nicht|nie) mehr\b/,
  /\bplus (?:d'|de |aucune? )(?:erreur|probleme|bug)s?\b/,
  /\bnao (?:da|aparece|tenho) mais (?:o |nenhum )?(?:erro|problema)\b/,
  /\bnon (?:da|ho|c'e) piu (?:l'|nessun )?(?:errore|problema)\b/,
];

const PROBLEM_GONE_ALL = PROBLEM_GONE.map((p) => new RegExp(p.source, 'g'));

/** The problem is still there: any of these decides "not_resolved", whatever else the text says. */
const NOT_RESOLVED: RegExp[] = [
  // "doesn't work", "didn't help", "can't log in", "haven't received", "not fixed", "no longer works"
  re(String.raw`\b${NEG}${FILLER}{0,2} ${SUCCESS_VERB}\b`),
  // "still broken", "still doesn't", "still getting the same error", "still waiting"
  re(
    String.raw`\bstill(?: [a-z']+){0,3}? (?:${NEG}|no|nothing|broken|the same|same|waiting|stuck|locked|down|wrong|unable|fail\w*|crash\w*|error\w*|issue\w*|problem\w*|happen\w*|charg\w*|getting (?:an?|the|this|that)? ?${PROBLEM_NOUN}|seeing (?:an?|the|this|that)? ?${PROBLEM_NOUN}|having (?:an?|the|this|that)? ?${PROBLEM_NOUN})\b`,
  ),
  re(String.raw`\b(?:same|another|a different|different|new) (?:error|issue|problem|thing|message|result|screen|behaviou?r)s?\b`),
  re(String.raw`\b(?:get|gets|getting|see|sees|seeing|have|has|having|receive|receiving|shows?|showing|gives?|giving|throws?|throwing|says?|saying)(?: me)?(?: an?| the| this| that| same| another| some)? ${PROBLEM_NOUN}\b`),
  /\b(?:broke|broken|fail\w*|crash\w*|happen\w*|down|stuck|locked out|error\w*) again\b/,
  re(String.raw`\b${PROBLEM_NOUN} (?:is |are |has |have )?(?:back|came back|come back|returned|reappeared|persists?|remains?)\b`),
  /\b(?:is|'s|are|was|still|completely|totally|now) broken\b/,
  /\b(?:stopped|stops|quit) working\b/,
  /\bno (?:luck|change|difference|joy|improvement|success|email|e-mail|code|link|sms)\b/,
  /\bnothing (?:changed|happen\w*|work\w*|helped|loads?)\b/,
  /\b(?:wrong|incorrect|irrelevant) (?:answer|article|info\w*|link|steps?|instructions?|solution)\b|\bunhelpful\b|\buseless\b|\bsomething (?:is|'s) wrong\b/,
  /\bnot (?:what i (?:asked|need|needed|meant|wanted)|the (?:right|correct) (?:answer|article|one)|relevant)\b|\bthat'?s not (?:it|right|correct)\b/,
  /\b(?:please )?re-?open\b/,
  /\b(?:talk|speak|chat) (?:to|with) (?:an? |the |some )?(?:someone|somebody|human|person|real|agent|manager|supervisor)\b|\ban? (?:human|real person|real agent)\b|\bescalate\b/,
  /\bbut not\b|\bexcept (?:for|that|when|on|in)\b/,
  // "thanks anyway": thanked for the effort, not for a fix
  /\bthanks? (?:you )?any ?ways?\b/,
  /\b(?:charged|billed) (?:me |us )?(?:twice|again|double)\b|\bdouble[- ]charged\b/,
  /\b(?:already|i'?ve|i have|we'?ve) tried (?:that|this|it|those|these)\b|\btried (?:that|this|it|those|these) already\b|\balready did (?:that|this)\b/,
  /\bstill need(?:s)? (?:help|assistance|support)\b|\bneed more help\b/,
  // "thanks for nothing": sarcasm, not a signature
  /\b(?:thanks?|thank you|thx|ty)(?: (?:so much|very much|a lot))? for nothing\b/,
  // "... but today it doesn't.": a negation that ends its clause, its verb left out
  /\b(?:it|that|this|they|he|she) (?:still |just |simply )?(?:does ?n'?t|does not|did ?n'?t|did not|is ?n'?t|is not|was ?n'?t|was not|are ?n'?t|are not|wo ?n'?t|will not|ca ?n'?t|cannot)(?: (?:any ?more|again|now|today|at all))?(?= ?(?:[.!?,;]|$))/,
  // "now the app crashes", "it keeps failing": a new problem, said in the affirmative
  /\b(?:now|today|since then|and then) (?:the |my |it |this |that )?(?:[a-z]+ )?(?:crash(?:es|ing)?|freez(?:es|ing)|hangs|fails|keeps (?:crashing|failing|freezing|hanging))\b|\bkeeps? (?:crashing|failing|freezing|hanging|erroring|logging (?:me|us) out)\b/,
  // "all my files are gone": something lost along the way
  /\b(?:files?|data|photos?|pictures?|documents?|emails?|contacts?|history|settings|money|content|orders?|invoices?|projects?|everything) (?:is |are |has |have |was |were |seems? to be )?(?:been )?(?:all )?(?:gone|missing|lost|deleted|disappeared|wiped|empty)\b/,
  // es
  /\bno (?:me )?(?:funciona|funciono|sirve|sirvio|ayudo|ha funcionado|se soluciono|se resolvio|puedo)\b|\bsigue (?:sin|igual|fallando|el (?:mismo )?(?:error|problema))\b|\btodavia (?:no|tengo|sigue|falla)\b|\baun no\b|\bmismo (?:error|problema)\b/,
  // fr
  /\bn(?:e |')(?:[a-z']+ )?(?:marche|fonctionne|aide|resout|regle)\w*(?: plus\b| (?:toujours |encore )?pas\b)|\b(?:marche|fonctionne|aide|resout|regle)\w* (?:toujours |encore |vraiment |)pas\b|\b(?:ca|cela|rien) (?:marche|fonctionne)\w* plus\b(?! (?:vite|rapide|facilement|simplement|fluide)\b)|\btoujours (?:pas|le meme|la meme|bloque|en panne|une erreur|l'erreur)\b|\bmeme (?:erreur|probleme)\b|\bpas (?:resolu|regle)\b/,
  // de
  /\b(?:funktioniert|funktionierte|klappt|klappte|geht|ging|hilft|half|hat)(?: [a-z]+){0,3}? (?:nicht|nie)\b|\bhat (?:leider |uberhaupt |gar )?nichts (?:gebracht|geholfen|geandert)\b|\b(?:immer noch|noch immer) (?:[a-z]+ ){0,2}?(?:nicht|kein\w*|kaputt|fehler\w*|gleich\w*|dasselbe|problem\w*)|\b(?:gleiche|selbe|derselbe|dieselbe) (?:fehler|problem)\b|\bnicht (?:gelost|behoben|geholfen|funktioniert)\b/,
  // pt
  /\bnao (?:funciona|funcionou|resolveu|ajudou|deu certo|consigo)\b|\bainda nao\b|\bmesmo (?:erro|problema)\b|\bcontinua (?:sem|com|dando|o mesmo)\b/,
  // it
  /\bnon (?:funziona|ha funzionato|mi ha aiutato|e risolto|va|riesco)\b|\bancora (?:non|lo stesso|la stessa|errore)\b|\bstesso (?:errore|problema)\b/,
  // nl
  /\bwerkt (?:nog steeds |nog |nu |helaas )?niet\b|\bnog steeds\b|\bniet (?:opgelost|geholpen)\b/,
];

/**
 * The customer solved it some other way, or gave up: their problem may be gone, but nothing says
 * the agents' answer did it. Unclear (the judge, with the conversation, may still decide).
 */
const SELF_FIXED = /\b(?:fixed|solved|sorted|figured|worked|resolved) (?:it |this |that )?(?:out )?(?:myself|ourselves|on my own|on our own|by myself)\b|\bnever ?mind\b|\bfigured it out\b|\bdon'?t need (?:it|help|this) any ?more\b/;

/** Not tried yet, or not sure: unclear, even next to a "thanks" or an "it works". */
const HEDGE =
  /\b(?:not sure|unsure|i'?ll try|i will try|will try|let me try|going to try|gonna try|try (?:it|that|this) (?:later|tomorrow|tonight|soon)|have ?n'?t tried|not tried|did ?n'?t try|(?:will|i'?ll|let me) (?:check|test|see|look)|(?:will|i'?ll) (?:let you know|get back to you|report back)|we'?ll see|fingers crossed|hopefully)\b/;

/** It worked. */
const CONFIRMED: RegExp[] = [
  /\b(?:it|that|this|everything|all|the (?:[a-z]+ )?(?:fix|steps?|solution|link|reset|instructions?|article|workaround|answer)|your (?:[a-z]+ )?(?:answer|solution|suggestion|fix|steps?|instructions?|article|reply|advice)) (?:now |finally |really |actually |totally |definitely |just |indeed |did )?(?:works?|worked|helped|did it|did the trick|fixed it|solved it|sorted it|resolved it|answered my question|was it|is fixed|is solved|is resolved|is sorted)\b/,
  /\b(?:it|that|this|everything|all|the problem|the issue|my (?:account|login|password|app|problem|issue))(?:'s| is| was| has been| seems| seems to be| appears)(?: now| finally| all| definitely| really)? (?:working|fixed|solved|resolved|sorted(?: out)?|back to normal|all set|(?:fine|ok|okay|good) now)\b/,
  /\b(?:works?|working|worked) (?:now|again|fine|perfectly|great|well|like a charm|for me|for us)\b/,
  /\b(?:fixed|solved|resolved|sorted)(?: it)? now\b|\b(?:all|everything) (?:good|set|sorted|fine|working|ok|okay)\b|\b(?:all|got it|that) sorted\b|\bsorted now\b/,
  /\b(?:problem|issue|question) (?:is |has been )?(?:solved|resolved|fixed|answered|sorted)\b|\bproblem solved\b|\ball fixed\b/,
  /\b(?:exactly|just) what i (?:needed|was looking for)\b|\b(?:that|this) (?:is|was) (?:exactly )?(?:it|the answer|what i needed)\b|\bmakes sense now\b/,
  /\b(?:i|we) (?:can|could|was able to|were able to|am able to|are able to|managed to) (?:now |finally |again )?(?:log ?in|sign ?in|login|access|get in|see|open|reset|download|pay|connect|use)\b/,
  /\bi'?m (?:back )?in(?: now| again)?(?=[.!,]|$)|\b(?:i'?m|we'?re) back in\b|\b(?:i'?m|we'?re) (?:all set|good to go|sorted)\b/,
  /\b(?:got it|got that) (?:working|to work)\b/,
  /\b(?:you can|please|feel free to|go ahead and) close (?:it|this|the ticket|this ticket|the case)\b|\bclose (?:the|this) ticket\b/,
  /^(?:(?:yes|yep|yeah|yup|ok|okay|great|awesome|perfect|thanks|thank you)[ ,!.-]*)?(?:fixed|solved|resolved|sorted|works|worked|working)\b/,
  // es, fr, de, pt, it, nl
  /\b(?:ya )?(?:funciona|funciono|sirvio)\b|\b(?:quedo )?(?:resuelto|solucionado)\b|\bse soluciono\b|\btodo bien\b/,
  /\b(?:ca|cela|tout) (?:marche|fonctionne)\b(?! (?:toujours |encore |vraiment )?pas\b| plus\b(?! (?:vite|rapide|facilement|simplement|fluide)\b))|\bc'est (?:regle|resolu|bon)\b|\b(?:resolu|regle)\b/,
  /\b(?:funktioniert|klappt|geht) (?:jetzt|wieder|nun)\b|\b(?:es|das) (?:funktioniert|klappt)\b|\bhat (?:geklappt|funktioniert|geholfen)\b|\b(?:gelost|erledigt|behoben)\b|\balles (?:gut|klar|bestens)\b/,
  /\b(?:funcionou|funciona agora|deu certo|resolvido|resolveu)\b/,
  /\b(?:funziona|ha funzionato|risolto|tutto ok|tutto a posto)\b/,
  /\bhet werkt\b|\bwerkt (?:nu|weer)\b|\bopgelost\b/,
];

/**
 * Something more than the confirmation: a contrast ("but", "however", "although", "except",
 * "aber", "mais", "pero", "maar"...), an addition or a request ("also", "please" + a request,
 * "can you"), or a question. Next to an "it worked" it makes the reply ambiguous: unclear (a
 * complaint cue, read before, has already made it not resolved).
 */
const CONTRAST =
  /\?|\b(?:but|however|although|though|except|also|aber|allerdings|jedoch|ausser|mais|cependant|sauf|pero|sin embargo|excepto|salvo|tuttavia|tranne|maar|echter|behalve|porem|contudo|exceto)\b|(?:^|[,.;!] ?)mas\b|\b(?:please|pls|plz)(?= (?!close|mark|feel free|go ahead)[a-z])|\b(?:can|could|would) you\b/;

/** Gratitude: a message of nothing else (and polite words) closes the conversation. */
const GRATITUDE =
  /\b(?:thank ?(?:you|u)|thanks?|thx|tx|ty|tysm|cheers|much appreciated|appreciated?|appreciate (?:it|that|your help|the help)|many thanks|can'?t thank you enough|gracias|merci|danke|vielen dank|dank je(?: wel)?|dankjewel|bedankt|obrigad[oa]|grazie)\b|[\u{1F44D}\u{1F64F}\u{1F44C}\u{2705}]/u;
const APPROVAL = /\b(?:perfect|awesome|excellent|brilliant|wonderful|fantastic|great|super|genial|parfait|prima|perfecto|perfeito|perfetto)\b/;
/** Polite words removed before asking whether anything else was said. */
const POLITE =
  /\b(?:thank ?(?:you|u)|thanks?|thx|tx|ty|tysm|cheers|much appreciated|appreciated?|appreciate (?:it|that|your help|the help)|many thanks|can'?t thank you enough|kind regards|best regards|regards|best|gracias|muchas|merci|beaucoup|danke|schon|sehr|vielen dank|dank je(?: wel)?|dankjewel|bedankt|obrigad[oa]|muito|grazie|mille|so|very|much|a lot|lots|again|for (?:the|your) (?:help|quick (?:reply|response|answer|help)|reply|response|answer|support|assistance|time)|for (?:the|your) (?:info(?:rmation)?|explanation|link|article|tip|quick fix|fix|solution)|for (?:that|this|everything|all)|you|u|guys|team|all|everyone|folks|ok|okay|k|perfect|awesome|excellent|brilliant|wonderful|fantastic|great|super|cool|nice|genial|parfait|prima|perfecto|perfeito|perfetto|got it|understood|no|yes|yep|yeah|sure|that'?s (?:great|perfect|all|it)|that is all|have a (?:nice|good|great) (?:day|weekend|evening)|sir|madam)\b/g;
/** Words that, left over after the polite ones, mean the message says something more. */
const NOT_A_NAME = new Set(
  'but and also how what why where when who which can could would should is are do does did will please however though although still just then now anyway so if or not any another more other question again i my me we it this that there for nothing'.split(' '),
);

/** "If it doesn't work I'll write again": a conditional clause, up to its punctuation. */
const CONDITIONAL = /\b(?:if|in case|unless|should it)\b[^.,;!?\n]*/g;

/** Lowercase, accents stripped, typographic apostrophes straight, whitespace single, redaction placeholders dropped. */
export function normalizeFollowUp(text: string): string {
  return (
    text
      .slice(0, MAX_CHARS)
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`\u00b4]/g, "'")
      // Redaction placeholders ([EMAIL_1]) carry no verdict.
      .replace(/\[[a-z_]{1,40}_\d{1,9}\]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const cueOf = (m: RegExpExecArray) => m[0].trim().slice(0, 60);

function firstMatch(patterns: readonly RegExp[], text: string): string | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return cueOf(m);
  }
  return undefined;
}

/** A message of thanks and polite words only ("Thanks!", "No, thank you", "Perfect, cheers — Anna"). */
function onlyGratitude(text: string): string | undefined {
  const thanks = GRATITUDE.exec(text) ?? APPROVAL.exec(text);
  if (!thanks || text.includes('?')) return undefined;
  const rest = text
    .replace(POLITE, ' ')
    .replace(/[^a-z' ]+/g, ' ')
    .split(' ')
    .filter((w) => w.length > 0 && w !== "'");
  // A signature (one or two names) may follow; anything else means the message says more.
  if (rest.length > 2 || rest.some((w) => w.length < 2 || NOT_A_NAME.has(w))) return undefined;
  return cueOf(thanks);
}

/**
 * What a customer's message after a resolution says. A complaint beats everything ("thanks but
 * it still doesn't work" is not resolved); a self-fix ("never mind, fixed it myself") or a hedge
 * ("thanks, I'll try that") is unclear; then "it worked" cues confirm only when nothing qualifies
 * them — a contrast, an addition, a request or a question ("it worked yesterday but...", "fixed
 * now. Please also refund me...") makes the reply unclear; then a conditional ("if it doesn't
 * work I'll write again") is unclear; then a message of thanks alone confirms. Conditional clauses
 * are never read as complaints.
 */
export function followUpVerdict(text: string): FollowUp {
  let t = normalizeFollowUp(text);
  if (!t) return { verdict: 'unclear' };
  // "If it doesn't work I'll write again" is no complaint: conditional clauses are not read.
  let conditional: string | undefined;
  t = t.replace(CONDITIONAL, (m) => {
    conditional ??= m.trim().slice(0, 60);
    return ' ~ ';
  });
  // "I no longer get the error": the problem is gone. Blanked so "get the error" is not read as a complaint.
  let gone: string | undefined;
  for (const p of PROBLEM_GONE_ALL) {
    t = t.replace(p, (m) => {
      gone ??= m.trim().slice(0, 60);
      return ' ~ ';
    });
  }
  const complaint = firstMatch(NOT_RESOLVED, t);
  if (complaint) return { verdict: 'not_resolved', cue: complaint };
  const self = SELF_FIXED.exec(t);
  if (self) return { verdict: 'unclear', cue: cueOf(self) };
  const hedge = HEDGE.exec(t);
  if (hedge) return { verdict: 'unclear', cue: cueOf(hedge) };
  const worked = gone ?? firstMatch(CONFIRMED, t);
  if (worked) {
    // "It worked yesterday but today...", "fixed now. Please also refund me": not a plain confirmation.
    const more = CONTRAST.exec(t);
    if (more) return { verdict: 'unclear', cue: cueOf(more).replace(/^[,.;! ]+/, '') };
    return { verdict: 'confirmed', cue: worked };
  }
  // "If it doesn't work I'll write again. Thanks!": not tried yet.
  if (conditional) return { verdict: 'unclear', cue: conditional };
  const thanks = onlyGratitude(t);
  if (thanks && !CONTRAST.test(t)) return { verdict: 'confirmed', cue: thanks };
  return { verdict: 'unclear' };
}

/**
 * Whether the message is an unambiguous confirmation that the resolution worked (TicketsService:
 * such a reply keeps a resolved ticket resolved; anything else — a complaint, a hedge, a
 * confirmation with a "but", a request or a question — reopens it for a person).
 */
export function confirmsResolution(text: string): boolean {
  return followUpVerdict(text).verdict === 'confirmed';
}

// ---- the verification of one automated resolution --------------------------------------------

export const VERIFICATION_STATUSES = ['pending', 'verified', 'not_verified'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export const VERIFICATION_METHODS = ['customer_confirmed', 'customer_reopened', 'customer_still_broken', 'csat', 'silence', 'judge', 'person_stepped_in'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];
export type JudgeVerdict = 'verified' | 'not_verified' | 'unclear';

/**
 * What decided: the customer's event (its id as in the ticket's `events`), the event by which
 * someone else took the ticket out of "resolved" (a person stepped in), or the end of the window.
 */
export interface VerificationEvidence {
  /** The deciding event's id; null for silence. */
  event_id: string | null;
  /** `customer_reply`, `reopened`, `csat`, `person_stepped_in` (a take-over, ...), or `silence`. */
  kind: 'customer_reply' | 'reopened' | 'csat' | 'person_stepped_in' | 'silence';
  /** person_stepped_in: the type of the event (`take_over`, ...). */
  event_type?: string;
  /** When: the event's time, or the end of the window for silence. */
  at: string;
  /** The rules' phrase that decided a reply (normalised). */
  cue?: string;
  /** A csat event's score (1-5). */
  score?: number;
  /** The window in hours (silence). */
  window_hours?: number;
}

/** One answer of the LLM judge about one follow-up, kept so a re-review does not ask again. */
export interface Judgment {
  event_id: string;
  verdict: JudgeVerdict;
  reasoning: string;
  model: string;
  at: string;
}

/** What `tickets.verification` holds (docs/verification.md). */
export interface Verification {
  status: VerificationStatus;
  method: VerificationMethod | null;
  evidence: VerificationEvidence | null;
  /** Why, in a sentence: the judge's reasoning when it decided, the rule's otherwise; null while pending. */
  reasoning: string | null;
  judged_by: 'rules' | 'llm';
  /** The automated resolution being verified: its time and event id. */
  resolved_at: string;
  resolution_event_id: string;
  /** When the outcome was established (the deciding event, or the end of the window); null while pending. */
  verified_at: string | null;
  /** The judge's answers for this resolution (empty with the offline backend). */
  judgments: Judgment[];
}

/** A ticket event as the fold reads it (rows of `ticket_events`, in the order recorded). */
export interface VerificationEvent {
  id: number;
  type: string;
  actor: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface VerificationFacts {
  events: readonly VerificationEvent[];
}

/** The events a review appends (actor `system`) when the outcome of an automated resolution changes. */
export const VERIFICATION_EVENT = { verified: 'resolution_verified', not_verified: 'resolution_not_verified' } as const;

/** An agents' "resolved": the resolution agent's `resolution` event that left the ticket resolved. */
export function isAutomatedResolution(event: { type: string; actor: string; data: Record<string, unknown> }): boolean {
  return event.type === 'resolution' && event.actor === 'resolution_agent' && event.data.status === 'resolved';
}

/** The customer events that can decide (others — people's notes and replies, system events — never do). */
const CUSTOMER_EVIDENCE: ReadonlySet<string> = new Set(['customer_reply', 'reopened', 'csat']);
/** Statuses in which the ticket still counts as resolved: evidence is read while the ticket is in one. */
const SETTLED: ReadonlySet<unknown> = new Set(['resolved', 'closed']);
const HOUR = 3_600_000;

interface Decision {
  status: 'verified' | 'not_verified';
  method: VerificationMethod;
  evidence: VerificationEvidence;
  reasoning: string;
  judged_by: 'rules' | 'llm';
  verified_at: string;
}

const scoreOf = (data: Record<string, unknown>): number | undefined => {
  const s = typeof data.score === 'string' ? Number(data.score) : data.score;
  return typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= 5 ? s : undefined;
};

/** A reply the guardrails stopped is kept for a person; neither the rules nor the judge read it. */
export const isTripped = (event: { data: Record<string, unknown> }): boolean => event.data.guardrail !== undefined && event.data.guardrail !== null;

/** The event took the ticket out of "resolved" (or "closed"): its `data.status` is another status. */
const leavesResolved = (event: VerificationEvent): boolean => event.data.status !== undefined && event.data.status !== null && !SETTLED.has(event.data.status);

interface FoldResult {
  verification: Verification | null;
  /** Unclear replies the fold read for which no judgment was given (what the judge may be asked). */
  unjudged: VerificationEvent[];
}

function fold(facts: VerificationFacts, now: Date, windowHours: number, judgments: ReadonlyMap<string, Judgment>): FoldResult {
  const events = facts.events;
  let anchor = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (isAutomatedResolution(events[i]!)) {
      anchor = i;
      break;
    }
  }
  if (anchor < 0) return { verification: null, unjudged: [] };
  const resolution = events[anchor]!;
  const resolvedAt = resolution.at.getTime();
  const deadline = resolvedAt + windowHours * HOUR;
  const silence = (): Decision => ({
    status: 'verified',
    method: 'silence',
    evidence: { event_id: null, kind: 'silence', at: new Date(deadline).toISOString(), window_hours: windowHours },
    reasoning: `No reopen and no complaint from the customer within ${windowHours} h of the resolution.`,
    judged_by: 'rules',
    verified_at: new Date(deadline).toISOString(),
  });
  const unjudged: VerificationEvent[] = [];
  const used: Judgment[] = [];
  let decision: Decision | undefined;
  let stopped = false;
  for (let i = anchor + 1; i < events.length; i++) {
    const e = events[i]!;
    const customer = e.actor === 'customer' && CUSTOMER_EVIDENCE.has(e.type);
    const left = leavesResolved(e);
    // People's replies and notes, closing, system events: never evidence, unless they take the ticket out of "resolved".
    if (!customer && !left) continue;
    // The window passed before this event without a word: verified by silence, until later evidence says otherwise.
    if (!decision && e.at.getTime() >= deadline) decision = silence();
    if (customer) {
      const found = evidenceOf(e, left, judgments.get(String(e.id)));
      if (found.judgment) used.push(found.judgment);
      if (found.unjudged) unjudged.push(e);
      // The latest decisive evidence wins.
      if (found.decision) decision = found.decision;
    } else {
      // Someone other than the customer took the ticket out of "resolved" (a person took it over,
      // answered and moved it to in_progress, ...): a person had to step in. Not verified, unless
      // the outcome was decided before (what a person does later is not evidence against it).
      decision ??= personSteppedIn(e);
    }
    // The ticket left "resolved" (reopened, escalated for review, taken over): a person has it now,
    // and what follows is not evidence about the agents' answer.
    if (left) {
      stopped = true;
      break;
    }
  }
  if (!decision && !stopped && now.getTime() >= deadline) decision = silence();
  const base = {
    resolved_at: resolution.at.toISOString(),
    resolution_event_id: String(resolution.id),
    judgments: [...judgments.values()].filter((j) => used.includes(j)),
  };
  const verification: Verification = decision
    ? {
        status: decision.status,
        method: decision.method,
        evidence: decision.evidence,
        reasoning: decision.reasoning,
        judged_by: decision.judged_by,
        resolved_at: base.resolved_at,
        resolution_event_id: base.resolution_event_id,
        verified_at: decision.verified_at,
        judgments: base.judgments,
      }
    : {
        status: 'pending',
        method: null,
        evidence: null,
        reasoning: null,
        judged_by: 'rules',
        resolved_at: base.resolved_at,
        resolution_event_id: base.resolution_event_id,
        verified_at: null,
        judgments: base.judgments,
      };
  return { verification, unjudged };
}

/** A person (or the system, for a person) took the ticket out of "resolved" before any verdict. */
function personSteppedIn(e: VerificationEvent): Decision {
  const at = e.at.toISOString();
  const status = typeof e.data.status === 'string' ? e.data.status : String(e.data.status);
  return {
    status: 'not_verified',
    method: 'person_stepped_in',
    evidence: { event_id: String(e.id), kind: 'person_stepped_in', event_type: e.type, at },
    reasoning: `The ticket was taken out of "resolved" by a ${e.type} event (actor ${e.actor}, status "${status}") before the resolution was confirmed: a person had to step in.`,
    judged_by: 'rules',
    verified_at: at,
  };
}

/** What one customer event says: a decision, nothing (neutral), and whether the judge should read it. */
function evidenceOf(e: VerificationEvent, leftResolved: boolean, judgment: Judgment | undefined): { decision?: Decision; unjudged?: boolean; judgment?: Judgment } {
  const at = e.at.toISOString();
  const ref = { event_id: String(e.id), at };
  if (e.type === 'reopened') {
    return {
      decision: { status: 'not_verified', method: 'customer_reopened', evidence: { ...ref, kind: 'reopened' }, reasoning: 'The customer reopened the ticket.', judged_by: 'rules', verified_at: at },
    };
  }
  if (e.type === 'csat') {
    const score = scoreOf(e.data);
    if (score === undefined || score === 3) return {};
    const good = score >= 4;
    return {
      decision: {
        status: good ? 'verified' : 'not_verified',
        method: 'csat',
        evidence: { ...ref, kind: 'csat', score },
        reasoning: `The customer rated the ticket ${score}/5 (${good ? '4 or more verifies' : '2 or less does not'}).`,
        judged_by: 'rules',
        verified_at: at,
      },
    };
  }
  // customer_reply. A reply a guardrail stopped is never read (it may be written to talk the rules
  // or the judge into a verdict); it sent the ticket to a person, so the resolution did not hold.
  if (isTripped(e)) {
    return {
      decision: {
        status: 'not_verified',
        method: 'customer_reopened',
        evidence: { ...ref, kind: 'customer_reply' },
        reasoning: "A guardrail stopped the customer's reply and sent the ticket to a person (the reply is not read).",
        judged_by: 'rules',
        verified_at: at,
      },
    };
  }
  const text = typeof e.data.message === 'string' ? e.data.message : '';
  const rules = followUpVerdict(text);
  const evidence: VerificationEvidence = { ...ref, kind: 'customer_reply', ...(rules.cue ? { cue: rules.cue } : {}) };
  if (rules.verdict === 'confirmed') {
    return { decision: { status: 'verified', method: 'customer_confirmed', evidence, reasoning: `The customer's reply says it worked ("${rules.cue}").`, judged_by: 'rules', verified_at: at } };
  }
  if (rules.verdict === 'not_resolved') {
    return {
      decision: { status: 'not_verified', method: 'customer_still_broken', evidence, reasoning: `The customer's reply says the problem is still there ("${rules.cue}").`, judged_by: 'rules', verified_at: at },
    };
  }
  // Unclear to the rules: the judge's answer when there is one.
  const judgeable = text.length > 0;
  if (judgeable && judgment && judgment.verdict !== 'unclear') {
    return {
      judgment,
      decision: { status: judgment.verdict, method: 'judge', evidence, reasoning: judgment.reasoning, judged_by: 'llm', verified_at: at },
    };
  }
  const unjudged = judgeable && !judgment;
  if (!leftResolved) return { unjudged, ...(judgment ? { judgment } : {}) };
  // The reply did not say it worked, and it took the ticket out of "resolved": counted as a reopen.
  const unsure = judgment ? ` The judge could not tell: ${judgment.reasoning}` : '';
  return {
    unjudged,
    ...(judgment ? { judgment } : {}),
    decision: {
      status: 'not_verified',
      method: 'customer_reopened',
      evidence,
      reasoning: `The customer wrote again without saying it worked${rules.cue ? ` ("${rules.cue}")` : ''}, which reopened the ticket.${unsure}`,
      judged_by: 'rules',
      verified_at: at,
    },
  };
}

/**
 * The verification of a ticket's latest automated resolution, or null when the agents never
 * resolved it (a person's "resolved" is not verified). Reads the customer's events after the
 * resolution, in order, while the ticket stays resolved (or closed): a reopen, a "still broken"
 * reply or a csat ≤ 2 → not_verified; an "it worked" reply or a csat ≥ 4 → verified; a reply the
 * rules cannot read → the judge's answer (`judgments`, by event id) if any, else a reply that
 * reopened the ticket counts as a reopen; no objection for `windowHours` → verified by silence.
 * The latest decisive evidence wins (a reopen after the silence verdict → not_verified); the event
 * that takes the ticket out of "resolved" is the last one read. A reply a guardrail stopped is
 * not_verified without being read; an event of anyone else that takes the ticket out of
 * "resolved" (a take-over, a person's reply that moved it to in_progress) is not_verified
 * (`person_stepped_in`) unless the outcome was decided before it.
 */
export function verifyResolution(facts: VerificationFacts, now: Date, windowHours: number, judgments: ReadonlyMap<string, Judgment> = new Map()): Verification | null {
  return fold(facts, now, windowHours, judgments).verification;
}

/** The customer replies the rules could not read and the judge has not answered (OpenAI backend: ask it). */
export function judgmentsNeeded(facts: VerificationFacts, now: Date, windowHours: number, judgments: ReadonlyMap<string, Judgment> = new Map()): VerificationEvent[] {
  return fold(facts, now, windowHours, judgments).unjudged;
}
