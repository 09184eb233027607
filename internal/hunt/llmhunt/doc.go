// Package llmhunt is the language model's part in a hunt: a Planner that
// turns the analyst's question into the same plan.Plan the offline planner
// makes, and an Analyst that reads compact, fenced evidence of the findings
// and returns verdicts and a narrative.
//
// The model is advisory. Everything it returns is validated before the
// hunt uses it: a plan must name tables that exist and hold data, a window
// inside the policy, entities the question named and the data contains,
// and tactics and techniques ATT&CK knows; a verdict must cite evidence
// lines that were sent and techniques that exist. It can move a finding's
// confidence within documented bounds and add a verdict beside the
// evidence, but it cannot delete a finding, change its severity, or add an
// entity to it, so it can never steer response actions onto something no
// evidence implicates. Any failure falls back to the offline result, and
// the report says so.
package llmhunt
