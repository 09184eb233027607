package sigma

import (
	"net/netip"
	"strings"
)

// modCIDR reads the value as an IPv4 or IPv6 network.
func modCIDR(m *modCtx, v val) ([]val, error) {
	if err := firstOnly(m); err != nil {
		return nil, err
	}
	s, ok := "", false
	if v.kind == vString {
		s, ok = v.str.plain()
	}
	if !ok {
		return nil, m.errorf(CodeBadValue, "write a network such as 10.0.0.0/8 or fe80::/10", "|cidr needs a network, found %s", v.describe())
	}
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		if a, err := netip.ParseAddr(s); err == nil {
			s += "/" + map[bool]string{true: "32", false: "128"}[a.Is4()]
		}
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, m.errorf(CodeBadValue, "write a network such as 10.0.0.0/8 or fe80::/10", "%q is not a CIDR network", s)
	}
	return []val{{kind: vCIDR, cidr: p.Masked(), orig: v.orig}}, nil
}
