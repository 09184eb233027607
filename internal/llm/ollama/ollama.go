// Package ollama is the llm.Provider for a local Ollama server through its
// native /api/chat endpoint, with net/http only.
//
// It does not use Ollama's OpenAI-compatible /v1 endpoint, which ignores
// num_ctx and so silently truncates long prompts at the server's default
// context (2K–4K tokens); /api/chat takes options.num_ctx, and format
// takes the JSON schema for structured output.
package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// DefaultHost is where Ollama listens by default.
const DefaultHost = "http://127.0.0.1:11434"

// Options configures the provider.
type Options struct {
	// Host is OLLAMA_HOST's value: host, host:port or a URL.
	Host string
	// NumCtx is the context window to ask for (llm.num_ctx); when it is 0,
	// NumCtxFor picks one per model (from the catalog).
	NumCtx    int
	NumCtxFor func(model string) int
	// HTTPClient is for tests; nil uses one without a client timeout (the
	// caller's context bounds each call).
	HTTPClient *http.Client
}

// Provider calls /api/chat.
type Provider struct {
	base   string
	opts   Options
	client *http.Client
}

// New returns the provider.
func New(o Options) (*Provider, error) {
	base, err := HostURL(o.Host)
	if err != nil {
		return nil, &llm.Error{Code: llm.CodeConfig, Provider: llm.ProviderOllama, Msg: err.Error(), Hint: "set OLLAMA_HOST to host:port or http://host:port"}
	}
	c := o.HTTPClient
	if c == nil {
		c = &http.Client{}
	}
	return &Provider{base: base, opts: o, client: c}, nil
}

// HostURL turns OLLAMA_HOST's forms ("", "0.0.0.0", "host:port",
// "https://host") into a base URL, the way the ollama CLI reads it.
func HostURL(host string) (string, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		return DefaultHost, nil
	}
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("OLLAMA_HOST %q is not a host or URL", host)
	}
	h, port := u.Hostname(), u.Port()
	if h == "0.0.0.0" || h == "::" {
		h = "127.0.0.1" // a listen address, not one to connect to
	}
	if port == "" {
		port = "11434"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + net.JoinHostPort(h, port) + strings.TrimRight(u.Path, "/"), nil
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return llm.ProviderOllama }

type chatRequest struct {
	Model    string         `json:"model"`
	Messages []chatMessage  `json:"messages"`
	Stream   bool           `json:"stream"`
	Format   any            `json:"format,omitempty"`
	Options  map[string]any `json:"options,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatResponse struct {
	Model           string      `json:"model"`
	Message         chatMessage `json:"message"`
	Done            bool        `json:"done"`
	DoneReason      string      `json:"done_reason"`
	PromptEvalCount int         `json:"prompt_eval_count"`
	EvalCount       int         `json:"eval_count"`
	Error           string      `json:"error"`
}

// Complete implements llm.Provider.
func (p *Provider) Complete(ctx context.Context, req llm.Request) (*llm.Response, error) {
	body, err := json.Marshal(p.chatRequest(req))
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/api/chat", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hresp, err := p.client.Do(hreq)
	if err != nil {
		return nil, p.transportError(req.Model, err)
	}
	defer hresp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hresp.Body, 32<<20))
	if err != nil {
		return nil, p.transportError(req.Model, err)
	}
	var cr chatResponse
	jsonErr := json.Unmarshal(raw, &cr)
	if hresp.StatusCode != http.StatusOK {
		msg := cr.Error
		if jsonErr != nil || msg == "" {
			msg = strings.TrimSpace(string(raw[:min(len(raw), 300)]))
		}
		e := llm.HTTPError(llm.ProviderOllama, req.Model, hresp.StatusCode, hresp.Header, msg)
		if hresp.StatusCode == http.StatusNotFound {
			e.Hint = fmt.Sprintf("pull the model first: ollama pull %s", req.Model)
		}
		return nil, e
	}
	if jsonErr != nil {
		return nil, &llm.Error{Code: llm.CodeBadResponse, Provider: llm.ProviderOllama, Model: req.Model, Msg: "the server's answer is not JSON: " + jsonErr.Error()}
	}
	return response(cr), nil
}

func (p *Provider) chatRequest(req llm.Request) chatRequest {
	cr := chatRequest{Model: req.Model, Stream: false, Options: map[string]any{}}
	if req.System != "" {
		cr.Messages = append(cr.Messages, chatMessage{Role: "system", Content: req.System})
	}
	for _, m := range req.Messages {
		cr.Messages = append(cr.Messages, chatMessage{Role: string(m.Role), Content: m.Content})
	}
	if req.Schema != nil {
		cr.Format = req.Schema.JSON
	}
	numCtx := p.opts.NumCtx
	if numCtx == 0 && p.opts.NumCtxFor != nil {
		numCtx = p.opts.NumCtxFor(req.Model)
	}
	if numCtx > 0 {
		cr.Options["num_ctx"] = numCtx
	}
	if req.MaxOutputTokens > 0 {
		cr.Options["num_predict"] = req.MaxOutputTokens
	}
	if req.Temperature != nil {
		cr.Options["temperature"] = *req.Temperature
	}
	return cr
}

func response(cr chatResponse) *llm.Response {
	resp := &llm.Response{Model: cr.Model, Text: cr.Message.Content, RawFinishReason: cr.DoneReason,
		Usage: llm.Usage{InputTokens: cr.PromptEvalCount, OutputTokens: cr.EvalCount}}
	switch cr.DoneReason {
	case "stop", "":
		resp.FinishReason = llm.FinishStop
	case "length":
		resp.FinishReason = llm.FinishLength
	default:
		resp.FinishReason = llm.FinishOther
	}
	return resp
}

func (p *Provider) transportError(model string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &llm.Error{Code: llm.CodeTimeout, Provider: llm.ProviderOllama, Model: model, Msg: "the request was cancelled or timed out", Err: err}
	}
	return &llm.Error{Code: llm.CodeUnavailable, Provider: llm.ProviderOllama, Model: model, Msg: "cannot reach Ollama at " + p.base + ": " + err.Error(),
		Hint: "start it with 'ollama serve', or point OLLAMA_HOST at the server", Err: err}
}
