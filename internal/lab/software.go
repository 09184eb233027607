package lab

import (
	"fmt"
	"strings"
)

// binary is an executable as Defender describes it: path, version
// resource and digests.
type binary struct {
	Key         string
	Name        string // FileName
	Dir         string // folder, may contain {user}
	Company     string
	Product     string
	Version     string
	Internal    string
	Original    string
	Description string
	Size        int64
	Signer      string // InitiatingProcessSignerType
	Signature   string // InitiatingProcessSignatureStatus
	h           fileHashes
}

// path returns the full path for a user profile (Defender's FolderPath
// holds the folder and the file name).
func (b *binary) path(profile string) string {
	d := b.Dir
	if strings.Contains(d, "{user}") {
		d = strings.ReplaceAll(d, "{user}", profile)
	}
	return d + `\` + b.Name
}

// binTemplate describes a program; Version "os" means the build of the
// host's operating system, so the same program differs across builds.
type binTemplate struct {
	key, name, dir, company, product, version, internal, original, desc string
	size                                                                int64
}

const (
	winProduct = "Microsoft® Windows® Operating System"
	ms         = "Microsoft Corporation"
	sys32      = `C:\Windows\System32`
)

var binTemplates = []binTemplate{
	{"smss", "smss.exe", sys32, ms, winProduct, "os", "smss.exe", "smss.exe", "Windows Session Manager", 151552},
	{"csrss", "csrss.exe", sys32, ms, winProduct, "os", "CSRSS.Exe", "CSRSS.Exe", "Client Server Runtime Process", 17920},
	{"wininit", "wininit.exe", sys32, ms, winProduct, "os", "wininit.exe", "wininit.exe", "Windows Start-Up Application", 450560},
	{"winlogon", "winlogon.exe", sys32, ms, winProduct, "os", "winlogon", "WINLOGON.EXE", "Windows Logon Application", 905216},
	{"services", "services.exe", sys32, ms, winProduct, "os", "services.exe", "services.exe", "Services and Controller app", 716800},
	{"lsass", "lsass.exe", sys32, ms, winProduct, "os", "lsass.exe", "lsass.exe", "Local Security Authority Process", 83504},
	{"svchost", "svchost.exe", sys32, ms, winProduct, "os", "svchost.exe", "svchost.exe", "Host Process for Windows Services", 57360},
	{"userinit", "userinit.exe", sys32, ms, winProduct, "os", "userinit", "USERINIT.EXE", "Userinit Logon Application", 33792},
	{"explorer", "explorer.exe", `C:\Windows`, ms, winProduct, "os", "explorer", "EXPLORER.EXE", "Windows Explorer", 5589888},
	{"sihost", "sihost.exe", sys32, ms, winProduct, "os", "sihost.exe", "sihost.exe", "Shell Infrastructure Host", 123392},
	{"taskhostw", "taskhostw.exe", sys32, ms, winProduct, "os", "taskhostw.exe", "taskhostw.exe", "Host Process for Windows Tasks", 101720},
	{"runtimebroker", "RuntimeBroker.exe", sys32, ms, winProduct, "os", "RuntimeBroker.exe", "RuntimeBroker.exe", "Runtime Broker", 139264},
	{"bgtaskhost", "backgroundTaskHost.exe", sys32, ms, winProduct, "os", "backgroundTaskHost.exe", "backgroundTaskHost.exe", "Background Task Host", 27136},
	{"dllhost", "dllhost.exe", sys32, ms, winProduct, "os", "dllhost.exe", "dllhost.exe", "COM Surrogate", 21312},
	{"conhost", "conhost.exe", sys32, ms, winProduct, "os", "ConHost", "CONHOST.EXE", "Console Window Host", 868352},
	{"cmd", "cmd.exe", sys32, ms, winProduct, "os", "cmd", "Cmd.Exe", "Windows Command Processor", 289792},
	{"wscript", "wscript.exe", sys32, ms, winProduct, "os", "wscript.exe", "wscript.exe", "Microsoft ® Windows Based Script Host", 168960},
	{"powershell", "powershell.exe", sys32 + `\WindowsPowerShell\v1.0`, ms, winProduct, "os", "POWERSHELL", "PowerShell.EXE", "Windows PowerShell", 455680},
	{"wmiprvse", "WmiPrvSE.exe", sys32 + `\wbem`, ms, winProduct, "os", "Wmiprvse.exe", "Wmiprvse.exe", "WMI Provider Host", 495616},
	{"wmic", "WMIC.exe", sys32 + `\wbem`, ms, winProduct, "os", "wmic.exe", "wmic.exe", "WMI Commandline Utility", 571904},
	{"searchprotocolhost", "SearchProtocolHost.exe", sys32, ms, winProduct, "os", "SearchProtocolHost.exe", "SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host", 439808},
	{"searchfilterhost", "SearchFilterHost.exe", sys32, ms, winProduct, "os", "SearchFilterHost.exe", "SearchFilterHost.exe", "Microsoft Windows Search Filter Host", 229376},
	{"smartscreen", "smartscreen.exe", sys32, ms, winProduct, "os", "smartscreen", "smartscreen.exe", "Windows Defender SmartScreen", 2650112},
	{"ctfmon", "ctfmon.exe", sys32, ms, winProduct, "os", "CTFMON", "CTFMON.EXE", "CTF Loader", 11264},
	{"compattel", "CompatTelRunner.exe", sys32, ms, winProduct, "os", "CompatTelRunner.exe", "CompatTelRunner.exe", "Microsoft Compatibility Telemetry", 156992},
	{"mousocore", "MoUsoCoreWorker.exe", `C:\Windows\UUS\amd64`, ms, winProduct, "os", "MoUsoCoreWorker.exe", "MoUsoCoreWorker.exe", "MoUSO Core Worker Process", 2003456},
	{"tiworker", "TiWorker.exe", `C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.4163_none_7e1d1d7a3c9e2d5b`, ms, winProduct, "os", "TiWorker.exe", "TiWorker.exe", "Windows Modules Installer Worker", 233472},
	{"taskmgr", "Taskmgr.exe", sys32, ms, winProduct, "os", "Taskmgr.exe", "Taskmgr.exe", "Task Manager", 1597440},
	{"notepad", "notepad.exe", sys32, ms, winProduct, "os", "Notepad", "NOTEPAD.EXE", "Notepad", 201216},
	{"mstsc", "mstsc.exe", sys32, ms, winProduct, "os", "mstsc.exe", "mstsc.exe", "Remote Desktop Connection", 1368064},
	{"mmc", "mmc.exe", sys32, ms, winProduct, "os", "MMC.EXE", "MMC.EXE", "Microsoft Management Console", 2002944},
	{"whoami", "whoami.exe", sys32, ms, winProduct, "os", "whoami.exe", "whoami.exe", "whoami - displays logged on user information", 73728},
	{"net", "net.exe", sys32, ms, winProduct, "os", "net.exe", "net.exe", "Net Command", 57344},
	{"net1", "net1.exe", sys32, ms, winProduct, "os", "net1.exe", "net1.exe", "Net Command", 178176},
	{"ipconfig", "ipconfig.exe", sys32, ms, winProduct, "os", "ipconfig.exe", "ipconfig.exe", "IP Configuration Utility", 35840},
	{"nslookup", "nslookup.exe", sys32, ms, winProduct, "os", "nslookup.exe", "nslookup.exe", "nslookup", 94208},
	{"ping", "PING.EXE", sys32, ms, winProduct, "os", "ping.exe", "ping.exe", "TCP/IP Ping Command", 22528},
	{"systeminfo", "systeminfo.exe", sys32, ms, winProduct, "os", "sysinfo.exe", "sysinfo.exe", "Displays system information", 94720},
	{"nltest", "nltest.exe", sys32, ms, winProduct, "os", "nltestrk.exe", "nltestrk.exe", "Microsoft® Logon Server Test Utility", 441344},
	{"rundll32", "rundll32.exe", sys32, ms, winProduct, "os", "rundll", "RUNDLL32.EXE", "Windows host process (Rundll32)", 71680},
	{"reg", "reg.exe", sys32, ms, winProduct, "os", "reg.exe", "reg.exe", "Registry Console Tool", 73728},
	{"schtasks", "schtasks.exe", sys32, ms, winProduct, "os", "schtasks.exe", "schtasks.exe", "Task Scheduler Configuration Tool", 235008},
	{"sc", "sc.exe", sys32, ms, winProduct, "os", "sc.exe", "sc.exe", "Service Control Manager Configuration Tool", 69632},
	{"wevtutil", "wevtutil.exe", sys32, ms, winProduct, "os", "wevtutil.exe", "wevtutil.exe", "Eventing Command Line Utility", 245760},
	{"vssadmin", "vssadmin.exe", sys32, ms, winProduct, "os", "VSSADMIN.EXE", "VSSADMIN.EXE", "Command Line Interface for Microsoft® Volume Shadow Copy Service ", 135680},
	{"bcdedit", "bcdedit.exe", sys32, ms, winProduct, "os", "bcdedit.exe", "bcdedit.exe", "Boot Configuration Data Editor", 406016},
	{"ntdsutil", "ntdsutil.exe", sys32, ms, winProduct, "os", "ntdsutil.exe", "ntdsutil.exe", "NT5DS", 446464},
	{"certutil", "certutil.exe", sys32, ms, winProduct, "os", "CertUtil.exe", "CertUtil.exe", "CertUtil.exe", 1592320},
	{"robocopy", "Robocopy.exe", sys32, ms, winProduct, "os", "ROBOCOPY.EXE", "ROBOCOPY.EXE", "Microsoft® Robocopy", 138752},
	{"msiexec", "msiexec.exe", sys32, ms, winProduct, "os", "msiexec", "msiexec.exe", "Windows® installer", 66048},
	{"wsmprovhost", "wsmprovhost.exe", sys32, ms, winProduct, "os", "wsmprovhost.exe", "wsmprovhost.exe", "Host process for WinRM plug-ins", 57344},
	{"rdpclip", "rdpclip.exe", sys32, ms, winProduct, "os", "rdpclip", "rdpclip.exe", "RDP Clipboard Monitor", 442368},
	{"consent", "consent.exe", sys32, ms, winProduct, "os", "consent.exe", "consent.exe", "Consent UI for administrative applications", 163840},
	{"dwm", "dwm.exe", sys32, ms, winProduct, "os", "dwm.exe", "dwm.exe", "Desktop Window Manager", 94208},
	{"fontdrvhost", "fontdrvhost.exe", sys32, ms, winProduct, "os", "fontdrvhost.exe", "fontdrvhost.exe", "Usermode Font Driver Host", 826368},
	{"logonui", "LogonUI.exe", sys32, ms, winProduct, "os", "logonui", "logonui.exe", "Windows Logon User Interface Host", 13312},
	{"spoolsv", "spoolsv.exe", sys32, ms, winProduct, "os", "spoolsv.exe", "spoolsv.exe", "Spooler SubSystem App", 929792},
	{"wermgr", "wermgr.exe", sys32, ms, winProduct, "os", "wermgr.exe", "wermgr.exe", "Windows Problem Reporting", 209920},
	{"gpscript", "gpscript.exe", sys32, ms, winProduct, "os", "GPSCRIPT.EXE", "GPSCRIPT.EXE", "Script for Group Policy Extension", 43520},
	{"securityhealthsystray", "SecurityHealthSystray.exe", sys32, ms, winProduct, "os", "SecurityHealthSystray", "SecurityHealthSystray.exe", "Windows Security notification icon", 91136},
	{"audiodg", "audiodg.exe", sys32, ms, winProduct, "os", "audiodg.exe", "audiodg.exe", "Windows Audio Device Graph Isolation ", 448512},
	{"dns", "dns.exe", sys32, ms, winProduct, "os", "dns.exe", "dns.exe", "Domain Name System (DNS) Server", 3121664},
	{"dfsrs", "dfsrs.exe", sys32, ms, winProduct, "os", "DFSRs.exe", "DFSRs.exe", "Distributed File System Replication", 3842560},
	{"w3wp", "w3wp.exe", sys32 + `\inetsrv`, ms, "Internet Information Services", "os", "w3wp.exe", "w3wp.exe", "IIS Worker Process", 30208},
	{"csc", "csc.exe", `C:\Windows\Microsoft.NET\Framework64\v4.0.30319`, ms, "Microsoft® .NET Framework", "4.8.9037.0 built by: NET481REL1", "csc.exe", "csc.exe", "Visual C# Command Line Compiler", 2758808},
	{"cvtres", "cvtres.exe", `C:\Windows\Microsoft.NET\Framework64\v4.0.30319`, ms, "Microsoft® .NET Framework", "14.30.34433.0", "CVTRES.EXE", "CVTRES.EXE", "Microsoft® Resource File To COFF Object Conversion Utility", 50192},
	{"msmpeng", "MsMpEng.exe", `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0`, ms, winProduct, "4.18.24030.9", "MsMpEng.exe", "MsMpEng.exe", "Antimalware Service Executable", 133576},
	{"mpcmdrun", "MpCmdRun.exe", `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0`, ms, winProduct, "4.18.24030.9", "MpCmdRun", "MpCmdRun.exe", "Microsoft Malware Protection Command Line Utility", 1583144},
	{"mssense", "MsSense.exe", `C:\Program Files\Windows Defender Advanced Threat Protection`, ms, winProduct, "10.8760.19041.4355", "MsSense.exe", "MsSense.exe", "Windows Defender Advanced Threat Protection Service Executable", 4567408},
	{"msedge", "msedge.exe", `C:\Program Files (x86)\Microsoft\Edge\Application`, ms, "Microsoft Edge", "browser", "msedge_exe", "msedge.exe", "Microsoft Edge", 4162616},
	{"chrome", "chrome.exe", `C:\Program Files\Google\Chrome\Application`, "Google LLC", "Google Chrome", "browser", "chrome_exe", "chrome.exe", "Google Chrome", 3190304},
	{"msedgewebview2", "msedgewebview2.exe", `C:\Program Files (x86)\Microsoft\EdgeWebView\Application\124.0.2478.80`, ms, "Microsoft Edge WebView2", "124.0.2478.80", "msedgewebview2_exe", "msedgewebview2.exe", "Microsoft Edge WebView2", 3518520},
	{"outlook", "OUTLOOK.EXE", `C:\Program Files\Microsoft Office\root\Office16`, ms, "Microsoft Outlook", "16.0.17531.20152", "Outlook", "Outlook.exe", "Microsoft Outlook", 43411320},
	{"winword", "WINWORD.EXE", `C:\Program Files\Microsoft Office\root\Office16`, ms, "Microsoft Office", "16.0.17531.20152", "WinWord", "WinWord.exe", "Microsoft Word", 1638808},
	{"excel", "EXCEL.EXE", `C:\Program Files\Microsoft Office\root\Office16`, ms, "Microsoft Office", "16.0.17531.20152", "Excel", "Excel.exe", "Microsoft Excel", 68452216},
	{"powerpnt", "POWERPNT.EXE", `C:\Program Files\Microsoft Office\root\Office16`, ms, "Microsoft Office", "16.0.17531.20152", "POWERPNT", "POWERPNT.EXE", "Microsoft PowerPoint", 1893784},
	{"teams", "ms-teams.exe", `C:\Program Files\WindowsApps\MSTeams_24102.2223.2870.9480_x64__8wekyb3d8bbwe`, ms, "Microsoft Teams", "24102.2223.2870.9480", "ms-teams.exe", "ms-teams.exe", "Microsoft Teams", 5017560},
	{"onedrive", "OneDrive.exe", `C:\Users\{user}\AppData\Local\Microsoft\OneDrive`, ms, "Microsoft OneDrive", "24.086.0428.0003", "Client Application", "OneDrive.exe", "Microsoft OneDrive", 3325352},
	{"acrobat", "Acrobat.exe", `C:\Program Files\Adobe\Acrobat DC\Acrobat`, "Adobe Systems Incorporated", "Adobe Acrobat", "24.2.20759.0", "Acrobat", "Acrobat.exe", "Adobe Acrobat", 4998704},
	{"code", "Code.exe", `C:\Users\{user}\AppData\Local\Programs\Microsoft VS Code`, ms, "Visual Studio Code", "1.89.1", "Code", "electron.exe", "Visual Studio Code", 161015192},
	{"git", "git.exe", `C:\Program Files\Git\cmd`, "The Git Development Community", "Git", "2.45.1.1", "git", "git.exe", "Git for Windows", 47936},
	{"node", "node.exe", `C:\Program Files\nodejs`, "Node.js", "Node.js", "20.13.1", "node", "node.exe", "Node.js JavaScript Runtime", 71426736},
	{"dotnet", "dotnet.exe", `C:\Program Files\dotnet`, ms, "Microsoft® .NET", "8.0.524.21615", "dotnet.exe", "dotnet.exe", ".NET Host", 142784},
	{"msbuild", "MSBuild.exe", `C:\Program Files\Microsoft Visual Studio\2022\Professional\MSBuild\Current\Bin\amd64`, ms, "Microsoft® Build Tools®", "17.9.8.16306", "MSBuild.exe", "MSBuild.exe", "MSBuild.exe", 354264},
	{"python", "python.exe", `C:\Users\{user}\AppData\Local\Programs\Python\Python312`, "Python Software Foundation", "Python", "3.12.3", "Python Console", "python.exe", "Python", 103192},
	{"edgeupdate", "MicrosoftEdgeUpdate.exe", `C:\Program Files (x86)\Microsoft\EdgeUpdate`, ms, "Microsoft Edge Update", "1.3.187.41", "Microsoft Edge Update", "MicrosoftEdgeUpdate.exe", "Microsoft Edge Update", 213360},
	{"googleupdate", "GoogleUpdate.exe", `C:\Program Files (x86)\Google\Update`, "Google LLC", "Google Update", "1.3.36.372", "Google Update", "GoogleUpdate.exe", "Google Installer", 159480},
	{"onedriveupdater", "OneDriveStandaloneUpdater.exe", `C:\Users\{user}\AppData\Local\Microsoft\OneDrive`, ms, "Microsoft OneDrive", "24.086.0428.0003", "OneDriveStandaloneUpdater", "OneDriveStandaloneUpdater.exe", "Standalone Updater", 3792168},
	{"ccmexec", "CcmExec.exe", `C:\Windows\CCM`, ms, "System Center Configuration Manager", "5.0.9122.1008", "CcmExec", "CcmExec.exe", "Host Process for Microsoft Configuration Manager", 3004112},
	{"monitoringhost", "MonitoringHost.exe", `C:\Program Files\Microsoft Monitoring Agent\Agent`, ms, "System Center Operations Manager", "10.20.18053.0", "MonitoringHost", "MonitoringHost.exe", "Health Service Monitoring Host", 44264},
	{"sqlservr", "sqlservr.exe", `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn`, ms, "Microsoft SQL Server", "2022.160.4125.3", "SQLSERVR", "SQLSERVR.EXE", "SQL Server Windows NT - 64 Bit", 520056},
	{"sqlagent", "SQLAGENT.EXE", `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Binn`, ms, "Microsoft SQL Server", "2022.160.4125.3", "SQLAGENT", "SQLAGENT.EXE", "SQLAGENT - SQL Server Agent", 590720},
	{"sqlcmd", "SQLCMD.EXE", `C:\Program Files\Microsoft SQL Server\Client SDK\ODBC\170\Tools\Binn`, ms, "Microsoft SQL Server", "2019.170.1000.7", "SQLCMD", "SQLCMD.EXE", "T-SQL execution command line utility", 293744},
	{"veeamagent", "VeeamAgent.exe", `C:\Program Files (x86)\Veeam\Backup Transport\x64`, "Veeam Software Group GmbH", "Veeam Agent", "12.1.2.172", "VeeamAgent.exe", "VeeamAgent.exe", "Veeam Agent", 35863408},
	{"veeamsvc", "Veeam.Backup.Service.exe", `C:\Program Files\Veeam\Backup and Replication\Backup`, "Veeam Software Group GmbH", "Veeam Backup & Replication", "12.1.2.172", "Veeam.Backup.Service.exe", "Veeam.Backup.Service.exe", "Veeam Backup Service", 49384},
	{"pdqservice", "PDQDeployService.exe", `C:\Program Files (x86)\Admin Arsenal\PDQ Deploy`, "PDQ.com", "PDQ Deploy", "19.3.575.0", "PDQDeployService.exe", "PDQDeployService.exe", "PDQ Deploy Service", 10264056},
	{"pdqrunner", "PDQDeployRunner-1.exe", `C:\Windows\AdminArsenal\PDQDeployRunner\service-1`, "PDQ.com", "PDQ Deploy", "19.3.575.0", "PDQDeployRunner.exe", "PDQDeployRunner.exe", "PDQ Deploy Runner", 5121336},
	{"guestagent", "WindowsAzureGuestAgent.exe", `C:\WindowsAzure\GuestAgent_2.7.41491.1102_2024-05-01_000000`, ms, "Windows Azure", "2.7.41491.1102", "WindowsAzureGuestAgent.exe", "WindowsAzureGuestAgent.exe", "Windows Azure Guest Agent", 132480},
	{"runcommandext", "RunCommandExtension.exe", `C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\1.1.18\bin`, ms, "RunCommand Extension", "1.1.18.0", "RunCommandExtension.exe", "RunCommandExtension.exe", "RunCommand Extension", 2356224},
	{"7z", "7z.exe", `C:\Program Files\7-Zip`, "Igor Pavlov", "7-Zip", "23.01", "7z", "7z.exe", "7-Zip Console", 562688},
	{"winrar", "WinRAR.exe", `C:\Program Files\WinRAR`, "Alexander Roshal", "WinRAR", "7.0.0", "WinRAR.exe", "WinRAR.exe", "WinRAR archiver", 3136448},
}

// software is the org's catalogue of binaries, keyed by template key and
// OS build; it is read-only after newSoftware.
type software struct {
	byKey map[string]*binary
}

func newSoftware(seed uint64, builds []int64, browserVersion string) *software {
	sw := &software{byKey: map[string]*binary{}}
	for _, t := range binTemplates {
		for _, b := range builds {
			v := t.version
			switch v {
			case "os":
				v = fmt.Sprintf("10.0.%d.%d", b, 3000+(b*7)%1500)
			case "browser":
				v = browserVersion
			}
			bin := &binary{Key: t.key, Name: t.name, Dir: t.dir, Company: t.company, Product: t.product, Version: v,
				Internal: t.internal, Original: t.original, Description: t.desc, Size: t.size, Signature: "Valid"}
			bin.Signer = "Unknown"
			if t.company == ms {
				bin.Signer = "OsVendor"
				if !strings.HasPrefix(t.dir, `C:\Windows`) {
					bin.Signer = "OsVendorApplication"
				}
			}
			bin.h = hashesOf(seed, bin.Dir+`\`+bin.Name+"|"+v)
			sw.byKey[fmt.Sprintf("%s@%d", t.key, b)] = bin
		}
	}
	return sw
}

// custom makes a binary that is not part of the catalogue (attacker
// tools, renamed payloads): unsigned unless a company is given.
func custom(seed uint64, name, dir, company, product, version, desc string, size int64) *binary {
	b := &binary{Key: strings.ToLower(name), Name: name, Dir: dir, Company: company, Product: product, Version: version,
		Original: name, Internal: strings.TrimSuffix(name, ".exe"), Description: desc, Size: size,
		Signer: "Unknown", Signature: "Unsigned"}
	if company != "" {
		b.Signature = "Valid"
	}
	b.h = hashesOf(seed, dir+`\`+name+"|"+version)
	return b
}
