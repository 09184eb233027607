package lab

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
)

// The tables the lab writes.
const (
	tSignin   = "SigninLogs"
	tAADNI    = "AADNonInteractiveUserSignInLogs"
	tAudit    = "AuditLogs"
	tAzAct    = "AzureActivity"
	tNetflow  = "AzureNetworkAnalytics_CL"
	tDevInfo  = "DeviceInfo"
	tLogon    = "DeviceLogonEvents"
	tProcess  = "DeviceProcessEvents"
	tNetwork  = "DeviceNetworkEvents"
	tFile     = "DeviceFileEvents"
	tRegistry = "DeviceRegistryEvents"
	tEvents   = "DeviceEvents"
	tSecurity = "SecurityEvent"
	tSyslog   = "Syslog"
)

// Tables lists the tables the lab writes, in a stable order.
var Tables = []string{tSignin, tAADNI, tAudit, tAzAct, tNetflow, tDevInfo, tLogon, tProcess, tNetwork, tFile, tRegistry, tEvents, tSecurity, tSyslog}

// gen is one generation run: the organisation, the bound tables, the
// window and the scale. It is read-only once built, so families and
// scenarios can share it across goroutines.
type gen struct {
	o     *Org
	sw    *software
	sch   *schema
	s     streams
	win   window
	scale float64

	caPolicyID, caPolicyName string
	// travel holds the days a person is abroad (set by the travelling
	// executive decoy before any background is generated).
	travel map[*User]window

	t struct {
		signin, aadni, audit, azact, netflow, dinfo, dle, dpe, dne, dfe, dre, dev, sec, syslog *table
	}
}

func newGen(cat *catalog.Catalog, o *Org, win window, scale float64) *gen {
	g := &gen{o: o, s: o.s, win: win, scale: scale, sch: newSchema(cat, Tables), travel: map[*User]window{}}
	builds := map[int64]bool{}
	for _, h := range o.Hosts {
		builds[h.OS.Build] = true
	}
	var bs []int64
	for b := range builds {
		bs = append(bs, b)
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i] < bs[j] })
	r := g.s.rng("gen")
	g.sw = newSoftware(o.seed, bs, fmt.Sprintf("%d.0.%d.%d", o.uaChrome, 2300+o.uaChrome*9, 60+r.IntN(40)))
	g.caPolicyID = newGUID(r)
	g.caPolicyName = pick(r, []string{"Require MFA for all users", "CA001: Require multifactor authentication", "Baseline - MFA for everyone", "GLOBAL - Require MFA"})
	t := &g.t
	t.signin, t.aadni, t.audit = g.sch.table(tSignin), g.sch.table(tAADNI), g.sch.table(tAudit)
	t.azact, t.netflow, t.dinfo = g.sch.table(tAzAct), g.sch.table(tNetflow), g.sch.table(tDevInfo)
	t.dle, t.dpe, t.dne = g.sch.table(tLogon), g.sch.table(tProcess), g.sch.table(tNetwork)
	t.dfe, t.dre, t.sec, t.syslog = g.sch.table(tFile), g.sch.table(tRegistry), g.sch.table(tSecurity), g.sch.table(tSyslog)
	t.dev = g.sch.table(tEvents)
	for _, tb := range []*table{t.dinfo, t.dle, t.dpe, t.dne, t.dfe, t.dre, t.dev} {
		g.cacheDeviceCols(tb)
	}
	return g
}

// bin returns a catalogue binary as built for a host's OS.
func (g *gen) bin(h *Host, key string) *binary {
	if b := g.sw.byKey[key+"@"+strconv.FormatInt(h.OS.Build, 10)]; b != nil {
		return b
	}
	// Every key the generators use is in binTemplates; a miss is a bug the
	// tests see in the problems, and the row still gets a plausible image.
	g.sch.problem("no binary " + key + " in binTemplates")
	return custom(g.o.seed, key+".exe", `C:\Windows\System32`, "", "", "", "", 100000)
}

// family generates the background of some tables an hour at a time. A
// family keeps its own caches, so one family runs on one goroutine at a
// time; different families run in parallel.
type family interface {
	hour(w window, hourIndex int, emit func(*Row))
}

// Generate builds the lab described by opt and streams it into sink. It
// returns a summary with the row counts, the scenario instances (the
// ground truth) and any disagreement between the lab and the catalog.
func Generate(ctx context.Context, sink Sink, opt Options) (sum *Summary, err error) {
	defer func() {
		// A bug in a generator must not take the caller down with it.
		if r := recover(); r != nil {
			sum, err = nil, &Error{Code: "lab.internal", Msg: fmt.Sprintf("lab: internal error: %v", r), Hint: "this is a bug in sleuth; please report it with the flags you used"}
		}
	}()
	if err := opt.normalise(); err != nil {
		return nil, err
	}
	began := time.Now()
	o := newOrg(opt.Seed, opt.Hosts, opt.Users)
	end := opt.End.UTC().Truncate(time.Second)
	win := window{end.Add(-time.Duration(opt.Days) * 24 * time.Hour), end}
	g := newGen(opt.Catalog, o, win, opt.Scale)
	insts, err := g.scenarios(opt.kinds)
	if err != nil {
		return nil, err
	}
	counts, err := g.run(ctx, sink, insts, opt.Progress)
	if err != nil {
		return nil, err
	}
	sum = &Summary{Seed: opt.Seed, Start: win.From, End: win.To, Org: o.Name, Domain: o.Domain,
		Hosts: len(o.Hosts), Users: len(o.People), Elapsed: time.Since(began)}
	for _, name := range Tables {
		if n, ok := counts[name]; ok {
			sum.Tables = append(sum.Tables, TableCount{name, n})
			sum.Rows += n
		}
	}
	for _, in := range insts {
		sum.Instances = append(sum.Instances, in.truth())
	}
	sum.Problems = g.sch.Problems()
	return sum, nil
}

// run streams every table hour by hour. Each hour, the families run in
// parallel, their rows are merged with the scenario rows of that hour in a
// fixed order and sorted by time, and each table's batch goes to that
// table's writer goroutine. The writers run while the next hour is
// generated; the channels' small buffers bound the memory.
func (g *gen) run(ctx context.Context, sink Sink, insts []*instance, progress func(done, total int)) (map[string]int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := &pipeline{g: g, ctx: ctx, cancel: cancel, sink: sink, writers: map[*table]*tableWriter{}}
	if err := p.open(); err != nil {
		return nil, err
	}
	hours := int(g.win.dur() / time.Hour)
	byHour := g.bucket(insts, hours)
	fams := g.families()
	for h := 0; h < hours && context.Cause(ctx) == nil; h++ {
		w := window{g.win.From.Add(time.Duration(h) * time.Hour), g.win.From.Add(time.Duration(h+1) * time.Hour)}
		if h == hours-1 {
			w.To = g.win.To
		}
		p.send(append(p.generate(fams, w, h), byHour[h]))
		if progress != nil {
			progress(h+1, hours)
		}
	}
	return p.close()
}

// pipeline is one run's writers and the bookkeeping between them.
type pipeline struct {
	g       *gen
	ctx     context.Context
	cancel  context.CancelCauseFunc
	sink    Sink
	writers map[*table]*tableWriter
	order   []*table
	wg      sync.WaitGroup
	// carry holds, per family, rows that fall after the hour that produced
	// them (a logoff minutes after a logon at 59 minutes past): they go out
	// with the next hour instead of being lost.
	carry [][]*Row
}

// open starts a writer goroutine for every table the catalog has.
func (p *pipeline) open() error {
	for _, name := range Tables {
		t := p.g.sch.table(name)
		if t.cat == nil {
			continue
		}
		tw, err := p.sink.Table(name)
		if err != nil {
			p.cancel(err)
			closeAll(p.writers, &p.wg)
			return fmt.Errorf("lab: open %s: %w", name, err)
		}
		w := &tableWriter{tw: tw, ch: make(chan []*Row, 2)}
		p.writers[t] = w
		p.order = append(p.order, t)
		p.wg.Add(1)
		go w.loop(&p.wg, p.cancel)
	}
	return nil
}

// generate runs every family for one hour, in parallel, and returns their
// rows in the families' fixed order.
func (p *pipeline) generate(fams []family, w window, h int) [][]*Row {
	parts := make([][]*Row, len(fams))
	if p.carry == nil {
		p.carry = make([][]*Row, len(fams))
	}
	next := make([][]*Row, len(fams))
	for i, rows := range p.carry {
		for _, r := range rows {
			if w.contains(r.T) {
				parts[i] = append(parts[i], r)
			} else if !r.T.Before(w.To) {
				next[i] = append(next[i], r)
			}
		}
	}
	var fw sync.WaitGroup
	for i, f := range fams {
		fw.Add(1)
		go func() {
			defer fw.Done()
			defer func() {
				if r := recover(); r != nil {
					p.cancel(&Error{Code: "lab.internal", Msg: fmt.Sprintf("lab: internal error in %T: %v", f, r),
						Hint: "this is a bug in sleuth; please report it with the flags you used"})
				}
			}()
			f.hour(w, h, func(r *Row) {
				switch {
				case r.tab.cat == nil || r.T.Before(w.From):
				case r.T.Before(w.To):
					parts[i] = append(parts[i], r)
				case r.T.Before(p.g.win.To):
					next[i] = append(next[i], r)
				}
			})
		}()
	}
	fw.Wait()
	p.carry = next
	return parts
}

// send splits an hour's rows by table, sorts each table's batch by time
// (stably, so equal times keep the fixed merge order) and hands it over.
func (p *pipeline) send(parts [][]*Row) {
	batches := map[*table][]*Row{}
	for _, part := range parts {
		for _, r := range part {
			batches[r.tab] = append(batches[r.tab], r)
		}
	}
	for _, t := range p.order {
		b := batches[t]
		if len(b) == 0 {
			continue
		}
		sort.SliceStable(b, func(i, j int) bool { return b[i].T.Before(b[j].T) })
		w := p.writers[t]
		select {
		case w.ch <- b:
		case <-p.ctx.Done():
		}
	}
}

// close waits for the writers and returns the rows written per table.
func (p *pipeline) close() (map[string]int64, error) {
	closeAll(p.writers, &p.wg)
	if err := context.Cause(p.ctx); err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, t := range p.order {
		w := p.writers[t]
		if w.err != nil {
			return nil, fmt.Errorf("lab: write %s: %w", t.name, w.err)
		}
		counts[t.name] = w.n
	}
	return counts, nil
}

func closeAll(ws map[*table]*tableWriter, wg *sync.WaitGroup) {
	for _, w := range ws {
		close(w.ch)
	}
	wg.Wait()
}

// tableWriter feeds one table's writer from a channel.
type tableWriter struct {
	tw  TableWriter
	ch  chan []*Row
	n   int64
	err error
}

func (w *tableWriter) loop(wg *sync.WaitGroup, cancel context.CancelCauseFunc) {
	defer wg.Done()
	for batch := range w.ch {
		w.write(batch, cancel)
	}
	if err := w.tw.Close(); err != nil && w.err == nil {
		w.err = err
		cancel(err)
	}
}

func (w *tableWriter) write(batch []*Row, cancel context.CancelCauseFunc) {
	if w.err != nil {
		return // keep draining so the producer never blocks
	}
	for _, r := range batch {
		id := ""
		if r.inst != nil {
			id = r.inst.ID
		}
		if err := w.tw.Write(r.vals, id); err != nil {
			w.err = err
			cancel(err)
			return
		}
		w.n++
	}
}

// bucket sorts scenario rows into the hours of the window. Rows outside
// the window are a planning bug; they are dropped and reported.
func (g *gen) bucket(insts []*instance, hours int) [][]*Row {
	out := make([][]*Row, hours)
	for _, in := range insts {
		for _, r := range in.rows {
			if r.tab.cat == nil {
				continue
			}
			if !g.win.contains(r.T) {
				g.sch.problem(fmt.Sprintf("%s: a row of %s at %s lies outside the window", r.tab.name, in.ID, r.T.Format(time.RFC3339)))
				continue
			}
			h := int(r.T.Sub(g.win.From) / time.Hour)
			if h >= hours {
				h = hours - 1
			}
			out[h] = append(out[h], r)
		}
	}
	return out
}

// families returns the background generators in their fixed merge order.
// Windows endpoints are split into two shards so that the two cores share
// the heaviest work; the split depends only on the host, never on the CPU
// count, so the output does not either.
func (g *gen) families() []family {
	return []family{
		newIdentity(g),
		newCloud(g),
		newEndpoints(g, 0, 2),
		newEndpoints(g, 1, 2),
		newLinux(g),
	}
}
