-- The question versions an attempt showed, in position order, kept on the attempt row itself.
-- Written with the items (an attempt's items are fixed at its start; an adaptive check appends
-- one at a time), so a start reads which questions a candidate has seen from their few attempt
-- rows instead of from every one of their answer rows, which a large attempt_items table
-- scatters over as many heap pages.
ALTER TABLE attempts ADD COLUMN question_versions uuid[] NOT NULL DEFAULT '{}';

UPDATE attempts a
SET question_versions = ARRAY(SELECT i.question_version_id FROM attempt_items i
                              WHERE i.attempt_id = a.id ORDER BY i.position)
WHERE EXISTS (SELECT 1 FROM attempt_items i WHERE i.attempt_id = a.id);
