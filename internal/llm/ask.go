package llm

import (
	"context"
	"errors"
	"fmt"
)

// Ask makes a structured call and decodes the answer into out, which must
// match schema (built with SchemaFor for out's type). When the answer
// breaks the schema, Ask sends the model its answer and the precise
// validation errors and asks once for a corrected one (repairs rounds in
// all); if that fails too the error is llm.bad_response with the
// validation errors in its message.
func Ask(ctx context.Context, c *Client, req Request, schema *Schema, repairs int, out any) (*Response, error) {
	if schema == nil {
		return nil, errors.New("llm: Ask needs a schema")
	}
	req.Schema = schema
	for round := 0; ; round++ {
		resp, err := c.Complete(ctx, req)
		if err != nil {
			return resp, err
		}
		verr := Decode(resp.JSON, schema.JSON, out)
		if verr == nil {
			return resp, nil
		}
		if round >= repairs {
			return resp, &Error{Code: CodeBadResponse, Provider: c.Provider.Name(), Model: req.Model, RequestID: resp.RequestID, Response: resp,
				Msg: fmt.Sprintf("the answer does not match the %s schema:\n%s", schema.Name, verr.Error())}
		}
		req.Messages = append(append([]Message(nil), req.Messages...),
			Message{Role: RoleAssistant, Content: string(resp.JSON)},
			Message{Role: RoleUser, Content: RepairPrompt(verr)})
		req.Purpose = repairPurpose(req.Purpose)
	}
}

// RepairPrompt is the user turn of a repair round.
func RepairPrompt(verr error) string {
	return "Your JSON does not match the required schema. Problems, as JSON path: reason:\n" + verr.Error() +
		"\nReturn the whole corrected JSON object and nothing else."
}

func repairPurpose(p string) string {
	if p == "" {
		return "repair"
	}
	return p + "/repair"
}
