// Package report renders what a hunt found (a hunt.Report) for the people
// and tools that read it:
//
//   - report.md, for an analyst and a manager: summary, findings with their
//     evidence and ATT&CK techniques, timeline, assets, response actions,
//     every query run and what the hunt did not look at;
//   - report.json, the Report itself, and findings.jsonl, one finding a line;
//   - attack-layer.json, an ATT&CK Navigator layer of the techniques found;
//   - queries.kql, every query run and every finding's hunting query, ready
//     to paste into Sentinel or Defender;
//   - a short summary for the terminal, and a line per finding appended to
//     the threats log.
//
// Log data is hostile: sample rows, user names and command lines can hold
// Markdown, HTML, terminal escape sequences and instructions aimed at an
// LLM. Every value taken from a report is rendered as inert text (escaped,
// or in a code span), never as markup, and control characters are made
// visible instead of being passed through.
package report
