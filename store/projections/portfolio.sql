-- The unit's portfolio reports, computed from the read models (studies, deadlines, participants)
-- and the columns migration 030 generates from their views. store/projections/portfolio.py.

-- name: studies_by_state_category
SELECT state, category, count(*)::int AS n
FROM studies GROUP BY state, category ORDER BY state, category;

-- name: cpp_decision_times
-- Per committee (and for all of them: committee NULL), submission -> opinion in days, of the
-- study's current ethics submission (after a second review: the second committee's).
SELECT ethics_committee AS committee,
       count(*)::int AS submitted,
       count(ethics_opinion_on)::int AS decided,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ethics_opinion_on - ethics_submitted_on)
           AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ethics_opinion_on - ethics_submitted_on)
           AS p90_days,
       count(*) FILTER (WHERE ethics_information_requested)::int AS information_requests,
       count(*) FILTER (WHERE ethics_tacit)::int AS tacit
FROM studies
WHERE ethics_submitted_on IS NOT NULL
GROUP BY GROUPING SETS ((ethics_committee), ())
ORDER BY ethics_committee NULLS LAST;

-- name: ansm_decision_times
-- Per category (and for all: category NULL): submission -> decision in days.
SELECT category,
       count(*)::int AS submitted,
       count(ansm_decision_on)::int AS decided,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ansm_decision_on - ansm_submitted_on)
           AS median_days,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ansm_decision_on - ansm_submitted_on)
           AS p90_days,
       count(*) FILTER (WHERE ansm_decision = 'refused')::int AS refused,
       count(*) FILTER (WHERE ansm_tacit)::int AS tacit
FROM studies
WHERE ansm_submitted_on IS NOT NULL
GROUP BY GROUPING SETS ((category), ())
ORDER BY category NULLS LAST;

-- name: clocks_by_month
-- Met: in the month of the fact that met it (its legal date). Missed: in the month of its due
-- date, whether done late since or still waiting (a waiting clock past its day counts even
-- before the workflow's timer has recorded it). From month $1 on; per role and for all (NULL).
SELECT to_char(month, 'YYYY-MM') AS month, role,
       sum(met)::int AS met, sum(missed)::int AS missed
FROM (
    SELECT date_trunc('month', closed_on)::date AS month, role, 1 AS met, 0 AS missed
    FROM deadlines WHERE status = 'met' AND closed_on >= $1::date
    UNION ALL
    SELECT date_trunc('month', due_on)::date, role, 0, 1
    FROM deadlines
    WHERE (status = 'overdue' OR (waiting AND status = 'open' AND due_on < current_date))
      AND due_on >= $1::date
) AS judged
GROUP BY GROUPING SETS ((month, role), (month))
ORDER BY month, role NULLS FIRST;

-- name: inclusions_by_month
-- From the per-study monthly counts migration 030's trigger keeps (participants.included_on).
SELECT to_char(month, 'YYYY-MM') AS month, sum(included)::int AS included,
       count(*)::int AS studies
FROM inclusion_months
WHERE month >= $1::date AND included > 0
GROUP BY month ORDER BY month;

-- name: recruitment_facts
-- What a study's recruitment curve needs of its participants (domain/recruitment.py): how many
-- share each site and days of inclusion, withdrawal (of those included) and completion; a
-- handful of rows for a study of 10,000 participants, never one row each.
SELECT site, included_on, withdrawn_on, completed_on, count(*)::int AS n
FROM (SELECT site, included_on,
             CASE WHEN included_on IS NOT NULL THEN iso_date(view ->> 'withdrawn_on') END
                 AS withdrawn_on,
             iso_date(view ->> 'completed_on') AS completed_on
      FROM participants WHERE study_id = $1) AS facts
GROUP BY site, included_on, withdrawn_on, completed_on;
