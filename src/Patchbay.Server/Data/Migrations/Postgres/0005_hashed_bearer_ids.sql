-- Bearer ids that sat in clear are keyed by their SHA-256 (lowercase hex) from now on: webhook resume ids
-- (execution_waits) and OAuth state ids (oauth_states). Connect codes were hashed from the start.
update execution_waits set id = encode(sha256(convert_to(id, 'UTF8')), 'hex');
update oauth_states set id = encode(sha256(convert_to(id, 'UTF8')), 'hex');
