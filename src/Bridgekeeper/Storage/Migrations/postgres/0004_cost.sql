-- The cost of each token-usage row in USD, computed when it is recorded (null when the model has no price).
ALTER TABLE token_usages ADD COLUMN cost_usd numeric(20, 10);
