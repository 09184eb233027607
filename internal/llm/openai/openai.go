// Package openai is the llm.Provider for OpenAI's Chat Completions API, any
// OpenAI-compatible server (vLLM, llama.cpp, LM Studio) through a base URL,
// and Azure OpenAI deployments. It is the only package that imports
// openai-go.
//
// Structured output uses response_format json_schema in strict mode; for
// servers that do not support it, ModeTool forces a single strict
// function tool instead.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/sleuth-hunt/sleuth/internal/llm"
)

// Mode selects how structured output is requested.
type Mode int

const (
	// ModeResponseFormat sends response_format {type: json_schema, strict}.
	ModeResponseFormat Mode = iota
	// ModeTool forces one strict function tool whose parameters are the
	// schema, for OpenAI-compatible servers without response_format.
	ModeTool
)

// Options configures the OpenAI provider.
type Options struct {
	// APIKey may be empty for local OpenAI-compatible servers.
	APIKey string
	// BaseURL is https://api.openai.com/v1 when empty.
	BaseURL string
	Mode    Mode
	// HTTPClient is for tests; nil uses the SDK default.
	HTTPClient *http.Client
}

// Provider calls Chat Completions.
type Provider struct {
	name    string
	client  openai.Client
	mode    Mode
	secrets []string
}

// New returns the provider for OpenAI or an OpenAI-compatible server. The
// SDK's own retries are off: llm.Client retries, and stacking both would
// multiply the waits.
func New(o Options) *Provider {
	opts := []option.RequestOption{option.WithMaxRetries(0)}
	if o.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(o.BaseURL))
	}
	// A local server may need no key, but the SDK insists on one; a
	// placeholder keeps OPENAI_API_KEY from the environment out of
	// requests to a server it was not meant for.
	key := o.APIKey
	if key == "" {
		key = "sk-none"
	}
	opts = append(opts, option.WithAPIKey(key))
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	return &Provider{name: llm.ProviderOpenAI, client: openai.NewClient(opts...), mode: o.Mode, secrets: []string{o.APIKey}}
}

// Name implements llm.Provider.
func (p *Provider) Name() string { return p.name }

// Complete implements llm.Provider.
func (p *Provider) Complete(ctx context.Context, req llm.Request) (*llm.Response, error) {
	var httpResp *http.Response
	cc, err := p.client.Chat.Completions.New(ctx, p.params(req), option.WithResponseInto(&httpResp))
	if err != nil {
		return nil, p.mapError(req.Model, err)
	}
	resp := p.response(cc, req)
	if httpResp != nil {
		resp.RequestID = firstHeader(httpResp.Header, "x-request-id", "apim-request-id")
	}
	return resp, nil
}

func (p *Provider) params(req llm.Request) openai.ChatCompletionNewParams {
	msgs := make([]openai.ChatCompletionMessageParamUnion, 0, len(req.Messages)+1)
	if req.System != "" {
		msgs = append(msgs, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		if m.Role == llm.RoleAssistant {
			msgs = append(msgs, openai.AssistantMessage(m.Content))
		} else {
			msgs = append(msgs, openai.UserMessage(m.Content))
		}
	}
	params := openai.ChatCompletionNewParams{Model: req.Model, Messages: msgs}
	if req.MaxOutputTokens > 0 {
		params.MaxCompletionTokens = openai.Int(int64(req.MaxOutputTokens))
	}
	if req.Temperature != nil {
		params.Temperature = openai.Float(*req.Temperature)
	}
	if s := req.Schema; s != nil {
		if p.mode == ModeTool {
			params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{
				Name: s.Name, Description: openai.String(s.Description), Strict: openai.Bool(true), Parameters: s.JSON,
			})}
			params.ToolChoice = openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: s.Name})
		} else {
			js := openai.ResponseFormatJSONSchemaJSONSchemaParam{Name: s.Name, Strict: openai.Bool(true), Schema: s.JSON}
			if s.Description != "" {
				js.Description = openai.String(s.Description)
			}
			params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &openai.ResponseFormatJSONSchemaParam{JSONSchema: js}}
		}
	}
	return params
}

func (p *Provider) response(cc *openai.ChatCompletion, req llm.Request) *llm.Response {
	resp := &llm.Response{Model: cc.Model, Usage: llm.Usage{
		InputTokens: int(cc.Usage.PromptTokens), OutputTokens: int(cc.Usage.CompletionTokens),
		CachedInputTokens: int(cc.Usage.PromptTokensDetails.CachedTokens),
	}}
	if len(cc.Choices) == 0 {
		resp.FinishReason = llm.FinishOther
		return resp
	}
	ch := cc.Choices[0]
	resp.Text, resp.Refusal, resp.RawFinishReason = ch.Message.Content, ch.Message.Refusal, ch.FinishReason
	resp.FinishReason = finishReason(ch.FinishReason)
	if req.Schema != nil && p.mode == ModeTool {
		for _, tc := range ch.Message.ToolCalls {
			if tc.Function.Name == req.Schema.Name {
				resp.Text = tc.Function.Arguments
				resp.JSON = []byte(tc.Function.Arguments)
			}
		}
		if resp.FinishReason == llm.FinishToolUse {
			resp.FinishReason = llm.FinishStop
		}
	}
	return resp
}

func finishReason(s string) llm.FinishReason {
	switch s {
	case "stop":
		return llm.FinishStop
	case "length":
		return llm.FinishLength
	case "content_filter":
		return llm.FinishContentFilter
	case "tool_calls", "function_call":
		return llm.FinishToolUse
	}
	return llm.FinishOther
}

// mapError turns SDK and transport errors into coded llm errors, with the
// API's message redacted of the key.
func (p *Provider) mapError(model string, err error) error {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		var h http.Header
		if apiErr.Response != nil {
			h = apiErr.Response.Header
		}
		msg := apiErr.Message
		if apiErr.Code == "context_length_exceeded" {
			msg = "context_length_exceeded: " + msg
		}
		return llm.HTTPError(p.name, model, apiErr.StatusCode, h, msg, p.secrets...)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &llm.Error{Code: llm.CodeTimeout, Provider: p.name, Model: model, Msg: "the request was cancelled or timed out", Err: err}
	}
	if badBody(err) {
		return &llm.Error{Code: llm.CodeBadResponse, Provider: p.name, Model: model, Msg: "the API's answer is not valid JSON: " + llm.Redact(err.Error(), p.secrets...)}
	}
	var netErr net.Error
	code := llm.CodeUnavailable
	if errors.As(err, &netErr) && netErr.Timeout() {
		code = llm.CodeTimeout
	}
	return &llm.Error{Code: code, Provider: p.name, Model: model, Msg: "cannot reach the API: " + llm.Redact(err.Error(), p.secrets...)}
}

// badBody reports a response body that did not decode: a server bug or a
// proxy's error page, which retrying will not fix.
func badBody(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "unexpected end of JSON input")
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}
