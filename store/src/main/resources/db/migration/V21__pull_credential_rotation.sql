-- A pull agent's rotation keeps the credential it replaced until the new one is first used: an answer lost on the
-- way leaves the agent with a credential that still works (and it may rotate again with it).
ALTER TABLE cluster_joins ADD COLUMN previous_credential text;
