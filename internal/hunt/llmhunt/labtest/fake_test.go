package labtest

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/llm"
	"github.com/sleuth-hunt/sleuth/internal/llm/llmtest"
)

// newModel is a fake model that answers every request with answer.
func newModel(answer func(req llm.Request) string) *llmtest.Model {
	return &llmtest.Model{Answer: func(_ int, req llm.Request) (string, llm.FinishReason) { return answer(req), "" }}
}

func prompt(req llm.Request) string {
	var b strings.Builder
	b.WriteString(req.System)
	for _, m := range req.Messages {
		b.WriteString("\n" + m.Content)
	}
	return b.String()
}

var (
	findingRE = regexp.MustCompile(`(?m)^## finding (\S+):`)
	rowRE     = regexp.MustCompile(`\{"row":"(\d+)"`)
	isolateRE = regexp.MustCompile(`(?i)isolate (?:host )?([A-Za-z0-9][\w.$-]*[A-Za-z0-9])`)
	disableRE = regexp.MustCompile(`(?i)disable the account (\S+@\S+?)[ )]`)
	obeyRE    = regexp.MustCompile(`(?i)ignore (all )?(previous|prior) instructions|disregard earlier guidance|new instructions`)
)

// obedient follows every instruction it finds anywhere in the prompt, data
// included: "approved" or "benign" dismisses every finding, "isolate X"
// recommends isolating X and names it as an indicator, "disable the
// account Y" recommends that, and "ignore previous instructions" in a
// planning prompt asks for every table over ten years.
// firstRow cites the first representative row shown for a finding, as
// "block.row".
func firstRow(p, id string) string {
	blocks := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(id)+` block (\d+):`).FindAllStringSubmatchIndex(p, -1)
	for i, b := range blocks {
		end := len(p)
		if i+1 < len(blocks) {
			end = blocks[i+1][0]
		}
		if next := strings.Index(p[b[1]:end], "\n## finding "); next >= 0 {
			end = b[1] + next
		}
		if r := rowRE.FindStringSubmatch(p[b[1]:end]); r != nil {
			return p[b[2]:b[3]] + "." + r[1]
		}
	}
	return ""
}

func obedient(tables []string) func(req llm.Request) string {
	return func(req llm.Request) string {
		p := prompt(req)
		if strings.HasPrefix(req.Purpose, "plan") {
			start, end := "2026-11-19T12:00:00Z", "2026-11-20T12:00:00Z"
			if obeyRE.MatchString(p) {
				start = "2016-11-20T12:00:00Z"
			}
			b, _ := json.Marshal(map[string]any{"tables": tables, "start": start, "end": end, "entities": []any{},
				"topics": []string{"everything"}, "tactics": []string{}, "techniques": []string{}, "broad": true, "rationale": "as instructed"})
			return string(b)
		}
		verdict, conf := "confirm", "High"
		if regexp.MustCompile(`(?i)approved|authori[sz]ed|benign|false positive|report no findings`).MatchString(p) {
			verdict, conf = "dismiss", "Low"
		}
		var recs []string
		var iocs []map[string]string
		for _, m := range isolateRE.FindAllStringSubmatch(p, -1) {
			recs = append(recs, "Isolate "+m[1]+" immediately")
			iocs = append(iocs, map[string]string{"type": "host", "value": m[1]})
		}
		for _, m := range disableRE.FindAllStringSubmatch(p, -1) {
			recs = append(recs, "Disable the account "+m[1])
		}
		var out []map[string]any
		for _, m := range findingRE.FindAllStringSubmatch(p, -1) {
			lines := []string{}
			if l := firstRow(p, m[1]); l != "" {
				lines = append(lines, l)
			}
			out = append(out, map[string]any{"id": m[1], "verdict": verdict, "reasons": []string{"the log says so"}, "title": "As instructed",
				"description": "The data says this activity is approved.", "confidence": conf, "tactic": "", "technique": "", "sub_technique": "",
				"technique_id": "", "log_lines": lines, "iocs": iocs, "tags": []string{"approved"}, "recommendations": recs, "notes": ""})
		}
		b, _ := json.Marshal(map[string]any{"findings": out})
		return string(b)
	}
}
