// Command sleuth is an agentic threat hunter for SOC analysts.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sleuth-hunt/sleuth/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
