package lab

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// site is a web destination: its host name, how popular it is and whose
// address space it lives in.
type site struct {
	Host   string
	Weight float64
	Net    string // provider prefix the address is drawn from
}

// webSites are what browsers connect to during a working day.
var webSites = []site{
	{"www.office.com", 6, "52.96"}, {"outlook.office.com", 8, "52.97"}, {"teams.microsoft.com", 6, "52.113"},
	{"login.microsoftonline.com", 10, "20.190"}, {"aadcdn.msftauth.net", 4, "13.107"}, {"www.bing.com", 3, "13.107"},
	{"www.google.com", 6, "142.250"}, {"fonts.gstatic.com", 3, "142.250"}, {"www.youtube.com", 2, "142.250"},
	{"www.linkedin.com", 2, "13.107"}, {"github.com", 1.5, "140.82"}, {"stackoverflow.com", 1, "151.101"},
	{"www.wikipedia.org", 1, "185.15"}, {"cdn.jsdelivr.net", 1, "104.16"}, {"ajax.googleapis.com", 1, "142.250"},
	{"zoom.us", 0.8, "170.114"}, {"www.salesforce.com", 1.5, "104.109"}, {"login.salesforce.com", 1, "136.146"},
	{"app.slack.com", 0.5, "54.230"}, {"www.amazon.com", 0.6, "52.94"}, {"docs.google.com", 0.8, "142.250"},
	{"www.bbc.co.uk", 0.6, "151.101"}, {"www.reuters.com", 0.4, "151.101"}, {"www.nytimes.com", 0.4, "151.101"},
	{"sharepoint.com", 3, "13.107"}, {"onedrive.live.com", 1, "13.107"}, {"www.msn.com", 1.5, "204.79"},
	{"edge.microsoft.com", 2, "13.107"}, {"update.googleapis.com", 1, "142.250"}, {"clients2.google.com", 1, "142.250"},
	{"www.adobe.com", 0.4, "23.38"}, {"acrobat.adobe.com", 0.4, "23.38"}, {"www.dropbox.com", 0.2, "162.125"},
	{"workday.com", 0.3, "23.41"}, {"servicenow.com", 0.4, "149.96"}, {"atlassian.net", 0.5, "104.192"},
}

// m365Endpoints are what Teams, Outlook and OneDrive talk to.
var m365Endpoints = []site{
	{"outlook.office365.com", 4, "52.98"}, {"teams.microsoft.com", 3, "52.113"}, {"api.spaces.skype.com", 1, "52.114"},
	{"substrate.office.com", 1, "52.96"}, {"login.microsoftonline.com", 2, "20.190"}, {"graph.microsoft.com", 2, "20.190"},
	{"config.teams.microsoft.com", 1, "52.113"}, {"trouter.teams.microsoft.com", 1, "52.114"},
}

// windowsEndpoints are what the operating system and Defender talk to.
var windowsEndpoints = []site{
	{"settings-win.data.microsoft.com", 2, "20.42"}, {"v10.events.data.microsoft.com", 3, "20.42"},
	{"au.download.windowsupdate.com", 1, "13.107"}, {"tlu.dl.delivery.mp.microsoft.com", 1, "23.35"},
	{"fe3cr.delivery.mp.microsoft.com", 1, "20.72"}, {"ctldl.windowsupdate.com", 1, "13.107"},
	{"wdcp.microsoft.com", 1, "20.44"}, {"wd.dm.microsoft.com", 0.5, "20.44"},
	{"winatp-gw-weu.microsoft.com", 2, "20.82"}, {"us-v20.events.data.microsoft.com", 1, "20.42"},
	{"arc.msn.com", 0.5, "20.49"}, {"slscr.update.microsoft.com", 0.5, "20.49"}, {"login.live.com", 0.5, "20.190"},
}

// siteIP maps a host name to a stable address in its provider's space.
func (g *gen) siteIP(s site) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s", g.o.seed, s.Host)
	v := h.Sum64()
	return fmt.Sprintf("%s.%d.%d", s.Net, (v>>8)%256, 1+v%253)
}

// pickSite draws a site by weight.
func pickSite(r *rand.Rand, sites []site) site {
	var sum float64
	for _, s := range sites {
		sum += s.Weight
	}
	u := r.Float64() * sum
	for _, s := range sites {
		if u < s.Weight {
			return s
		}
		u -= s.Weight
	}
	return sites[len(sites)-1]
}

// Document names are built from a subject and a suffix.
var (
	docSubjects = []string{"Budget", "Forecast", "Q3 Review", "Board Pack", "Sales Pipeline", "Invoice", "Contract",
		"Proposal", "Roadmap", "Meeting Notes", "Onboarding", "Policy", "Timesheet", "Expenses", "Headcount Plan",
		"Vendor Assessment", "Quarterly Report", "Campaign Brief", "Customer List", "Price List", "Project Plan",
		"Risk Register", "Audit Findings", "Training Deck", "Release Notes", "Architecture", "Incident Report"}
	docExts  = []string{".docx", ".docx", ".xlsx", ".xlsx", ".pptx", ".pdf", ".txt", ".csv"}
	dlFiles  = []string{"invoice_%d.pdf", "statement_%d.pdf", "report-%d.xlsx", "agenda_%d.docx", "setup-%d.msi", "export_%d.csv", "IMG_%d.jpg", "Screenshot %d.png"}
	devRepos = []string{"api-gateway", "billing-service", "web-portal", "data-pipeline", "infra-terraform", "mobile-app", "auth-service", "reporting"}
)

func docName(r *rand.Rand) string {
	s := pick(r, docSubjects)
	switch r.IntN(4) {
	case 0:
		s += fmt.Sprintf(" %d", 2022+r.IntN(4))
	case 1:
		s += " v" + fmt.Sprint(1+r.IntN(6))
	case 2:
		s += " - " + pick(r, []string{"draft", "final", "FINAL", "copy", "review"})
	}
	return s + pick(r, docExts)
}

// ephemeralPort draws a Windows client port.
func ephemeralPort(r *rand.Rand) int { return 49152 + r.IntN(16000) }

// linuxPort draws a Linux client port.
func linuxPort(r *rand.Rand) int { return 32768 + r.IntN(28000) }

// randomScanner names an SSH user a scanner might try.
var scannerUsers = []string{"root", "admin", "test", "user", "ubuntu", "oracle", "postgres", "git", "ftpuser",
	"guest", "pi", "deploy", "jenkins", "hadoop", "support", "www", "mysql", "nagios", "steam", "minecraft", "ec2-user", "centos", "debian", "ansible", "dev"}

// winUsersTried are the names RDP brute forcers try.
var winUsersTried = []string{"administrator", "Administrator", "admin", "user", "test", "guest", "scanner", "backup",
	"support", "ADMINISTRATOR", "sql", "server", "user1", "operator", "Admin", "rdp", "remote"}

// b64utf16 encodes a PowerShell command as -EncodedCommand expects.
func b64utf16(s string) string {
	buf := make([]byte, 0, len(s)*2)
	for _, c := range s {
		buf = append(buf, byte(c), byte(c>>8))
	}
	return base64Std(buf)
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
