"""The incubation pool (孵化池 / 培育, changning-13a-c, jinshan-12a-c, hangzhou-1.3b): memberships by
self-application, industry or expert recommendation, admitted by the office; free trainings and
their attendance; the cultivation review passed (hangzhou-4.3b); a member's pool history on its
later applications."""
