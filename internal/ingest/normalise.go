package ingest

import (
	"net/netip"
	"strings"
)

// normaliser turns Windows events into catalog rows, the way Microsoft's
// pipelines do: every event into WindowsEvent, Sysmon events into the
// Defender Device* tables, Security events into SecurityEvent and logons into
// DeviceLogonEvents. Tables the catalog lacks are skipped (the catalog
// decides what exists); columns are found by name.
type normaliser struct {
	windows, security, logon                     *tableInfo
	process, network, file, registry, image, dev *tableInfo
	used                                         []bool // EventData members a row consumed
}

func newNormaliser(ts *tables) *normaliser {
	return &normaliser{
		windows:  ts.get("WindowsEvent"),
		security: ts.get("SecurityEvent"),
		logon:    ts.get("DeviceLogonEvents"),
		process:  ts.get("DeviceProcessEvents"),
		network:  ts.get("DeviceNetworkEvents"),
		file:     ts.get("DeviceFileEvents"),
		registry: ts.get("DeviceRegistryEvents"),
		image:    ts.get("DeviceImageLoadEvents"),
		dev:      ts.get("DeviceEvents"),
	}
}

// event writes the rows of one event into b.
func (n *normaliser) event(e *winEvent, b *batch) {
	if cap(n.used) < len(e.data) {
		n.used = make([]bool, len(e.data))
	}
	n.used = n.used[:len(e.data)]
	clear(n.used)
	n.windowsEvent(e, b)
	switch {
	case e.isSysmon():
		n.sysmon(e, b)
	case e.isSecurity():
		n.securityEvent(e, b)
		if e.eventID == 4624 || e.eventID == 4625 {
			n.logonEvent(e, b)
		}
	}
}

// start begins a Defender-style row: device, action and identifiers shared
// by every Device* table.
func (n *normaliser) start(b *batch, ti *tableInfo, e *winEvent, action string) *rowBuilder {
	r := b.row(ti)
	r.str("DeviceName", e.computer)
	r.str("ActionType", action)
	if e.hasRecord {
		r.val("ReportId", e.recordID)
	}
	n.use(e, fUtcTime, fRuleName)
	return r
}

// use marks EventData members as mapped to columns.
func (n *normaliser) use(e *winEvent, ids ...fid) {
	for _, id := range ids {
		if i := e.known[id]; i != 0 {
			n.used[i-1] = true
		}
	}
}

// take returns a member's text and marks it used.
func (n *normaliser) take(e *winEvent, id fid) string {
	n.use(e, id)
	return e.get(id)
}

// finish keeps the members no column took in AdditionalFields and ends the
// row.
func (n *normaliser) finish(b *batch, r *rowBuilder, e *winEvent) {
	for i := range e.data {
		f := &e.data[i]
		if n.used[i] || f.kind == jNull || (f.kind == jString && (len(f.raw) == 2 || string(f.raw) == `"-"`)) {
			continue
		}
		r.extraRaw(view(f.key), f.raw)
	}
	b.end()
}

// setPath sets a full path column and its file-name column, the Defender
// way: FolderPath holds the full path, FileName the last element.
func setPath(r *rowBuilder, pathCol, nameCol, path string) {
	if path == "" {
		return
	}
	r.str(pathCol, path)
	r.str(nameCol, baseName(path))
}

// baseName is the last element of a Windows or POSIX path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// setAccount splits DOMAIN\user into the domain and name columns.
func setAccount(r *rowBuilder, domainCol, nameCol, account string) {
	if account == "" {
		return
	}
	domain, name, ok := strings.Cut(account, `\`)
	if !ok {
		domain, name = "", account
	}
	r.str(domainCol, domain)
	r.str(nameCol, name)
}

// hashColumn names the column of a hash algorithm, as a string constant
// when it can be one (rowBuilder.col finds columns by their names' address).
func hashColumn(prefix, alg string) (string, bool) {
	var col string
	switch alg {
	case "SHA1":
		col = "SHA1"
	case "SHA256":
		col = "SHA256"
	case "MD5":
		col = "MD5"
	default:
		return "", false
	}
	if prefix != "" {
		col = prefix + col
	}
	return col, true
}

// setHashes spreads Sysmon's "SHA1=…,MD5=…,SHA256=…,IMPHASH=…" over the hash
// columns named prefix+SHA1 etc., in lower case as Defender reports hashes.
// Algorithms without a column (IMPHASH) go to AdditionalFields.
func setHashes(r *rowBuilder, prefix, hashes string) {
	for _, h := range strings.Split(hashes, ",") {
		alg, sum, ok := strings.Cut(strings.TrimSpace(h), "=")
		if !ok || sum == "" {
			continue
		}
		alg = strings.ToUpper(alg)
		if col, ok := hashColumn(prefix, alg); ok {
			r.str(col, strings.ToLower(sum))
		} else {
			r.extraString(prefix+alg, strings.ToLower(sum))
		}
	}
}

// setInt sets an integer column from decimal or 0x-hex text.
func setInt(r *rowBuilder, col, s string) {
	if s == "" {
		return
	}
	if v, err := parseInt(s); err == nil {
		r.val(col, v)
		return
	}
	r.extraString(col, s)
}

// ipType classifies an address the way Defender's *IPType columns do.
func ipType(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "Loopback"
	case a.IsPrivate():
		return "Private"
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return "LinkLocal"
	case a.IsMulticast():
		return "Multicast"
	case a.IsUnspecified():
		return "Unspecified"
	case a.Is4() && a.As4() == [4]byte{255, 255, 255, 255}:
		return "Broadcast"
	case a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64:
		return "CarrierGradeNat"
	case a.IsGlobalUnicast():
		return "Public"
	}
	return "Reserved"
}
