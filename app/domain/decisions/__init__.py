"""Committee decisions (评审会审议与表决, issue 15): members and their conflicts, the candidate list,
meetings, votes (secret ballot, show of hands, deliberation), the tally against the quotas, minutes."""
