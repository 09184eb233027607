// Command benchgen writes synthetic Windows events as nxlog-flat NDJSON for
// ingest benchmarks (see package synth):
//
//	go run ./internal/ingest/benchgen -n 5000000 > /tmp/events.ndjson
//	sleuth --db /tmp/bench.duckdb ingest /tmp/events.ndjson
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sleuth-hunt/sleuth/internal/ingest/synth"
)

func main() {
	n := flag.Int("n", 1000000, "number of events")
	seed := flag.Uint64("seed", 1, "random seed")
	hosts := flag.Int("hosts", 20, "number of hosts")
	flag.Parse()
	if err := synth.Write(os.Stdout, *n, *seed, *hosts); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
