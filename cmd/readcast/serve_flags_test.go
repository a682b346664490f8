package main

import (
	"context"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "256MB": 256 << 20, "64kb": 64 << 10, "1G": 1 << 30, "2 GB": 2 << 30, "10B": 10,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5MB", "MB", "1.5GB", "lots", "99999999999GB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func TestServeRefusesBadAdminFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "-admin-token", "short"}, nil, "at least 16 characters"},
		{[]string{"serve"}, map[string]string{"READCAST_ADMIN_TOKEN": "short"}, "at least 16 characters"},
		{[]string{"serve", "-max-upload", "lots"}, nil, "-max-upload"},
	} {
		getenv := func(k string) string { return tt.env[k] }
		err := run(context.Background(), append(tt.args, "-addr", "127.0.0.1:0"), getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: %v, want an error saying %q", tt.args, tt.env, err, tt.want)
		}
	}
}

// TestSoftMemoryLimit: serve and align set a soft memory limit, and an
// operator's GOMEMLIMIT wins.
func TestSoftMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	softMemoryLimit(env{getenv: func(string) string { return "" }}, serveMemoryLimit)
	if got := debug.SetMemoryLimit(-1); got != serveMemoryLimit {
		t.Errorf("limit %d, want %d", got, serveMemoryLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	softMemoryLimit(env{getenv: func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	}}, serveMemoryLimit)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}
}
