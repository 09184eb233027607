package detect

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// Large outbound transfer to a rare destination: one machine sends more
// than transferMinBytes to a public address that at most
// transferMaxSources of the fleet's machines talked to over the window and
// the look-back. Sigma cannot sum bytes or count a destination's peers.
// The volumes come from Traffic Analytics flow records, whose public
// addresses are written ip|flows started|flows ended|packets out|packets
// in|bytes out|bytes in, several separated by spaces.
const (
	transferMinBytes   = 500 << 20
	transferMaxSources = 2
)

func rareLargeTransfer() *analytic {
	return &analytic{
		id:    "c41e8d27-9b3f-4a6e-8d05-3f7a2e1b6c94",
		title: "Large outbound transfer to a destination rare for the fleet",
		description: fmt.Sprintf("A machine sent more than %d MB to a public address that at most %d of the organisation's machines "+
			"exchanged traffic with in the window and the look-back period: data staged and sent out.", transferMinBytes>>20, transferMaxSources),
		level:          "medium",
		tags:           []string{"attack.exfiltration", "attack.t1048", "attack.t1567"},
		falsePositives: []string{"A new offsite backup or replication target", "Large uploads to a newly adopted cloud service"},
		tables:         []string{flowTable},
		run:            runRareTransfer,
	}
}

// transferQuery sums the bytes each machine sent to each public address,
// in and before the window.
func transferQuery(start, end, windowStart time.Time) *kql.Query {
	entry := kql.Name("Entry")
	field := func(i int64) kql.Expr {
		return kql.Index(kql.Call("split", entry, kql.Str("|")), kql.Long(i))
	}
	return tableQuery(flowTable, start, end,
		kql.Where(kql.And(kql.Bin(kql.OpEq, kql.Name("FlowDirection_s"), kql.Str("O")), kql.Call("isnotempty", kql.Name("DestPublicIPs_s")))),
		&kql.MvExpandOp{Items: []*kql.MvItem{{Col: kql.Named("Entry", kql.Call("split", kql.Name("DestPublicIPs_s"), kql.Str(" "))), ToType: "string"}}},
		kql.Extend(kql.Named("Dest", kql.Call("tostring", field(0))), kql.Named("Bytes", kql.Call("tolong", field(5)))),
		kql.Summarize([]*kql.NamedExpr{
			kql.Named("Bytes", kql.Call("sumif", kql.Name("Bytes"), kql.Bin(kql.OpGe, kql.Name(TimeColumn), kql.Datetime(windowStart)))),
			kql.Named("Records", kql.Call("countif", kql.Bin(kql.OpGe, kql.Name(TimeColumn), kql.Datetime(windowStart)))),
			kql.Named("First", kql.Call("minif", kql.Name(TimeColumn), kql.Bin(kql.OpGe, kql.Name(TimeColumn), kql.Datetime(windowStart)))),
			kql.Named("Last", kql.Call("max", kql.Name(TimeColumn)))},
			kql.Named("Source", kql.Name("SrcIP_s")), kql.Named("VM", kql.Name("VM_s")), kql.Named("Dest", kql.Name("Dest"))))
}

type transfer struct {
	src, vm, dest string
	bytes         float64
	records       float64
	first, last   time.Time
}

func runRareTransfer(ctx context.Context, x *run, r *Rule) ([]Signal, error) {
	q := transferQuery(x.scope.Start.Add(-x.opt.Lookback), x.scope.End, x.scope.Start)
	set, err := x.query(ctx, "outbound bytes by machine and destination, for "+r.ID, flowTable, []string{r.ID}, q)
	if err != nil {
		return nil, err
	}
	v := valuesOf(set)
	peers := map[string]map[string]bool{}
	var big []transfer
	for _, row := range set.Rows {
		tr := transfer{src: v.str(row, "Source"), vm: v.str(row, "VM"), dest: v.str(row, "Dest"),
			first: v.time(row, "First"), last: v.time(row, "Last")}
		tr.bytes, _ = v.num(row, "Bytes")
		tr.records, _ = v.num(row, "Records")
		if peers[tr.dest] == nil {
			peers[tr.dest] = map[string]bool{}
		}
		peers[tr.dest][tr.src+"\x00"+tr.vm] = true
		if tr.bytes >= transferMinBytes {
			big = append(big, tr)
		}
	}
	sort.Slice(big, func(i, j int) bool { return big[i].first.Before(big[j].first) })
	var out []Signal
	for _, tr := range big {
		if len(peers[tr.dest]) <= transferMaxSources {
			out = append(out, x.transferSignal(r, tr, len(peers[tr.dest])))
		}
	}
	return out, nil
}

func (x *run) transferSignal(r *Rule, tr transfer, peers int) Signal {
	s := newSignal(r, flowTable)
	s.Subject = tr.src
	s.FirstSeen, s.LastSeen, s.Count = tr.first, tr.last, int(tr.records)
	s.Entities.Add(catalog.RoleIP, tr.src)
	s.Entities.Add(catalog.RoleIP, tr.dest)
	s.Entities.Add(catalog.RoleHost, tr.vm)
	s.Entities.Sort()
	s.Samples = []map[string]any{{TimeColumn: tr.last, "SrcIP_s": tr.src, "VM_s": tr.vm, "Destination": tr.dest,
		"OutboundMB": int64(tr.bytes) >> 20, "FlowRecords": int64(tr.records), "MachinesTalkingToDestination": peers}}
	q := transferQuery(tr.first, tr.last, tr.first)
	pipe := q.Stmts[0].(*kql.ExprStmt).X.(*kql.PipeExpr)
	pipe.Ops = append(pipe.Ops, kql.Where(kql.And(kql.Bin(kql.OpEq, kql.Name("Source"), kql.Str(tr.src)), kql.Bin(kql.OpEq, kql.Name("Dest"), kql.Str(tr.dest)))))
	s.KQL = kql.Pretty(q)
	return s
}
