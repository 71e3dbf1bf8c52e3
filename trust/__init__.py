"""Account trust and safety: rate limits, sign-up defence and the waitlist, impersonation and
counterfeit-account signals, verification, influx mode (docs/trust.md)."""
