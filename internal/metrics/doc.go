// Package metrics is readcast's Prometheus registry (client_golang): the Go
// runtime and process collectors, build information, requests by route
// with their duration, reloads, publishes and alignments by result, the
// show's state, and downloads per episode counted the IAB way.
//
// A download counts once a listener has received about one minute of an
// episode's audio (bytes at the episode's bitrate), summed across range
// requests within a day, so a probe of a few bytes never counts and an app
// fetching in 64 KB ranges counts once. A listener is a salted hash of
// client address, user agent and episode; the salt changes every day, so no
// IP address is kept and yesterday's hashes cannot be linked to today's.
// The day's hashes (and salt) are saved to a file so a restart does not
// count the same listeners again.
package metrics
