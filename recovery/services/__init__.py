"""Every write of the recovery app, one module per job:

- `opening`: cases open (and close as corrected) with the levels, a failed recovery's follow-up;
- `steps`: the recovery itself: fix, surprise, close, the customer's rating of it;
- `owners`: who owns a case, and internal notes;
- `rules` and `bends`: the team's rules, and asking and deciding to bend one;
- `links`: the customer's status and rating links;
- `timeline`: what every case action shares (the locked row, the event it leaves);
- `telling`: the mails and notices a case sends.

The escalation chain and the SLA arithmetic are `recovery.escalation` and `recovery.sla`.
"""
