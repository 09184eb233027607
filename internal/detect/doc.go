// Package detect runs detection rules — compiled Sigma rules, correlation
// rules and hunting analytics — over a time window of a source and returns
// signals: one per rule and group of related matching events.
//
// # Rule sets
//
// Load compiles the built-in pack (internal/rules, plus the analytics of
// this package) and the user's rule directories once, with internal/sigma.
// A rule that does not compile keeps its error, with file, line and a
// stable code, and the others run. Rules a correlation counts are hidden:
// they run only through the correlation, as Sigma prescribes.
//
// # Running
//
// Engine.Run asks a source.Source for everything, so the engine runs the
// same on the embedded store and on Sentinel. Every query carries the
// window as a where TimeGenerated between (…) node of its tree. Detection
// rules over one table are batched into a few scans (scan.go), each
// evaluating up to Options.ChunkSize rule predicates as boolean columns and
// keeping the rows where any holds; rows are split by rule in Go. Before
// batching, the predicates are rewritten (rewrite.go) so that a scan
// computes each JSON member and each lower-cased column once per row, and
// only on the rows the rules' leading tests admit, and many substring tests
// of one column become one regular expression. One small query per table
// lists the values of the columns the rules test first, and rules no value
// can satisfy are skipped (prune.go). A scan the source refuses is halved
// until the failing rule is found, which is reported alone. Tests hold the
// batched scans to the rules' own queries run one by one.
// Correlations run through sigma's evaluator, their rules' event queries
// windowed the same way. Analytics are Go code over KQL queries, for what
// Sigma cannot say (speeds between sign-ins, volumes to rare destinations,
// first sightings).
//
// # Signals
//
// A rule's matches group by subject — the row's main entity, chosen from
// the catalog's roles: host for endpoint tables, user for identity tables,
// source address for flow tables — and by session (matches more than
// Options.SessionGap apart split). A signal carries its first and last
// time, count, the entities of all its rows, up to three sample rows, the
// rule's ATT&CK techniques and tactics, and KQL that reproduces it.
package detect
