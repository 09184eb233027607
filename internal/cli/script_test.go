package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real entry point as the "sleuth" command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sleuth": func() { os.Exit(Run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar. Each script gets its own store
// and config locations, and SHARED_DATA pointing at ../shared/data when it
// exists (scripts that need it start with `[!exec:true] skip` style guards
// or `skip` when $SHARED_DATA is empty).
func TestScripts(t *testing.T) {
	shared, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data"))
	if _, err := os.Stat(shared); err != nil {
		shared = ""
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("SLEUTH_DB", filepath.Join(env.WorkDir, "sleuth.duckdb"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("SHARED_DATA", shared)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				return shared != "", nil
			}
			return false, nil
		},
	})
}
