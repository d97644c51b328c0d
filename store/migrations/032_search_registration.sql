-- The dashboard's search finds a study by its registration number (ID-RCB, EU CT number) as
-- well as by its title: the number is what the CPP's and the ANSM's letters quote.
CREATE OR REPLACE FUNCTION filtered_studies(p_state text, p_category text, p_overdue boolean,
                                            p_text text)
RETURNS SETOF studies LANGUAGE sql STABLE AS $$
    SELECT * FROM studies
    WHERE (p_state IS NULL OR state = p_state)
      AND (p_category IS NULL OR category = p_category)
      -- a clock past its day is overdue even before the workflow's timer has recorded it
      AND (p_overdue IS NULL OR (overdue OR coalesce(next_due_on < current_date, false)) = p_overdue)
      AND (p_text IS NULL OR lower(title) LIKE '%' || lower(p_text) || '%'
           OR lower(view->>'registration') = lower(p_text))
$$;
