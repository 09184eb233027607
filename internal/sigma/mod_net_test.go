package sigma

import (
	"strings"
	"testing"
)

func TestModCIDR(t *testing.T) {
	f := func(value, want string) {
		t.Helper()
		got := where(t, networkConn, "  sel:\n    DestinationIp|cidr: "+value+"\n  condition: sel\n")
		if got != `ActionType !in ("DnsQueryResponse", "DnsConnectionInspected") and `+want {
			t.Errorf("cidr %s\ngot  %s\nwant %s", value, got, want)
		}
	}
	f("10.0.0.0/8", `ipv4_is_in_range(RemoteIP, "10.0.0.0/8")`)
	f("'10.1.2.3/8'", `ipv4_is_in_range(RemoteIP, "10.0.0.0/8")`) // host bits are masked
	f("192.168.1.1", `ipv4_is_in_range(RemoteIP, "192.168.1.1/32")`)
	f("'fe80::/10'", `ipv6_is_in_range(RemoteIP, "fe80::/10")`)
	f("['127.0.0.0/8', '::1/128']", `(ipv4_is_in_range(RemoteIP, "127.0.0.0/8") or ipv6_is_in_range(RemoteIP, "::1/128"))`)
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "'10.*'"} {
		e := compileErr(t, networkConn, "  sel:\n    DestinationIp|cidr: "+bad+"\n  condition: sel\n", Options{})
		if e.Code != CodeBadValue || !strings.Contains(e.Hint, "10.0.0.0/8") {
			t.Errorf("cidr %s: %v", bad, e)
		}
	}
	e := compileErr(t, networkConn, "  sel:\n    DestinationIp|contains|cidr: 10.0.0.0/8\n  condition: sel\n", Options{})
	if e.Code != CodeBadModifier {
		t.Errorf("cidr after contains: %v", e)
	}
}
