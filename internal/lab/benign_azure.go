package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// cloud is the background of the Azure subscription: the Activity log of
// automation, policy and administrators, and Traffic Analytics flows of
// the VMs, including the scanning every exposed VM receives.
type cloud struct {
	g        *gen
	policy   string // object id of Azure Policy's identity
	pipeline spn    // the CI/CD service principal
	backup   spn
}

type spn struct{ Name, AppID, ObjectID string }

func newCloud(g *gen) *cloud {
	r := g.s.rng("cloud")
	short := strings.ToLower(g.o.NetBIOS)
	return &cloud{g: g, policy: newGUID(r),
		pipeline: spn{pick(r, []string{"github-actions-", "ado-pipeline-", "sp-deploy-", "terraform-"}) + short, newGUID(r), newGUID(r)},
		backup:   spn{pick(r, []string{"sp-backup-", "snapshot-automation-", "aa-runbooks-"}) + short, newGUID(r), newGUID(r)}}
}

func (c *cloud) hour(w window, hi int, emit func(*Row)) {
	g := c.g
	r := g.s.rng("azact", hi)
	c.activity(w, r, emit)
	for _, h := range g.o.Hosts {
		if h.Azure == nil {
			continue
		}
		// Traffic Analytics aggregates per clock hour and publishes a few
		// minutes after the interval; each interval is generated from its
		// own stream so that whichever hour window holds it produces it.
		// Keep only what is published inside w: the same interval is
		// generated again by the neighbouring window.
		inW := func(r *Row) {
			if w.contains(r.T) {
				emit(r)
			}
		}
		for b := w.From.Add(-time.Hour).Truncate(time.Hour); b.Before(w.To); b = b.Add(time.Hour) {
			fr := g.s.rng("flows", h.idx, int(b.Unix()/3600))
			c.flows(h, b, fr, inW)
		}
	}
}

func (c *cloud) vms() []*Host {
	var out []*Host
	for _, h := range c.g.o.Hosts {
		if h.Azure != nil {
			out = append(out, h)
		}
	}
	return out
}

// activity emits Activity log operations.
func (c *cloud) activity(w window, r *rand.Rand, emit func(*Row)) {
	g := c.g
	o := g.o
	sub := "/subscriptions/" + o.Azure.Subscription
	f := diurnal(o.Sites[0].City, w.From)
	vms := c.vms()
	for _, t := range g.events(r, w, 5) {
		vm := pick(r, vms)
		op := pick(r, []string{"MICROSOFT.AUTHORIZATION/POLICIES/AUDIT/ACTION", "MICROSOFT.AUTHORIZATION/POLICIES/AUDITIFNOTEXISTS/ACTION"})
		emitAll(emit, g.azureRows(r, &azOp{T: t, Value: op, Name: "'" + strings.ToLower(op[strings.Index(op, "POLICIES/")+9:strings.LastIndex(op, "/")]) + "' Policy action.",
			Category: "Policy", Caller: c.policy, CallerOID: c.policy, IP: "", RG: vm.Azure.ResourceGroup, Resource: vm.Azure.ResourceID,
			Outcome: "Success", Substatus: ""}))
	}
	for _, t := range g.events(r, w, 1.2*f) {
		vm := pick(r, vms)
		ops := []struct{ v, n, res string }{
			{"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION", "List Storage Account Keys", sub + "/resourceGroups/" + o.Azure.RGs["data"] + "/providers/Microsoft.Storage/storageAccounts/st" + strings.ToLower(o.NetBIOS) + "prod"},
			{"MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE", "Create Deployment", sub + "/resourceGroups/" + vm.Azure.ResourceGroup + "/providers/Microsoft.Resources/deployments/release-" + fmt.Sprint(1000+r.IntN(9000))},
			{"MICROSOFT.WEB/SITES/CONFIG/WRITE", "Update web app config", sub + "/resourceGroups/" + o.Azure.RGs["web"] + "/providers/Microsoft.Web/sites/app-" + strings.ToLower(o.NetBIOS) + "/config/web"},
			{"MICROSOFT.COMPUTE/VIRTUALMACHINES/EXTENSIONS/WRITE", "Create or Update Virtual Machine Extension", vm.Azure.ResourceID + "/extensions/AzureMonitorWindowsAgent"},
		}
		op := ops[weighted(r, []float64{4, 2, 1, 0.5})]
		emitAll(emit, g.azureRows(r, &azOp{T: t, Value: op.v, Name: op.n, Category: "Administrative", Caller: c.pipeline.ObjectID,
			CallerOID: c.pipeline.ObjectID, AppID: c.pipeline.AppID, IP: o.Azure.StorageIP.IP, RG: rgOf(op.res), Resource: op.res,
			Outcome: "Success", Substatus: pick(r, []string{"OK", "Created"}), Role: "Contributor"}))
	}
	// nightly snapshots
	if h := o.Sites[0].City.local(w.From).Hour(); h == 1 || h == 2 {
		for _, vm := range vms {
			t := within(r, w.From, w.dur())
			res := fmt.Sprintf("%s/resourceGroups/%s/providers/Microsoft.Compute/snapshots/%s-osdisk-%s", sub, vm.Azure.ResourceGroup, vm.Azure.Name, t.Format("20060102"))
			emitAll(emit, g.azureRows(r, &azOp{T: t, Value: "MICROSOFT.COMPUTE/SNAPSHOTS/WRITE", Name: "Create or Update Snapshot",
				Category: "Administrative", Caller: c.backup.ObjectID, CallerOID: c.backup.ObjectID, AppID: c.backup.AppID,
				IP: o.Azure.StorageIP.IP, RG: vm.Azure.ResourceGroup, Resource: res, Outcome: "Success", Substatus: "Created", Role: "Contributor"}))
		}
	}
	// administrators at work in the portal
	for _, a := range o.Admins {
		for _, act := range g.activeIn(a, w) {
			for _, t := range g.events(r, act, 0.12) {
				c.adminOp(a, t, r, emit)
			}
		}
	}
}

func rgOf(res string) string {
	parts := strings.Split(res, "/")
	for i, p := range parts {
		if strings.EqualFold(p, "resourceGroups") && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}

// adminOp is a routine change an administrator makes.
func (c *cloud) adminOp(a *User, t time.Time, r *rand.Rand, emit func(*Row)) {
	g := c.g
	o := g.o
	vm := pick(r, c.vms())
	ip := o.Sites[0].Egress.IP
	base := azOp{T: t, Category: "Administrative", Caller: a.UPN, CallerOID: a.ObjectID, AppID: appPortal.ID, IP: ip,
		RG: vm.Azure.ResourceGroup, Outcome: "Success", Substatus: "OK", Role: "Owner"}
	switch k := weighted(r, []float64{3, 2, 1.5, 1, 0.6}); k {
	case 0:
		base.Value, base.Name, base.Resource = "MICROSOFT.COMPUTE/VIRTUALMACHINES/RESTART/ACTION", "Restart Virtual Machine", vm.Azure.ResourceID
		base.Substatus = "Accepted"
		base.Outcome = "Accept"
	case 1:
		rule := fmt.Sprintf("allow-%s-from-office", pick(r, []string{"https", "ssh", "mgmt"}))
		base.Value, base.Name = "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", "Create or Update Security Rule"
		base.RG = o.Azure.RGs["net"]
		base.Resource = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkSecurityGroups/%s/securityRules/%s", o.Azure.Subscription, vm.Azure.ResourceGroup, vm.Azure.NSG, rule)
		base.Request = nsgRuleBody(rule, o.Sites[0].Egress.IP+"/32", pick(r, []string{"443", "22", "3389"}), 200+10*r.IntN(20))
		base.Substatus = "Created"
	case 2:
		base.Value, base.Name = "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "Create role assignment"
		base.RG = vm.Azure.ResourceGroup
		base.Resource = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Authorization/roleAssignments/%s", o.Azure.Subscription, vm.Azure.ResourceGroup, newGUID(r))
		base.Request = g.roleAssignmentBody(r, newGUID(r), "Group", pick(r, []string{roleReader, roleReader, roleVMContrib}), "/subscriptions/"+o.Azure.Subscription+"/resourceGroups/"+vm.Azure.ResourceGroup)
		base.Substatus = "Created"
	case 3:
		base.Value, base.Name = "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", "Create or update resource diagnostic setting"
		base.Resource = vm.Azure.ResourceID + "/providers/microsoft.insights/diagnosticSettings/send-to-sentinel"
	default:
		// the usual operator of run command: an administrator from the office
		auto := o.Azure.Automation
		if auto == nil {
			return
		}
		base.Caller, base.CallerOID = auto.UPN, auto.ObjectID
		base.Value, base.Name, base.Resource = "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "Run Command on Virtual Machine", vm.Azure.ResourceID
		base.Outcome, base.Substatus, base.Delay = "Success", "OK", time.Duration(20+r.IntN(60))*time.Second
		emitAll(emit, g.azureRows(r, &base))
		if vm.Kind.windows() {
			g.runCommandOnVM(vm, t, r, "Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5", nil, emit)
		}
		return
	}
	emitAll(emit, g.azureRows(r, &base))
}

// runCommandOnVM emits what a Windows VM records when Azure runs a script
// on it through the RunCommand extension.
func (g *gen) runCommandOnVM(vm *Host, t time.Time, r *rand.Rand, script string, in *instance, emit func(*Row)) []*Row {
	b := g.bootModel(vm, g.bootIndex(vm, t))
	agent := b.byKey["guestagent"]
	if agent == nil {
		return nil
	}
	ext := child(g, r, agent, t.Add(time.Duration(8+r.IntN(10))*time.Second), g.bin(vm, "runcommandext"), "",
		`C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\1.1.18\bin\RunCommandExtension.exe -enable`)
	n := r.IntN(3)
	ps := child(g, r, ext, ext.T.Add(time.Duration(500+r.IntN(2000))*time.Millisecond), g.bin(vm, "powershell"), "",
		fmt.Sprintf(`powershell  -ExecutionPolicy Unrestricted -File script%d.ps1`, n))
	rows := []*Row{g.processRow(ext), g.securityProcessRow(ext), g.processRow(ps), g.securityProcessRow(ps)}
	fw := &fileEv{Host: vm, T: ext.T.Add(200 * time.Millisecond), Action: "FileCreated", Proc: ext,
		Name: fmt.Sprintf("script%d.ps1", n), Dir: `C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\1.1.18\Downloads`, Size: int64(len(script) + 3)}
	rows = append(rows, g.fileRow(fw))
	for _, row := range rows {
		if in != nil {
			in.add(row)
		} else {
			emit(row)
		}
	}
	return rows
}

func emitAll(emit func(*Row), rows []*Row) {
	for _, r := range rows {
		emit(r)
	}
}

// flows emits one VM's Traffic Analytics records for the clock hour ending
// at end.
func (c *cloud) flows(vm *Host, end time.Time, r *rand.Rand, emit func(*Row)) {
	g := c.g
	o := g.o
	pub := time.Duration(5+r.IntN(10)) * time.Minute
	t := end.Add(pub).Truncate(time.Microsecond)
	mk := func(f flow) {
		f.T, f.Interval, f.VM = t, time.Hour, vm
		if f.Proto == "" {
			f.Proto = "T"
		}
		emit(g.flowRow(&f))
	}
	scale := g.scale
	// internet scanning of exposed VMs
	if vm.Azure.Public != nil {
		open := map[int]bool{443: true, 80: true}
		if vm.Kind == kindWeb {
			open[3389] = true
		} else {
			open[22] = true
		}
		n := poisson(r, 18*scale)
		for i := 0; i < n; i++ {
			c := pick(r, append(attackerCities, cities...))
			ip := g.scannerIP(r, c)
			port := pick(r, []int{22, 23, 3389, 445, 1433, 3306, 5900, 8080, 8443, 80, 443, 2375, 6379, 5432, 21, 25, 111, 137, 9200})
			st := "D"
			if open[port] {
				st = "A"
			}
			typ := "ExternalPublic"
			if chance(r, 0.25) {
				typ = "MaliciousFlow"
			}
			k := 1 + r.IntN(6)
			rule := "DefaultRule_DenyAllInBound"
			if st == "A" {
				rule = "UserRule_" + pick(r, []string{"allow-https", "allow-web", "Allow-Inbound"})
			}
			mk(flow{Type: typ, Direction: "I", Status: st, Peer: ip, Country: c.Country, Port: port, Flows: k,
				InPackets: int64(k * (1 + r.IntN(3))), OutPackets: int64(k * r.IntN(2)), InBytes: int64(k * (60 + r.IntN(200))), OutBytes: int64(k * r.IntN(120)), Rule: rule})
		}
		if vm.Kind == kindWeb {
			for i := 0; i < poisson(r, 8*scale*diurnal(vm.Site.City, end)); i++ {
				cc := pick(r, cities)
				k := 2 + r.IntN(40)
				mk(flow{Type: "ExternalPublic", Direction: "I", Status: "A", Peer: g.scannerIP(r, cc), Country: cc.Country, Port: 443, L7: "https",
					Flows: k, InPackets: int64(k * 12), OutPackets: int64(k * 15), InBytes: int64(k * (900 + r.IntN(4000))), OutBytes: int64(k * (8000 + r.IntN(90000))), Rule: "UserRule_allow-https"})
			}
		}
	}
	// outbound to Azure services and updates
	for i := 0; i < 2+r.IntN(3); i++ {
		k := 1 + r.IntN(30)
		mk(flow{Type: "AzurePublic", Direction: "O", Status: "A", Peer: pick(r, []string{o.Azure.StorageIP.IP, g.siteIP(windowsEndpoints[0]), g.siteIP(m365Endpoints[5])}),
			Country: o.Sites[0].City.Country, Port: 443, L7: "https", Flows: k, OutPackets: int64(k * 20), InPackets: int64(k * 25),
			OutBytes: int64(k * (2000 + r.IntN(20000))), InBytes: int64(k * (5000 + r.IntN(80000))), Rule: "DefaultRule_AllowInternetOutBound"})
	}
	// tiers talking to each other inside the VNet
	if vm.Kind == kindSQL {
		for _, peer := range o.Hosts {
			if peer.Azure == nil || peer == vm || (peer.Kind != kindWeb && peer.Kind != kindLinux) {
				continue
			}
			k := 5 + r.IntN(200)
			mk(flow{Type: "IntraVNet", Direction: "I", Status: "A", PeerHost: peer, Port: 1433, L7: "mssql", Flows: k,
				InPackets: int64(k * 8), OutPackets: int64(k * 10), InBytes: int64(k * 1500), OutBytes: int64(k * (4000 + r.IntN(20000))), Rule: "UserRule_allow-sql-from-app"})
		}
	}
}
