// Package player owns the web pages of a show: the show page and the
// episode page with its read-along transcript. Templates and static assets
// are embedded with embed.FS and parsed once, at startup.
package player
