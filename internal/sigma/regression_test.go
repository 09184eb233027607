package sigma

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The SigmaHQ regression data pairs real Windows events (exported from EVTX
// as JSON) with the rule they must trigger and how many events match. This
// test normalises the events into sleuth's tables the way DESIGN.md
// describes ("Normalising Windows event logs"), runs each compiled rule over
// them with the KQL oracle in kqleval_test.go, and compares the counts. It
// runs twice: with Sysmon's own spellings kept (HKLM\…, DWORD (0x…)) and with
// Defender's (HKEY_LOCAL_MACHINE\…, Dword 1), since both reach the store.

type winEvent struct {
	Event struct {
		System struct {
			Provider struct {
				Attr struct {
					Name string `json:"Name"`
				} `json:"#attributes"`
			} `json:"Provider"`
			EventID  int64  `json:"EventID"`
			Channel  string `json:"Channel"`
			Computer string `json:"Computer"`
		} `json:"System"`
		EventData map[string]any            `json:"EventData"`
		UserData  map[string]map[string]any `json:"UserData"`
	} `json:"Event"`
}

// normalise maps one Windows event to the rows it becomes, by table.
func normalise(ev winEvent, defender bool) map[string]row {
	sys, d := ev.Event.System, ev.Event.EventData
	if d == nil {
		// Events with UserData (WMI, some PowerShell) keep their fields one
		// level down; WindowsEvent.EventData holds them like EventData's.
		for _, inner := range ev.Event.UserData {
			d = inner
		}
	}
	s := func(k string) string { return str(d[k]) }
	// Like sleuth's ingest, members without a column stay in
	// AdditionalFields (this keeps them all, which changes nothing for the
	// rules), and GrantedAccess becomes Defender's numeric DesiredAccess.
	additional := map[string]any{}
	for k, v := range d {
		additional[k] = v
	}
	if ga, ok := d["GrantedAccess"]; ok {
		delete(additional, "GrantedAccess")
		additional["DesiredAccess"] = hexNumber(str(ga))
	}
	if imp := hashPair.FindStringSubmatch(strings.ToUpper(s("Hashes"))); imp != nil {
		for _, m := range hashPair.FindAllStringSubmatch(s("Hashes"), -1) {
			if strings.EqualFold(m[1], "IMPHASH") {
				additional["IMPHASH"] = strings.ToLower(m[2])
			}
		}
	}
	base := func() row {
		return row{"DeviceName": sys.Computer, "TimeGenerated": s("UtcTime"), "AdditionalFields": additional}
	}
	// EventData keeps the event's own field names, spaces included
	// ("Threat Name"), as sleuth's ingest and Log Analytics do.
	out := map[string]row{"WindowsEvent": {"Channel": sys.Channel, "EventID": sys.EventID, "Provider": sys.Provider.Attr.Name,
		"Computer": sys.Computer, "EventData": map[string]any(d)}}
	if sys.Channel == "Security" {
		r := row{"EventID": sys.EventID, "Computer": sys.Computer}
		for k, v := range d {
			r[k] = v
		}
		out["SecurityEvent"] = r
	}
	if sys.Channel != sysmonChannel {
		return out
	}
	initiating := func(r row, image, user string) {
		r["InitiatingProcessFolderPath"], r["InitiatingProcessFileName"] = image, baseName(image)
		r["InitiatingProcessAccountDomain"], r["InitiatingProcessAccountName"] = splitUser(user)
	}
	switch sys.EventID {
	case 1:
		r := base()
		r["FolderPath"], r["FileName"], r["ProcessCommandLine"] = s("Image"), baseName(s("Image")), s("CommandLine")
		r["ProcessVersionInfoOriginalFileName"], r["ProcessVersionInfoFileDescription"] = s("OriginalFileName"), s("Description")
		r["ProcessVersionInfoProductName"], r["ProcessVersionInfoCompanyName"] = s("Product"), s("Company")
		r["ProcessVersionInfoProductVersion"], r["ProcessIntegrityLevel"] = s("FileVersion"), s("IntegrityLevel")
		r["AccountDomain"], r["AccountName"] = splitUser(s("User"))
		r["InitiatingProcessCommandLine"], r["ProcessId"], r["InitiatingProcessId"] = s("ParentCommandLine"), d["ProcessId"], d["ParentProcessId"]
		r["LogonId"] = hexNumber(s("LogonId"))
		initiating(r, s("ParentImage"), s("ParentUser"))
		hashes(r, s("Hashes"))
		out["DeviceProcessEvents"] = r
	case 7:
		r := base()
		r["FolderPath"], r["FileName"] = s("ImageLoaded"), baseName(s("ImageLoaded"))
		initiating(r, s("Image"), s("User"))
		hashes(r, s("Hashes"))
		out["DeviceImageLoadEvents"] = r
	case 10:
		r := base()
		r["ActionType"], r["FolderPath"], r["FileName"] = "OpenProcessApiCall", s("TargetImage"), baseName(s("TargetImage"))
		r["AccountDomain"], r["AccountName"] = splitUser(s("TargetUser"))
		initiating(r, s("SourceImage"), s("SourceUser"))
		out["DeviceEvents"] = r
	case 11, 23, 26:
		r := base()
		r["ActionType"] = map[int64]string{11: "FileCreated", 23: "FileDeleted", 26: "FileDeleted"}[sys.EventID]
		r["FolderPath"], r["FileName"] = s("TargetFilename"), baseName(s("TargetFilename"))
		initiating(r, s("Image"), s("User"))
		out["DeviceFileEvents"] = r
	case 12, 13, 14:
		out["DeviceRegistryEvents"] = registryRow(base(), s, initiating, defender)
	}
	return out
}

func registryRow(r row, s func(string) string, initiating func(row, string, string), defender bool) row {
	r["ActionType"] = registryActions[strings.ToLower(s("EventType"))]
	key, value := s("TargetObject"), ""
	if et := strings.ToLower(s("EventType")); et == "setvalue" || et == "deletevalue" {
		if i := strings.LastIndexByte(key, '\\'); i >= 0 {
			key, value = key[:i], key[i+1:]
		}
	}
	data := s("Details")
	if defender {
		for _, h := range [][2]string{{`HKLM\`, `HKEY_LOCAL_MACHINE\`}, {`HKU\`, `HKEY_USERS\`}, {`HKCR\`, `HKEY_CLASSES_ROOT\`}} {
			if strings.HasPrefix(key, h[0]) {
				key = h[1] + key[len(h[0]):]
			}
		}
		key = strings.Replace(key, `\CurrentControlSet\`, `\ControlSet001\`, 1)
		if m := dwordRE.FindStringSubmatch(data); m != nil {
			n, _ := strconv.ParseUint(m[2], 16, 64)
			r["RegistryValueType"], data = "Dword", strconv.FormatUint(n, 10)
		}
	}
	r["RegistryKey"], r["RegistryValueName"], r["RegistryValueData"] = key, value, data
	initiating(r, s("Image"), s("User"))
	return r
}

func baseName(p string) string { return p[strings.LastIndexAny(p, `\/`)+1:] }

func splitUser(u string) (string, string) {
	if i := strings.IndexByte(u, '\\'); i >= 0 {
		return u[:i], u[i+1:]
	}
	return "", u
}

func hexNumber(s string) any {
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return n
	}
	return nil
}

func hashes(r row, h string) {
	for _, kv := range strings.Split(h, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			switch strings.ToUpper(k) {
			case "SHA256", "SHA1", "MD5":
				r[strings.ToUpper(k)] = v
			}
		}
	}
}

func readEvents(t *testing.T, path string) []winEvent {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	var out []winEvent
	for dec.More() {
		var e winEvent
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, e)
	}
	return out
}

type regressionInfo struct {
	Rules []struct {
		ID string `yaml:"id"`
	} `yaml:"rule_metadata"`
	Tests []struct {
		Type       string `yaml:"type"`
		MatchCount *int   `yaml:"match_count"` // absent: at least one
		Path       string `yaml:"path"`
	} `yaml:"regression_tests_info"`
}

func TestRegressionData(t *testing.T) {
	root := filepath.Join(sharedData(t), "sigma")
	byID := map[string]*Rule{}
	for _, f := range sigmaCorpus(t) {
		rules, _ := ParseFile(f)
		for _, r := range rules {
			byID[r.ID] = r
		}
	}
	infos, _ := filepath.Glob(filepath.Join(root, "regression_data", "*", "*", "*", "*", "info.yml"))
	more, _ := filepath.Glob(filepath.Join(root, "regression_data", "*", "*", "*", "*", "*", "info.yml"))
	infos = append(infos, more...)
	for _, defender := range []bool{false, true} {
		tested, passed, uncompiled := 0, 0, 0
		for _, info := range infos {
			var ri regressionInfo
			b, _ := os.ReadFile(info)
			if err := yaml.Unmarshal(b, &ri); err != nil || len(ri.Rules) == 0 || len(ri.Tests) == 0 {
				continue
			}
			r := byID[ri.Rules[0].ID]
			if r == nil {
				continue
			}
			c, err := Compile(r, Options{})
			if err != nil {
				uncompiled++
				continue
			}
			jsonPath := strings.TrimSuffix(filepath.Join(root, ri.Tests[0].Path), ".evtx") + ".json"
			var rows []row
			for _, ev := range readEvents(t, jsonPath) {
				if rr, ok := normalise(ev, defender)[c.Table]; ok {
					rows = append(rows, rr)
				}
			}
			got, err := runPipe(c.Pipe(), rows)
			if err != nil {
				t.Errorf("%s: %v", r.File, err)
				continue
			}
			tested++
			// match_count is a minimum (SigmaHQ's regression data spec).
			want := ri.Tests[0].MatchCount
			if want == nil && len(got) > 0 || want != nil && len(got) >= *want && len(got) > 0 {
				passed++
			} else {
				t.Logf("defender=%v %s: %d of %d events match, want %v", defender, filepath.Base(r.File), len(got), len(rows), countText(want)+" (a minimum)")
			}
		}
		t.Logf("defender spellings %v: %d regression cases compiled and ran, %d matched the expected count; %d rules did not compile", defender, tested, passed, uncompiled)
		if tested < 190 || float64(passed) < 0.97*float64(tested) {
			t.Errorf("defender=%v: %d of %d regression cases matched; want at least 97%% of at least 190", defender, passed, tested)
		}
	}
}

func countText(n *int) string {
	if n == nil {
		return "at least 1"
	}
	return strconv.Itoa(*n)
}
