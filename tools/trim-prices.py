#!/usr/bin/env python3
"""Trims the shared LiteLLM price file to what the gateway could price. Run by tools/prices/generate.mjs, which keeps
only the models @pydantic/genai-prices lacks and writes src/Bridgekeeper/Pricing/litellm-prices.json.

    python3 tools/trim-prices.py SOURCE OUTPUT

SOURCE defaults to ../shared/data/model-prices.json (a filtered copy of LiteLLM's
model_prices_and_context_window.json, MIT, kept in Wei-Shaw/model-price-repo at commit f9ff147, synced
2026-07-24).

Kept: entries whose litellm_provider is openai or anthropic and whose mode is chat or responses, with only the
per-token USD prices the gateway uses (input, output, cache read, cache write 5-minute and 1-hour) and their
_above_NNNk_tokens tiers. Dropped: batch, flex and priority service tiers, audio/image prices, web search.

An entry with a free-text _comment is a hand-made exception upstream; each one must be listed in NOTES below
(with the last day its price applies, when it is temporary), so a new exception cannot slip through unread.
"""
import hashlib
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

if len(sys.argv) != 3:
    sys.exit("usage: python3 tools/trim-prices.py SOURCE OUTPUT (tools/prices/generate.mjs runs it)")
SOURCE = Path(sys.argv[1])
OUTPUT = Path(sys.argv[2])

PROVIDERS = {"openai", "anthropic"}
MODES = {"chat", "responses"}
BASE_FIELDS = [
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
]
TIERS = ["_above_200k_tokens", "_above_272k_tokens"]

# model -> (last day the price applies or None, note). Read from the entry's _comment by a person.
NOTES = {
    "claude-sonnet-5": (
        "2026-08-31",
        "Promotional price through 2026-08-31 (upstream _comment); the regular price is not in the source. "
        "After that day the table leaves the model unpriced: set an operator price.",
    ),
}


def number(value):
    """The price as the decimal of the float's shortest text (2.5e-06 is exactly 0.0000025), never binary noise."""
    return Decimal(repr(value))


def main():
    raw = SOURCE.read_bytes()
    source = json.loads(raw)
    models = {}
    for name in sorted(source):
        entry = source[name]
        if not isinstance(entry, dict) or entry.get("litellm_provider") not in PROVIDERS or entry.get("mode") not in MODES:
            continue
        if entry.get("input_cost_per_token") is None or entry.get("output_cost_per_token") is None:
            continue
        if "_comment" in entry and name not in NOTES:
            sys.exit(f"{name} has a _comment nobody has read: {entry['_comment']!r}; add it to NOTES")
        kept = {"provider": entry["litellm_provider"], "mode": entry["mode"]}
        for field in BASE_FIELDS:
            for tier in [""] + TIERS:
                value = entry.get(field + tier)
                if value is not None:
                    if not isinstance(value, (int, float)) or value < 0:
                        sys.exit(f"{name}.{field + tier} is not a non-negative number: {value!r}")
                    kept[field + tier] = number(value)
        hour = kept.get("cache_creation_input_token_cost_above_1hr")
        if entry["litellm_provider"] == "anthropic" and hour is not None \
                and Decimal(hour) != 2 * Decimal(kept["input_cost_per_token"]):
            # Anthropic bills 1-hour cache writes at 2x the base input price; the source has a few copy errors
            # (claude-3-haiku: $6 instead of $0.50 per MTok). Leave them out rather than ship a wrong price.
            print(f"dropped {name}.cache_creation_input_token_cost_above_1hr = {hour} (not 2 x input)", file=sys.stderr)
            for tier in [""] + TIERS:
                kept.pop("cache_creation_input_token_cost_above_1hr" + tier, None)
        if name in NOTES:
            until, note = NOTES[name]
            if until:
                kept["price_valid_until"] = until
            kept["note"] = note
        models[name] = kept
    missing = set(NOTES) - set(models)
    if missing:
        sys.exit(f"NOTES name models not in the table: {sorted(missing)}")

    table = {
        "source": "LiteLLM model_prices_and_context_window.json (MIT), filtered copy in Wei-Shaw/model-price-repo "
                  "commit f9ff147, synced 2026-07-24; read from ../shared/data/model-prices.json",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "source_date": "2026-07-24",
        "generated_by": "tools/trim-prices.py",
        "units": "USD per token",
        "selection": "litellm_provider openai or anthropic, mode chat or responses; standard service tier only",
        "models": models,
    }

    # Prices go out as JSON numbers in plain decimal text, so every reader gets the exact value.
    text = json.dumps(table, indent=2, default=lambda v: "@@" + format(v, "f"))
    text = re.sub(r'"@@([0-9.]+)"', r"\1", text)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    print(f"{len(models)} models -> {OUTPUT}")


if __name__ == "__main__":
    main()
