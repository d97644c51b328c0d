-- The dashboard's filters in one place, for the page of studies and for their count. A STABLE
-- SQL function is inlined by the planner, so the page is read in the urgency index's order.
CREATE FUNCTION filtered_studies(p_state text, p_category text, p_overdue boolean, p_text text)
RETURNS SETOF studies LANGUAGE sql STABLE AS $$
    SELECT * FROM studies
    WHERE (p_state IS NULL OR state = p_state)
      AND (p_category IS NULL OR category = p_category)
      -- a clock past its day is overdue even before the workflow's timer has recorded it
      AND (p_overdue IS NULL OR (overdue OR coalesce(next_due_on < current_date, false)) = p_overdue)
      AND (p_text IS NULL OR lower(title) LIKE '%' || lower(p_text) || '%')
$$;
