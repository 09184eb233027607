package detect

import (
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Traffic Analytics marks flows with addresses Microsoft's threat
// intelligence knows as hostile (FlowType_s == MaliciousFlow). Sigma has no
// logsource for its table, so these two are filter analytics. An allowed
// inbound one is the internet's background scanning reaching an open port:
// low, and grouped by the machine reached rather than by the scanner, with
// a day's gap, so a week of scanning is one signal per exposed machine. An allowed outbound one
// is one of ours talking to a known-bad address: high.

const flowTable = "AzureNetworkAnalytics_CL"

func maliciousFlowQuery(direction string) *kql.Query {
	pred := kql.And(
		kql.Bin(kql.OpEq, kql.Name("FlowType_s"), kql.Str("MaliciousFlow")),
		kql.Bin(kql.OpEq, kql.Name("FlowStatus_s"), kql.Str("A")),
		kql.Bin(kql.OpEq, kql.Name("FlowDirection_s"), kql.Str(direction)))
	return kql.NewQuery(kql.Statement(kql.Pipe(kql.Name(flowTable), kql.Where(pred))))
}

func maliciousFlowOutbound() *analytic {
	return &analytic{
		id:    "5c2f0b7e-41d4-4e1c-9a52-6b0e3f7d8a11",
		title: "Allowed outbound flow to a known-malicious address",
		description: "Traffic Analytics classified an outbound flow from one of the organisation's virtual machines as MaliciousFlow " +
			"(its peer is on Microsoft's threat-intelligence list) and the network security group allowed it: possible command and control or exfiltration.",
		level:          "high",
		tags:           []string{"attack.command_and_control", "attack.t1071", "attack.exfiltration", "attack.t1041"},
		falsePositives: []string{"Shared hosting or CDN addresses that were once listed"},
		tables:         []string{flowTable},
		filter:         maliciousFlowQuery("O"),
	}
}

func maliciousFlowInbound() *analytic {
	return &analytic{
		id:    "9e41c7a3-0d25-4f6b-8c1e-2a7b5d3f9e02",
		title: "Allowed inbound flow from a known-malicious address",
		description: "Traffic Analytics classified an inbound flow as MaliciousFlow and the network security group allowed it: " +
			"a known-hostile address reached an open port of an exposed machine. Internet-facing services see this daily; " +
			"it matters when the same address then signs in or succeeds elsewhere.",
		level:          "low",
		tags:           []string{"attack.reconnaissance", "attack.t1595", "attack.initial_access", "attack.t1190"},
		falsePositives: []string{"Internet-wide scanners reaching public web servers"},
		tables:         []string{flowTable},
		filter:         maliciousFlowQuery("I"),
		subject:        &subject{role: catalog.RoleIP, cols: []string{"DestIP_s", "VMIP_s"}},
		gap:            24 * time.Hour,
	}
}
