-- A day's roll-up says when events arrived after the day had closed (a lane that was offline
-- overnight): how many, and when the report last changed that way.
ALTER TABLE daily_sales ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_sales ADD COLUMN revised_ms INTEGER;
