package web

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{trusted: trusted}
	tests := []struct {
		name, remote string
		header       []string
		want         string
	}{
		{"no proxy: the peer", "192.0.2.1:5000", nil, "192.0.2.1"},
		{"an untrusted peer cannot forge one", "192.0.2.1:5000", []string{"X-Forwarded-For", "198.51.100.1"}, "192.0.2.1"},
		{"a trusted proxy names the client", "10.1.2.3:5000", []string{"X-Forwarded-For", "198.51.100.1"}, "198.51.100.1"},
		{"the right-most untrusted address wins", "10.1.2.3:5000", []string{"X-Forwarded-For", "1.1.1.1, 198.51.100.1, 10.0.0.5"}, "198.51.100.1"},
		{"Forwarded, with a port and IPv6", "[2001:db8::1]:443", []string{"Forwarded", `for="[2001:db8:cafe::17]:4711";proto=https`}, "2001:db8:cafe::17"},
		{"Forwarded chain", "10.1.2.3:80", []string{"Forwarded", "for=192.0.2.43, for=198.51.100.17;by=10.1.2.3"}, "198.51.100.17"},
		{"all trusted: the left-most", "10.1.2.3:80", []string{"X-Forwarded-For", "10.0.0.9"}, "10.0.0.9"},
		{"a trusted proxy without a header", "10.1.2.3:80", nil, "10.1.2.3"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/audio/x.mp3", nil)
		r.RemoteAddr = tt.remote
		for i := 0; i+1 < len(tt.header); i += 2 {
			r.Header.Set(tt.header[i], tt.header[i+1])
		}
		if got := s.clientAddr(r); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	var none Server
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr, r.Header["X-Forwarded-For"] = "10.1.2.3:1", []string{"198.51.100.1"}
	if got := none.clientAddr(r); got != "10.1.2.3" {
		t.Errorf("without -trusted-proxies the header was trusted: %s", got)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}
