package plan

import (
	"net/netip"
	"regexp"
	"sort"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/entity"
	"github.com/sleuth-hunt/sleuth/internal/suggest"
)

// Entities are the things a plan scopes its queries to. Each list holds the
// spellings found in the data (a host as both its short name and its FQDN),
// so queries can match them exactly.
type Entities = entity.Set

// Unresolved is something the analyst named that the data does not contain.
type Unresolved struct {
	Text        string       `json:"text"`
	Role        catalog.Role `json:"role,omitempty"` // the kind we took it for, when the wording said
	Suggestions []string     `json:"suggestions,omitempty"`
}

// Index holds the entity names seen in the data, per role, so the planner
// resolves what the analyst typed to what the logs contain.
type Index struct {
	values map[catalog.Role][]string
	exact  map[catalog.Role]map[string][]string // lower-case value → spellings
	short  map[catalog.Role]map[string][]string // lower-case short form → spellings
}

// NewIndex builds an index from distinct values per role (hosts, users, and
// optionally processes and files).
func NewIndex(values map[catalog.Role][]string) *Index {
	ix := &Index{values: map[catalog.Role][]string{}, exact: map[catalog.Role]map[string][]string{}, short: map[catalog.Role]map[string][]string{}}
	for role, vs := range values {
		ix.exact[role] = map[string][]string{}
		ix.short[role] = map[string][]string{}
		seen := map[string]bool{}
		for _, v := range vs {
			v = strings.TrimSpace(v)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			ix.values[role] = append(ix.values[role], v)
			l := strings.ToLower(v)
			ix.exact[role][l] = append(ix.exact[role][l], v)
			if s := shortForm(role, l); s != l {
				ix.short[role][s] = append(ix.short[role][s], v)
			}
		}
		sort.Strings(ix.values[role])
	}
	return ix
}

// shortForm is the name an analyst would type: a host's first DNS label, a
// user's name without @domain or DOMAIN\, a file's base name.
func shortForm(role catalog.Role, v string) string {
	switch role {
	case catalog.RoleHost:
		if i := strings.IndexByte(v, '.'); i > 0 && !isIP(v) {
			return v[:i]
		}
	case catalog.RoleUser:
		if i := strings.IndexByte(v, '@'); i > 0 {
			return v[:i]
		}
		if i := strings.LastIndexByte(v, '\\'); i >= 0 {
			return v[i+1:]
		}
	case catalog.RoleProcess, catalog.RoleFile:
		if i := strings.LastIndexAny(v, `\/`); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

// Resolve returns every spelling in the data of the entity text names in
// role: exact (case-insensitive), then by short form, then, for names that
// look specific enough, a unique partial match.
func (ix *Index) Resolve(role catalog.Role, text string) []string {
	if ix == nil {
		return nil
	}
	l := strings.ToLower(text)
	var out []string
	out = append(out, ix.exact[role][l]...)
	out = append(out, ix.short[role][l]...)
	out = append(out, ix.short[role][shortForm(role, l)]...)
	if len(out) == 0 && len(l) >= 4 && specific(l) {
		var partial []string
		for _, v := range ix.values[role] {
			if strings.Contains(strings.ToLower(v), l) {
				partial = append(partial, v)
			}
		}
		if len(partial) > 0 && len(partial) <= 3 {
			out = partial
		}
	}
	return dedupe(out)
}

// Closest suggests names in role near text.
func (ix *Index) Closest(role catalog.Role, text string, n int) []string {
	if ix == nil {
		return nil
	}
	var shorts []string
	seen := map[string]bool{}
	for _, v := range ix.values[role] {
		s := shortForm(role, strings.ToLower(v))
		if !seen[s] {
			seen[s] = true
			shorts = append(shorts, shortForm(role, v))
		}
	}
	return suggest.Closest(shortForm(role, text), shorts, n)
}

// specific reports whether a token is distinctive enough for a partial match:
// it has a digit, a hyphen, an underscore or a dot.
func specific(s string) bool { return strings.ContainsAny(s, "0123456789-_.") }

var (
	reIP      = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?\b`)
	reUPN     = regexp.MustCompile(`\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b`)
	reDomUser = regexp.MustCompile(`\b[\w.-]+\\[\w.$-]+`)
	rePath    = regexp.MustCompile(`(?i)\b[a-z]:\\[^\s"'<>|]+|(?:^|\s)(/(?:[\w.-]+/)*[\w.-]+)`)
	reExe     = regexp.MustCompile(`(?i)\b[\w.-]+\.(?:exe|dll|ps1|psm1|bat|cmd|vbs|js|hta|scr|msi|sys|jar|py|sh)\b`)
	reFileExt = regexp.MustCompile(`(?i)\b[\w.-]+\.(?:zip|7z|rar|dmp|lnk|docx?|xlsx?|pdf|iso|img|txt|csv|kdbx|pfx|key)\b`)
	reQuoted  = regexp.MustCompile(`"([^"]+)"|'([^']+)'|` + "`([^`]+)`")
	reToken   = regexp.MustCompile(`[\pL\pN][\pL\pN._$-]*[\pL\pN$]|[\pL\pN]`)
	reCue     = regexp.MustCompile(`(?i)\b(host|hostname|machine|server|device|computer|workstation|laptop|endpoint|vm|box|dc|user|account|username|identity|person|employee|admin)\s+(?:named\s+|called\s+)?["'` + "`" + `]?([\pL\pN][\pL\pN._$@\\-]*)`)
)

// isIP reports whether s is an IP address or a CIDR range.
func isIP(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

var hostCues = map[string]bool{"host": true, "hostname": true, "machine": true, "server": true, "device": true, "computer": true, "workstation": true, "laptop": true, "endpoint": true, "vm": true, "box": true, "dc": true}

// extract finds the entities a question names and resolves them against the
// index. What looks like an entity but is not in the data comes back as
// Unresolved with suggestions.
func extract(question string, ix *Index) (Entities, []Unresolved) {
	var e Entities
	var unresolved []Unresolved
	used := map[string]bool{} // lower-case tokens already accounted for

	// Paths first, and blanked out, so C:\Windows\Temp is not read as DOMAIN\user.
	for _, m := range rePath.FindAllStringSubmatch(question, -1) {
		p := strings.TrimSpace(m[0])
		if m[1] != "" {
			p = m[1]
		}
		p = strings.TrimRight(p, ".,;:?!")
		e.Files = append(e.Files, p)
		markParts(used, p)
		question = strings.Replace(question, p, " ", 1)
	}
	for _, m := range reIP.FindAllString(question, -1) {
		if isIP(m) {
			e.IPs = append(e.IPs, m)
			used[strings.ToLower(m)] = true
		}
	}
	for _, m := range reUPN.FindAllString(question, -1) {
		used[strings.ToLower(m)] = true
		if r := ix.Resolve(catalog.RoleUser, m); len(r) > 0 {
			e.Users = append(e.Users, r...)
		} else {
			unresolved = append(unresolved, Unresolved{Text: m, Role: catalog.RoleUser, Suggestions: ix.Closest(catalog.RoleUser, m, 3)})
		}
		markParts(used, m)
	}
	for _, m := range reDomUser.FindAllString(question, -1) {
		used[strings.ToLower(m)] = true
		markParts(used, m)
		if r := ix.Resolve(catalog.RoleUser, m); len(r) > 0 {
			e.Users = append(e.Users, r...)
		} else {
			unresolved = append(unresolved, Unresolved{Text: m, Role: catalog.RoleUser, Suggestions: ix.Closest(catalog.RoleUser, m, 3)})
		}
	}
	for _, m := range reExe.FindAllString(question, -1) {
		if !used[strings.ToLower(m)] {
			e.Processes = append(e.Processes, m)
			used[strings.ToLower(m)] = true
		}
	}
	for _, m := range reFileExt.FindAllString(question, -1) {
		if !used[strings.ToLower(m)] {
			e.Files = append(e.Files, m)
			used[strings.ToLower(m)] = true
		}
	}

	// Names after a cue word ("host web01", "user alice") and quoted names are
	// entities for certain; other tokens only when they resolve.
	cued := map[string]catalog.Role{}
	for _, m := range reCue.FindAllStringSubmatch(question, -1) {
		role := catalog.RoleUser
		if hostCues[strings.ToLower(m[1])] {
			role = catalog.RoleHost
		}
		cued[strings.ToLower(strings.TrimRight(m[2], ".,;:?!"))] = role
	}
	for _, m := range reQuoted.FindAllStringSubmatch(question, -1) {
		q := m[1] + m[2] + m[3]
		if _, ok := cued[strings.ToLower(q)]; !ok && !used[strings.ToLower(q)] {
			cued[strings.ToLower(q)] = catalog.RoleNone
		}
		if r := ix.Resolve(catalog.RoleUser, q); strings.Contains(q, " ") && len(r) > 0 {
			e.Users = append(e.Users, r...) // a display name
			used[strings.ToLower(q)] = true
			markParts(used, q)
		}
	}
	resolveDisplayNames(question, ix, &e, used)

	for _, tok := range reToken.FindAllString(question, -1) {
		l := strings.ToLower(tok)
		if used[l] || (stopwords[l] && cued[l] == "") {
			continue
		}
		used[l] = true
		role, isCued := cued[l]
		if hosts := ix.Resolve(catalog.RoleHost, tok); len(hosts) > 0 && role != catalog.RoleUser {
			e.Hosts = append(e.Hosts, hosts...)
			continue
		}
		if users := ix.Resolve(catalog.RoleUser, tok); len(users) > 0 && role != catalog.RoleHost {
			e.Users = append(e.Users, users...)
			continue
		}
		if isCued || (specific(l) && len(l) >= 3 && !isNumberish(l)) {
			unresolved = append(unresolved, unresolvedFor(ix, tok, role))
		}
	}
	e.Hosts, e.Users, e.IPs = dedupe(e.Hosts), dedupe(e.Users), dedupe(e.IPs)
	e.Processes, e.Files = dedupe(e.Processes), dedupe(e.Files)
	return e, unresolved
}

// resolveDisplayNames matches runs of two or three words against user
// display names ("Alice Smith").
func resolveDisplayNames(question string, ix *Index, e *Entities, used map[string]bool) {
	if ix == nil {
		return
	}
	toks := reToken.FindAllString(question, -1)
	for n := 3; n >= 2; n-- {
		for i := 0; i+n <= len(toks); i++ {
			phrase := strings.Join(toks[i:i+n], " ")
			if used[strings.ToLower(phrase)] {
				continue
			}
			if r := ix.exact[catalog.RoleUser][strings.ToLower(phrase)]; len(r) > 0 {
				e.Users = append(e.Users, r...)
				used[strings.ToLower(phrase)] = true
				for _, t := range toks[i : i+n] {
					used[strings.ToLower(t)] = true
				}
			}
		}
	}
}

func unresolvedFor(ix *Index, tok string, role catalog.Role) Unresolved {
	u := Unresolved{Text: tok, Role: role}
	switch role {
	case catalog.RoleHost, catalog.RoleUser:
		u.Suggestions = ix.Closest(role, tok, 3)
	default:
		u.Suggestions = append(ix.Closest(catalog.RoleHost, tok, 2), ix.Closest(catalog.RoleUser, tok, 2)...)
	}
	return u
}

func markParts(used map[string]bool, s string) {
	for _, t := range reToken.FindAllString(s, -1) {
		used[strings.ToLower(t)] = true
	}
}

func isNumberish(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != '-' && r != ':' {
			return false
		}
	}
	return true
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// stopwords are words of questions that never name an entity, including the
// time and topic vocabulary.
var stopwords = toSet(`a about above across after again against all almost also am an and any anyone anything are around as at
be been before being below between both but by can could did do does doing done down during each either else ever every
few for from further get got had has have having he her here hers him his how i if in into is it its itself just last least
let like lot made make many may me might more most much must my near need new next no nor not now of off often on once one
only or other our ours out over own past per please possibly previous probably quite rather really recent recently right
same see seem seen several shall she should show since so some someone something still such sure than that the their them
then there these they thing things think this those though through to today too under until up upon us very was we were
what when where whether which while who whom whose why will with within without would yesterday yet you your
days day hours hour weeks week minutes minute months month morning night tonight overnight couple monday tuesday wednesday
thursday friday saturday sunday worried worry concerned concern wondering check search look find hunt investigate tell
give list happened happen going maybe seems whole org organisation organization company environment network our
host hosts machine machines server servers device devices computer computers workstation workstations user users account
accounts maliciously malicious suspicious activity activities logged log logs logon logons login logins signed sign signin
signins sign-in sign-ins attack attacks attacker attackers breach breached compromise compromised evidence signs sign
else elsewhere did lately around`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
