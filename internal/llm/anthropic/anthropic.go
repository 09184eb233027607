// Package anthropic is the llm.Provider for Anthropic's Messages API. It
// is the only package that imports anthropic-sdk-go.
//
// Structured output is tool-forced: the request carries a single tool
// whose input_schema is the schema and a tool_choice that forces it, and
// the tool_use block's input is the answer.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Options configures the provider.
type Options struct {
	APIKey string
	// BaseURL is Anthropic's API when empty.
	BaseURL    string
	HTTPClient *http.Client
}

// Provider calls the Messages API.
type Provider struct {
	client  anthropic.Client
	secrets []string
}

// New returns the provider. The SDK's own retries are off: llm.Client
// retries, and stacking both would multiply the waits. Environment
// defaults are off too: the key and base URL come from llm.Resolve.
func New(o Options) *Provider {
	opts := []option.RequestOption{option.WithoutEnvironmentDefaults(), option.WithMaxRetries(0), option.WithAPIKey(o.APIKey)}
	if o.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(o.BaseURL))
	}
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	return &Provider{client: anthropic.NewClient(opts...), secrets: []string{o.APIKey}}
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return llm.ProviderAnthropic }

// Complete implements llm.Provider. Temperature is never sent: current
// Claude models reject sampling parameters other than their defaults.
func (p *Provider) Complete(ctx context.Context, req llm.Request) (*llm.Response, error) {
	var httpResp *http.Response
	msg, err := p.client.Messages.New(ctx, params(req), option.WithResponseInto(&httpResp))
	if err != nil {
		return nil, p.mapError(req.Model, err)
	}
	resp := response(msg, req)
	if httpResp != nil {
		resp.RequestID = httpResp.Header.Get("request-id")
	}
	return resp, nil
}

func params(req llm.Request) anthropic.MessageNewParams {
	msgs := make([]anthropic.MessageParam, 0, len(req.Messages))
	for _, m := range req.Messages {
		block := anthropic.NewTextBlock(m.Content)
		if m.Role == llm.RoleAssistant {
			msgs = append(msgs, anthropic.NewAssistantMessage(block))
		} else {
			msgs = append(msgs, anthropic.NewUserMessage(block))
		}
	}
	p := anthropic.MessageNewParams{Model: anthropic.Model(req.Model), MaxTokens: int64(req.MaxOutputTokens), Messages: msgs}
	if p.MaxTokens <= 0 {
		p.MaxTokens = 4096
	}
	if req.System != "" {
		p.System = []anthropic.TextBlockParam{{Text: req.System}}
	}
	if s := req.Schema; s != nil {
		p.Tools = []anthropic.ToolUnionParam{{OfTool: toolFor(s)}}
		p.ToolChoice = anthropic.ToolChoiceParamOfTool(s.Name)
	}
	return p
}

// toolFor turns the schema into a tool: input_schema carries the
// properties, the required list and every other keyword of the top level
// (additionalProperties false, $defs).
func toolFor(s *llm.Schema) *anthropic.ToolParam {
	in := anthropic.ToolInputSchemaParam{Properties: s.JSON["properties"], ExtraFields: map[string]any{}}
	if req, ok := s.JSON["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				in.Required = append(in.Required, name)
			}
		}
	}
	for k, v := range s.JSON {
		switch k {
		case "type", "properties", "required":
		default:
			in.ExtraFields[k] = v
		}
	}
	t := &anthropic.ToolParam{Name: s.Name, InputSchema: in}
	if s.Description != "" {
		t.Description = anthropic.String(s.Description)
	}
	return t
}

func response(msg *anthropic.Message, req llm.Request) *llm.Response {
	resp := &llm.Response{Model: string(msg.Model), RawFinishReason: string(msg.StopReason), Usage: llm.Usage{
		// Anthropic reports cache reads and writes apart from input_tokens;
		// all of them are billed as input.
		InputTokens:       int(msg.Usage.InputTokens + msg.Usage.CacheReadInputTokens + msg.Usage.CacheCreationInputTokens),
		OutputTokens:      int(msg.Usage.OutputTokens),
		CachedInputTokens: int(msg.Usage.CacheReadInputTokens),
	}}
	var text []string
	for _, b := range msg.Content {
		switch b.Type {
		case "text":
			text = append(text, b.Text)
		case "tool_use":
			if req.Schema != nil && b.Name == req.Schema.Name && len(b.Input) > 0 {
				resp.JSON = json.RawMessage(b.Input)
			}
		}
	}
	resp.Text = strings.Join(text, "\n")
	if len(resp.JSON) > 0 {
		resp.Text = string(resp.JSON)
	}
	switch msg.StopReason {
	case anthropic.StopReasonEndTurn, anthropic.StopReasonStopSequence, anthropic.StopReasonToolUse:
		resp.FinishReason = llm.FinishStop
	case anthropic.StopReasonMaxTokens, anthropic.StopReasonModelContextWindowExceeded:
		resp.FinishReason = llm.FinishLength
	case anthropic.StopReasonRefusal:
		resp.FinishReason = llm.FinishRefusal
		resp.Refusal = msg.StopDetails.Explanation
		if resp.Refusal == "" {
			resp.Refusal = string(msg.StopDetails.Category)
		}
	default:
		resp.FinishReason = llm.FinishOther
	}
	return resp
}

func (p *Provider) mapError(model string, err error) error {
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		var h http.Header
		if apiErr.Response != nil {
			h = apiErr.Response.Header
		}
		e := llm.HTTPError(llm.ProviderAnthropic, model, apiErr.StatusCode, h, apiMessage(apiErr), p.secrets...)
		if e.RequestID == "" {
			e.RequestID = apiErr.RequestID
		}
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &llm.Error{Code: llm.CodeTimeout, Provider: llm.ProviderAnthropic, Model: model, Msg: "the request was cancelled or timed out", Err: err}
	}
	if badBody(err) {
		return &llm.Error{Code: llm.CodeBadResponse, Provider: llm.ProviderAnthropic, Model: model, Msg: "the API's answer is not valid JSON: " + llm.Redact(err.Error(), p.secrets...)}
	}
	code := llm.CodeUnavailable
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		code = llm.CodeTimeout
	}
	return &llm.Error{Code: code, Provider: llm.ProviderAnthropic, Model: model, Msg: "cannot reach the API: " + llm.Redact(err.Error(), p.secrets...)}
}

// badBody reports a response body that did not decode: a server bug or a
// proxy's error page, which retrying will not fix.
func badBody(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "error parsing response json")
}

// apiMessage digs the message out of Anthropic's error body:
// {"type":"error","error":{"type":"…","message":"…"}}.
func apiMessage(e *anthropic.Error) string {
	var body struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal([]byte(e.RawJSON()), &body) == nil && body.Error.Message != "" {
		return body.Error.Type + ": " + body.Error.Message
	}
	return ""
}
