// Package metrics counts what a podcast host is asked about — requests,
// bytes, errors, and downloads per episode — and writes them in the
// Prometheus text format. Downloads are counted the IAB way: a range probe
// of the first two bytes is not a download, and a listener counts once an
// episode a day. Listeners are told apart by a salted hash of address and
// user agent whose salt changes every day, so no IP address is ever stored
// and yesterday's hashes cannot be linked to today's.
package metrics
