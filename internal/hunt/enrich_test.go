package hunt

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sleuth-hunt/sleuth/internal/entity"
)

func TestPivotEntities(t *testing.T) {
	var scanners, files []string
	for i := range 200 {
		scanners = append(scanners, fmt.Sprintf("203.0.%d.%d", i/250, i%250))
		files = append(files, fmt.Sprintf("doc%03d.docx.locked", i))
	}
	f := &Finding{
		Entities: entity.Set{Hosts: []string{"web01", "db01"}, IPs: scanners, Files: files,
			Processes: []string{"cmd.exe", "powershell.exe", "w3wp.exe", "whoami.exe"}},
		Evidence: []Evidence{{Subject: "web01"}, {Subject: "SrcIP=203.0.0.150, DestIP=10.0.0.4"}, {Subject: "w3wp.exe"}},
	}
	got := pivotEntities(f)
	if !slices.Equal(got.Hosts, []string{"web01", "db01"}) {
		t.Errorf("few hosts are all kept: %v", got.Hosts)
	}
	if len(got.IPs) != pivotLimit || got.IPs[0] != "203.0.0.150" {
		t.Errorf("many addresses: the subject first, %d in all; got %v", pivotLimit, got.IPs)
	}
	if len(got.Files) != 0 {
		t.Errorf("fleet-wide file names no signal was about are dropped: %v", got.Files[:3])
	}
	if !slices.Equal(got.Processes, []string{"w3wp.exe"}) {
		t.Errorf("processes beyond a few: only the subject; got %v", got.Processes)
	}
	if len(f.Entities.IPs) != 200 {
		t.Error("pivotEntities changed the finding")
	}
}
