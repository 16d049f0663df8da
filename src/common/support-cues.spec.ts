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

describe('support cues: common false alarms', () => {
  it.each([
    [SECURITY_INCIDENT, 'The desktop app has a memory leak'],
    [SECURITY_INCIDENT, 'Exporting the SLA breach report fails'],
    [OUTAGE, 'The price is down? Great news'],
  ])('%s does not fire on "%s"', (re, text) => {
    expect(re.test(text)).toBe(false);
  });

  it.each([
    [SECURITY_INCIDENT, 'We had a data breach: our API keys were leaked on GitHub'],
    [OUTAGE, 'Is the API down? All requests return 503'],
    [OUTAGE, 'Parcelo is completely down for us'],
  ])('%s fires on "%s"', (re, text) => {
    expect(re.test(text)).toBe(true);
  });
});
