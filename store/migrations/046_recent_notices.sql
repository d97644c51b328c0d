-- The inbox header's window, written once: the latest 500 notices role $1 receives (of the
-- studies whose investigator is $2 when given). Its unread count and "mark all read" both read
-- it (store/projections/notifications.sql), so that what is marked read is what was counted.
-- A SQL function of one SELECT: inlined into each query, planned with it.
CREATE FUNCTION recent_notices(p_role text, p_investigator text) RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    SELECT n.id FROM notifications n JOIN studies s ON s.id = n.study_id
    WHERE n.role = p_role AND (p_investigator IS NULL OR s.investigator = p_investigator)
    ORDER BY n.id DESC LIMIT 500
$$;
