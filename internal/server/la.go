// Package server serves sleuth over HTTP. It provides a Log
// Analytics-compatible query endpoint over any source (normally the
// embedded store), so that tooling written for Microsoft Sentinel —
// msticpy, anything built on the Azure Monitor Query clients — can hunt
// the local lab, and so that sleuth's own Sentinel source can be tested
// end to end with the real client.
//
// The endpoint is POST /v1/workspaces/{id}/query with a JSON body
// {"query": KQL, "timespan": ISO 8601 interval} (GET with ?query= and
// &timespan= works too). It answers in the Log Analytics shape,
// {"tables":[{"name":"PrimaryResult","columns":[…],"rows":[…]}]}, with
// warnings and truncation as a PartialError, and errors as
// {"error":{"code","message","innererror"}}. Every request needs
// "Authorization: Bearer TOKEN". Routing is net/http's ServeMux with
// method patterns.
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
	"github.com/sleuth-hunt/sleuth/internal/rows"
	"github.com/sleuth-hunt/sleuth/internal/source"
)

// Limits of the endpoint, as the Log Analytics API documents its own.
const (
	DefaultMaxRows = 500_000
	DefaultWait    = 3 * time.Minute
	MaxWait        = 10 * time.Minute
	maxBody        = 2 << 20 // a 1 MiB query plus JSON overhead
)

// LAOptions configure the Log Analytics endpoint.
type LAOptions struct {
	// Source answers the queries.
	Source source.Source
	// Token is the bearer token every request must carry; it must not be
	// empty.
	Token string
	// Workspace, when set, is the only workspace id accepted; otherwise
	// any id names the one source.
	Workspace string
	// MaxRows caps each result (default DefaultMaxRows).
	MaxRows int
	// Now is the clock for relative timespans; nil means time.Now.
	Now func() time.Time
	// Log receives one line per query; nil discards.
	Log *slog.Logger
}

// NewLA returns the Log Analytics-compatible handler.
func NewLA(opt LAOptions) (http.Handler, error) {
	if opt.Source == nil {
		return nil, errors.New("server: no source")
	}
	if opt.Token == "" {
		return nil, errors.New("server: a bearer token is required")
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &laHandler{opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/workspaces/{workspace}/query", h.query)
	mux.HandleFunc("GET /v1/workspaces/{workspace}/query", h.query)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "PathNotFoundError", "the requested path does not exist; use POST /v1/workspaces/{id}/query", nil)
	})
	return h.authorize(mux), nil
}

type laHandler struct {
	opt LAOptions
}

// authorize checks the bearer token in constant time before anything else.
func (h *laHandler) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			writeError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", nil)
			return
		}
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(h.opt.Token)) != 1 {
			writeError(w, http.StatusForbidden, "InvalidAuthenticationToken", "The access token is invalid.", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// queryRequest is the request body.
type queryRequest struct {
	Query    string `json:"query"`
	Timespan string `json:"timespan"`
}

func (h *laHandler) query(w http.ResponseWriter, r *http.Request) {
	ws := r.PathValue("workspace")
	if h.opt.Workspace != "" && !strings.EqualFold(ws, h.opt.Workspace) {
		writeError(w, http.StatusNotFound, "WorkspaceNotFoundError", fmt.Sprintf("workspace %s is not served here", ws), nil)
		return
	}
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	now := h.opt.Now().UTC()
	opt := source.Options{Now: now, MaxRows: h.opt.MaxRows}
	if req.Timespan != "" {
		start, end, err := source.ParseInterval(req.Timespan, now)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
				&inner{Code: "InvalidTimespan", Message: err.Error()})
			return
		}
		opt.Start, opt.End = start, end
	}
	prefer := parsePrefer(r.Header.Get("Prefer"))
	opt.Timeout = prefer.wait
	q, err := kql.Parse(req.Query)
	if err != nil {
		writeQueryError(w, req.Query, err)
		return
	}
	began := time.Now()
	res, err := h.opt.Source.Query(r.Context(), q, opt)
	if err != nil {
		h.opt.Log.Warn("query failed", "workspace", ws, "error", err)
		writeQueryError(w, req.Query, err)
		return
	}
	h.opt.Log.Info("query", "workspace", ws, "rows", len(res.Set.Rows), "elapsed", time.Since(began).Round(time.Millisecond))
	writeJSON(w, http.StatusOK, response(res, h.opt.MaxRows, prefer.statistics, time.Since(began)))
}

// readRequest reads the query from the JSON body (POST) or the URL (GET).
func readRequest(w http.ResponseWriter, r *http.Request) (queryRequest, bool) {
	var req queryRequest
	if r.Method == http.MethodGet {
		req.Query, req.Timespan = r.URL.Query().Get("query"), r.URL.Query().Get("timespan")
	} else {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		if err := dec.Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
				&inner{Code: "InvalidBody", Message: "the body is not a JSON object with a query: " + err.Error()})
			return req, false
		}
	}
	if strings.TrimSpace(req.Query) == "" {
		writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
			&inner{Code: "MissingQuery", Message: "the request has no query"})
		return req, false
	}
	return req, true
}

type prefer struct {
	wait       time.Duration
	statistics bool
}

// parsePrefer reads the Prefer header: wait=SECONDS (at most ten
// minutes) and include-statistics=true.
func parsePrefer(h string) prefer {
	p := prefer{wait: DefaultWait}
	for _, part := range strings.Split(h, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(k) {
		case "wait":
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				p.wait = min(time.Duration(n)*time.Second, MaxWait)
			}
		case "include-statistics":
			p.statistics = v == "true"
		}
	}
	return p
}

// The response shapes of the Log Analytics API.
type (
	laResponse struct {
		Tables     []laTable `json:"tables"`
		Error      *laError  `json:"error,omitempty"`
		Statistics any       `json:"statistics,omitempty"`
	}
	laTable struct {
		Name    string     `json:"name"`
		Columns []laColumn `json:"columns"`
		Rows    [][]any    `json:"rows"`
	}
	laColumn struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	laError struct {
		Code       string    `json:"code"`
		Message    string    `json:"message"`
		Details    []laError `json:"details,omitempty"`
		InnerError *inner    `json:"innererror,omitempty"`
	}
	inner struct {
		Code         string `json:"code"`
		Message      string `json:"message"`
		Severity     int    `json:"severity,omitempty"`
		SeverityName string `json:"severityName,omitempty"`
		Line         int    `json:"line,omitempty"`
		Pos          int    `json:"pos,omitempty"`
	}
)

func response(res *source.Result, maxRows int, stats bool, elapsed time.Duration) laResponse {
	set := res.Set
	t := laTable{Name: "PrimaryResult", Columns: make([]laColumn, len(set.Columns)), Rows: make([][]any, len(set.Rows))}
	for i, c := range set.Columns {
		t.Columns[i] = laColumn{Name: c.Name, Type: typeName(c)}
	}
	for i, r := range set.Rows {
		row := make([]any, len(r))
		for j, v := range r {
			row[j] = source.ToJSON(set.Columns[j].Type, v)
		}
		t.Rows[i] = row
	}
	out := laResponse{Tables: []laTable{t}}
	if e := partialError(res, maxRows); e != nil {
		out.Error = e
	}
	if stats {
		out.Statistics = map[string]any{"query": map[string]any{
			"executionTime": elapsed.Seconds(), "datasetStatistics": []any{map[string]any{"tableRowCount": len(set.Rows)}},
		}}
	}
	return out
}

func typeName(c rows.Column) string {
	if c.Type.Valid() {
		return string(c.Type)
	}
	return string(catalog.String)
}

// partialError reports warnings and truncation the way the service does:
// a PartialError whose details carry each reason.
func partialError(res *source.Result, maxRows int) *laError {
	var details []laError
	if res.Set.Truncated {
		details = append(details, laError{Code: "EngineError", Message: "Something went wrong processing your query on the server.",
			InnerError: &inner{Code: "-2133196797", Severity: 2, SeverityName: "Error",
				Message: fmt.Sprintf("Query result set has exceeded the internal record count limit %d records (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)", maxRows)}})
	}
	for _, w := range res.Warnings {
		details = append(details, laError{Code: "Warning", Message: w, InnerError: &inner{Code: "Warning", Message: w, Severity: 3, SeverityName: "Warning"}})
	}
	if len(details) == 0 {
		return nil
	}
	return &laError{Code: "PartialError", Message: "There were some errors when processing your query.", Details: details}
}

// writeQueryError maps a parse, check or source error to the service's
// status and error codes.
func writeQueryError(w http.ResponseWriter, src string, err error) {
	var le kql.ErrorList
	var ke *kql.Error
	switch {
	case errors.As(err, &le) && len(le) > 0:
		ke = le[0]
	case errors.As(err, &ke):
	}
	if ke != nil && ke.Code != kql.CodeInternal {
		code := "SemanticError"
		if ke.Code == kql.CodeSyntax {
			code = "SyntaxError"
		}
		line, col := kql.Position(src, ke.Span.Start)
		writeError(w, http.StatusBadRequest, "BadArgumentError", "The request had some invalid properties",
			&inner{Code: code, Message: err.Error(), Line: line, Pos: col})
		return
	}
	status, code := http.StatusInternalServerError, "InternalServerError"
	switch errorCode(err) {
	case source.CodeTimeout, "store.timeout":
		status, code = http.StatusGatewayTimeout, "GatewayTimeout"
	case source.CodeRateLimited:
		status, code = http.StatusTooManyRequests, "TooManyRequests"
	case source.CodeUnavailable, "store.locked", "store.open":
		status, code = http.StatusServiceUnavailable, "ServiceUnavailable"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		status, code = http.StatusGatewayTimeout, "GatewayTimeout"
	}
	writeError(w, status, code, err.Error(), nil)
}

func errorCode(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

func writeError(w http.ResponseWriter, status int, code, msg string, in *inner) {
	writeJSON(w, status, map[string]any{"error": laError{Code: code, Message: msg, InnerError: in}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone if this fails; nothing to tell it
}
