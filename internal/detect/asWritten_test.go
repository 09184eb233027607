package detect

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sleuth-hunt/sleuth/internal/catalog/catgen"
	"github.com/sleuth-hunt/sleuth/internal/detect/detecttest"
	"github.com/sleuth-hunt/sleuth/internal/ingest"
	"github.com/sleuth-hunt/sleuth/internal/store"
)

type sink struct{ st *store.Store }

func (s sink) Writer(ctx context.Context, table string) (ingest.TableWriter, error) {
	return s.st.Appender(ctx, table)
}

// TestSigmaHQBatchedMatchesAsWritten runs a third of SigmaHQ's Windows
// rules, batched and one by one, over six OTRF recordings (PsExec,
// Mimikatz, regsvr32, mshta, bitsadmin, an LSASS dump), and requires the
// same signals: the rewrites of the
// batched scans (extracted members, lower-cased columns, folded patterns,
// guards, skipped rules) on real rules.
func TestSigmaHQBatchedMatchesAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hundreds of queries; skipped with -short")
	}
	root, err := catgen.SharedData()
	if err != nil {
		t.Skipf("shared test data is absent: %v", err)
	}
	var recs []string
	for _, f := range []string{"empire_psexec_dcerpc_tcp_svcctl.zip", "empire_mimikatz_logonpasswords.zip", "empire_launcher_sct_regsvr32.zip",
		"cmd_mshta_vbscript_execute_psh.zip", "cmd_bitsadmin_download_psh_script.zip", "psh_lsass_memory_dump_comsvcs.zip"} {
		recs = append(recs, filepath.Join(root, "otrf", "atomic", f))
	}
	rulesDir := filepath.Join(root, "sigma", "rules", "windows")
	for _, p := range append(recs, rulesDir) {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("shared test data %s is absent", p)
		}
	}
	all, err := Load(LoadOptions{NoBuiltin: true, Paths: []string{rulesDir}})
	if err != nil {
		t.Fatal(err)
	}
	sample := &RuleSet{}
	for i, r := range all.Runnable() {
		if i%3 == 0 {
			sample.Rules = append(sample.Rules, r)
		}
	}
	s := detecttest.Open(t)
	if _, err := ingest.Run(context.Background(), sink{s.St}, recs, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	scope := Scope{Start: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	ref, err := (&Engine{Source: s.Src, Rules: sample, Options: Options{asWritten: true}}).Run(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&Engine{Source: s.Src, Rules: sample}).Run(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Errors) > 0 || len(got.Errors) > 0 {
		t.Fatalf("rules failed: as written %v, batched %v", ref.Errors, got.Errors)
	}
	if d := cmp.Diff(keys(ref.Signals), keys(got.Signals)); d != "" {
		t.Errorf("batched scans differ from the rules as written (-as written +batched):\n%s", d)
	}
	t.Logf("%d rules: %d signals; as written %v in %d queries, batched %v in %d queries (%d rules skipped)",
		len(sample.Rules), len(got.Signals), ref.Elapsed, len(ref.Queries), got.Elapsed, len(got.Queries), got.Skipped)
}
