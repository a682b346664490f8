package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of CIDRs (or single
// addresses) of the proxies in front of the server.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or a CIDR like 10.0.0.0/8", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not a CIDR like 10.0.0.0/8: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddr is the address of the client a request is from: the
// connection's peer, or, when that is a trusted proxy, the nearest address
// in the forwarding chain that is not a trusted proxy (the right-most
// untrusted one: what is left of it the client could have made up).
func (s *Server) clientAddr(r *http.Request) string {
	peer := clientHost(r.RemoteAddr)
	if len(s.trusted) == 0 || !s.isTrusted(peer) {
		return peer
	}
	chain := forwardedFor(r.Header)
	for i := len(chain) - 1; i >= 0; i-- {
		if !s.isTrusted(chain[i]) {
			return chain[i]
		}
	}
	if len(chain) > 0 {
		return chain[0]
	}
	return peer
}

func (s *Server) isTrusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor is the chain of client addresses a request was forwarded
// for, the client first: from the Forwarded header (RFC 7239) when there is
// one, otherwise from X-Forwarded-For. Ports and brackets are removed.
func forwardedFor(h http.Header) []string {
	var chain []string
	if fwd := h.Values("Forwarded"); len(fwd) > 0 {
		for _, line := range fwd {
			for _, elem := range strings.Split(line, ",") {
				for _, pair := range strings.Split(elem, ";") {
					k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if ok && strings.EqualFold(k, "for") {
						chain = append(chain, bareHost(strings.Trim(v, `"`)))
					}
				}
			}
		}
		return chain
	}
	for _, line := range h.Values("X-Forwarded-For") {
		for _, a := range strings.Split(line, ",") {
			if a = strings.TrimSpace(a); a != "" {
				chain = append(chain, bareHost(a))
			}
		}
	}
	return chain
}

// bareHost strips a port and IPv6 brackets: "[2001:db8::1]:4711" →
// "2001:db8::1", "192.0.2.1:80" → "192.0.2.1".
func bareHost(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String()
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap().String()
	}
	return s
}
