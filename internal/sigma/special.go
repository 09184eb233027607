package sigma

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sleuth-hunt/sleuth/internal/catalog"
	"github.com/sleuth-hunt/sleuth/internal/kql"
)

// specialFunc matches one value of a field that is not a single column. It
// returns nil, nil for a value it cannot express, which the caller drops
// from an OR with a note.
type specialFunc func(c *compiler, it *Item, v val) (kql.Expr, error)

// column resolves a column of the target table by exact name.
func (c *compiler) column(name string, pos Pos) (fieldRef, error) {
	col, ok := c.tg.table.Column(name)
	if !ok {
		return fieldRef{}, errorf(CodeUnmappedField, pos, "", "%s has no column %s", c.tg.table.Name, name)
	}
	return fieldRef{name: name, expr: kIdent(col.Name), typ: col.Type}, nil
}

// derive adds a computed column to the query (extend Name = expr) and
// returns it as a field. Sigma fields that join several Defender columns
// (User, TargetObject) read naturally this way in Sentinel.
func (c *compiler) derive(name string, expr kql.Expr) fieldRef {
	out := name
	if _, clash := c.tg.table.Column(out); clash {
		out += "_sigma"
	}
	for _, d := range c.derived {
		if d.Names[0].Name == out {
			return fieldRef{name: name, expr: kIdent(out), typ: catalog.String}
		}
	}
	c.derived = append(c.derived, &kql.NamedExpr{Names: []*kql.Ident{kIdent(out)}, X: expr})
	return fieldRef{name: name, expr: kIdent(out), typ: catalog.String}
}

// joinPath is head\tail, or the one that is set when the other is empty:
// a registry key without a value name, an account without a domain.
func joinPath(head, tail kql.Expr, optionalHead bool) kql.Expr {
	joined := kCall("strcat", head, kStr(`\`), tail)
	if optionalHead {
		return kCall("iff", kCall("isempty", head), tail, joined)
	}
	return kCall("iff", kCall("isempty", tail), head, joined)
}

// projJoined is the derived column joining two columns with a backslash.
func projJoined(head, tail string, optionalHead bool) func(c *compiler, pos Pos) (fieldRef, error) {
	return func(c *compiler, pos Pos) (fieldRef, error) {
		h, err := c.column(head, pos)
		if err != nil {
			return fieldRef{}, err
		}
		t, err := c.column(tail, pos)
		if err != nil {
			return fieldRef{}, err
		}
		return fieldRef{name: head + `\` + tail, expr: joinPath(h.expr, t.expr, optionalHead), typ: catalog.String}, nil
	}
}

// specialAccount is Sysmon's User (DOMAIN\name) over Defender's account
// domain and name columns.
func specialAccount(domainCol, nameCol string) specialFunc {
	return func(c *compiler, it *Item, v val) (kql.Expr, error) {
		d, err := c.column(domainCol, it.Pos)
		if err != nil {
			return nil, err
		}
		n, err := c.column(nameCol, it.Pos)
		if err != nil {
			return nil, err
		}
		switch v.kind {
		case vNull:
			return kCall("isempty", n.expr), nil
		case vExists:
			return existsExpr(n, v.exists), nil
		}
		f := c.derive(it.Field, joinPath(d.expr, n.expr, true))
		return c.matchVal(f, v)
	}
}

// specialBasename matches a full-path field against a column that keeps
// only the file name (InitiatingProcessParentFileName). Only tests that
// depend on the name alone can be exact: |endswith '\name.exe', an
// |endswith without a backslash, or a bare name.
func specialBasename(colName string) specialFunc {
	return func(c *compiler, it *Item, v val) (kql.Expr, error) {
		f, err := c.column(colName, it.Pos)
		if err != nil {
			return nil, err
		}
		if v.kind != vString {
			return c.matchVal(f, v)
		}
		sh, s := v.str.classify()
		switch {
		case sh == shapeEnds && strings.HasPrefix(s, `\`) && !strings.Contains(s[1:], `\`):
			return matchPattern(f.expr, lit(s[1:]), v.cased), nil
		case (sh == shapeEnds || sh == shapeEqual) && !strings.Contains(s, `\`) && s != "":
			return matchPattern(f.expr, v.str, v.cased), nil
		case sh == shapeAnything:
			return kCall("isnotempty", f.expr), nil
		}
		return nil, errorf(CodeUnmappedField, v.orig.Pos, "match the parent by name: "+it.Field+`|endswith: '\name.exe'`,
			"%s %q needs the full path, but %s keeps only the file name (%s)", it.Field, v.str.String(), c.tg.table.Name, colName)
	}
}

var hashPair = regexp.MustCompile(`(?i)\b(MD5|SHA1|SHA256|SHA384|SHA512|IMPHASH)=([0-9a-f]+)`)

// specialHashes reads Sysmon's Hashes ("SHA256=…,MD5=…,IMPHASH=…") into the
// hash columns. Algorithms without a column (IMPHASH) cannot be matched.
func specialHashes(sha256, sha1, md5 string) specialFunc {
	cols := map[string]string{"SHA256": sha256, "SHA1": sha1, "MD5": md5}
	byLen := map[int]string{64: sha256, 40: sha1, 32: md5}
	return func(c *compiler, it *Item, v val) (kql.Expr, error) {
		switch v.kind {
		case vNull, vExists:
			f, err := c.column(sha256, it.Pos)
			if err != nil {
				return nil, err
			}
			return c.matchVal(f, v)
		case vString:
		default:
			return nil, errorf(CodeBadValue, v.orig.Pos, "write ALGORITHM=hex, e.g. SHA256=…", "%s cannot be matched against hashes", v.describe())
		}
		text := literalText(v.str)
		pairs := hashPair.FindAllStringSubmatch(text, -1)
		if len(pairs) == 0 {
			if col, ok := byLen[len(text)]; ok && isHex(text) {
				pairs = [][]string{{text, strings.ToUpper(colAlg(cols, col)), text}}
			} else {
				return nil, errorf(CodeBadValue, v.orig.Pos, "write ALGORITHM=hex, e.g. SHA256=…", "%q holds no hash", text)
			}
		}
		var parts []kql.Expr
		for _, p := range pairs {
			alg := strings.ToUpper(p[1])
			var f fieldRef
			var err error
			if col, ok := cols[alg]; ok {
				f, err = c.column(col, it.Pos)
			} else if alg == "IMPHASH" {
				// sleuth's ingest keeps Sysmon's other hashes in AdditionalFields.
				f, err = c.additional(alg, it.Pos)
				if err != nil {
					continue
				}
			} else {
				continue
			}
			if err != nil {
				return nil, err
			}
			parts = append(parts, kBin(kql.OpEqCI, f.asText(), kStr(p[2])))
		}
		if len(parts) == 0 {
			return nil, nil
		}
		return kAnd(parts...), nil
	}
}

func colAlg(cols map[string]string, col string) string {
	for alg, c := range cols {
		if c == col {
			return alg
		}
	}
	return ""
}

func literalText(p sstring) string {
	var b strings.Builder
	for _, x := range p {
		if x.kind == partLit {
			b.WriteString(x.s)
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return s != ""
}

// Sysmon's Initiated says who opened the connection; Defender spells that
// as the ActionType of the network event.
var (
	outboundActions = []string{"ConnectionSuccess", "ConnectionFailed", "ConnectionAttempt", "ConnectionRequest"}
	inboundActions  = []string{"InboundConnectionAccepted", "ListeningConnectionCreated"}
)

func specialInitiated(c *compiler, it *Item, v val) (kql.Expr, error) {
	at, err := c.column("ActionType", it.Pos)
	if err != nil {
		return nil, err
	}
	b, ok := boolOf(v)
	if !ok {
		return nil, errorf(CodeBadValue, v.orig.Pos, "write Initiated: 'true' or 'false'", "Initiated must be true or false, found %s", v.describe())
	}
	acts := outboundActions
	if !b {
		acts = inboundActions
	}
	var list []kql.Expr
	for _, a := range acts {
		list = append(list, kStr(a))
	}
	return kIn(at.expr, kql.OpIn, list), nil
}

// specialRegistryPath is Sysmon's TargetObject: the key, and for value
// events the value name after a backslash. Sysmon abbreviates hives (HKLM,
// HKU) and says CurrentControlSet where Defender spells the hive out and
// names the control set, so patterns match either spelling.
func specialRegistryPath(c *compiler, it *Item, v val) (kql.Expr, error) {
	key, err := c.column("RegistryKey", it.Pos)
	if err != nil {
		return nil, err
	}
	name, err := c.column("RegistryValueName", it.Pos)
	if err != nil {
		return nil, err
	}
	switch v.kind {
	case vNull:
		return kCall("isempty", key.expr), nil
	case vExists:
		return existsExpr(key, v.exists), nil
	}
	f := c.derive(it.Field, joinPath(key.expr, name.expr, false))
	if v.kind != vString {
		return c.matchVal(f, v)
	}
	var ors []kql.Expr
	for _, p := range registryAlternatives(v.str) {
		ors = append(ors, matchPattern(f.expr, p, v.cased))
	}
	return kOr(ors...), nil
}

// hiveSpellings are the names one hive goes by in Sysmon and in Defender.
var hiveSpellings = [][]string{
	{`HKLM\`, `HKEY_LOCAL_MACHINE\`},
	{`HKU\`, `HKEY_USERS\`, `HKEY_CURRENT_USER\`},
	{`HKCU\`, `HKEY_CURRENT_USER\`},
	{`HKCR\`, `HKEY_CLASSES_ROOT\`, `HKLM\SOFTWARE\Classes\`, `HKEY_LOCAL_MACHINE\SOFTWARE\Classes\`},
}

// registryAlternatives spells a registry pattern in every equivalent way:
// the hive at its start (or right after a leading *, as in |contains
// 'HKU\': hives only ever start a key), and CurrentControlSet as
// ControlSet001.
func registryAlternatives(p sstring) []sstring {
	out := []sstring{p}
	at := 0
	if len(p) > 1 && p[0].kind == partAny {
		at = 1
	}
	if len(p) > at && p[at].kind == partLit {
		if alts := hiveAlternatives(p[at].s); alts != nil {
			out = nil
			for _, alt := range alts {
				q := append(append(append(sstring{}, p[:at]...), part{kind: partLit, s: alt}), p[at+1:]...)
				out = append(out, q)
			}
		}
	}
	const ccs, cs1 = `CurrentControlSet`, `ControlSet001`
	var more []sstring
	for _, q := range out {
		if strings.Contains(strings.ToLower(literalText(q)), strings.ToLower(ccs)) {
			more = append(more, q.mapLits(func(s string) string { return replaceFold(s, ccs, cs1) }))
		}
	}
	return append(out, more...)
}

// hiveAlternatives respells a literal that starts with a hive, or nil.
func hiveAlternatives(s string) []string {
	for _, group := range hiveSpellings {
		for _, h := range group {
			if len(s) >= len(h) && strings.EqualFold(s[:len(h)], h) {
				var out []string
				for _, alt := range group {
					out = append(out, alt+s[len(h):])
				}
				return out
			}
		}
	}
	return nil
}

func replaceFold(s, old, repl string) string {
	i := strings.Index(strings.ToLower(s), strings.ToLower(old))
	if i < 0 {
		return s
	}
	return s[:i] + repl + replaceFold(s[i+len(old):], old, repl)
}

var dwordRE = regexp.MustCompile(`(?i)^(DWORD|QWORD) \(0x([0-9a-f]+)\)$`)

// specialRegistryDetails is Sysmon's Details. Sysmon renders numbers as
// "DWORD (0x00000001)" where Defender's RegistryValueData holds "1" with
// RegistryValueType Dword, so an exact number matches either rendering.
func specialRegistryDetails(c *compiler, it *Item, v val) (kql.Expr, error) {
	data, err := c.column("RegistryValueData", it.Pos)
	if err != nil {
		return nil, err
	}
	base, err := c.matchVal(data, v)
	if err != nil || v.kind != vString {
		return base, err
	}
	s, ok := v.str.plain()
	m := dwordRE.FindStringSubmatch(s)
	if !ok || m == nil {
		return base, nil
	}
	n, err := strconv.ParseUint(m[2], 16, 64)
	if err != nil {
		return base, nil
	}
	typ, err := c.column("RegistryValueType", it.Pos)
	if err != nil {
		return base, nil
	}
	kind := map[string]string{"DWORD": "Dword", "QWORD": "Qword"}[strings.ToUpper(m[1])]
	return kOr(base, kAnd(kBin(kql.OpEqCI, typ.expr, kStr(kind)), kBin(kql.OpEq, data.expr, kStr(fmt.Sprint(n))))), nil
}

// specialRegistryKey is Sysmon's NewName of a renamed key, which Defender
// reports as the RegistryKey of the RegistryKeyRenamed event.
func specialRegistryKey(c *compiler, it *Item, v val) (kql.Expr, error) {
	key, err := c.column("RegistryKey", it.Pos)
	if err != nil || v.kind != vString {
		if err != nil {
			return nil, err
		}
		return c.matchVal(key, v)
	}
	var ors []kql.Expr
	for _, p := range registryAlternatives(v.str) {
		ors = append(ors, matchPattern(key.expr, p, v.cased))
	}
	return kOr(ors...), nil
}

// specialGrantedAccess is Sysmon's GrantedAccess ("0x1010"). Defender, and
// sleuth's ingest of Sysmon, record the mask as the number
// AdditionalFields.DesiredAccess: an exact hex value compares numerically;
// other patterns match the mask written back in Sysmon's 0x form.
func specialGrantedAccess(c *compiler, it *Item, v val) (kql.Expr, error) {
	f, err := c.additional("DesiredAccess", it.Pos)
	if err != nil {
		return nil, err
	}
	mask := kCall("tolong", f.expr)
	if v.kind == vString || v.kind == vNumber {
		s := v.orig.Str
		if v.kind == vString {
			s, _ = v.str.plain()
		}
		if n, ok := parseNumber(s); ok && s != "" {
			return kBin(kql.OpEq, mask, kNum(n)), nil
		}
	}
	text := c.derive(it.Field, kCall("strcat", kStr("0x"), kCall("tohex", mask)))
	return c.matchVal(text, v)
}

// registryActions maps Sysmon's registry EventType to Defender's ActionType.
var registryActions = map[string]string{
	"setvalue":    "RegistryValueSet",
	"createkey":   "RegistryKeyCreated",
	"deletekey":   "RegistryKeyDeleted",
	"deletevalue": "RegistryValueDeleted",
	"renamekey":   "RegistryKeyRenamed",
	"createvalue": "RegistryValueSet",
}

func specialRegistryEventType(c *compiler, it *Item, v val) (kql.Expr, error) {
	at, err := c.column("ActionType", it.Pos)
	if err != nil {
		return nil, err
	}
	if v.kind == vString {
		if s, ok := v.str.plain(); ok {
			if a, ok := registryActions[strings.ToLower(s)]; ok {
				return kBin(kql.OpEq, at.expr, kStr(a)), nil
			}
		}
	}
	return c.matchVal(at, v)
}
