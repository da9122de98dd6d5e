-- "Rule out": options the candidate struck through on a question, saved with the answer so a
-- reload or another device shows them the same way. Choice ids of the question's options.
ALTER TABLE attempt_items ADD COLUMN ruled_out jsonb NOT NULL DEFAULT '[]';
