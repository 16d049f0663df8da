/**
 * Prompt injection and jailbreak scoring: instructions aimed at the agent rather than at the
 * support team. Each matching pattern is a finding with a weight; the score combines them as
 * 1 − Π(1 − w) (each pattern counts once), and the text trips at `threshold` (default 0.7).
 * Strong phrasings ("ignore all previous instructions") trip alone; weak cues ("system prompt"
 * mentioned, a line starting "System:") need company.
 *
 * A learned classifier (injection-model.ts) backs the rules: when it is confident (calibrated
 * p ≥ MODEL_MIN_PROBABILITY on a text of at least MODEL_MIN_WORDS words) its probability, mapped
 * onto the rules' scale, replaces a lower rule score (see `detectInjection`).
 *
 * The text is normalised on a copy (NFKC, accents folded, lower case, zero-width and bidi
 * characters removed, whitespace collapsed; then a leetspeak variant and, when the text has
 * letter-spaced words, a variant without the spaces); an index array maps every normalised
 * character back to the original, so spans point into the original text. Every pattern is
 * linear: no nested unbounded quantifiers.
 */
import { injectionProbability, modelWordCount } from './injection-model.js';
import type { Finding, Verdict } from './types.js';

export interface InjectionOptions {
  /** Score at which the verdict trips (default 0.7). */
  threshold?: number;
  /** Whether the learned classifier (injection-model.ts) backs the rules (default true). */
  model?: boolean;
}

export const INJECTION_FAMILIES = [
  'ignore_instructions',
  'system_impersonation',
  'prompt_extraction',
  'tool_smuggling',
  'encoded_payload',
  'jailbreak',
] as const;
export type InjectionFamily = (typeof INJECTION_FAMILIES)[number];

const DETECTOR = 'prompt_injection';
export const DEFAULT_INJECTION_THRESHOLD = 0.7;

interface Pattern {
  id: string;
  family: InjectionFamily;
  weight: number;
  re: RegExp;
  /** Also matched on the de-spaced variant ("i g n o r e a l l …"). */
  compact?: RegExp;
  /** When set, a match without this cue weighs `weakWeight` instead of `weight`. */
  strongIf?: RegExp;
  weakWeight?: number;
}

// ---------------------------------------------------------------------------------------------
// Normalisation with an index map

/** Zero-width, bidi controls, soft hyphen, word joiners, BOM, Mongolian vowel separator, tag characters. */
// eslint-disable-next-line no-misleading-character-class -- a set of single code points (escapes), never combined
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/;

export interface NormalizedText {
  text: string;
  /** map[i] = index in the original text of normalised character i. */
  map: number[];
}

/**
 * NFKC, lower case, accents folded, invisible characters dropped, whitespace runs collapsed to
 * one space (or one newline when the run had one).
 */
export function normalizeForMatching(original: string): NormalizedText {
  let text = '';
  const map: number[] = [];
  let pendingSpace = -1;
  let pendingNewline = false;
  let tagRun = false;
  /** A whitespace run before a visible character becomes one space (or one newline). */
  const flushSpace = () => {
    if (pendingSpace < 0) return;
    if (text.length) {
      text += pendingNewline ? '\n' : ' ';
      map.push(pendingSpace);
    }
    pendingSpace = -1;
    pendingNewline = false;
  };
  for (let i = 0; i < original.length; ) {
    const cp = original.codePointAt(i)!;
    // Fast path for ASCII other than whitespace (most of any support text): NFKC, NFD and mark
    // stripping leave it as it is, so it only needs lower-casing. Same output as the general path.
    if (cp < 0x80 && cp !== 0x20 && (cp < 0x09 || cp > 0x0d)) {
      flushSpace();
      tagRun = false;
      text += String.fromCharCode(cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp);
      map.push(i);
      i += 1;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    const width = ch.length;
    if (cp >= 0xe0020 && cp <= 0xe007e) {
      // Unicode tag characters spell ASCII invisibly ("ASCII smuggling"): read them as ASCII,
      // as a separate word.
      if (!tagRun && text.length) {
        text += ' ';
        map.push(i);
      }
      tagRun = true;
      text += String.fromCharCode(cp - 0xe0000).toLowerCase();
      map.push(i);
      i += width;
      continue;
    }
    tagRun = false;
    if (INVISIBLE.test(ch)) {
      i += width;
      continue;
    }
    if (/\s/.test(ch)) {
      if (pendingSpace < 0) pendingSpace = i;
      if (ch === '\n' || ch === '\r') pendingNewline = true;
      i += width;
      continue;
    }
    flushSpace();
    const folded = ch === '’' || ch === '‘' ? "'" : ch.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    for (const c of folded) {
      // NFKC may produce spaces (e.g. U+2474 → "(1)"); keep them as they come, one per char.
      text += c;
      for (let k = 0; k < c.length; k++) map.push(i);
    }
    i += width;
  }
  return { text, map };
}

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };
/** 1 stands for l as often as for i ("ru135"): a second reading. */
const LEET_L: Readonly<Record<string, string>> = { ...LEET, '1': 'l' };

/** Cyrillic and Greek letters that look Latin, for words that mix scripts ("ignоre" with a Cyrillic о). */
const CONFUSABLE: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  α: 'a', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};

/**
 * Same length as the input: each leetspeak character replaced by its letter, and look-alike
 * Cyrillic/Greek letters replaced in words that also contain Latin letters.
 */
function deLeet(s: string, table: Readonly<Record<string, string>> = LEET): string {
  const leet = s
    .replace(/[013457@$!|]/g, (c) => table[c]!)
    // Words joined by dots or underscores ("ignore.all.previous"): a space each.
    .replace(/(?<=\p{L})[._](?=\p{L})/gu, ' ');
  return leet.replace(/\p{L}+/gu, (w) => (/[a-z]/.test(w) && /[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]/.test(w) ? w.replace(/./gu, (c) => CONFUSABLE[c] ?? c) : w));
}

/**
 * Letter-spaced words ("i g n o r e", "i.g.n.o.r.e") joined up: runs of ≥ 4 single letters
 * separated by one space, dot, dash, underscore or asterisk lose their separators; the map
 * follows. Undefined when the text has no such run.
 */
function despace(n: NormalizedText): NormalizedText | undefined {
  const run = /(?<![\p{L}\p{N}])\p{L}(?:[ .\-_*]{1,2}\p{L}(?![\p{L}\p{N}])){3,}/gu;
  if (!run.test(n.text)) return undefined;
  run.lastIndex = 0;
  let text = '';
  const map: number[] = [];
  let last = 0;
  for (const m of n.text.matchAll(run)) {
    text += n.text.slice(last, m.index);
    map.push(...n.map.slice(last, m.index));
    for (let k = 0; k < m[0].length; k++) {
      if (/\p{L}/u.test(m[0][k]!)) {
        text += m[0][k];
        map.push(n.map[m.index + k]!);
      }
    }
    last = m.index + m[0].length;
  }
  text += n.text.slice(last);
  map.push(...n.map.slice(last));
  return { text, map };
}

// ---------------------------------------------------------------------------------------------
// Patterns (on normalised text: lower case, no accents, single spaces)

const W = String.raw`[\p{L}\p{N}'’-]+`; // one word

/** A space in a pattern matches the one space or newline that normalisation leaves between words. */
const spaced = (source: string) => source.replace(/ /g, '[ \\n]');

function p(id: string, family: InjectionFamily, weight: number, source: string, compactSource?: string): Pattern {
  return {
    id,
    family,
    weight,
    re: new RegExp(spaced(source), 'gu'),
    compact: compactSource ? new RegExp(spaced(compactSource), 'gu') : undefined,
  };
}

/** A pattern that weighs `weight` only when the match also has a `strong` cue ("all", "previous"…), else 0.45. */
function q(id: string, family: InjectionFamily, weight: number, source: string, strong: RegExp): Pattern {
  return { ...p(id, family, weight, source), strongIf: strong, weakWeight: 0.45 };
}

const IGNORE_VERB_EN = String.raw`(?:ignore|disregard|forget|skip|override|overwrite|bypass|drop|abandon|neglect|discard|throw away|stop following|do not follow|don't follow|dont follow)`;
const RULES_EN = String.raw`(?:instructions?|rules|guidelines|directives?|prompts?|commands|constraints|guardrails|programming|policies|polic(?:y|ies)|system messages?|orders|context)`;
const QUAL_EN = String.raw`(?:all|any|every|previous|prior|above|preceding|earlier|former|original|initial|system|given|your|the developer's|those|these|safety)`;

const PATTERNS: readonly Pattern[] = [
  // ---- ignore_instructions ---------------------------------------------------------------
  p('ignore_en', 'ignore_instructions', 0.9,
    String.raw`\b${IGNORE_VERB_EN} (?:(?:all|any|of|the|your|ur|yr|these|those|every|each|and) ){0,3}${QUAL_EN} (?:${W} ){0,2}${RULES_EN}\b`,
    String.raw`(?:ignore|disregard|forget|override|bypass) ?(?:(?:all|any|the|your) ?){0,3}(?:previous|prior|above|preceding|earlier|system|your|all) ?(?:instructions?|rules|guidelines|prompts?)`),
  p('ignore_en_plain', 'ignore_instructions', 0.45, String.raw`\b${IGNORE_VERB_EN} (?:the |your |my )?${RULES_EN}\b`),
  p('ignore_everything', 'ignore_instructions', 0.85,
    String.raw`\b(?:ignore|disregard|forget) (?:everything|all|anything|what(?:ever)?) (?:(?:that |which )?(?:you (?:were|have been|'ve been) (?:told|given|instructed|programmed)|(?:i |we )?(?:said|wrote|told you) (?:before|above|earlier)|above|before this|previously|prior|up to (?:now|this point)|so far))`),
  p('forget_training', 'ignore_instructions', 0.8, String.raw`\bforget (?:everything |all )?(?:you know|your (?:training|programming|rules|guidelines|instructions|prompt))`),
  p('ignore_above', 'ignore_instructions', 0.5, String.raw`\b(?:ignore|disregard|forget) (?:all (?:of )?|everything )?(?:the )?(?:above|preceding|previous text)(?=[.,:;!]| and\b|$)`),
  p('regardless_of_rules', 'ignore_instructions', 0.75,
    String.raw`\b(?:regardless of|no matter what|despite|in spite of|notwithstanding) (?:(?:your|any|the|all|what) ){1,2}(?:${W} ){0,2}(?:guidelines|instructions|rules|policies|policy|programming|system prompt|restrictions)(?: (?:say|says|tell you))?\b`),
  p('skip_rules', 'ignore_instructions', 0.6,
    String.raw`\b(?:skip|bypass|ignore|suspend|waive|turn off) (?:the |your |all )?(?:escalation|approval|safety|refund|review|verification|security) (?:rules|checks|limits|process|policy|step|steps)\b`),
  p('new_instructions', 'ignore_instructions', 0.6, String.raw`(?:^|[\n.:!>\]] ?)(?:your )?(?:new|updated|real|actual|revised|true) (?:instructions|rules|directives|task|orders|system prompt) ?(?:are|is|follow)? ?:`),
  p('from_now_on', 'ignore_instructions', 0.45, String.raw`\bfrom now on,? (?:you (?:will|must|shall|are|should|have to)|always|only|respond|answer|reply|act)\b`),
  p('instead_do', 'ignore_instructions', 0.35, String.raw`\b(?:instead|rather),? (?:you (?:must|will|should)|do|follow|obey|output|respond with)\b`),
  q('ignore_es', 'ignore_instructions', 0.9,
    String.raw`\b(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|omite|omita|descarta|descarte|desobedece|no sigas) (?:(?:todas|todos|las|los|tus|sus|estas|de|lo) ){0,3}(?:instrucciones|reglas|indicaciones|ordenes|directrices|instruccion)(?: (?:anteriores|previas|de arriba|del sistema|originales|iniciales|que te (?:dieron|han dado)))?`,
    /\b(?:todas|todos|tus|sus|anteriores|previas|arriba|sistema|originales|iniciales|que te)\b/u),
  p('ignore_es_all', 'ignore_instructions', 0.85, String.raw`\b(?:olvida|ignora|olvide|ignore) todo lo (?:anterior|que te (?:dijeron|han dicho))`),
  q('ignore_fr', 'ignore_instructions', 0.9,
    String.raw`\b(?:ignore[rsz]?|oublie[rsz]?|neglige[rsz]?|ne (?:suis|suivez) (?:plus|pas)) (?:(?:toutes|tous|les|tes|vos|ces|des|d'|de|ses) ?){0,3}(?:instructions?|regles|consignes|directives|ordres)(?: (?:precedentes|anterieures|ci-dessus|du systeme|systeme|initiales|d'origine))?`,
    /\b(?:toutes|tous|tes|vos|ses|precedentes|anterieures|ci-dessus|systeme|initiales|origine)\b/u),
  p('ignore_fr_all', 'ignore_instructions', 0.85, String.raw`\b(?:oublie[rz]?|ignore[rz]?) tout ce qu(?:i|e|')(?: ?on)? (?:precede|t'a ete dit|vous a ete dit|a ete dit avant)`),
  q('ignore_de', 'ignore_instructions', 0.9,
    String.raw`\b(?:ignoriere|ignorier|ignorieren sie|vergiss|vergessen sie|missachte|missachten sie|befolge nicht) (?:(?:alle|die|deine|ihre|bisherigen|vorherigen|vorigen|obigen|fruheren|bisherige|vorherige|obige|system) ){0,3}(?:anweisungen|regeln|instruktionen|vorgaben|befehle|richtlinien|systemanweisungen|anweisung)`,
    /\b(?:alle|deine|ihre|bisherigen|vorherigen|vorigen|obigen|fruheren|bisherige|vorherige|obige|system\w*)\b/u),
  p('ignore_de_all', 'ignore_instructions', 0.85, String.raw`\b(?:vergiss|ignoriere|vergessen sie) alles,? was (?:dir|ihnen|man dir) (?:vorher |zuvor |bisher )?(?:gesagt|befohlen|aufgetragen)`),
  q('ignore_pt', 'ignore_instructions', 0.9,
    String.raw`\b(?:ignore|ignora|ignorar|ignorem|esqueca|esquece|esquecer|desconsidere|desconsidera|nao siga) (?:(?:todas|todos|as|os|suas|tuas|essas|de) ){0,3}(?:instrucoes|regras|orientacoes|diretrizes|ordens|instrucao)(?: (?:anteriores|previas|acima|do sistema|originais|iniciais))?`,
    /\b(?:todas|todos|suas|tuas|anteriores|previas|acima|sistema|originais|iniciais)\b/u),
  p('ignore_pt_all', 'ignore_instructions', 0.85, String.raw`\b(?:esqueca|esquece|ignore|ignora) tudo (?:o que (?:foi dito|te disseram|lhe disseram)|que (?:foi dito|te disseram)|acima|antes)`),
  q('ignore_it', 'ignore_instructions', 0.9,
    String.raw`\b(?:ignora|ignori|ignorate|dimentica|dimentichi|dimenticate|trascura|non seguire) (?:(?:tutte|tutti|le|tue|sue|queste|di|i) ){0,3}(?:istruzioni|regole|indicazioni|direttive|ordini|istruzione)(?: (?:precedenti|sopra|di sistema|originali|iniziali))?`,
    /\b(?:tutte|tutti|tue|sue|precedenti|sopra|sistema|originali|iniziali)\b/u),
  p('ignore_it_all', 'ignore_instructions', 0.85, String.raw`\b(?:dimentica|ignora) tutto (?:quello|cio) che (?:ti (?:e stato detto|hanno detto)|hai ricevuto)`),
  q('ignore_nl', 'ignore_instructions', 0.9, String.raw`\b(?:negeer|vergeet) (?:(?:alle|de|je|jouw|uw|eerdere|vorige) ){0,3}(?:instructies|regels|opdrachten)`,
    /\b(?:alle|je|jouw|uw|eerdere|vorige)\b/u),

  // ---- system_impersonation ---------------------------------------------------------------
  p('role_header_directive', 'system_impersonation', 0.85,
    String.raw`(?:^|\n) ?(?:system|developer|admin|administrator|root|operator)(?: (?:message|prompt|note|override|instruction|update))? ?: ?(?:you (?:are|must|will|should|may|have)|ignore|disregard|from now on|the (?:assistant|ai|agent|model)|new (?:rules|instructions)|override|grant|approve|issue|refund|reveal|print|set|mark|all (?:restrictions|rules))`),
  p('role_header', 'system_impersonation', 0.3, String.raw`(?:^|\n) ?(?:system|developer|assistant)(?: message| prompt)? ?:`),
  p('role_tag', 'system_impersonation', 0.85,
    String.raw`\[(?:system|sys|system message|developer|admin|inst)\]|<\|? ?(?:im_start|im_end|system|endoftext|start_header_id|eot_id)(?:\| ?)?>|<<\/?sys>>|<\/?(?:system|developer|system_prompt|instructions)>|\[\/?inst\]`),
  p('md_role_header', 'system_impersonation', 0.8, String.raw`(?:^|\n|\s)#{2,4} ?(?:system|developer|admin) (?:message|prompt|instructions?|override)\b`),
  p('you_are_now', 'system_impersonation', 0.9,
    String.raw`\byou(?:'re| are) (?:now|no longer|from now on) (?:(?:a|an|the|in|my|called|named) ){0,2}(?:dan\b|developer mode|unrestricted|unfiltered|jailbroken|free (?:from|of)|without (?:any )?(?:restrictions|rules|limits|filters)|no longer bound|not bound|an? (?:ai|assistant|model) (?:without|with no)|evil|root|admin(?:istrator)?\b|system\b|god mode)`,
    String.raw`you ?are ?now ?(?:dan|in ?developer ?mode|unrestricted|unfiltered|jailbroken)`),
  p('mode_enabled', 'system_impersonation', 0.85,
    String.raw`\b(?:god|sudo|dan|jailbreak|jailbroken|unrestricted|unfiltered|evil) mode\b|\b(?:chatgpt|gpt|ai|assistant|model|bot|you|yourself) (?:with|in|into) (?:the )?(?:developer|dev) mode\b|\b(?:simulate|emulate) (?:the )?(?:developer|dev) mode\b`,
    String.raw`(?:god|dan|jailbreak) ?mode|(?:with|in|into|simulate|emulate) ?developer ?mode`),
  p('developer_mode', 'system_impersonation', 0.45, String.raw`\b(?:developer|dev|debug|admin) mode (?:is )?(?:enabled|on|activated|engaged|unlocked)\b|\b(?:enable|activate|enter|switch to|turn on) (?:the )?developer mode\b`),
  p('act_as_admin_other', 'system_impersonation', 0.8,
    String.raw`\b(?:comme si (?:tu etais|vous etiez)|en tant qu') ?l'?(?:administrateur|admin|developpeur|systeme)\b|\b(?:actua|actue|responde) como (?:si (?:fueras|fuera) )?(?:el )?(?:administrador|desarrollador|sistema)\b|\b(?:tu so,? als (?:warst|seist) du|handle als|antworte als) (?:der |ein )?(?:administrator|admin|entwickler|system)\b|\b(?:aja|age|responda) como (?:se (?:fosse|voce fosse) )?o (?:administrador|desenvolvedor|sistema)\b|\b(?:comportati|rispondi|agisci) come (?:se fossi )?(?:l'|il )?(?:amministratore|sviluppatore|sistema)\b`),
  p('act_as_system', 'system_impersonation', 0.8,
    String.raw`\b(?:act|behave|respond|answer|operate) as (?:if you (?:were|are) )?(?:the |a |an )?(?:system\b|root\b|superuser|(?:system )?administrator of (?:this|the) (?:system|ai|bot|assistant|chat|model|platform)|developer of (?:this|the) (?:ai|system|bot|model)|the developer\b|an? (?:unrestricted|unfiltered|uncensored) (?:ai|assistant|model)|openai\b|your (?:creator|developer|admin))`),
  p('roleplay_system', 'system_impersonation', 0.85,
    String.raw`\b(?:role-?play|roleplay|pretend|play the role|take the role)(?: ?[:,])? (?:as|to be|that you are|you are|of) (?:the |a |an |your )?(?:system|developer|administrator of (?:this|the) (?:system|ai|bot)|system administrator with|admin with (?:full|unrestricted)|openai|your (?:creator|developer))`),
  p('i_am_developer', 'system_impersonation', 0.55,
    String.raw`\b(?:i am|i'm|this is|speaking as|as) (?:your|the) (?:developer|creator|programmer|system administrator|system|operator|owner of this (?:ai|bot|model|assistant))\b`),
  p('you_are_unrestricted_ai', 'system_impersonation', 0.85,
    String.raw`\byou(?:'re| are) (?:now )?an? (?:ai|assistant|model|chatbot|bot)(?: model)? (?:with no|without(?: any)?|free of) (?:restrictions|rules|filters|limits|guidelines|censorship)`),
  p('you_are_admin', 'system_impersonation', 0.5,
    String.raw`\byou(?:'re| are) (?:now )?(?:the |an? )?(?:system ?administrator|sysadmin|superuser|root user|admin(?:istrator)? of (?:this|the) (?:system|platform|ai|bot))\b`),
  p('you_are_now_other', 'system_impersonation', 0.85,
    String.raw`\b(?:(?:ahora|a partir de ahora) eres|tu es (?:maintenant|desormais)|vous etes (?:maintenant|desormais)|du bist (?:jetzt|nun|ab sofort|ab jetzt)|sie sind (?:jetzt|nun|ab sofort)|(?:agora|a partir de agora) (?:voce e|tu es|es)|(?:ora|adesso|da ora in poi) (?:sei|tu sei))(?: (?:un|una|uno|une|ein|eine|einen|o|a|el|la|le|l'|der|die|das|il|lo) ?)?(?:${W} )?(?:sin (?:reglas|restricciones|filtros|limites)|sans (?:regles|restrictions|filtres|limites)|ohne (?:regeln|einschrankungen|filter|grenzen)|sem (?:regras|restricoes|filtros|limites)|senza (?:regole|restrizioni|filtri|limiti)|dan\b|administrador del sistema|administrateur du systeme|systemadministrator|administrador do sistema|amministratore (?:del|di) sistema|admin)`),
  p('override_marker', 'system_impersonation', 0.8, String.raw`\b(?:system|admin|administrator|developer|root|security|emergency|priority) override\b`),
  p('dan', 'system_impersonation', 0.9, String.raw`\bdo anything now\b|\bdan,? (?:which stands|you can do anything)|\bas dan\b`),
  p('priority_override', 'system_impersonation', 0.7, String.raw`\b(?:this|the following) (?:message|instruction|text) (?:has|takes) (?:the )?(?:highest |top )?priority over\b|\boverrides? (?:all|any|your) (?:previous |other )?(?:instructions|rules)\b`),

  // ---- prompt_extraction ------------------------------------------------------------------
  p('reveal_prompt_en', 'prompt_extraction', 0.85,
    String.raw`\b(?:reveal|print|show|repeat|output|display|tell|give|share|dump|leak|write out|write down|spell out|copy|paste|recite|list|return|send|disclose|what (?:is|are|was|were)) (?:me |us )?(?:back )?(?:all |the (?:full |entire |exact |complete )?text of )?(?:of )?(?:your|the) (?:(?:full|exact|entire|original|initial|hidden|secret|internal|complete|verbatim|real|underlying|confidential) ){0,3}(?:system (?:prompt|message|instructions?)|(?:initial|original|hidden|secret|internal|confidential|pre-?prompt) (?:prompt|instructions|rules|guidelines|directives)|preprompt|pre-prompt|hidden rules|instructions (?:you were given|you have been given|above)|developer (?:message|instructions))`,
    String.raw`(?:reveal|print|show|repeat|output|tell|give) ?(?:me ?)?(?:your|the) ?(?:(?:full|hidden|secret|original|initial) ?){0,2}(?:system ?prompt|system ?message|hidden ?rules|hidden ?instructions)`),
  p('dump_your_instructions', 'prompt_extraction', 0.8,
    String.raw`\b(?:reveal|print|repeat|output|dump|leak|disclose|recite|write out|spell out|paste|copy) (?:me |us )?(?:back )?(?:all )?(?:of )?your (?:(?:exact|full|original|initial|hidden|secret|internal|complete) )?(?:instructions|rules|guidelines|directives|configuration|programming|prompt)\b|\b(?:show|tell|give|share|list|display|send|what (?:are|were|is|was)) (?:me |us )?(?:all )?(?:of )?your (?:exact|full|original|initial|hidden|secret|internal|complete|verbatim) (?:instructions|rules|guidelines|directives|prompt)\b`),
  p('your_instructions', 'prompt_extraction', 0.45,
    String.raw`\b(?:show|tell|give|share|list|display|send|translate|summari[sz]e|paraphrase|rewrite|encode|what (?:are|were)) (?:me |us )?(?:all )?(?:of )?your (?:instructions|programming|prompt|directives)\b`),
  p('part_of_instructions', 'prompt_extraction', 0.8,
    String.raw`\b(?:first|last|next|opening|final) (?:line|lines|sentence|sentences|word|words|paragraph|\d+ words) of (?:your|the) (?:system )?(?:instructions|prompt|system prompt|rules|guidelines|directives)\b`),
  p('other_customers_data', 'prompt_extraction', 0.75,
    String.raw`\b(?:send|email|show|give|list|export|forward|share|dump|reveal|print)\b.{0,60}\b(?:other|all (?:the )?other|another|different) (?:customers?|users?|clients?|accounts?|workspaces?)(?:'s?)? (?:data|tickets?|emails?|conversations?|messages|details|passwords?|records|information|invoices|accounts?|addresses)\b`),
  p('wording_of_rules', 'prompt_extraction', 0.75,
    String.raw`\b(?:exact |full |precise |original )?(?:wording|text|content|contents) of (?:the |your )(?:${W} )?(?:rules|instructions|guidelines|directives|prompt)(?: (?:you (?:follow|were given|have|use|operate under)))?\b|\b(?:rules|instructions|guidelines) (?:that )?you (?:were given|have been given|operate under|were told)\b`),
  p('repeat_above_other', 'prompt_extraction', 0.8,
    String.raw`\b(?:repite|repita) (?:el|todo el) texto (?:de arriba|anterior)|\b(?:repete|repetez|repeter) (?:le|tout le) texte (?:ci-dessus|precedent)|\b(?:wiederhole|wiederholen sie) (?:den|den ganzen) text (?:oben|daruber|davor)|\b(?:repita|repete) o texto (?:acima|anterior)|\b(?:ripeti|ripetere) il testo (?:sopra|precedente)`),
  p('told_before', 'prompt_extraction', 0.85,
    String.raw`\bwhat (?:were|have) you (?:been )?(?:told|instructed|programmed|asked) (?:to do )?(?:before|prior to|at the (?:start|beginning) of) (?:this|our|the) (?:conversation|chat|session)|\b(?:repeat|print|output|show|copy) (?:back )?(?:everything|all|all text|the text|the words|the message|all the text) (?:(?:that is|that's|written) )?(?:above|before this (?:message|line|conversation)|preceding this)\b|\bwhat (?:is|was) written (?:above|before this)`),
  p('starting_with', 'prompt_extraction', 0.7, String.raw`\b(?:starting|beginning|that starts|which starts) with ["'“]?you are (?:a|an|the)\b`),
  p('system_prompt_mention', 'prompt_extraction', 0.35, String.raw`\b(?:system ?prompt|system message|pre-?prompt|initial prompt|hidden instructions|secret instructions)\b`, String.raw`system ?prompt`),
  p('reveal_es', 'prompt_extraction', 0.85,
    String.raw`\b(?:muestra(?:me)?|revela(?:me)?|dime|imprime|repite|escribe|ensena(?:me)?|cuales son|dame|comparte) (?:(?:tu|tus|el|las|los|su|sus|todo|todas) ){1,2}(?:prompt (?:del |de )?sistema|mensaje (?:del |de )?sistema|instrucciones(?: (?:del sistema|ocultas|iniciales|originales|secretas))?|reglas (?:ocultas|secretas|internas))`),
  p('reveal_fr', 'prompt_extraction', 0.85,
    String.raw`\b(?:montre(?:[zr]|-moi)?|revele[zr]?|affiche[zr]?|repete[zr]?|donne(?:-moi)?|ecris|dis(?:-moi)?|quelles sont|partage[zr]?) (?:(?:moi|ton|tes|vos|votre|le|les|ta|toutes) ){1,2}(?:prompt (?:du )?systeme|message (?:du )?systeme|instructions(?: (?:systeme|du systeme|cachees|initiales|secretes|d'origine))?|regles (?:cachees|secretes|internes)|consignes(?: (?:cachees|initiales|secretes))?)`),
  p('reveal_de', 'prompt_extraction', 0.85,
    String.raw`\b(?:zeig|zeige|verrate|gib|wiederhole|nenne|schreib|drucke) (?:mir |uns )?(?:(?:deinen|deine|ihre|ihren|den|die|alle) ){1,2}(?:system-? ?prompt|systemnachricht|(?:geheimen |versteckten |ursprunglichen |internen )?(?:anweisungen|instruktionen|regeln|vorgaben))`),
  p('reveal_pt', 'prompt_extraction', 0.85,
    String.raw`\b(?:mostre|mostra|revele|revela|diga|diz|repita|repete|escreva|quais sao|me mostre|me diga|compartilhe) (?:me )?(?:(?:o|a|os|as|seu|sua|seus|suas|teu|tua|teus|tuas) ){1,2}(?:prompt (?:do |de )?sistema|mensagem (?:do |de )?sistema|instrucoes(?: (?:do sistema|ocultas|iniciais|originais|secretas))?|regras (?:ocultas|secretas|internas))`),
  p('reveal_it', 'prompt_extraction', 0.85,
    String.raw`\b(?:mostra(?:mi)?|rivela(?:mi)?|dimmi|ripeti|stampa|scrivi|quali sono|dammi|condividi) (?:(?:il|le|i|tuo|tue|tuoi|suo|sue) ){1,2}(?:prompt (?:di |del )?sistema|messaggio (?:di |del )?sistema|istruzioni(?: (?:di sistema|nascoste|iniziali|originali|segrete))?|regole (?:nascoste|segrete|interne))`),
  p('system_prompt_other', 'prompt_extraction', 0.35, String.raw`\b(?:prompt (?:del |de |do |di )?sistema|prompt (?:du )?systeme|systemprompt|system-prompt)\b`),

  // ---- tool_smuggling ---------------------------------------------------------------------
  p('json_role_system', 'system_impersonation', 0.85, String.raw`"role" ?: ?"(?:system|developer)"`),
  p('must_say_approved', 'tool_smuggling', 0.6,
    String.raw`\byou (?:must|will|have to|should) (?:always )?(?:say|reply|respond|answer|tell me|confirm|write) (?:that )?(?:${W} ){0,3}(?:is |was |has been )?(?:already )?(?:approved|resolved|granted|refunded|closed)\b`),
  p('json_tool_call', 'tool_smuggling', 0.9,
    String.raw`\{ ?"(?:name|tool|function|tool_name|recipient_name|action)" ?: ?"[\w.-]{1,64}" ?, ?"(?:arguments|args|parameters|params|input)" ?:|"(?:function_call|tool_calls|tool_use|tool_call)" ?:`),
  p('tool_tag', 'tool_smuggling', 0.85, String.raw`<\/?(?:tool_call|tool_calls|function_call|function_calls|tool_use|tool_result|invoke|antml:invoke|tool_code)\b[^>\n]{0,80}>`),
  p('call_tool', 'tool_smuggling', 0.85,
    String.raw`\b(?:call|invoke|use|run|execute|trigger|fire) (?:the )?[\x60"']?[a-z][a-z0-9]*_[a-z0-9_]{2,40}[\x60"']? (?:tool|function|action|api)\b|\b(?:call|invoke|execute|trigger) (?:the )?(?:refund|escalation|ticket|admin|payment|credit) (?:tool|function)\b`),
  p('call_tool_with', 'tool_smuggling', 0.6, String.raw`\b(?:call|invoke|execute|trigger) (?:the )?[\w-]{2,40} (?:tool|function) with (?:the )?(?:amount|argument|parameter|params|input|value|id)\b`),
  p('set_field', 'tool_smuggling', 0.85,
    String.raw`\b(?:set|change|update|mark|make) (?:the )?(?:ticket_status|resolution_notes|ticket_priority|resolution_reply|refund_amount|customer_tier|is_vip|approval_status)\b|\b(?:ticket_status|resolution_notes|refund_amount|approval_status) ?(?:=|:|to) ?["']?(?:resolved|closed|approved|true|\d)`),
  p('set_status_natural', 'tool_smuggling', 0.4, String.raw`\b(?:set|change|update) (?:the )?(?:ticket )?(?:status|priority) (?:to|=) ?["']?(?:resolved|closed|approved|low|urgent)\b`),
  p('mark_and_approve', 'tool_smuggling', 0.85,
    String.raw`\bmark (?:this|the|my|it)(?: ticket| case| request)? as (?:resolved|closed|approved|done|paid)(?: and|,) (?:then )?(?:approve|issue|grant|process|send|pay|refund|credit|escalate|close)\b`),
  p('approve_without_review', 'tool_smuggling', 0.6,
    String.raw`\b(?:approve|issue|process|grant) (?:the |my |a |this )?(?:full )?(?:refund|credit|payout|compensation) (?:automatically|immediately|now )?(?:without|skipping|bypassing) (?:any )?(?:review|approval|checks?|verification|asking)`),
  p('function_call_word', 'tool_smuggling', 0.3, String.raw`\b(?:function_call|tool_calls?|tool_use)\b`),

  // ---- encoded_payload (phrasing; decoded blobs are checked separately) ----------------------
  p('take_encoded_and_act', 'encoded_payload', 0.85,
    String.raw`\b(?:take|use|read|here is|here's) (?:this|the following|the) (?:base ?64|b64|hex|rot-?13|encoded|obfuscated)(?: (?:string|text|message|payload|blob))? (?:and|then) (?:act on|follow|execute|do|obey|run|apply|carry out)\b`),
  p('decode_and_follow', 'encoded_payload', 0.85,
    String.raw`\b(?:decode|decrypt|translate|convert|unscramble|reverse) (?:this|the following|it|that|the (?:string|text|message|payload|blob)(?: below)?)(?: (?:base ?64|b64|rot-?13|hex)(?: (?:string|text|message|payload|blob))?)?(?: (?:from|using|with|as) (?:base ?64|b64|rot-?13|hex|binary|morse|caesar))?,? (?:and|then) (?:then )?(?:follow|execute|run|obey|do|apply|carry out|perform|act on|comply with)\b`),
  p('encoded_instructions', 'encoded_payload', 0.5,
    String.raw`\b(?:base ?64|b64|rot-?13|hex)(?:-| )?(?:encoded )?(?:instructions|commands|prompt|payload)\b|\b(?:instructions|commands) (?:are |is )?(?:encoded )?in (?:base ?64|rot-?13|hex)\b`),
  p('follow_decoded', 'encoded_payload', 0.6, String.raw`\b(?:follow|execute|obey) (?:the )?(?:decoded|hidden|encoded) (?:instructions|text|message|commands)\b`),

  // ---- jailbreak --------------------------------------------------------------------------
  p('pretend_no_rules', 'jailbreak', 0.85,
    String.raw`\b(?:pretend|imagine|act as if|assume|suppose|behave as if) (?:that )?(?:you (?:have|had|are|were)|there (?:are|were)) (?:no|zero|without (?:any )?) ?(?:rules|restrictions|filters|guidelines|limits|limitations|boundaries|policies|content policy|safety)|\b(?:pretend|imagine) (?:you are|you're|to be) (?:an? )?(?:unrestricted|unfiltered|uncensored|evil|rogue)`),
  p('ai_without_filters', 'jailbreak', 0.85,
    String.raw`\b(?:as|like|being) an? (?:ai|assistant|model|chatbot|language model) (?:without|with no|free (?:of|from)) (?:any )?(?:filters|restrictions|rules|limits|guidelines|censorship|safety|ethics)`),
  p('hypothetically', 'jailbreak', 0.4, String.raw`\bhypothetical(?:ly)?\b.{0,60}\b(?:no (?:rules|restrictions|filters)|without (?:filters|restrictions|rules|limits)|bypass|jailbreak|unfiltered)`),
  p('story_howto', 'jailbreak', 0.85,
    String.raw`\b(?:for|in|write) (?:a|my|the|an) (?:story|novel|screenplay|fiction|poem|movie|game|roleplay|role-play)\b.{0,80}\b(?:explain|describe|tell|show|detail|write|list)\b.{0,30}\bhow (?:to|one could|you would|i could) (?:bypass|hack|break into|get around|disable|steal|crack|circumvent|evade|defeat|access (?:someone|another)|take over)`),
  p('bypass_safety', 'jailbreak', 0.85,
    String.raw`\b(?:bypass|disable|turn off|ignore|remove|deactivate|circumvent|switch off|lift|drop) (?:all |any )?(?:of )?(?:your (?:(?:safety|content|ethical|moral) )?(?:filters|guardrails|safeguards|moderation|restrictions|censorship|rules|limits|limitations|programming)|(?:the |all |any )?(?:safety|content|ethical|moral) (?:filters|guardrails|safeguards|restrictions|rules|guidelines|measures|checks|polic(?:y|ies))|(?:the |all |any )?(?:guardrails|safeguards|censorship|content polic(?:y|ies)))\b`),
  p('jailbreak_word', 'jailbreak', 0.5, String.raw`\bjail ?broken?\b|\bjailbreak(?:ing|s)?\b`),
  p('no_ethics', 'jailbreak', 0.6, String.raw`\b(?:no|without|free of|free from) (?:any )?(?:ethical|moral) (?:guidelines|constraints|restrictions|boundaries|limits|concerns)\b|\b(?:unfiltered|uncensored|unrestricted) (?:mode|ai|assistant|response|answers?|version)\b`),
  p('stay_in_character', 'jailbreak', 0.45, String.raw`\bstay in character\b|\bnever break character\b|\bopposite (?:mode|day)\b|\bevil (?:confidant|mode|twin)\b|\blet's play a game (?:where|in which) you\b`),
  p('ai_with_no_policy', 'jailbreak', 0.8,
    String.raw`\b(?:ai|assistant|bot|chatbot|model)\b.{0,40}\b(?:has|have|with|without) (?:no|any) (?:content polic(?:y|ies)|rules|restrictions|filters|guidelines|limits|ethics|morals)\b`),
  p('refuse_nothing', 'jailbreak', 0.6, String.raw`\b(?:you )?(?:can(?:not|'t)|must not|never|will not|won't) (?:refuse|decline|say no)\b|\banswer (?:every|any) (?:question|request) without (?:refusing|restrictions)`),
  p('pretend_es', 'jailbreak', 0.85, String.raw`\b(?:finge|imagina|haz como si|actua como si) (?:que )?(?:no )?(?:tienes|tuvieras) (?:no )?(?:ninguna |ningun )?(?:reglas|restricciones|filtros|limites)`),
  p('pretend_fr', 'jailbreak', 0.85, String.raw`\b(?:fais comme si|imagine que|fait semblant que) (?:tu n'avais|tu n'as|vous n'aviez) (?:aucune|pas de) (?:regles|restrictions|filtres|limites)`),
  p('pretend_de', 'jailbreak', 0.85, String.raw`\b(?:tu so,? als|stell dir vor,? du) (?:hattest|hast|warst) (?:keine|ohne) (?:regeln|einschrankungen|filter|grenzen)`),
  p('pretend_pt_it', 'jailbreak', 0.85, String.raw`\b(?:finja|imagine|fingi|immagina) (?:que |di )?(?:voce nao tem|nao tens|non avere|di non avere|che non hai) (?:nenhuma |regole|regras|restricoes|filtri|limiti|filtros)`),
];

// ---------------------------------------------------------------------------------------------
// Encoded payloads: base64 / hex blobs that decode to instructions

const BASE64_BLOB = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,8192}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_BLOB = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[ :]?){16,4096}(?![0-9A-Fa-f])/g;
const INSTRUCTION_WORDS =
  /\b(?:ignore|disregard|forget|instructions?|system prompt|prompt|reveal|you are now|developer mode|refund|tool|execute|jailbreak|rules|approve|password|admin|ignora|instrucciones|ignorez|anweisungen|istruzioni|instrucoes)\b/;

/**
 * Decoded blobs examined per text (blobs do not overlap, so their total size is bounded by the
 * text), and ROT13 mentions (each reads up to 2,000 characters after it: those would overlap).
 */
const MAX_BLOBS = 256;
const MAX_ROT13 = 8;

function decodeBlob(blob: string, hex: boolean): string | undefined {
  let bytes: Buffer;
  if (hex) bytes = Buffer.from(blob.replace(/[ :]/g, ''), 'hex');
  else {
    const s = blob.replace(/-/g, '+').replace(/_/g, '/');
    if (!/[A-Z]/.test(s) || !/[a-z]/.test(s)) return undefined; // plain words or ids, not base64
    bytes = Buffer.from(s, 'base64');
  }
  if (bytes.length < 12) return undefined;
  let printable = 0;
  for (const b of bytes) if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++;
  if (printable / bytes.length < 0.9) return undefined;
  return bytes.toString('latin1');
}

/** ROT13 of the text after a "rot13" mention, so "rot13: vtaber nyy cerivbhf vafgehpgvbaf" is read. */
const rot13 = (s: string): string => s.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));

// ---------------------------------------------------------------------------------------------
// Scoring

interface Variant {
  text: string;
  map: number[];
  compact: boolean;
}

function spanOf(map: readonly number[], original: string, start: number, end: number): { start: number; end: number } {
  const s = map[start] ?? original.length;
  const lastIdx = map[Math.max(start, end - 1)] ?? original.length - 1;
  const code = original.charCodeAt(lastIdx);
  const e = lastIdx + (code >= 0xd800 && code <= 0xdbff ? 2 : 1);
  return { start: s, end: Math.min(original.length, Math.max(e, s)) };
}

/** A finding with the pattern that made it (each pattern counts once in the score). */
type PatternFinding = Finding & { pattern: string };

function matchPatterns(original: string, variants: readonly Variant[], depth: number): PatternFinding[] {
  const findings: PatternFinding[] = [];
  for (const pat of PATTERNS) {
    for (const v of variants) {
      const re = v.compact ? pat.compact : pat.re;
      if (!re) continue;
      re.lastIndex = 0;
      for (const m of v.text.matchAll(re)) {
        if (!m[0].length) continue;
        const lead = m[0].length - m[0].trimStart().length;
        const weight = pat.strongIf && !pat.strongIf.test(m[0]) ? pat.weakWeight! : pat.weight;
        findings.push({ detector: DETECTOR, reason: pat.family, weight, ...spanOf(v.map, original, m.index + lead, m.index + m[0].length), pattern: pat.id });
      }
    }
  }
  if (depth === 0) findings.push(...encodedFindings(original, variants[0]!));
  return findings;
}

function encodedFindings(original: string, norm: Variant): PatternFinding[] {
  const out: PatternFinding[] = [];
  // Blobs are case-sensitive: scan the original text with invisible characters removed (map kept).
  const stripped = stripInvisible(original);
  const check = (decoded: string | undefined, start: number, end: number) => {
    if (!decoded) return;
    const inner = scoreText(decoded, 1);
    const words = INSTRUCTION_WORDS.test(normalizeForMatching(decoded).text);
    // Instructions: other patterns fire, or instruction words in an imperative sentence.
    const imperative = /^\s*(?:please |now |then )?(?:approve|ignore|disregard|forget|reveal|print|close|refund|grant|set|delete|send|execute|run|call|mark|escalate|give|issue|disable)\b/i.test(decoded);
    if (inner.score >= 0.5 || (words && inner.score > 0) || (words && (imperative || /\b(?:you|your|now|all|please|must)\b/i.test(decoded)))) {
      out.push({ detector: DETECTOR, reason: 'encoded_payload', weight: 0.9, ...spanOf(stripped.map, original, start, end), pattern: 'decoded_blob' });
    }
  };
  // Each decoded blob is scored in full.
  let blobs = 0;
  for (const m of stripped.text.matchAll(BASE64_BLOB)) {
    if (++blobs > MAX_BLOBS) break;
    check(decodeBlob(m[0], false), m.index, m.index + m[0].length);
  }
  blobs = 0;
  for (const m of stripped.text.matchAll(HEX_BLOB)) {
    if (++blobs > MAX_BLOBS) break;
    check(decodeBlob(m[0].trim(), true), m.index, m.index + m[0].trimEnd().length);
  }
  // ROT13 after an explicit mention.
  const r = /\brot-? ?13\b[^\n]{0,40}?[:-]? /g;
  let mentions = 0;
  for (const m of norm.text.matchAll(r)) {
    if (++mentions > MAX_ROT13) break;
    const from = m.index + m[0].length;
    const tail = norm.text.slice(from, from + 2000);
    const inner = scoreText(rot13(tail), 1);
    if (inner.score >= 0.5) out.push({ detector: DETECTOR, reason: 'encoded_payload', weight: 0.9, ...spanOf(norm.map, original, from, from + tail.length), pattern: 'rot13' });
  }
  return out;
}

function stripInvisible(original: string): NormalizedText {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < original.length; i++) {
    const c = original[i]!;
    if (INVISIBLE.test(c)) continue;
    if (c >= '\ud800' && c <= '\udbff' && INVISIBLE.test(original.slice(i, i + 2))) {
      i++;
      continue;
    }
    text += c;
    map.push(i);
  }
  return { text, map };
}

interface Scored {
  score: number;
  findings: Finding[];
}

/** Evidence kept per pattern: a text repeating one attack 1,000 times gives 5 findings, not 1,000. */
const MAX_FINDINGS_PER_PATTERN = 5;

function scoreText(original: string, depth: number): Scored {
  const norm = normalizeForMatching(original);
  const variants: Variant[] = [{ ...norm, compact: false }];
  const leet = deLeet(norm.text);
  if (leet !== norm.text) variants.push({ text: leet, map: norm.map, compact: false });
  const leetL = deLeet(norm.text, LEET_L);
  if (leetL !== leet) variants.push({ text: leetL, map: norm.map, compact: false });
  const spaced = despace({ text: leet, map: norm.map });
  if (spaced) variants.push({ ...spaced, compact: true });
  const raw = matchPatterns(original, variants, depth);
  // Each pattern counts once in the score (its strongest match); evidence: one finding per
  // pattern and place, at most MAX_FINDINGS_PER_PATTERN per pattern.
  const byPattern = new Map<string, number>();
  const perPattern = new Map<string, number>();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const f of raw) {
    const id = f.pattern;
    byPattern.set(id, Math.max(byPattern.get(id) ?? 0, f.weight ?? 0));
    const key = `${id}:${f.start}`;
    if (seen.has(key) || (perPattern.get(id) ?? 0) >= MAX_FINDINGS_PER_PATTERN) continue;
    seen.add(key);
    perPattern.set(id, (perPattern.get(id) ?? 0) + 1);
    const { pattern: _pattern, ...finding } = f;
    findings.push(finding);
  }
  let keep = 1;
  for (const w of byPattern.values()) keep *= 1 - w;
  findings.sort((a, b) => a.start - b.start || (b.weight ?? 0) - (a.weight ?? 0));
  return { score: 1 - keep, findings };
}

/** Reason code of the learned classifier's finding. */
export const LEARNED_REASON = 'learned_classifier';
/**
 * Calibrated model probability from which the model counts (chosen on the training set's grouped
 * 5-fold cross-validation: the lowest cut with at most 0.3 % of clean messages above it; see
 * docs/EVALUATION.md#guardrails). Below it the model adds nothing: no score, no finding.
 */
export const MODEL_MIN_PROBABILITY = 0.85;
/** Texts with fewer words are left to the rules: a tag or a two-word title is too little to judge. */
export const MODEL_MIN_WORDS = 4;

/**
 * The model's probability on the rules' scale: MODEL_MIN_PROBABILITY maps to the default
 * threshold (0.7) and 1 to 1, linearly; below MODEL_MIN_PROBABILITY, 0.
 */
export function learnedScore(p: number): number {
  if (!(p >= MODEL_MIN_PROBABILITY)) return 0;
  return DEFAULT_INJECTION_THRESHOLD + ((1 - DEFAULT_INJECTION_THRESHOLD) * (p - MODEL_MIN_PROBABILITY)) / (1 - MODEL_MIN_PROBABILITY);
}

/**
 * Scores `text` for prompt injection: the rules' score, or the learned classifier's when it is
 * confident and higher (the larger of the two; see `learnedScore`). `reason` is the family of
 * the strongest rule finding, or `learned_classifier` when only the model found something
 * (present whenever there is a finding); `tripped` when score ≥ threshold.
 */
export function detectInjection(text: string, options: InjectionOptions = {}): Verdict {
  const threshold = options.threshold ?? DEFAULT_INJECTION_THRESHOLD;
  const rules = scoreText(text, 0);
  let { score } = rules;
  let learned = 0;
  const findings = rules.findings;
  if (options.model !== false && modelWordCount(text) >= MODEL_MIN_WORDS) {
    learned = learnedScore(injectionProbability(text));
    if (learned > 0) {
      // Evidence: the whole text (the model reads all of it).
      findings.push({ detector: DETECTOR, reason: LEARNED_REASON, weight: Math.round(learned * 1000) / 1000, start: 0, end: text.length });
      score = Math.max(score, learned);
    }
  }
  const rounded = Math.round(score * 1000) / 1000;
  // The rules name the family when they saw anything; the model's finding decides only alone.
  const ruleFindings = findings.filter((f) => f.reason !== LEARNED_REASON);
  const strongest = (ruleFindings.length ? ruleFindings : findings).reduce<Finding | undefined>((best, f) => (!best || (f.weight ?? 0) > (best.weight ?? 0) ? f : best), undefined);
  return {
    detector: DETECTOR,
    tripped: findings.length > 0 && rounded >= threshold,
    ...(strongest ? { reason: strongest.reason } : {}),
    score: rounded,
    parts: { rules: Math.round(rules.score * 1000) / 1000, learned: Math.round(learned * 1000) / 1000 },
    findings,
  };
}
