package lab

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// hostKind is what a machine is for.
type hostKind int

const (
	kindWorkstation hostKind = iota
	kindDC                   // domain controller
	kindFile                 // file server
	kindJump                 // jump host admins RDP into
	kindMgmt                 // management server running admin automation
	kindDeploy               // software deployment server
	kindBackup               // backup server
	kindWeb                  // internet-facing Windows server (IIS, RDP open), an Azure VM
	kindSQL                  // database server, an Azure VM
	kindLinux                // internal Linux server, an Azure VM
	kindLinuxEx              // internet-facing Linux server, an Azure VM
)

func (k hostKind) windows() bool { return k <= kindSQL }
func (k hostKind) server() bool  { return k != kindWorkstation }

// role is what a person does, which drives their behaviour.
type role int

const (
	roleStaff     role = iota
	roleAdmin          // IT administrator (has a separate admin account)
	roleExec           // executive, travels
	roleDev            // developer
	roleService        // service account
	roleAdminAcct      // the privileged account of an IT administrator
)

// Org is the simulated organisation. It is built once from the seed and
// read concurrently by every generator.
type Org struct {
	Name     string // display name, e.g. "Astervale Logistics"
	Domain   string // e-mail and UPN suffix
	ADDomain string // Active Directory DNS domain
	NetBIOS  string // Active Directory NetBIOS domain
	TenantID string // Entra tenant
	// WorkspaceID is the Log Analytics workspace the tables live in
	// (TenantId column).
	WorkspaceID string
	DomainSID   string

	Sites   []*Site
	People  []*User // people, in a stable order
	Service []*User // service accounts
	Admins  []*User // admin accounts of IT administrators
	Hosts   []*Host

	Azure azureEnv

	vpn      place // corporate VPN egress
	seed     uint64
	s        streams
	byKind   map[hostKind][]*Host
	hostByIP map[string]*Host
	uaChrome int // browser major version in use
}

// Site is an office.
type Site struct {
	Code   string
	City   city
	Egress place  // the office's public NAT address
	Net    string // first two octets of the office's internal range, e.g. "10.24"
	HQ     bool
}

// User is a person or a service account.
type User struct {
	Given, Surname, Display string
	SAM, UPN, Mail          string
	ObjectID, SID           string
	Role                    role
	Dept                    string
	Site                    *Site
	Workstation             *Host
	Owner                   *User // for admin accounts: the person
	AdminAcct               *User // for administrators: their admin account
	Home, Mobile            place
	Browser                 browser
	Phone                   string // "iOS 17.5" or "Android 14"
	StartHour               float64
	HomeRatio               float64 // share of working days from home
	idx                     int
}

// Host is a machine.
type Host struct {
	Name        string // the computer name
	FQDN        string // lower-case DNS name, as Defender reports DeviceName
	Kind        hostKind
	OS          osInfo
	IP          string
	Site        *Site
	DeviceID    string
	AadDeviceID string
	Primary     *User
	Azure       *azureVM
	Vendor      string
	Model       string
	SID         string // machine account SID
	idx         int
}

// Upper returns the computer name in upper case, as Windows event logs
// write it in account names.
func (h *Host) Upper() string { return strings.ToUpper(h.Name) }

// ComputerFQDN is the name SecurityEvent reports in Computer.
func (h *Host) ComputerFQDN() string {
	if i := strings.IndexByte(h.FQDN, '.'); i >= 0 {
		return h.Name + h.FQDN[i:]
	}
	return h.Name
}

// osInfo describes an operating system as DeviceInfo reports it.
type osInfo struct {
	Platform string // Windows10, Windows11, WindowsServer2019, WindowsServer2022, Linux
	Version  string
	Build    int64
	Release  string // OSVersionInfo
	Distro   string // OSDistribution
	Pretty   string // as Entra's DeviceDetail spells it
}

var (
	osWin10  = osInfo{"Windows10", "10.0", 19045, "22H2", "Windows10", "Windows 10"}
	osWin11  = osInfo{"Windows11", "10.0", 22631, "23H2", "Windows11", "Windows 10"}
	osSrv19  = osInfo{"WindowsServer2019", "10.0", 17763, "1809", "WindowsServer2019", "Windows Server 2019"}
	osSrv22  = osInfo{"WindowsServer2022", "10.0", 20348, "21H2", "WindowsServer2022", "Windows Server 2022"}
	osUbuntu = osInfo{"Linux", "22.04", 0, "22.04", "Ubuntu", "Linux"}
	osRHEL   = osInfo{"Linux", "9.3", 0, "9.3", "RedHatEnterpriseLinux", "Linux"}
)

// azureEnv is the organisation's Azure subscription.
type azureEnv struct {
	Subscription string
	Region       string
	VNet         string
	VNetPrefix   string            // first two octets
	RGs          map[string]string // purpose → resource group name
	Automation   *User             // the admin account that usually runs VM commands
	StorageIP    place             // the storage account backups go to
}

// azureVM is a host's Azure identity.
type azureVM struct {
	Name, ResourceGroup, ResourceID, NIC, NSG, Subnet string
	Public                                            *place
}

// browser is a person's usual browser.
type browser struct {
	Name    string // "Edge" or "Chrome"
	Version string // "124.0.2478"
	UA      string
}

// newOrg builds the organisation for a seed and size.
func newOrg(seed uint64, hosts, users int) *Org {
	s := streams{seed}
	r := s.rng("org")
	o := &Org{seed: seed, s: s, byKind: map[hostKind][]*Host{}, hostByIP: map[string]*Host{}}
	o.name(r)
	alloc := newIPAllocator(s.rng("org.ips"))
	o.sites(r, alloc, users)
	o.uaChrome = between(r, 122, 131)
	o.people(r, alloc, users)
	o.serviceAccounts(r)
	o.hosts(r, alloc, hosts)
	o.azure(r, alloc)
	return o
}

func (o *Org) name(r *rand.Rand) {
	head, tail := pick(r, companyHeads), pick(r, companyTails)
	base := head + tail
	trade := pick(r, companyTrades)
	o.Name = base
	if trade != "" {
		o.Name += " " + trade
	}
	root := strings.ToLower(base)
	if trade != "" && chance(r, 0.3) {
		root += strings.ToLower(trade)
	}
	o.Domain = root + "." + pick(r, tlds)
	abbr := strings.ToLower(base[:1] + tail[:1] + base[len(base)-1:])
	switch r.IntN(5) {
	case 0:
		o.ADDomain = "corp." + o.Domain
		o.NetBIOS = "CORP"
	case 1:
		o.ADDomain = "ad." + o.Domain
		o.NetBIOS = strings.ToUpper(root)
	case 2:
		o.ADDomain = root + ".local"
		o.NetBIOS = strings.ToUpper(root)
	case 3:
		o.ADDomain = abbr + ".internal"
		o.NetBIOS = strings.ToUpper(abbr)
	default:
		o.ADDomain = "int." + o.Domain
		o.NetBIOS = strings.ToUpper(abbr) + "INT"
	}
	if len(o.NetBIOS) > 15 {
		o.NetBIOS = o.NetBIOS[:15]
	}
	o.TenantID = newGUID(r)
	o.WorkspaceID = newGUID(r)
	o.DomainSID = fmt.Sprintf("S-1-5-21-%d-%d-%d", 1000000000+r.Int64N(3000000000), 1000000000+r.Int64N(3000000000), 1000000000+r.Int64N(3000000000))
	o.Azure.Subscription = newGUID(r)
}

func (o *Org) sites(r *rand.Rand, alloc *ipAllocator, users int) {
	n := 2 + users/80
	if n > 5 {
		n = 5
	}
	used := map[string]bool{}
	nets := o.netPlan(r, n+1)
	for i := 0; i < n; i++ {
		var c city
		for {
			c = pick(r, cities)
			if !used[c.Country] {
				break
			}
		}
		used[c.Country] = true
		code := strings.ToUpper(asciiFold(c.Name))[:3]
		for _, s := range o.Sites {
			if s.Code == code {
				code = code[:2] + string(rune('0'+i))
			}
		}
		asn := pick(r, ispASNs[c.Country])
		o.Sites = append(o.Sites, &Site{Code: code, City: c, Egress: alloc.place(c, asn), Net: nets[i], HQ: i == 0})
	}
	o.Azure.VNetPrefix = nets[n]
	hq := o.Sites[0]
	o.vpn = alloc.place(hq.City, pick(r, ispASNs[hq.City.Country]))
}

// netPlan picks the organisation's internal addressing: one /16 per site
// and one for the Azure VNet, from a scheme that varies with the seed.
func (o *Org) netPlan(r *rand.Rand, n int) []string {
	out := make([]string, n)
	switch r.IntN(3) {
	case 0:
		base, step := between(r, 1, 60), between(r, 1, 10)
		for i := range out {
			out[i] = fmt.Sprintf("10.%d", base+i*step)
		}
	case 1:
		for i := range out {
			out[i] = fmt.Sprintf("172.%d", 16+(i*3+r.IntN(2))%16)
		}
		seen := map[string]bool{}
		for i := range out { // keep them distinct
			for seen[out[i]] {
				out[i] = fmt.Sprintf("172.%d", 16+r.IntN(16))
			}
			seen[out[i]] = true
		}
	default:
		base := between(r, 100, 200)
		for i := range out {
			out[i] = fmt.Sprintf("10.%d", base+i*between(r, 2, 6))
		}
	}
	return out
}

// upnScheme and samScheme turn a person's names into account names.
type nameScheme func(given, surname string) string

var nameSchemes = []nameScheme{
	func(g, s string) string { return g + "." + s },
	func(g, s string) string { return g[:1] + s },
	func(g, s string) string { return g + s[:1] },
	func(g, s string) string { return g + "_" + s },
	func(g, s string) string { return s + g[:1] },
	func(g, s string) string { return g[:1] + "." + s },
	func(g, s string) string { return g + "." + s[:1] },
}

func (o *Org) people(r *rand.Rand, alloc *ipAllocator, n int) {
	upn := pick(r, nameSchemes)
	sam := upn
	if chance(r, 0.5) {
		sam = pick(r, nameSchemes)
	}
	samMax := 20
	depts := sample(r, departments, 6+r.IntN(5))
	if !contains(depts, "Engineering") && chance(r, 0.7) {
		depts[0] = "Engineering"
	}
	taken := map[string]int{}
	rid := 1100 + r.IntN(900)
	nExec, nAdmin := max(1, n/40), max(1, n/30)
	nDev := n / 10
	if nDev < 1 && n >= 6 {
		nDev = 1
	}
	for i := 0; i < n; i++ {
		site := o.Sites[0]
		if i >= n/2 || i >= nExec+nAdmin { // HQ holds the executives, admins and half of the staff
			site = o.Sites[r.IntN(len(o.Sites))]
		}
		cul := cultures[site.City.Culture]
		if chance(r, 0.2) {
			cul = cultures[pick(r, []string{"en", "de", "fr", "es", "in", "pl", "pt", "nordic"})]
		}
		u := &User{Given: pick(r, cul.given), Surname: pick(r, cul.surnames), Site: site, idx: i}
		u.Display = u.Given + " " + splitCamel(u.Surname)
		g, s := asciiFold(u.Given), asciiFold(u.Surname)
		base := upn(g, s)
		if k := taken[base]; k > 0 {
			base += fmt.Sprint(k + 1)
		}
		taken[upn(g, s)]++
		u.UPN = base + "@" + o.Domain
		u.Mail = u.UPN
		u.SAM = sam(g, s)
		if k := taken["sam:"+u.SAM]; k > 0 {
			u.SAM += fmt.Sprint(k + 1)
		}
		taken["sam:"+sam(g, s)]++
		if len(u.SAM) > samMax {
			u.SAM = u.SAM[:samMax]
		}
		u.ObjectID = newGUID(r)
		rid += 1 + r.IntN(40)
		u.SID = fmt.Sprintf("%s-%d", o.DomainSID, rid)
		switch {
		case i < nExec:
			u.Role, u.Dept = roleExec, "Executive"
		case i < nExec+nAdmin:
			u.Role, u.Dept = roleAdmin, "IT"
		case i < nExec+nAdmin+nDev:
			u.Role, u.Dept = roleDev, "Engineering"
		default:
			u.Role, u.Dept = roleStaff, pick(r, depts)
		}
		o.personal(r, alloc, u)
		o.People = append(o.People, u)
	}
	adm := pick(r, []func(string) string{
		func(s string) string { return "adm-" + s },
		func(s string) string { return s + "-admin" },
		func(s string) string { return "a-" + s },
		func(s string) string { return s + ".adm" },
		func(s string) string { return "admin." + s },
		func(s string) string { return "t1-" + s },
	})
	for _, u := range o.People {
		if u.Role != roleAdmin {
			continue
		}
		a := &User{Given: u.Given, Surname: u.Surname, Display: u.Display + " (Admin)", Role: roleAdminAcct,
			Dept: u.Dept, Site: u.Site, Owner: u, Home: u.Home, Mobile: u.Mobile, Browser: u.Browser,
			Phone: u.Phone, StartHour: u.StartHour, HomeRatio: u.HomeRatio, idx: len(o.People) + len(o.Admins)}
		a.SAM = adm(u.SAM)
		if len(a.SAM) > samMax {
			a.SAM = a.SAM[:samMax]
		}
		a.UPN = adm(strings.SplitN(u.UPN, "@", 2)[0]) + "@" + o.Domain
		a.ObjectID = newGUID(r)
		rid += 1 + r.IntN(40)
		a.SID = fmt.Sprintf("%s-%d", o.DomainSID, rid)
		u.AdminAcct = a
		o.Admins = append(o.Admins, a)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// splitCamel turns "DeJong" into "De Jong" for display names.
func splitCamel(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// personal sets where a person works from and what they use.
func (o *Org) personal(r *rand.Rand, alloc *ipAllocator, u *User) {
	home := u.Site.City
	var same []city
	for _, c := range cities {
		if c.Country == home.Country {
			same = append(same, c)
		}
	}
	home = pick(r, same)
	isps := ispASNs[home.Country]
	u.Home = alloc.place(home, pick(r, isps))
	u.Mobile = alloc.place(home, pick(r, isps))
	u.StartHour = 7.5 + r.Float64()*2
	u.HomeRatio = []float64{0.1, 0.3, 0.5, 0.7}[r.IntN(4)]
	if u.Role == roleExec {
		u.HomeRatio = 0.2
	}
	u.Phone = pick(r, []string{"iOS 17.5.1", "iOS 17.4", "iOS 16.7.8", "Android 14", "Android 13"})
	u.Browser = o.newBrowser(r)
}

func (o *Org) newBrowser(r *rand.Rand) browser {
	major := o.uaChrome - r.IntN(2)
	if chance(r, 0.6) {
		v := fmt.Sprintf("%d.0.%d", major, 2200+major*9+r.IntN(40))
		return browser{"Edge", v, fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36 Edg/%s.%d", major, v, 40+r.IntN(80))}
	}
	v := fmt.Sprintf("%d.0.%d", major, 6200+major*10+r.IntN(60))
	return browser{"Chrome", v, fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", major)}
}

// service account functions; the names vary with the seed.
const (
	svcBackup  = "backup"
	svcDeploy  = "deploy"
	svcScan    = "scan"
	svcSQL     = "sql"
	svcMonitor = "monitor"
	svcSync    = "adsync"
	svcWeb     = "webapp"
)

func (o *Org) serviceAccounts(r *rand.Rand) {
	scheme := pick(r, []func(string) string{
		func(s string) string { return "svc-" + s },
		func(s string) string { return "svc_" + s },
		func(s string) string { return "sa-" + s },
		func(s string) string { return s + "svc" },
		func(s string) string { return "s-" + s },
		func(s string) string { return "srv." + s },
	})
	synonyms := map[string][]string{
		svcBackup:  {"backup", "bkp", "veeam", "backupexec", "bck"},
		svcDeploy:  {"deploy", "pdq", "sccm", "swdist", "install"},
		svcScan:    {"scan", "nessus", "qualys", "vulnscan", "tenable"},
		svcSQL:     {"sql", "mssql", "sqlagent", "dbsvc", "sqlsrv"},
		svcMonitor: {"monitor", "scom", "prtg", "zabbix", "nagios"},
		svcSync:    {"adsync", "aadc", "sync", "entrasync", "dirsync"},
		svcWeb:     {"webapp", "iis", "apppool", "portal", "web"},
	}
	rid := 5000 + r.IntN(3000)
	for _, f := range []string{svcBackup, svcDeploy, svcScan, svcSQL, svcMonitor, svcSync, svcWeb} {
		name := scheme(pick(r, synonyms[f]))
		rid += 1 + r.IntN(30)
		u := &User{Given: f, SAM: name, Display: name, UPN: name + "@" + o.Domain, Role: roleService,
			Dept: "IT", Site: o.Sites[0], ObjectID: newGUID(r), SID: fmt.Sprintf("%s-%d", o.DomainSID, rid),
			idx: 100000 + len(o.Service)}
		o.Service = append(o.Service, u)
	}
}

// service returns the service account for a function.
func (o *Org) service(f string) *User {
	for _, u := range o.Service {
		if u.Given == f {
			return u
		}
	}
	return o.Service[0]
}

// hostNamer names hosts by a scheme chosen with the seed.
type hostNamer struct {
	o       *Org
	r       *rand.Rand
	ws      int // workstation scheme
	srv     int // server scheme
	theme   []string
	codes   map[hostKind]string
	counter map[string]int
	used    map[string]bool
}

func (o *Org) hosts(r *rand.Rand, alloc *ipAllocator, n int) {
	nm := &hostNamer{o: o, r: r, ws: r.IntN(6), srv: r.IntN(5), theme: shuffled(r, pick(r, serverThemes)),
		codes: map[hostKind]string{}, counter: map[string]int{}, used: map[string]bool{}}
	for k := kindDC; k <= kindLinuxEx; k++ { // in kind order: map order is random
		if cs, ok := roleCodes[k]; ok {
			nm.codes[k] = pick(r, cs)
		}
	}
	kinds := []hostKind{kindDC, kindFile, kindJump, kindMgmt, kindDeploy, kindBackup, kindWeb, kindLinuxEx, kindLinux}
	if n >= 30 {
		kinds = append(kinds, kindDC)
	}
	if n >= 25 {
		kinds = append(kinds, kindSQL)
	}
	for i := 0; i < (n-30)/25; i++ {
		kinds = append(kinds, kindLinux)
	}
	if n >= 60 {
		kinds = append(kinds, kindLinuxEx, kindFile)
	}
	win10 := r.Float64()
	hq := o.Sites[0]
	hostRID := 3000 + r.IntN(1000)
	add := func(h *Host) {
		h.idx = len(o.Hosts)
		h.DeviceID = hexID(r, 40)
		h.AadDeviceID = newGUID(r)
		hostRID += 1 + r.IntN(20)
		h.SID = fmt.Sprintf("%s-%d", o.DomainSID, hostRID)
		h.FQDN = strings.ToLower(h.Name) + "." + o.ADDomain
		if !h.Kind.windows() {
			h.FQDN = strings.ToLower(h.Name) // not domain-joined: Defender reports the bare host name
		}
		o.Hosts = append(o.Hosts, h)
		o.byKind[h.Kind] = append(o.byKind[h.Kind], h)
		o.hostByIP[h.IP] = h
	}
	for _, k := range kinds {
		h := &Host{Kind: k, Site: hq}
		h.Name = nm.server(k)
		switch {
		case k == kindLinux || k == kindLinuxEx:
			h.OS = osUbuntu
			if chance(r, 0.3) {
				h.OS = osRHEL
			}
		case chance(r, 0.5):
			h.OS = osSrv19
		default:
			h.OS = osSrv22
		}
		h.Vendor, h.Model = "Microsoft Corporation", "Virtual Machine"
		if !isAzureKind(k) && chance(r, 0.5) {
			h.Vendor, h.Model = "VMware, Inc.", "VMware7,1"
		}
		if isAzureKind(k) {
			h.IP = fmt.Sprintf("%s.%d.%d", o.Azure.VNetPrefix, azureSubnet(k), 4+len(o.byKind[k])+r.IntN(3)*10)
		} else {
			h.IP = fmt.Sprintf("%s.%d.%d", hq.Net, 10, 10+len(o.Hosts)*2+r.IntN(2))
		}
		add(h)
	}
	nWS := n - len(kinds)
	models := [][2]string{{"Dell Inc.", "Latitude 5440"}, {"Dell Inc.", "Latitude 7440"}, {"LENOVO", "21HD"}, {"LENOVO", "20XW"},
		{"HP", "HP EliteBook 840 G10 Notebook PC"}, {"HP", "HP ProBook 450 G9 Notebook PC"}, {"Microsoft Corporation", "Surface Laptop 5"}}
	fleet := sample(r, models, 2+r.IntN(2))
	perSite := map[*Site]int{}
	for i := 0; i < nWS; i++ {
		var u *User
		if i < len(o.People) {
			u = o.People[i]
		}
		site := hq
		if u != nil {
			site = u.Site
		}
		h := &Host{Kind: kindWorkstation, Site: site, Primary: u, OS: osWin11}
		if r.Float64() < win10 {
			h.OS = osWin10
		}
		m := pick(r, fleet)
		h.Vendor, h.Model = m[0], m[1]
		h.Name = nm.workstation(site, u)
		perSite[site]++
		k := perSite[site]
		h.IP = fmt.Sprintf("%s.%d.%d", site.Net, 100+k/250, 10+k%250)
		if u != nil {
			u.Workstation = h
		}
		add(h)
	}
}

func isAzureKind(k hostKind) bool {
	return k == kindWeb || k == kindSQL || k == kindLinux || k == kindLinuxEx
}

func azureSubnet(k hostKind) int {
	switch k {
	case kindWeb, kindLinuxEx:
		return 1 // dmz
	case kindSQL:
		return 3 // data
	}
	return 2 // app
}

func (nm *hostNamer) unique(name string) string {
	base := name
	for i := 2; nm.used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	nm.used[strings.ToLower(name)] = true
	return name
}

func (nm *hostNamer) server(k hostKind) string {
	o, r := nm.o, nm.r
	code := nm.codes[k]
	nm.counter[code]++
	n := nm.counter[code]
	site := o.Sites[0].Code
	if k == kindLinux || k == kindLinuxEx {
		switch nm.srv % 3 {
		case 0:
			return nm.unique(fmt.Sprintf("%s-%s%02d", strings.ToLower(code), strings.ToLower(site), n))
		case 1:
			return nm.unique(fmt.Sprintf("%s%02d", strings.ToLower(code), n))
		default:
			return nm.unique(fmt.Sprintf("%s-%s-%02d", strings.ToLower(nm.o.NetBIOS[:min(3, len(nm.o.NetBIOS))]), strings.ToLower(code), n))
		}
	}
	switch nm.srv {
	case 0:
		return nm.unique(fmt.Sprintf("%s-%s%02d", site, code, n))
	case 1:
		return nm.unique(fmt.Sprintf("%s%02d", code, n))
	case 2:
		return nm.unique(fmt.Sprintf("%s-%s-%02d", strings.ToUpper(o.Name[:3]), code, n))
	case 3:
		if len(nm.theme) > 0 {
			t := nm.theme[0]
			nm.theme = nm.theme[1:]
			return nm.unique(strings.ToUpper(t))
		}
		return nm.unique(fmt.Sprintf("SRV%03d", r.IntN(1000)))
	default:
		return nm.unique(fmt.Sprintf("S%s%s%s%02d", o.Sites[0].City.Country, site, code, n))
	}
}

func (nm *hostNamer) workstation(site *Site, u *User) string {
	r := nm.r
	switch nm.ws {
	case 0:
		return nm.unique(fmt.Sprintf("%s-%s%04d", site.Code, pick(r, []string{"LT", "DT", "LT", "NB"}), r.IntN(10000)))
	case 1:
		return nm.unique(fmt.Sprintf("%s%sW%05d", strings.ToUpper(nm.o.Name[:3]), site.City.Country, r.IntN(100000)))
	case 2:
		return nm.unique(pick(r, []string{"DESKTOP-", "LAPTOP-", "DESKTOP-"}) + alnum(r, 7))
	case 3:
		if u != nil {
			return nm.unique(asciiFold(u.Given)[:1] + asciiFold(u.Surname) + pick(r, []string{"-laptop", "-pc", "-nb"}))
		}
		return nm.unique(fmt.Sprintf("shared-pc%02d", r.IntN(100)))
	case 4:
		return nm.unique(fmt.Sprintf("ws%03d-%s", r.IntN(1000), strings.ToLower(site.Code)))
	default:
		return nm.unique(fmt.Sprintf("%s-%06d", strings.ToUpper(nm.o.Name[:min(5, len(nm.o.Name))]), 100000+r.IntN(900000)))
	}
}

func (o *Org) azure(r *rand.Rand, alloc *ipAllocator) {
	regions := map[string]string{"US": "eastus", "CA": "canadacentral", "GB": "uksouth", "IE": "northeurope",
		"DE": "germanywestcentral", "AT": "westeurope", "CH": "switzerlandnorth", "FR": "francecentral",
		"BE": "westeurope", "NL": "westeurope", "ES": "spaincentral", "IT": "italynorth", "SE": "swedencentral",
		"NO": "norwayeast", "DK": "northeurope", "FI": "northeurope", "PL": "polandcentral", "BR": "brazilsouth",
		"IN": "centralindia", "JP": "japaneast", "SG": "southeastasia", "AU": "australiaeast"}
	o.Azure.Region = regions[o.Sites[0].City.Country]
	if o.Azure.Region == "" {
		o.Azure.Region = "westeurope"
	}
	short := strings.ToLower(o.NetBIOS)
	if short == "corp" {
		short = strings.ToLower(o.Name[:4])
	}
	env := pick(r, []string{"prod", "prd", "p", "live"})
	scheme := r.IntN(3)
	rg := func(purpose string) string {
		switch scheme {
		case 0:
			return fmt.Sprintf("rg-%s-%s-%s", short, purpose, env)
		case 1:
			return strings.ToUpper(fmt.Sprintf("RG-%s-%s", purpose, env))
		default:
			return fmt.Sprintf("%s-%s-%s-rg", short, env, purpose)
		}
	}
	o.Azure.RGs = map[string]string{"web": rg("web"), "data": rg("data"), "app": rg("app"), "net": rg("network"), "mgmt": rg("management")}
	o.Azure.VNet = fmt.Sprintf("vnet-%s-%s", short, o.Azure.Region)
	for _, h := range o.Hosts {
		if !isAzureKind(h.Kind) {
			continue
		}
		purpose := map[hostKind]string{kindWeb: "web", kindLinuxEx: "web", kindSQL: "data", kindLinux: "app"}[h.Kind]
		vm := &azureVM{Name: strings.ToLower(h.Name), ResourceGroup: o.Azure.RGs[purpose]}
		vm.ResourceID = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s", o.Azure.Subscription, vm.ResourceGroup, vm.Name)
		vm.NIC = vm.Name + fmt.Sprintf("%03d", r.IntN(1000))
		vm.NSG = vm.Name + "-nsg"
		vm.Subnet = map[int]string{1: "snet-dmz", 2: "snet-app", 3: "snet-data"}[azureSubnet(h.Kind)]
		if h.Kind == kindWeb || h.Kind == kindLinuxEx {
			p := alloc.place(cityByName(o.Sites[0].City.Name), 8075) // Microsoft's ASN
			vm.Public = &p
		}
		h.Azure = vm
	}
	admins := o.Admins
	if len(admins) > 0 {
		o.Azure.Automation = admins[0]
	}
	o.Azure.StorageIP = alloc.place(o.Sites[0].City, 8075)
}

func cityByName(name string) city {
	for _, c := range cities {
		if c.Name == name {
			return c
		}
	}
	return cities[0]
}

// kind returns the hosts of a kind.
func (o *Org) kind(k hostKind) []*Host { return o.byKind[k] }

// first returns the first host of a kind, or nil.
func (o *Org) first(k hostKind) *Host {
	if hs := o.byKind[k]; len(hs) > 0 {
		return hs[0]
	}
	return nil
}

// workstations returns the workstations that have a primary user.
func (o *Org) workstations() []*Host {
	var out []*Host
	for _, h := range o.byKind[kindWorkstation] {
		if h.Primary != nil {
			out = append(out, h)
		}
	}
	return out
}

// windowsServers returns every Windows server.
func (o *Org) windowsServers() []*Host {
	var out []*Host
	for _, h := range o.Hosts {
		if h.Kind.server() && h.Kind.windows() {
			out = append(out, h)
		}
	}
	return out
}

// linux returns every Linux host.
func (o *Org) linux() []*Host {
	return append(append([]*Host(nil), o.byKind[kindLinuxEx]...), o.byKind[kindLinux]...)
}

// accounts returns everyone who can sign in to Entra ID: people and admin
// accounts.
func (o *Org) accounts() []*User {
	return append(append([]*User(nil), o.People...), o.Admins...)
}
