package web

import (
	"strconv"
	"sync"
	"time"
)

// Failed admin token attempts are limited per client address: a token of
// 16 or more random characters cannot be guessed, but a client trying
// should not get to try fast.
const (
	maxFailures    = 10          // failed attempts an address may make in a window
	failureWindow  = time.Minute // before its count starts over
	maxFailingAddr = 10000       // addresses remembered at once
)

// failures counts failed token attempts per client address.
type failures struct {
	mu    sync.Mutex
	addrs map[string]*failCount
}

type failCount struct {
	n     int
	since time.Time
}

// blocked reports whether addr has used up its attempts, and for how much
// longer.
func (f *failures) blocked(addr string, now time.Time) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.addrs[addr]
	if c == nil || now.Sub(c.since) >= failureWindow || c.n < maxFailures {
		return 0, false
	}
	return failureWindow - now.Sub(c.since), true
}

// fail counts a failed attempt of addr.
func (f *failures) fail(addr string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.addrs == nil {
		f.addrs = map[string]*failCount{}
	}
	c := f.addrs[addr]
	if c == nil || now.Sub(c.since) >= failureWindow {
		if c == nil && len(f.addrs) >= maxFailingAddr {
			f.forgetOld(now)
		}
		c = &failCount{since: now}
		f.addrs[addr] = c
	}
	c.n++
}

// forgetOld drops the addresses whose window is over, or, when every one is
// current (many addresses failing at once), all of them: memory stays
// bounded, and each address starts over.
func (f *failures) forgetOld(now time.Time) {
	for a, c := range f.addrs {
		if now.Sub(c.since) >= failureWindow {
			delete(f.addrs, a)
		}
	}
	if len(f.addrs) >= maxFailingAddr {
		clear(f.addrs)
	}
}

// retryAfter is a Retry-After value: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}
