"""Two-way supervision (双向监督, changning-29, jinshan-22) and each expert's record (信誉档案).

Once an application's expert review is over, its applicant rates each expert who reviewed it on the
observance of review discipline, and each such expert rates the applicant (a score of 1 to 5 and a
comment), once per pair and direction. The rated party never learns who rated it:

- tables: the rating (``supervision_ratings``) names the rated party only; who rated whom
  (``supervision_rating_participation``) holds no score; nothing joins them, their keys are random
  and every rating of a rated party is re-issued in one transaction whenever one is added, so not
  even the rows' system columns attribute a rating; the rater is kept only sealed in the rating
  (AES-256-GCM, a key of its own derived from the service's secret), for the supervision team;
- API: the rated expert sees its own aggregate only over at least ``MIN_SHOWN`` ratings and never a
  comment; a rated applicant sees nothing; the office sees ratings without raters; the programme's
  supervision team (评审监督小组, the discipline body the ratings are fed back to) sees all, raters
  included.

The office records sanctions on an expert's record: criticism (批评), warning (警告), and
disqualification (取消评审资格), which makes the expert ``disqualified`` through the pool's status
(changning-28b, jinshan-21b, linyi-22b): no assignment may name it afterwards.
"""
