package lab

import (
	"fmt"
	"strings"
	"time"
)

// flow is one Traffic Analytics flow record: the flows of one tuple seen by
// one VM's network interface in one processing interval.
type flow struct {
	T          time.Time // interval end; TimeGenerated
	Interval   time.Duration
	VM         *Host
	Type       string // IntraVNet, AzurePublic, ExternalPublic, MaliciousFlow
	Direction  string // I or O
	Status     string // A (allowed) or D (denied)
	Peer       string // the other end's address
	PeerHost   *Host  // the other end when it is one of ours
	Country    string // of the peer, for public flows
	Port       int
	Proto      string // T or U
	L7         string
	Flows      int
	OutPackets int64
	InPackets  int64
	OutBytes   int64
	InBytes    int64
	Rule       string
}

// flowRow renders an AzureNetworkAnalytics_CL row (schema version 2).
func (g *gen) flowRow(f *flow) *Row {
	o := g.o
	vm := f.VM.Azure
	r := g.t.netflow.row(f.T)
	start := f.T.Add(-f.Interval)
	r.Opt("TenantId", o.WorkspaceID).Set("SourceSystem", "Azure").Set("SubType_s", "FlowLog").
		Set("FASchemaVersion_s", "2").Set("FlowType_s", f.Type).Set("FlowDirection_s", f.Direction).
		Set("FlowStatus_s", f.Status).Set("DestPort_d", float64(f.Port)).Set("L4Protocol_s", f.Proto).
		Set("L7Protocol_s", f.L7).Set("FlowIntervalStartTime_t", start).Set("FlowIntervalEndTime_t", f.T).
		Set("FlowStartTime_t", start.Add(time.Duration(f.Flows)*time.Second%f.Interval)).Set("FlowEndTime_t", f.T.Add(-time.Second)).
		Set("NSGList_s", fmt.Sprintf("%s/%s/%s", o.Azure.Subscription, strings.ToLower(vm.ResourceGroup), vm.NSG)).
		Set("NSGRule_s", f.Rule).Set("Region1_s", o.Azure.Region).Set("Subscription1_g", o.Azure.Subscription)
	in := f.Direction == "I"
	allowed := f.Status == "A"
	var ai, ao, di, do float64
	switch {
	case in && allowed:
		ai = float64(f.Flows)
	case in:
		di = float64(f.Flows)
	case allowed:
		ao = float64(f.Flows)
	default:
		do = float64(f.Flows)
	}
	r.Set("AllowedInFlows_d", ai).Set("AllowedOutFlows_d", ao).Set("DeniedInFlows_d", di).Set("DeniedOutFlows_d", do).
		Set("FlowCount_d", float64(f.Flows)).Set("InboundPackets_d", float64(f.InPackets)).
		Set("OutboundPackets_d", float64(f.OutPackets)).Set("InboundBytes_d", float64(f.InBytes)).
		Set("OutboundBytes_d", float64(f.OutBytes)).Set("CompletedFlows_d", float64(f.Flows))
	vmRef := strings.ToLower(vm.ResourceGroup) + "/" + vm.Name
	nicRef := strings.ToLower(vm.ResourceGroup) + "/" + vm.NIC
	subnet := fmt.Sprintf("%s/%s/%s", strings.ToLower(vm.ResourceGroup), o.Azure.VNet, vm.Subnet)
	if f.Type == "IntraVNet" {
		src, dst := f.VM, f.PeerHost
		if in {
			src, dst = f.PeerHost, f.VM
		}
		r.Set("SrcIP_s", src.IP).Set("DestIP_s", dst.IP).Set("VM1_s", vmName(src)).Set("VM2_s", vmName(dst)).
			Set("Subnet1_s", subnetOf(g, src)).Set("Subnet2_s", subnetOf(g, dst)).Set("Region2_s", o.Azure.Region).
			Set("Subscription2_g", o.Azure.Subscription)
		return r
	}
	// Public flows: the schema puts the internet side in *PublicIPs_s as
	// ip|flows started|flows ended|out packets|in packets|out bytes|in bytes,
	// and leaves SrcIP_s/DestIP_s to the VM side.
	pub := fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d", f.Peer, f.Flows, f.Flows, f.OutPackets, f.InPackets, f.OutBytes, f.InBytes)
	r.Set("PublicIPs_s", pub).Set("Country_s", f.Country).Set("VM_s", vmRef).Set("VMIP_s", f.VM.IP).
		Set("NIC_s", nicRef).Set("Subnet_s", subnet).Set("Region_s", o.Azure.Region).Set("Subscription_g", o.Azure.Subscription)
	if in {
		r.Set("SrcPublicIPs_s", pub).Set("DestIP_s", f.VM.IP).Set("VM2_s", vmRef).Set("NIC2_s", nicRef).Set("Subnet2_s", subnet)
	} else {
		r.Set("DestPublicIPs_s", pub).Set("SrcIP_s", f.VM.IP).Set("VM1_s", vmRef).Set("NIC1_s", nicRef).Set("Subnet1_s", subnet)
	}
	return r
}

func vmName(h *Host) string {
	if h == nil || h.Azure == nil {
		return ""
	}
	return strings.ToLower(h.Azure.ResourceGroup) + "/" + h.Azure.Name
}

func subnetOf(g *gen, h *Host) string {
	if h == nil || h.Azure == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s/%s", strings.ToLower(h.Azure.ResourceGroup), g.o.Azure.VNet, h.Azure.Subnet)
}

// syslogEv is one syslog line.
type syslogEv struct {
	Host     *Host
	T        time.Time
	Facility string
	Severity string
	Process  string
	PID      int
	Msg      string
}

// syslogRow renders a Syslog row as the Azure Monitor agent collects it.
func (g *gen) syslogRow(e *syslogEv) *Row {
	r := g.t.syslog.row(e.T)
	h := e.Host
	r.Opt("TenantId", g.o.WorkspaceID).Set("SourceSystem", "Linux").Set("Computer", h.Name).
		Set("EventTime", e.T).Set("Facility", e.Facility).Set("HostName", h.Name).Set("SeverityLevel", e.Severity).
		Set("SyslogMessage", e.Msg).Set("HostIP", h.IP).Set("ProcessName", e.Process).
		Opt("_ResourceId", g.resourceID(h)).Opt("_SubscriptionId", g.o.Azure.Subscription)
	if e.PID > 0 {
		r.Set("ProcessID", e.PID)
	}
	return r
}
