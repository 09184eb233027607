package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/sleuth-hunt/sleuth/internal/server"
)

const serveHelp = `Serves the embedded store over HTTP. With --la-api it answers the Log
Analytics query API (POST /v1/workspaces/{id}/query, body {"query","timespan"},
the Log Analytics response shape), so that tooling written for Microsoft
Sentinel — msticpy, anything built on the Azure Monitor Query clients, and
sleuth's own sentinel source — can hunt the local lab.

Every request needs "Authorization: Bearer TOKEN": --token (or
SLEUTH_SERVE_TOKEN) sets it, otherwise one is generated and printed to stderr
once. The Azure clients send bearer tokens only over HTTPS: give --tls-cert
and --tls-key, or --self-signed to make a certificate for this host (its PEM
is written next to the store; point SSL_CERT_FILE, REQUESTS_CA_BUNDLE or a
source's ca_cert at it). The server stops on Ctrl-C, letting running queries
finish.

Examples:
  sleuth serve --la-api --self-signed
  sleuth serve --la-api --addr 0.0.0.0:8443 --tls-cert host.pem --tls-key host-key.pem --token "$TOKEN"
  # then, from another shell:
  SLEUTH_LA_URL=https://127.0.0.1:8080 SLEUTH_AZURE_TOKEN=… sleuth sources test lab`

func (a *app) serveCmd() *ucli.Command {
	return &ucli.Command{
		Name:         "serve",
		Usage:        "serve the embedded store over a Log Analytics-compatible API",
		UsageText:    "sleuth serve --la-api [--addr 127.0.0.1:8080] [--token T] [--self-signed | --tls-cert F --tls-key F]",
		Description:  serveHelp,
		OnUsageError: onUsageError,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "la-api", Usage: "serve the Log Analytics query API"},
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen on `HOST:PORT` (port 0 picks a free one)"},
			&ucli.StringFlag{Name: "token", Usage: "the bearer `TOKEN` clients must send", Sources: ucli.EnvVars("SLEUTH_SERVE_TOKEN")},
			&ucli.StringFlag{Name: "workspace", Usage: "accept only this workspace `ID` (default: any)"},
			&ucli.StringFlag{Name: "tls-cert", Usage: "serve HTTPS with the certificate in `FILE` (PEM)"},
			&ucli.StringFlag{Name: "tls-key", Usage: "the certificate's private key `FILE` (PEM)"},
			&ucli.BoolFlag{Name: "self-signed", Usage: "serve HTTPS with a new self-signed certificate for this host"},
			&ucli.IntFlag{Name: "max-rows", Value: server.DefaultMaxRows, Usage: "cap each result at `N` rows"},
		},
		Action: a.serve,
	}
}

func (a *app) serve(ctx context.Context, cmd *ucli.Command) error {
	if cmd.Args().Present() {
		return usagef("sleuth serve takes flags only", "unexpected argument %q", cmd.Args().First())
	}
	if !cmd.Bool("la-api") {
		return usagef("run 'sleuth serve --la-api'", "choose the API to serve: --la-api (the Log Analytics query API) is the only one so far")
	}
	certFile, keyFile, selfSigned := cmd.String("tls-cert"), cmd.String("tls-key"), cmd.Bool("self-signed")
	if (certFile == "") != (keyFile == "") || selfSigned && certFile != "" {
		return usagef("give --tls-cert and --tls-key together, or --self-signed alone", "inconsistent TLS flags")
	}
	if !a.storeExists() {
		return withCode("store.open", "build the lab with 'sleuth lab generate', or load logs with 'sleuth ingest'",
			fmt.Errorf("nothing to serve: no store at %s", a.dbPath))
	}
	src, err := a.openEmbedded(ctx)
	if err != nil {
		return err
	}
	defer src.Close()
	token := cmd.String("token")
	if token == "" {
		if token, err = server.NewToken(); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "sleuth: bearer token for this server (pass --token to choose one): %s\n", token)
	}
	h, err := server.NewLA(server.LAOptions{Source: src, Token: token, Workspace: cmd.String("workspace"),
		MaxRows: int(cmd.Int("max-rows")), Now: a.clock(), Log: a.log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cmd.String("addr"))
	if err != nil {
		return withCode("usage", "choose another --addr, or stop what listens there", err)
	}
	cert, err := a.serveCert(ln.Addr(), certFile, keyFile, selfSigned)
	if err != nil {
		ln.Close()
		return err
	}
	scheme := "https"
	if cert == nil {
		scheme = "http"
		fmt.Fprintln(a.stderr, "sleuth: notice: plain HTTP; the Azure SDK clients send bearer tokens only over HTTPS (use --self-signed or --tls-cert)")
	}
	fmt.Fprintf(a.stderr, "sleuth: serving the Log Analytics API at %s://%s/v1/workspaces/{any id}/query (Ctrl-C stops)\n", scheme, ln.Addr())
	if err := server.Serve(ctx, ln, h, cert); err != nil {
		return withCode("internal", "", err)
	}
	fmt.Fprintln(a.stderr, "sleuth: server stopped")
	return nil
}

// clock is the reference time of relative timespans: --now when given,
// else the wall clock at each request.
func (a *app) clock() func() time.Time {
	if a.nowSet {
		now := a.now
		return func() time.Time { return now }
	}
	return time.Now
}

// serveCert loads the given certificate, or makes and saves a
// self-signed one, or returns nil for plain HTTP.
func (a *app) serveCert(addr net.Addr, certFile, keyFile string, selfSigned bool) (*tls.Certificate, error) {
	switch {
	case certFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, withCode("usage", "give PEM files of a certificate and its private key", err)
		}
		return &cert, nil
	case !selfSigned:
		return nil, nil
	}
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if host, _, err := net.SplitHostPort(addr.String()); err == nil {
		hosts = append(hosts, host)
	}
	if name, err := os.Hostname(); err == nil {
		hosts = append(hosts, name)
	}
	cert, pem, err := server.SelfSigned(hosts)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(filepath.Dir(a.dbPath), "serve-cert.pem")
	if err := os.WriteFile(path, pem, 0o644); err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "sleuth: self-signed certificate written to %s (trust it with SSL_CERT_FILE, REQUESTS_CA_BUNDLE or a source's ca_cert)\n", path)
	return &cert, nil
}
