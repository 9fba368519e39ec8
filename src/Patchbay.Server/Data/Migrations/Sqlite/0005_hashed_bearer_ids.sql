-- Bearer ids that sat in clear are keyed by their SHA-256 (lowercase hex) from now on: webhook resume ids
-- (execution_waits) and OAuth state ids (oauth_states). patchbay_sha256 is registered by the Migrator; connect codes
-- were hashed from the start.
update execution_waits set id = patchbay_sha256(id);
update oauth_states set id = patchbay_sha256(id);
