"""After the award (获奖后管理, issue 17): what winners owe and what the office follows up.

- ``schedule``: a programme's duty schedule as years and due days (pure, the legal calendar given);
- ``duties``: each winner's scheduled duties as durable deadlines, written with the commendation
  decision; reports received through the one file intake; overdue ones swept by the deadline worker;
- ``follow_ups``: the office's follow-up visits and what each finding leads to;
- ``revocation_referral``: the one place a follow-up's finding opens a revocation case;
- ``activities``: role-model activities (示范引领) and the office's report of them.
"""
