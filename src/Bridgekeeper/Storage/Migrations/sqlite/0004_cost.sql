-- What each token-usage row cost in USD, priced when it was recorded (later price changes never rewrite it).
-- NULL: the model had no price (unpriced), which is not the same as 0.
ALTER TABLE token_usages ADD COLUMN cost_usd REAL;
