package lab

import (
	"fmt"
	"time"
)

var _ = register(&Kind{
	Name:        "azure-control-plane",
	Description: "a compromised account signs in to Azure from a foreign address, runs a command on a VM, registers an application, grants it Owner on the subscription and opens an NSG rule to the internet",
	Techniques:  []string{"T1078.004", "T1651", "T1098.003", "T1136.003", "T1562.007"},
	Tactics:     []string{"initial-access", "execution", "persistence", "privilege-escalation", "defense-evasion"},
	Tables:      []string{tSignin, tAzAct, tAudit, tProcess, tFile, tSecurity},
	build:       buildAzure,
})

func buildAzure(b *builder) error {
	g, r, in := b.g, b.r, b.in
	o := g.o
	caller, ip := b.c.sprayUser, b.c.sprayIP
	t := b.c.sprayTime
	if caller == nil {
		caller = b.person(roleDev, roleStaff)
		ip = b.attacker(caller.Site.City.Country)
		t = b.when(4 * time.Hour)
	}
	t = b.after(t, 40*time.Minute)
	in.user(caller)
	in.ip(ip.IP)
	// the token the changes are made with
	s := newSignin(r, t, caller, pick(r, []app{appAzCLI, appPortal}), ip, true)
	s.Client, s.UA, s.CA, s.Risk = "Mobile Apps and Desktop clients", "python/3.11.8 (Linux-5.15.0-1052-azure-x86_64-with-glibc2.35) AzureCli/2.59.0", "notApplied", "medium"
	if s.App == appPortal {
		s.Client, s.UA = "Browser", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36"
	}
	s.Device = &deviceDetail{OperatingSystem: "Linux"}
	in.add(g.signinRow(s))
	base := azOp{Category: "Administrative", Caller: caller.UPN, CallerOID: caller.ObjectID, AppID: s.App.ID, IP: ip.IP, Role: "Owner"}
	// 1. a command on a VM
	var vms []*Host
	for _, h := range o.Hosts {
		if h.Azure != nil && h.Kind.windows() {
			vms = append(vms, h)
		}
	}
	vm := pick(r, vms)
	in.host(vm)
	at := t.Add(time.Duration(3+r.IntN(10)) * time.Minute).Truncate(time.Microsecond)
	op := base
	op.T, op.Value, op.Name, op.RG, op.Resource = at, "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "Run Command on Virtual Machine", vm.Azure.ResourceGroup, vm.Azure.ResourceID
	op.Outcome, op.Substatus, op.Delay = "Success", "OK", time.Duration(30+r.IntN(60))*time.Second
	in.add(g.azureRows(r, &op)...)
	user := pick(r, []string{"support", "helpdesk", "svc_backup", "sqladmin"}) + fmt.Sprint(r.IntN(10))
	g.runCommandOnVM(vm, at, r, fmt.Sprintf("net user %s /add; net localgroup administrators %s /add", user, user), in, nil)
	// 2. an application to come back with, its display name aimed at AI analysts
	text := b.injection()
	at = at.Add(time.Duration(5+r.IntN(15)) * time.Minute).Truncate(time.Microsecond)
	appID, spID := newGUID(r), newGUID(r)
	ar := g.auditRow(r, &auditEv{T: at, Op: "Add application", Category: "ApplicationManagement", Service: "Core Directory", OpType: "Add",
		ByUser: caller, IP: ip.IP, Targets: []map[string]any{{"id": appID, "displayName": text, "type": "Application",
			"modifiedProperties": []map[string]any{prop("AppId", "[]", `["`+newGUID(r)+`"]`), prop("DisplayName", "[]", `["`+text+`"]`)}}},
		Extra: []map[string]string{{"key": "User-Agent", "value": s.UA}}})
	in.add(ar)
	in.inject(ar, "TargetResources", text)
	sp := g.auditRow(r, &auditEv{T: at.Add(2 * time.Second), Op: "Add service principal", Category: "ApplicationManagement", Service: "Core Directory", OpType: "Add",
		ByUser: caller, IP: ip.IP, Targets: []map[string]any{{"id": spID, "displayName": text, "type": "ServicePrincipal", "modifiedProperties": []map[string]any{}}}})
	in.add(sp)
	in.inject(sp, "TargetResources", text)
	in.add(g.auditRow(r, &auditEv{T: at.Add(40 * time.Second), Op: "Update application – Certificates and secrets management ", Category: "ApplicationManagement",
		Service: "Core Directory", OpType: "Update", ByUser: caller, IP: ip.IP,
		Targets: []map[string]any{{"id": appID, "displayName": text, "type": "Application",
			"modifiedProperties": []map[string]any{prop("KeyDescription", "[]", `["[KeyIdentifier=`+newGUID(r)+`,KeyType=Password,KeyUsage=Verify,DisplayName=]"]`)}}}}))
	// 3. Owner on the subscription for it
	at = at.Add(time.Duration(2+r.IntN(10)) * time.Minute).Truncate(time.Microsecond)
	op = base
	scope := "/subscriptions/" + o.Azure.Subscription
	op.T, op.Value, op.Name, op.RG = at, "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE", "Create role assignment", ""
	op.Resource = scope + "/providers/Microsoft.Authorization/roleAssignments/" + newGUID(r)
	op.Request = g.roleAssignmentBody(r, spID, "ServicePrincipal", roleOwner, scope)
	op.Outcome, op.Substatus = "Success", "Created"
	in.add(g.azureRows(r, &op)...)
	// 4. the door left open
	at = at.Add(time.Duration(3+r.IntN(20)) * time.Minute).Truncate(time.Microsecond)
	tgt := pick(r, vms)
	in.host(tgt)
	rule := pick(r, []string{"AllowAnyCustomAnyInbound", "allow-all", "Port_" + fmt.Sprint(pick(r, []int{3389, 22, 5985})), "temp-access"})
	op = base
	op.T, op.Value, op.Name, op.RG = at, "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", "Create or Update Security Rule", tgt.Azure.ResourceGroup
	op.Resource = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkSecurityGroups/%s/securityRules/%s", o.Azure.Subscription, tgt.Azure.ResourceGroup, tgt.Azure.NSG, rule)
	op.Request = nsgRuleBody(rule, pick(r, []string{"*", "0.0.0.0/0", "Internet", "Any"}), pick(r, []string{"*", "3389", "22", "0-65535"}), 100+r.IntN(10))
	op.Outcome, op.Substatus = "Success", "Created"
	in.add(g.azureRows(r, &op)...)
	return nil
}
