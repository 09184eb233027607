package lab

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// account is who a process or a logon runs as, spelled as Defender
// spells it (lower-case name and domain).
type account struct {
	Name, Domain, SID, UPN, ObjectID string
	User                             *User
	Admin                            bool // member of local Administrators
}

var (
	acctSystem  = &account{Name: "system", Domain: "nt authority", SID: "S-1-5-18", Admin: true}
	acctLocal   = &account{Name: "local service", Domain: "nt authority", SID: "S-1-5-19"}
	acctNetwork = &account{Name: "network service", Domain: "nt authority", SID: "S-1-5-20"}
	acctDWM     = &account{Name: "dwm-1", Domain: "window manager", SID: "S-1-5-90-0-1"}
	acctUMFD    = &account{Name: "umfd-1", Domain: "font driver host", SID: "S-1-5-96-0-1"}
)

// acct returns the domain account of a user.
func (o *Org) acct(u *User) *account {
	if u == nil {
		return acctSystem
	}
	return &account{Name: strings.ToLower(u.SAM), Domain: strings.ToLower(o.NetBIOS), SID: u.SID, UPN: u.UPN,
		ObjectID: u.ObjectID, User: u, Admin: u.Role == roleAdminAcct || u.Role == roleService}
}

// machineAcct is a computer's own domain account (HOST$).
func (o *Org) machineAcct(h *Host) *account {
	return &account{Name: strings.ToLower(h.Name) + "$", Domain: strings.ToLower(o.NetBIOS), SID: h.SID}
}

// localAdmin is a host's built-in Administrator.
func localAdmin(h *Host) *account {
	return &account{Name: "administrator", Domain: strings.ToLower(h.Name), SID: "S-1-5-21-" + h.DeviceID[:9] + "-500", Admin: true}
}

// winName is the account's user name as Windows event logs spell it.
func (a *account) winName() string {
	if a.User != nil {
		return a.User.SAM
	}
	switch a.SID {
	case "S-1-5-18":
		return "SYSTEM"
	case "S-1-5-19":
		return "LOCAL SERVICE"
	case "S-1-5-20":
		return "NETWORK SERVICE"
	}
	return a.Name
}

// winDomain is the domain as Windows event logs spell it.
func (a *account) winDomain() string {
	if strings.HasPrefix(a.SID, "S-1-5-1") || strings.HasPrefix(a.SID, "S-1-5-20") {
		return "NT AUTHORITY"
	}
	return strings.ToUpper(a.Domain)
}

// proc is one process on a host.
type proc struct {
	Host      *Host
	PID       int64
	T         time.Time
	Bin       *binary
	Path      string
	Cmd       string
	Acct      *account
	LogonID   int64
	Integrity string
	Elevation string
	Parent    *proc

	// cols caches the InitiatingProcess* values this process gives the
	// rows it causes, per table: a browser or a service host initiates
	// thousands of rows, and building the same thirty values each time
	// would dominate generation. A proc belongs to one goroutine.
	cols []cachedCols
}

// cachedCols are column values, boxed once, for rows of one table.
type cachedCols struct {
	tab  *table
	vals []colVal
}

type colVal struct {
	i int
	v any
}

// apply copies cached values into a row of the same table.
func (r *Row) apply(cs []colVal) {
	for _, c := range cs {
		r.vals[c.i] = c.v
	}
}

// capture runs set on a scratch row of t and returns what it set.
func capture(t *table, set func(*Row)) []colVal {
	scratch := &Row{tab: t, vals: make([]any, len(t.cat.Columns))}
	set(scratch)
	var out []colVal
	for i, v := range scratch.vals {
		if v != nil {
			out = append(out, colVal{i, v})
		}
	}
	return out
}

// FileName returns the image name.
func (p *proc) FileName() string { return p.Bin.Name }

// processRow renders a DeviceProcessEvents row.
func (g *gen) processRow(p *proc) *Row {
	r := g.t.dpe.row(p.T)
	g.deviceCols(r, p.Host)
	r.Set("Timestamp", p.T).Set("ActionType", "ProcessCreated")
	b := p.Bin
	r.Set("FileName", b.Name).Set("FolderPath", p.Path).Set("SHA1", b.h.SHA1).Set("SHA256", b.h.SHA256).
		Set("MD5", b.h.MD5).Set("FileSize", b.Size)
	r.Set("ProcessVersionInfoCompanyName", b.Company).Set("ProcessVersionInfoProductName", b.Product).
		Set("ProcessVersionInfoProductVersion", b.Version).Set("ProcessVersionInfoInternalFileName", b.Internal).
		Set("ProcessVersionInfoOriginalFileName", b.Original).Set("ProcessVersionInfoFileDescription", b.Description)
	r.Set("ProcessId", p.PID).Set("ProcessCommandLine", p.Cmd).Set("ProcessIntegrityLevel", p.Integrity).
		Set("ProcessTokenElevation", p.Elevation).Set("ProcessCreationTime", p.T)
	a := p.Acct
	r.Set("AccountDomain", a.Domain).Set("AccountName", a.Name).Set("AccountSid", a.SID).
		Set("AccountUpn", a.UPN).Set("AccountObjectId", a.ObjectID).Set("LogonId", p.LogonID)
	g.initiating(r, p.Parent)
	r.Set("ReportId", reportID(p.T, p.PID))
	return r
}

// deviceCols sets the columns every Defender device table has.
func (g *gen) deviceCols(r *Row, h *Host) {
	if r.tab.cat == nil {
		return
	}
	if r.tab.hostCols != nil {
		r.apply(r.tab.hostCols[h.idx])
		return
	}
	r.Set("DeviceId", h.DeviceID).Set("DeviceName", h.FQDN)
	r.Opt("TenantId", g.o.WorkspaceID)
}

// cacheDeviceCols precomputes every host's device columns for a table.
func (g *gen) cacheDeviceCols(t *table) {
	if t.cat == nil {
		return
	}
	cols := make([][]colVal, len(g.o.Hosts))
	for i, h := range g.o.Hosts {
		cols[i] = capture(t, func(r *Row) { g.deviceCols(r, h) })
	}
	t.hostCols = cols
}

// initiating sets the InitiatingProcess* columns from p and its parent.
func (g *gen) initiating(r *Row, p *proc) {
	if p == nil || r.tab.cat == nil {
		return
	}
	for _, c := range p.cols {
		if c.tab == r.tab {
			r.apply(c.vals)
			return
		}
	}
	vals := capture(r.tab, func(s *Row) { g.initiatingCols(s, p) })
	p.cols = append(p.cols, cachedCols{r.tab, vals})
	r.apply(vals)
}

func (g *gen) initiatingCols(r *Row, p *proc) {
	b := p.Bin
	a := p.Acct
	r.Set("InitiatingProcessAccountDomain", a.Domain).Set("InitiatingProcessAccountName", a.Name).
		Set("InitiatingProcessAccountSid", a.SID).Set("InitiatingProcessAccountUpn", a.UPN).
		Set("InitiatingProcessAccountObjectId", a.ObjectID).Opt("InitiatingProcessLogonId", p.LogonID).
		Opt("InitiatingProcessIntegrityLevel", p.Integrity).Opt("InitiatingProcessTokenElevation", p.Elevation) // not in DeviceEvents
	r.Set("InitiatingProcessSHA1", b.h.SHA1).Set("InitiatingProcessSHA256", b.h.SHA256).Set("InitiatingProcessMD5", b.h.MD5).
		Set("InitiatingProcessFileName", b.Name).Set("InitiatingProcessFileSize", b.Size).
		Set("InitiatingProcessVersionInfoCompanyName", b.Company).Set("InitiatingProcessVersionInfoProductName", b.Product).
		Set("InitiatingProcessVersionInfoProductVersion", b.Version).Set("InitiatingProcessVersionInfoInternalFileName", b.Internal).
		Set("InitiatingProcessVersionInfoOriginalFileName", b.Original).Set("InitiatingProcessVersionInfoFileDescription", b.Description)
	r.Set("InitiatingProcessId", p.PID).Set("InitiatingProcessCommandLine", p.Cmd).
		Set("InitiatingProcessCreationTime", p.T).Set("InitiatingProcessFolderPath", p.Path)
	r.Opt("InitiatingProcessSignerType", b.Signer).Opt("InitiatingProcessSignatureStatus", b.Signature)
	if pp := p.Parent; pp != nil {
		r.Set("InitiatingProcessParentId", pp.PID).Set("InitiatingProcessParentFileName", pp.Bin.Name).
			Set("InitiatingProcessParentCreationTime", pp.T)
	}
}

// reportID imitates Defender's per-device event counter.
func reportID(t time.Time, salt int64) int64 {
	return (t.UnixMicro()/1000)%1000000 + salt%997*1000000
}

// securityProcessRow renders the SecurityEvent 4688 for a process, as the
// Windows Security log on servers records it.
func (g *gen) securityProcessRow(p *proc) *Row {
	r := g.secRow(p.Host, p.T, 4688, "4688 - A new process has been created.")
	a := p.Acct
	r.Set("Account", a.winDomain()+`\`+a.winName()).Set("AccountType", accountType(a))
	r.Set("SubjectUserSid", a.SID).Set("SubjectUserName", a.winName()).Set("SubjectDomainName", a.winDomain()).
		Set("SubjectLogonId", hexStr(p.LogonID))
	r.Set("NewProcessId", hexStr(p.PID)).Set("NewProcessName", p.Path).Set("CommandLine", p.Cmd).
		Set("Process", p.Bin.Name).Set("TokenElevationType", elevationCode(p.Elevation)).
		Set("MandatoryLabel", integritySID(p.Integrity)).Set("TargetLogonId", "0x0")
	if p.Parent != nil {
		r.Set("ProcessId", hexStr(p.Parent.PID)).Set("ParentProcessName", p.Parent.Path)
	}
	return r
}

func accountType(a *account) string {
	if strings.HasSuffix(a.Name, "$") || a.SID == "S-1-5-18" {
		return "Machine"
	}
	return "User"
}

func hexStr(n int64) string { return fmt.Sprintf("0x%x", n) }

func elevationCode(e string) string {
	switch e {
	case "TokenElevationTypeFull":
		return "%%1937"
	case "TokenElevationTypeLimited":
		return "%%1938"
	}
	return "%%1936"
}

func integritySID(l string) string {
	switch l {
	case "System":
		return "S-1-16-16384"
	case "High":
		return "S-1-16-12288"
	case "Low":
		return "S-1-16-4096"
	}
	return "S-1-16-8192"
}

// secRow starts a SecurityEvent row with the columns every event has.
func (g *gen) secRow(h *Host, t time.Time, id int, activity string) *Row {
	r := g.t.sec.row(t)
	r.Opt("TenantId", g.o.WorkspaceID).Set("SourceSystem", "OpsManager").Set("Computer", h.ComputerFQDN()).
		Set("EventSourceName", "Microsoft-Windows-Security-Auditing").Set("Channel", "Security").
		Set("EventID", id).Set("Activity", activity).Set("Level", "8").
		Opt("SourceComputerId", h.AadDeviceID).Opt("ManagementGroupName", "AOI-"+g.o.WorkspaceID).
		Opt("_ResourceId", g.resourceID(h))
	return r
}

// resourceID is the Azure resource id Log Analytics attaches to a host's
// records: the VM for Azure hosts, the Arc machine otherwise.
func (g *gen) resourceID(h *Host) string {
	if h.Azure != nil {
		return strings.ToLower(h.Azure.ResourceID)
	}
	return strings.ToLower(fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.HybridCompute/machines/%s",
		g.o.Azure.Subscription, g.o.Azure.RGs["mgmt"], h.Name))
}

// base is the file name of a Windows path.
func base(p string) string { return path.Base(strings.ReplaceAll(p, `\`, "/")) }
