// Package lab simulates an enterprise for sleuth to hunt in: an
// organisation (Windows and Linux hosts, users with roles, sites in several
// countries, an internal IP plan, public egress, an Azure subscription),
// days of benign telemetry in the catalog's tables, attack scenarios woven
// into it, benign look-alikes (decoys) that a good hunter must not report,
// and a ground-truth file that says which rows belong to which scenario.
//
// Everything is a pure function of the seed and the options: every
// component draws from its own math/rand/v2 stream, derived from the seed
// and a label, so that the same flags give identical rows however the work
// is scheduled on the CPUs. Names of hosts, users, domains and IPs, and the
// schemes that produce them, change with the seed, so that detections cannot
// key on the names the generator happens to use.
//
// Generate streams rows into a Sink one hour at a time, table by table, in
// time order; memory stays bounded by the rows of one hour. Rows are built
// by column name against the catalog and converted to catalog order once
// per table; columns or tables the catalog lacks are reported in the
// Summary, never silently invented.
package lab
