/**
 * Text cues that support rules share (triage priority and resolution escalation), so one
 * situation — say, a security incident — is recognised the same way everywhere. Apostrophes
 * may be straight or typographic (chat and mobile keyboards send ’).
 */
export const SECURITY_INCIDENT =
  /\b(hack(ed|er|ing)?|compromised|(data|security|privacy) (breach|leak|incident)|breach(ed)? (of )?(our|my|the) (data|account|system|security)|unauthori[sz]ed (access|login|sign[- ]?in|charges?|transactions?)|someone (else )?(logged|signed|got) in|account (was )?(taken over|stolen)|phishing|malware|vulnerabilit(y|ies)|leaked (data|passwords?|credentials|keys?|api keys?|tokens?|files)|(data|passwords?|credentials|keys?) (were |was |got )?leaked|(typed|entered) (in )?(their|his|her|my|our) (password|credentials)|(another|different|other) (company|customer|organi[sz]ation)(['’]s)? (data|files|invoices?|details|name))\b/i;

export const LEGAL_MATTER =
  /\b(lawyer|attorney|solicitor|lawsuit|(will|going to|gonna) sue|sue (you|parcelo|your company)|suing|legal (action|notice|department|team)|subpoena|court order|law enforcement|police|dmca|copyright (infringement|takedown)|data protection authority|regulator|cease and desist|insolven\w*|(insolvency|estate) administrator|executor|deceased|passed away)\b/i;

export const PAYMENT_DISPUTE = /\b(chargeback|charge ?back|dispute[sd]?|fraud\w*|stolen card|collections? agency)\b/i;

/** Many users affected at once. */
export const OUTAGE =
  /\b(outage|down for (every(one|body)|all|the whole)|(nobody|no ?one) (in (our|my|the) (team|company|office) )?(can|is able)|(whole|entire) (team|company|org\w*|department) (can['’]?t|cannot|is unable)|all (of )?(our|my) (users|staff|team|employees)|production (is |went )?down|(site|app|api|service|server|parcelo|platform|website|system|everything|sync|login)( is| are| went| has gone| has been)? (completely )?down|is (the )?(site|app|api|service|parcelo|platform|website|system) down)\b/i;

export const DATA_LOSS = /\b(data loss|lost (all|every)\w*|deleted everything|(files|data|tasks|projects) (are |is )?(gone|missing|disappeared))\b/i;

/** Several people blocked at once (stricter than OUTAGE: not one user's "is down"). */
export const MANY_USERS_AFFECTED =
  /\b(outage|down for (every(one|body)|all|the whole)|(nobody|no ?one) (in (our|my|the) (team|company|office) )?(can|is able)|(whole|entire) (team|company|org\w*) (can['’]?t|cannot|is unable)|production (is |went )?down)\b/i;

/** A legal threat or demand (urgent), as opposed to any legal matter (needs a person). */
export const LEGAL_THREAT =
  /\b(lawsuit|legal action|subpoena|court order|cease and desist|(will|going to|gonna) sue|sue (you|parcelo|your company))\b/i;
