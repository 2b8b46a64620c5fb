"""Running work: plan (units), store (SQLite), LLM-call cache, local executor."""
