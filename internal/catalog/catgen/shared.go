package catgen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SharedData locates the public reference data: $SLEUTH_SHARED_DATA when
// set, else ../shared/data beside the module root (the directory holding
// go.mod, found from the working directory upwards). A user's checkout has
// no ../shared; callers that can do without it skip with the error's text.
func SharedData() (string, error) {
	if d := os.Getenv("SLEUTH_SHARED_DATA"); d != "" {
		return checkDir(d)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return checkDir(filepath.Join(dir, "..", "shared", "data"))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory, so no ../shared/data; set SLEUTH_SHARED_DATA")
		}
		dir = parent
	}
}

func checkDir(d string) (string, error) {
	st, err := os.Stat(d)
	if err != nil {
		return "", fmt.Errorf("shared data not found: %w (set SLEUTH_SHARED_DATA to the data folder)", err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("shared data %s is not a folder", d)
	}
	return filepath.Clean(d), nil
}
