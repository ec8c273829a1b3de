-- Schema version 5, both dialects: grants found by their document, so that
-- a document grant asked for again (a retry after a lost answer, or one
-- request delivered twice) is found and answered, not made a second time.
CREATE INDEX grants_doc ON grants(doc_id, grantee_id);
