package metrics

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// MaxListenersPerDay bounds the daily listener set (24 bytes each in
// memory and on disk). Past it, downloads are still counted, without
// deduplication, and readcast_listeners_overflow_total says so.
const MaxListenersPerDay = 1 << 20

// MinuteFallback is the one minute of audio assumed for an episode whose
// bitrate is unknown: 64 kbit/s, the lowest common podcast bitrate.
const MinuteFallback = 64000 / 8 * 60

// listener is one listener-episode pair of the day.
type listener struct {
	bytes   int64 // body bytes received today, across requests
	counted bool
}

// downloads is the daily state of the IAB count.
type downloads struct {
	now func() time.Time

	mu  sync.Mutex
	day string
	// date is day as a number (year, month, day), which a request
	// compares without formatting the time.
	date     int
	salt     [32]byte
	seen     map[[16]byte]*listener
	overflow uint64
	dirty    bool
}

func newDownloads(now func() time.Time) *downloads {
	return &downloads{now: now, seen: map[[16]byte]*listener{}}
}

// add records n body bytes of an episode sent to a listener and reports
// whether that made a download: the listener's bytes today reached
// threshold for the first time.
func (d *downloads) add(episode, addr, userAgent string, n, threshold int64) bool {
	if n <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rollover()
	k := d.key(episode, addr, userAgent)
	l := d.seen[k]
	if l == nil {
		if len(d.seen) >= MaxListenersPerDay {
			// Not deduplicated: count the request if it alone is enough.
			if n >= threshold {
				d.overflow++
				return true
			}
			return false
		}
		l = &listener{}
		d.seen[k] = l
	}
	d.dirty = true
	if l.counted {
		return false
	}
	l.bytes += n
	if l.bytes >= threshold {
		l.counted = true
		return true
	}
	return false
}

// key is a listener-episode pair's key: the first 16 bytes of the
// SHA-256 of the day's salt, the address, the user agent and the episode,
// separated by NULs. It is put together on the stack: a request for audio
// allocates nothing here.
func (d *downloads) key(episode, addr, userAgent string) [16]byte {
	var stack [256]byte
	b := append(stack[:0], d.salt[:]...)
	b = append(b, addr...)
	b = append(b, 0)
	b = append(b, userAgent...)
	b = append(b, 0)
	b = append(b, episode...)
	sum := sha256.Sum256(b)
	return [16]byte(sum[:16])
}

// dateOf is t's UTC date as a number: 20261203.
func dateOf(t time.Time) int {
	y, m, day := t.UTC().Date()
	return (y*100+int(m))*100 + day
}

// rollover starts a new day when the date changed: every listener is
// forgotten and a new salt drawn, so nothing links today's to yesterday's.
// d.mu is held.
func (d *downloads) rollover() {
	now := d.now()
	date := dateOf(now)
	if date == d.date {
		return
	}
	d.date, d.day = date, now.UTC().Format(time.DateOnly)
	clear(d.seen)
	if _, err := rand.Read(d.salt[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	d.dirty = true
}

func (d *downloads) listeners() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

// The saved state: a header line, the day (10 bytes), the salt, then a
// record per listener: its 16-byte hash and its byte count, whose top bit
// says it was counted. Only hashes: no address is ever written.
const stateMagic = "readcast-downloads 1\n"

// restore takes up the day's state saved by an earlier process, when it
// is today's.
func (d *downloads) restore(data []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	head := len(stateMagic) + 10 + 32
	if len(data) < head || string(data[:len(stateMagic)]) != stateMagic || (len(data)-head)%24 != 0 {
		return errors.New("metrics: not a readcast download state, or a truncated one")
	}
	day := string(data[len(stateMagic) : len(stateMagic)+10])
	now := d.now()
	if day != now.UTC().Format(time.DateOnly) {
		return nil // yesterday's listeners are not today's
	}
	seen := map[[16]byte]*listener{}
	for rec := data[head:]; len(rec) >= 24 && len(seen) < MaxListenersPerDay; rec = rec[24:] {
		var k [16]byte
		copy(k[:], rec[:16])
		v := binary.BigEndian.Uint64(rec[16:24])
		seen[k] = &listener{bytes: int64(v &^ (1 << 63)), counted: v&(1<<63) != 0}
	}
	d.date, d.day = dateOf(now), day
	copy(d.salt[:], data[len(stateMagic)+10:head])
	d.seen = seen
	return nil
}

// state returns the day's state when it changed since the last call, nil
// otherwise.
func (d *downloads) state() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.dirty {
		return nil
	}
	d.dirty = false
	buf := make([]byte, 0, len(stateMagic)+10+32+24*len(d.seen))
	buf = append(buf, stateMagic...)
	buf = append(buf, d.day...)
	buf = append(buf, d.salt[:]...)
	for k, l := range d.seen {
		v := uint64(l.bytes)
		if l.counted {
			v |= 1 << 63
		}
		buf = append(buf, k[:]...)
		buf = binary.BigEndian.AppendUint64(buf, v)
	}
	return buf
}
