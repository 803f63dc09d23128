"""Every change to a stocktake, one module per stage: `campaigns` (plan, activate, close,
archive), `scanning` (scans, batches, manual counts, components, surplus finds), `holders`
(holders' confirmations beside the count) and `differences` (explain, approve, post, treat).
Callers import the stage module they use."""
