import { DATA_LOSS, LEGAL_MATTER, OUTAGE, PAYMENT_DISPUTE, SECURITY_INCIDENT } from './support-cues.js';

describe('support cues', () => {
  it.each([
    [SECURITY_INCIDENT, 'Someone logged in to my account from Brazil', 'How do I turn on two-factor?'],
    [SECURITY_INCIDENT, 'Three colleagues typed their password into a fake login page', 'I typed my address wrong'],
    [SECURITY_INCIDENT, 'The invoice shows a different company’s name and card', 'Can I change the company name on invoices?'],
    [LEGAL_MATTER, 'Our lawyer will contact you', 'Sue from accounting cannot log in'],
    [PAYMENT_DISPUTE, 'I filed a chargeback with my bank', 'Where is my receipt?'],
    [OUTAGE, 'The whole team can’t load the app', 'The app is slow for me'],
    [DATA_LOSS, 'All our files are gone after the sync', 'Where do deleted files go?'],
  ])('%s matches the incident and not the routine question', (re, yes, no) => {
    expect(re.test(yes)).toBe(true);
    expect(re.test(no)).toBe(false);
  });
});
