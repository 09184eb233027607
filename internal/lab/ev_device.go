package lab

import (
	"encoding/json"
	"fmt"
	"time"
)

// conn is one network connection a Defender sensor saw.
type conn struct {
	Host       *Host
	T          time.Time
	Action     string // ConnectionSuccess, ConnectionFailed, InboundConnectionAccepted, ListeningConnectionCreated
	Proc       *proc
	LocalIP    string
	LocalPort  int
	RemoteIP   string
	RemotePort int
	URL        string
	Protocol   string // Tcp, Udp
}

// networkRow renders a DeviceNetworkEvents row.
func (g *gen) networkRow(c *conn) *Row {
	r := g.t.dne.row(c.T)
	g.deviceCols(r, c.Host)
	r.Set("Timestamp", c.T).Set("ActionType", c.Action).
		Set("RemoteIP", c.RemoteIP).Set("RemotePort", c.RemotePort).Set("RemoteUrl", c.URL).
		Set("LocalIP", c.LocalIP).Set("LocalPort", c.LocalPort).Set("Protocol", c.Protocol).
		Set("LocalIPType", ipType(c.LocalIP))
	if c.RemoteIP != "" {
		r.Set("RemoteIPType", ipType(c.RemoteIP))
	}
	g.initiating(r, c.Proc)
	r.Set("ReportId", reportID(c.T, int64(c.LocalPort)))
	return r
}

// fileEv is one file operation.
type fileEv struct {
	Host      *Host
	T         time.Time
	Action    string // FileCreated, FileModified, FileRenamed, FileDeleted
	Proc      *proc
	Name, Dir string
	PrevName  string
	PrevDir   string
	Size      int64
	OriginURL string
	OriginIP  string
	Referrer  string
	// For changes made over SMB: who asked, from where.
	ShareName, ReqIP, ReqAccount, ReqDomain, ReqSID string
	ReqPort                                         int
	h                                               *fileHashes
}

// fileRow renders a DeviceFileEvents row.
func (g *gen) fileRow(f *fileEv) *Row {
	r := g.t.dfe.row(f.T)
	g.deviceCols(r, f.Host)
	r.Set("Timestamp", f.T).Set("ActionType", f.Action).Set("FileName", f.Name).Set("FolderPath", f.Dir+`\`+f.Name)
	if f.Action != "FileDeleted" {
		h := f.h
		if h == nil {
			hh := hashesOf(g.o.seed, f.Dir+`\`+f.Name+fmt.Sprint(f.Size))
			h = &hh
		}
		r.Set("SHA1", h.SHA1).Set("SHA256", h.SHA256).Set("MD5", h.MD5).Set("FileSize", f.Size)
	}
	if f.Action == "FileRenamed" {
		r.Set("PreviousFileName", f.PrevName).Set("PreviousFolderPath", f.PrevDir+`\`+f.PrevName)
	}
	r.Set("FileOriginUrl", f.OriginURL).Set("FileOriginIP", f.OriginIP).Set("FileOriginReferrerUrl", f.Referrer)
	if f.ReqIP != "" {
		r.Set("RequestProtocol", "SMB").Set("RequestSourceIP", f.ReqIP).Set("RequestSourcePort", f.ReqPort).
			Set("RequestAccountName", f.ReqAccount).Set("RequestAccountDomain", f.ReqDomain).
			Set("RequestAccountSid", f.ReqSID).Set("ShareName", f.ShareName)
	} else {
		r.Set("RequestProtocol", "Local")
	}
	g.initiating(r, f.Proc)
	r.Set("ReportId", reportID(f.T, f.Size))
	return r
}

// regEv is one registry change.
type regEv struct {
	Host      *Host
	T         time.Time
	Action    string // RegistryValueSet, RegistryKeyCreated, RegistryValueDeleted
	Proc      *proc
	Key       string
	ValueName string
	ValueType string // String, Dword, Binary, ExpandString, Qword
	Data      string
	PrevData  string
}

// registryRow renders a DeviceRegistryEvents row.
func (g *gen) registryRow(e *regEv) *Row {
	r := g.t.dre.row(e.T)
	g.deviceCols(r, e.Host)
	r.Set("Timestamp", e.T).Set("ActionType", e.Action).Set("RegistryKey", e.Key).
		Set("RegistryValueName", e.ValueName).Set("RegistryValueType", e.ValueType).Set("RegistryValueData", e.Data)
	if e.PrevData != "" {
		r.Set("PreviousRegistryKey", e.Key).Set("PreviousRegistryValueName", e.ValueName).Set("PreviousRegistryValueData", e.PrevData)
	}
	g.initiating(r, e.Proc)
	r.Set("ReportId", reportID(e.T, int64(len(e.Key))))
	return r
}

// access is one process opening a handle to another, which Defender
// records as an OpenProcessApiCall event.
type access struct {
	T      time.Time
	Source *proc
	Target *proc
	Rights int64 // the access mask asked for
}

// accessRow renders a DeviceEvents OpenProcessApiCall row in the shape the
// ingest gives Sysmon's process access (event 10): the target process in
// FileName, FolderPath, ProcessId and the Account columns, the rights in
// AdditionalFields.DesiredAccess, the opener in the InitiatingProcess
// columns.
func (g *gen) accessRow(a *access) *Row {
	tp := a.Target
	r := g.t.dev.row(a.T)
	g.deviceCols(r, tp.Host)
	r.Set("Timestamp", a.T).Set("ActionType", "OpenProcessApiCall").
		Set("FileName", tp.Bin.Name).Set("FolderPath", tp.Path).
		Set("SHA1", tp.Bin.h.SHA1).Set("SHA256", tp.Bin.h.SHA256).Set("MD5", tp.Bin.h.MD5).Set("FileSize", tp.Bin.Size).
		Set("ProcessId", tp.PID).Set("ProcessCommandLine", tp.Cmd).Set("ProcessCreationTime", tp.T).
		Set("AccountDomain", tp.Acct.Domain).Set("AccountName", tp.Acct.Name).Set("AccountSid", tp.Acct.SID).
		Set("AdditionalFields", json.RawMessage(fmt.Sprintf(`{"DesiredAccess":%d}`, a.Rights)))
	g.initiating(r, a.Source)
	r.Set("ReportId", reportID(a.T, a.Rights))
	return r
}

// deviceInfoRow renders a DeviceInfo snapshot.
func (g *gen) deviceInfoRow(h *Host, t time.Time, loggedOn []*User) *Row {
	r := g.t.dinfo.row(t)
	g.deviceCols(r, h)
	r.Set("Timestamp", t)
	client := "10.8760.19041.4355"
	if !h.Kind.windows() {
		client = "30.124052.0002"
	}
	r.Set("ClientVersion", client).Set("OSArchitecture", "64-bit").Set("OSPlatform", h.OS.Platform).
		Set("OSVersion", h.OS.Version).Set("OSVersionInfo", h.OS.Release).Set("OSDistribution", h.OS.Distro).
		Set("OnboardingStatus", "Onboarded").Set("DeviceCategory", "Endpoint").Set("SensorHealthState", "Active").
		Set("Vendor", h.Vendor).Set("Model", h.Model).Set("MachineGroup", "UnassignedGroup")
	if h.OS.Build > 0 {
		r.Set("OSBuild", h.OS.Build)
	}
	dtype, sub := "Workstation", "Workstation"
	if h.Kind.server() {
		dtype, sub = "Server", "Server"
		if h.Kind == kindDC {
			sub = "DomainController"
		}
	}
	r.Set("DeviceType", dtype).Set("DeviceSubtype", sub)
	switch {
	case h.Azure != nil && h.Azure.Public != nil:
		r.Set("PublicIP", h.Azure.Public.IP).Set("IsInternetFacing", true)
	case h.Azure != nil:
		r.Set("PublicIP", g.o.Azure.StorageIP.IP)
	default:
		r.Set("PublicIP", h.Site.Egress.IP)
	}
	if h.Kind.windows() {
		join := "Hybrid Azure AD Join"
		if h.Kind.server() {
			join = "Domain Joined"
		}
		r.Set("JoinType", join).Set("IsAzureADJoined", !h.Kind.server()).Set("AadDeviceId", h.AadDeviceID)
	}
	type lu struct {
		UserName   string `json:"UserName"`
		DomainName string `json:"DomainName"`
		Sid        string `json:"Sid"`
	}
	users := make([]lu, 0, len(loggedOn))
	for _, u := range loggedOn {
		users = append(users, lu{u.SAM, g.o.NetBIOS, u.SID})
	}
	b, _ := json.Marshal(users)
	r.Set("LoggedOnUsers", json.RawMessage(b))
	r.Set("ReportId", reportID(t, int64(h.idx)))
	return r
}
