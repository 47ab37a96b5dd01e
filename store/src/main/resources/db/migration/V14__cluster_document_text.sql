-- The owner's document as they wrote it, for its key order: jsonb (what queries and indexes use) keeps
-- keys in its own order, so a GET would hand back a reordered document. Reads put the jsonb document's
-- values in this text's order (server-owned additions such as config.urlMap after the owner's keys).
-- Nullable, no default: adding it rewrites no rows; rows written before keep the jsonb order.
ALTER TABLE clusters ADD COLUMN document_text text;
