"""Public verification of a licence and the public register of active licences (Art. 6):
no log-in, no personal data (Art. 5), rate-limited per client address."""
