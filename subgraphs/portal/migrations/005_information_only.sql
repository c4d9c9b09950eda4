-- Lookups (a vehicle by plate, a driver's record, one's tax debts) are catalogued for what they tell,
-- but there is nothing to apply for: the agency answers them on its own channel at once.
ALTER TABLE procedures ADD COLUMN information_only boolean NOT NULL DEFAULT false;
