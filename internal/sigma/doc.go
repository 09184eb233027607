// Package sigma reads Sigma rules (specification 2.x: detection rules,
// correlation rules, multi-document files) and compiles them to KQL over
// sleuth's catalog tables, so the same rule runs on the embedded store and
// prints as Sentinel-ready KQL.
//
// # Loading
//
// Parse and ParseFile read YAML with goccy/go-yaml's AST, so every problem
// carries the file, line and column and a stable code (sigma.yaml,
// sigma.missing_field, sigma.bad_field, sigma.bad_condition, …; see the
// Code constants). LoadPaths reads files and directories into a Collection,
// which resolves the rules a correlation names by id or name.
//
// # Detection semantics
//
// Values follow the specification and pySigma: matching ignores case unless
// |cased; * and ? are wildcards and \*, \? and \\ escape them (a backslash
// before anything else is itself); a list ORs its values (ANDs them with
// |all); a list of maps ORs the maps; a map ANDs its items; plain lists are
// keywords searched in the event's text. Conditions have and, or, not,
// parentheses, "1 of"/"all of" a pattern or "them" (which skips identifiers
// starting with _), and a list of conditions is ORed. Every Sigma 2.1
// modifier is implemented, one file per family (mod_*.go): contains,
// startswith, endswith, all, windash, cased, neq, re with i/m/s, base64,
// base64offset, utf16le/wide, utf16be, utf16, cidr, exists, fieldref,
// expand (values from Options.Placeholders), lt/lte/gt/gte and the date
// parts minute … year.
//
// # KQL
//
// Each value becomes the cheapest exact KQL: =~ and in~ (== and in with
// |cased), contains, startswith and endswith (their _cs forms with
// |cased), and an anchored RE2 "matches regex" for any other wildcard
// pattern (with the s flag: Sigma's * crosses newlines). null and ” are
// isempty; exists is isnotempty for strings (Kusto strings are never null)
// and isnotnull otherwise; cidr is ipv4_is_in_range or ipv6_is_in_range;
// numbers compare numerically against number columns (tolong/toreal for
// text) and as written against text (0x17 stays "0x17"). More than 32 ORed
// patterns on one field (|windash, |base64offset) fold into one regular
// expression.
//
// # Tables and fields
//
// logsource.go maps logsources to tables: process_creation →
// DeviceProcessEvents, network_connection and dns_query →
// DeviceNetworkEvents (DNS is ActionType DnsConnectionInspected), file_* →
// DeviceFileEvents, registry_* → DeviceRegistryEvents, image_load →
// DeviceImageLoadEvents, process_access and create_remote_thread →
// DeviceEvents (ActionType OpenProcessApiCall / CreateRemoteThreadApiCall),
// windows service security → SecurityEvent, other Windows channels and the
// Sysmon-only categories (pipe_created, driver_load, wmi_event, …) →
// WindowsEvent filtered by Channel and EventID, linux services → Syslog,
// azure signinlogs/activitylogs/auditlogs/riskdetection and aws cloudtrail
// to their tables. fieldmap.go maps Sysmon names to Defender columns the way
// sleuth's ingest normalises Sysmon. Some fields need more than a rename
// (special.go): User is AccountDomain\AccountName and TargetObject is
// RegistryKey\RegistryValueName (both as extended columns, so the KQL reads
// like the rule); Hashes splits into SHA256, SHA1 and MD5 (an IMPHASH has no
// column and is left out of an OR with a note); registry patterns match both
// Sysmon's hive abbreviations (HKLM\, HKU\) and Defender's spelled-out hives,
// and CurrentControlSet as ControlSet001; Details "DWORD (0x…)" also matches
// Defender's decimal data; Initiated becomes the network ActionType;
// GrantedAccess is Defender's numeric AdditionalFields.DesiredAccess. Sysmon
// fields no Defender column takes (CurrentDirectory, Signed, CallTrace, the
// imphash, …) are read from AdditionalFields, where sleuth's ingest keeps
// them under their Sysmon names; the rule's notes say so, since Defender's
// own records lack them. Fields of WindowsEvent live in EventData under the
// event's own names (for Windows Defender events, which say "Threat Name",
// the Sigma name and the spaced one are both tried). A field with no column
// is sigma.unmapped_field, saying why.
//
// # Correlations
//
// CompileCorrelation handles event_count, value_count, temporal,
// temporal_ordered and the Sigma 2.1 metrics value_sum, value_avg,
// value_percentile and value_median, with group-by, aliases, range
// conditions and chains of correlations. Evaluate runs one in Go over the
// base rules' matches: windows slide (every event opens one, two pointers
// over events sorted by group and time, so no bucket boundary splits a
// burst) and overlapping windows of a group merge, so a burst gives one
// signal carrying its events. With gt/gte conditions this finds every
// qualifying window exactly; with lt/lte/eq a window is the timespan after
// each event. The correlation's Query is the same computation in KQL for
// Sentinel: a self-join on the group-by fields with a time-range condition
// (chained joins for temporal_ordered), one row per group.
package sigma
